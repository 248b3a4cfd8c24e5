"""Phone (390 px) and desktop, Chinese and English (issue 16 point 5).

Below 640 px the header is one line with a menu, list rows are cards with the key figure and the
action first: the net price on /prices/ and the PDF link on /rebates/ are on screen, and no page
scrolls sideways. Screenshots of each view go to /tmp/shots/ (phone_* and desktop_*).
"""
from __future__ import annotations

import pytest

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 800}
VIEWS = {
    "dealer1.admin@example.com": ["/", "/prices/", "/rebates/", "/orders/", "/deals/"],
    "cm.north@example.com": ["/", "/prices/", "/orders/", "/deals/"],
    "finance@example.com": ["/rebates/"],
}


def _on_screen(page, selector: str, width: int) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_phone_cards_menu_and_screenshots(browser, live_server, locale):
    lang = locale[:2]
    for email, paths in VIEWS.items():
        for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            context = browser.new_context(locale=locale, viewport=viewport)
            page = context.new_page()
            try:
                login(page, live_server.url, email)
                for path in paths:
                    page.goto(live_server.url + path)
                    name = f"{size}_{lang}_{email.split('@')[0]}_{path.strip('/') or 'home'}"
                    screenshot(page, name.replace(".", "-"))
                    if size != "phone":
                        continue
                    width = viewport["width"]
                    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
                    assert page.locator("header.topbar").bounding_box()["height"] < 110, name
                    assert page.locator("header .phone-menu summary").is_visible(), name
                    for link in ("header a.notif", "header #logout"):  # nothing pushed off screen
                        assert _on_screen(page, link, width), (name, link)
                    assert not page.locator("header ul.mainnav").is_visible(), name
                    if path == "/prices/":
                        assert _on_screen(page, "#price-results td.key", width), name
                    if path == "/rebates/" and page.locator("#statements td.act a").count():
                        assert _on_screen(page, "#statements td.act a", width), name
                if size == "phone":
                    page.click("header .phone-menu summary")
                    assert page.locator("header .phone-menu a").first.is_visible()
                    screenshot(page, f"phone_{lang}_{email.split('@')[0]}_menu".replace(".", "-"))
            finally:
                context.close()
