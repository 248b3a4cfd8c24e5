"""Templates ask `can("capability", obj)`; they never name or compare a role.

A line that only shows a role's name (`role_labels[u.role]`, the role field of a form, the
selected role of a filter) is allowed; anything else that reads a role or names one is a check
that belongs in `portal/core/capabilities.py`.
"""
from __future__ import annotations

import re
from pathlib import Path

from portal.core.permissions import Role

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
#: Reads of a role that only show its name (a label, a form's role field or its choices, the
#: role filter of a list).
SHOWS_NAME = re.compile(r"role_labels\[[\w.]+\]|form\.role\b|request\.args\.role\b")
READS_ROLE = re.compile(r"Role\.|(?<!for )\brole\s*(==|!=|\bin\b|\bnot in\b)|\.role\b|\.has_role\b|"
                        r"""["'](""" + "|".join(r.value for r in Role) + r""")["']""")
#: Owned by the scorecards, which still compare roles (to be moved to capabilities).
NOT_YET = ("scorecards/",)


def role_lines() -> tuple[list[tuple[str, int, str]], list[tuple[str, int, str]]]:
    """(checks, names): template lines that read a role to decide something, and those that
    only show a role's name."""
    checks, names = [], []
    for path in sorted(TEMPLATES.rglob("*.html")):
        rel = str(path.relative_to(TEMPLATES))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            rest = SHOWS_NAME.sub("", line)
            if READS_ROLE.search(rest):
                checks.append((rel, n, line.strip()))
            elif rest != line:
                names.append((rel, n, line.strip()))
    return checks, names


def test_templates_name_no_role():
    checks, _ = role_lines()
    assert [c for c in checks if not c[0].startswith(NOT_YET)] == []


def test_the_check_sees_a_role_comparison():
    assert READS_ROLE.search('{% if current_user.role == "admin" %}')
    assert READS_ROLE.search("{% if x in ('sales_director', 'finance') %}")
    assert READS_ROLE.search(SHOWS_NAME.sub("", '{{ role_labels[u.role] }} {% if u.role %}'))
    assert not READS_ROLE.search(SHOWS_NAME.sub("", "<td>{{ role_labels[u.role] }}</td>"))
    assert not READS_ROLE.search("{% for role in approver_roles %}{{ role_labels[role] }}")
    assert not READS_ROLE.search('<a href="{{ url_for(\'admin.users\') }}" role="button">')
