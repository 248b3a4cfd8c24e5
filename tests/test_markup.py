"""Zero Nu HTML Checker errors on every page of every role in both languages (issue 16 point 7).

The checker is the `vnu-jar` npm package pinned in tools/package.json (`make setup` installs it
into tools/node_modules), run with Debian's Java. A machine without them skips this test with
what to install.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.markup import render_pages

VNU = Path(__file__).resolve().parent.parent / "tools/node_modules/vnu-jar/build/dist/vnu.jar"


def run_vnu(files: list[Path]) -> list[dict]:
    """The checker's error messages for `files` (one Java start for all of them)."""
    assert all(isinstance(f, Path) and f.is_file() for f in files)
    done = subprocess.run(
        ["java", "-Xss4m", "-jar", str(VNU), "--errors-only", "--format", "json",
         "--exit-zero-always", *map(str, files)],
        capture_output=True, text=True, timeout=600, check=True)
    return [m for m in json.loads(done.stderr or '{"messages": []}')["messages"]
            if m.get("type") == "error" or m.get("subType") == "fatal"]


def test_no_html_checker_errors_on_any_page(app, world, db, tmp_path):
    if not VNU.exists() or not shutil.which("java"):
        pytest.skip("the Nu HTML Checker needs `make setup` (vnu-jar in tools/, Java from Debian)")
    pages = render_pages(app, world, db)
    assert len(pages) > 60, [p.name for p in pages]
    files = {}
    for i, page in enumerate(pages):
        path = tmp_path / f"{i:03d}.html"
        path.write_text(page.html, encoding="utf-8")
        files[path] = page
    errors = run_vnu(list(files))
    for m in errors:
        m["page"] = files.get(Path(urlsplit(m.get("url", "")).path))
    report = Counter(f"{m['message']} [{(m.get('extract') or '').strip()[:80]}]" for m in errors)
    where = Counter(m["page"].url for m in errors if m["page"] is not None)
    assert not errors, (
        f"{len(errors)} HTML checker errors over {len(pages)} role × language × page views:\n"
        + "\n".join(f"{n:4d} × {text}" for text, n in report.most_common(40))
        + "\npages: " + ", ".join(f"{url} ({n})" for url, n in where.most_common(20)))
