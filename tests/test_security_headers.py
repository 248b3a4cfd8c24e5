"""Security baseline: CSP without inline script, cookie flags, headers, and templates that need
no inline script or style."""
from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from portal import create_app
from portal.config import ROOT, load_config
from portal.extensions import db
from tests.conftest import TEST_CONFIG
from tests.factories import PASSWORD, UserFactory

TEMPLATES = ROOT / "templates"


def test_csp_and_security_headers_on_every_page(client, world, login_as):
    for url in ("/login", "/healthz"):
        resp = client.get(url)
        csp = resp.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "'unsafe-eval'" not in csp
        assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
    login_as(world.admin)
    resp = client.get("/admin/users/")
    assert "style-src 'self'" in resp.headers["Content-Security-Policy"]
    resp = client.get("/no-such-page")
    assert resp.status_code == 404 and "Content-Security-Policy" in resp.headers


def _session_cookie(resp) -> str:
    cookies = [c for c in resp.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, resp.headers
    return cookies[-1]


def test_session_cookie_is_httponly_and_lax_and_not_secure_in_development(client, world):
    resp = client.post("/login", data={"email": "a.sales@test.example", "password": PASSWORD})
    assert resp.status_code == 302
    cookie = _session_cookie(resp)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_in_production(monkeypatch, fresh_database, tmp_path):
    from portal import logs

    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": fresh_database(),
                      "STORAGE_DIR": str(tmp_path)})
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is True
        with app.app_context():
            UserFactory(email="prod@test.example", role="admin")
            db.session.commit()
        client = app.test_client()
        resp = client.post("/login", data={"email": "prod@test.example", "password": PASSWORD},
                           base_url="https://portal.example")
        assert resp.status_code == 302
        cookie = _session_cookie(resp)
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        with app.app_context():
            db.engine.dispose()
        logs.configure(logging.INFO, json_logs=False)


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    from portal.config import ConfigError

    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        load_config()


# --- templates: nothing the CSP would block ------------------------------------------------------

def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
HANDLER = re.compile(r"(?:^|\s)(on[a-z]+|hx-on[:\w-]*)\s*=", re.I)
STYLE_ATTR = re.compile(r"(?:^|\s)style\s*=", re.I)


def _strip_jinja(text: str) -> str:
    """Drop Jinja comments; keep expressions (they may hold attributes)."""
    return re.sub(r"\{#.*?#\}", "", text, flags=re.S)


def test_template_scan_finds_what_it_should():
    """The scanners themselves catch the forbidden forms (so the real scan can fail)."""
    bad = ('<script>alert(1)</script><a href="#" onclick="x()">a</a>'
           '<div style="color:red"></div><button hx-on:click="x()">b</button>')
    assert SCRIPT.search(bad).group(2).strip()
    tags = [m.group(2) for m in TAG.finditer(bad)]
    assert any(HANDLER.search(t) for t in tags)
    assert any(STYLE_ATTR.search(t) for t in tags)
    assert sum(bool(HANDLER.search(t)) for t in tags) == 2


def test_no_template_has_inline_script_handlers_or_style_attributes():
    problems = []
    files = _templates()
    assert len(files) > 10
    for path in files:
        text = _strip_jinja(path.read_text(encoding="utf-8"))
        rel = path.relative_to(TEMPLATES)
        for match in SCRIPT.finditer(text):
            if match.group(2).strip() or "src=" not in match.group(1):
                problems.append(f"{rel}: inline <script>")
        for match in TAG.finditer(text):
            attrs = match.group(2)
            if HANDLER.search(attrs):
                problems.append(f"{rel}: event handler attribute in <{match.group(1)}>")
            if STYLE_ATTR.search(attrs):
                problems.append(f"{rel}: style attribute in <{match.group(1)}>")
        # print templates (WeasyPrint, never served to a browser) may carry a <style> element:
        # templates/pdf/ and a domain's pdf/ folder (portal/core/pdf.py)
        if "pdf" not in rel.parts[:2] and re.search(r"<style\b", text, re.I):
            problems.append(f"{rel}: <style> element")
    assert problems == []


def test_no_python_markup_with_inline_script():
    """Fragments built in Python (htmx answers) follow the same rule."""
    problems = []
    for path in (ROOT / "portal").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script\b|\sstyle=\\?[\"']|\sonclick=", text, re.I):
            problems.append(str(path.relative_to(ROOT)))
    assert problems == []
