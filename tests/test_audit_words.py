"""Every audit action and every field an audit entry records is shown in words (issue 16 point 6):
read from the source, so a new `audit.record(...)` without a label fails here."""
from __future__ import annotations

import re
from pathlib import Path

from portal.core import labels

PORTAL = Path(__file__).resolve().parent.parent / "portal"
ACTION = re.compile(r'audit\.record\([^,]+,\s*"([a-z_]+\.[a-z_]+)"(?!\s*\+)')
CHANGE = re.compile(r'(?:after|before)=\{([^}]*)\}')


def _sources():
    return [p.read_text(encoding="utf-8") for p in PORTAL.rglob("*.py")]


def test_every_audit_action_has_a_label(app):
    actions = {a for text in _sources() for a in ACTION.findall(text)}
    assert len(actions) > 40
    assert sorted(a for a in actions if a not in labels.ACTION_LABELS) == []


def test_every_recorded_field_has_a_label(app):
    fields = {k for text in _sources() for body in CHANGE.findall(text)
              for k in re.findall(r'"([a-z_]+)":', body)}
    assert {"status", "contract_no", "total_fen"} <= fields
    assert sorted(k for k in fields if k not in labels.FIELD_LABELS) == []
