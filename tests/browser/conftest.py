"""The shared harness of the browser tests (headless Chromium through Playwright's sync API).

    @pytest.mark.browser
    def test_something(page, live_server):
        login(page, live_server.url, "dealer1.admin@example.com")
        page.goto(live_server.url + "/deals/")
        ...

`live_server` serves a real app — CSRF enabled, the full `flask seed demo` loaded into a database
of its own — from a background thread on a free 127.0.0.1 port, once per test session. Tests that
change data should change their own rows (make them in `live_server.app.app_context()`), so that
the demo stays as other tests expect it. Screenshots go to /tmp/shots/.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from portal import create_app
from tests.conftest import TEST_CONFIG

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DEMO_PASSWORD = "demo-pass-2026"
SHOTS = Path("/tmp/shots")


@dataclass
class LiveServer:
    app: Flask
    url: str


@pytest.fixture(scope="session")
def live_server(databases, tmp_path_factory):
    """The portal with the demo data, served on http://127.0.0.1:<free port>."""
    from portal.extensions import db

    app = create_app({**TEST_CONFIG, "WTF_CSRF_ENABLED": True,
                      "SQLALCHEMY_DATABASE_URI": databases.new(),
                      "STORAGE_DIR": str(tmp_path_factory.mktemp("live-storage"))})
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    if result.exit_code != 0:
        detail = result.output
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            import traceback

            detail += "".join(traceback.format_exception(result.exception))
        pytest.fail(f"`flask seed demo` failed; the browser tests need the demo:\n{detail}",
                    pytrace=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    """A browser profile of its own per test (cookies, language), Chinese by default."""
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.console_errors = errors  # e.g. CSP violations; tests may assert it stays empty
    yield page
    page.close()


def login(page, base_url: str, email: str, password: str = DEMO_PASSWORD):
    """Log in through the form, as a person would; returns the response of the page landed on."""
    page.goto(base_url + "/login")
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', password)
    with page.expect_navigation():
        page.click('form[action^="/login"] button[type="submit"]')
    return page


def screenshot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
