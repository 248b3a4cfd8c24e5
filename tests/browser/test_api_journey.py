"""A dealer administrator sets up its ERP: creates an API token on its account page, copies it
once, uses it, reads the API documentation, and revokes the token (headless Chromium)."""
from __future__ import annotations

import pytest

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_token_journey_and_documentation(page, live_server):
    login(page, live_server.url, "dealer2.admin@example.com")
    page.goto(live_server.url + "/account")
    page.fill("#token-name", "金蝶 K3 同步")
    with page.expect_navigation():
        page.click('form[action="/account/tokens"] button[type="submit"]')
    secret = page.locator("#token-secret").inner_text().strip()
    assert secret.startswith("dp_")
    screenshot(page, "api-token-created")
    api = page.request.get(live_server.url + "/api/v1/orders",
                           headers={"Authorization": f"Bearer {secret}"})
    assert api.status == 200 and "items" in api.json()
    # the browser's own session cookie does not open the API
    assert page.request.get(live_server.url + "/api/v1/orders").status == 401
    page.goto(live_server.url + "/account")
    row = page.locator("#api-tokens tr", has_text="金蝶 K3 同步")
    assert row.count() == 1 and secret not in page.content()
    page.click("#api-tokens a[href='/account/api']")
    assert "POST /api/v1/orders" in page.locator("main").inner_text()
    screenshot(page, "api-docs")
    page.goto(live_server.url + "/account")
    with page.expect_navigation():
        page.locator("#api-tokens tr", has_text="金蝶 K3 同步").locator("button").click()
    assert page.request.get(live_server.url + "/api/v1/orders",
                            headers={"Authorization": f"Bearer {secret}"}).status == 401
    # only the two refused API calls above answered 4xx; no CSP or script errors
    assert [e for e in page.console_errors if "/api/v1/" not in e] == []
