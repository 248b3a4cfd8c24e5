"""Journey: the channel manager works through the inbox and bulk-confirms orders, one of which
someone else decided in the meantime; each order gets its own result line."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


def _confirm_behind_his_back(app, order_id: int) -> None:
    """The director confirms one of the selected orders first (another request, committed)."""
    from portal.accounts.models import User
    from portal.extensions import db
    from portal.orders import services
    from portal.orders.models import SalesOrder

    with app.app_context():
        director = db.session.scalar(select(User).where(User.email == "director@example.com"))
        services.confirm_order(director, db.session.get(SalesOrder, order_id))
        db.session.commit()


def _status(app, order_id: int) -> str:
    from portal.extensions import db
    from portal.orders.models import SalesOrder

    with app.app_context():
        return db.session.get(SalesOrder, order_id).status


def test_channel_manager_bulk_confirms_with_one_order_refused(page, live_server):
    login(page, live_server.url, "cm.north@example.com")
    badge = page.locator("#inbox-count")
    assert int(badge.inner_text()) > 0
    screenshot(page, "inbox-cm-dashboard-zh")
    page.click("header ul.mainnav >> text=待办")
    page.wait_for_url("**/inbox/")
    screenshot(page, "inbox-cm-zh")
    page.select_option("select[name=kind]", "order")
    page.wait_for_url("**/inbox/?kind=order*")
    rows = page.locator("#inbox-results tbody tr[id^=item-order-]")
    rows.first.wait_for()
    assert page.locator("#inbox-results tbody tr[id^=item-registration-]").count() == 0
    keys = [rows.nth(i).locator("input[type=checkbox]").get_attribute("value") for i in range(2)]
    ids = [int(re.fullmatch(r"order:(\d+)", k).group(1)) for k in keys]
    for key in keys:
        page.check(f"input[value='{key}']")
    _confirm_behind_his_back(live_server.app, ids[1])
    page.click("button[name=action][value=approve]")
    results = page.locator(".bulk-results")
    results.wait_for()
    assert "已完成 1 项，拒绝执行 1 项。" in results.inner_text()
    done = page.locator(f"#result-order-{ids[0]}")
    refused = page.locator(f"#result-order-{ids[1]}")
    assert "已确认。" in done.inner_text()
    assert "未执行" in refused.inner_text() and "此事项不在等待您决定的范围内" in refused.inner_text()
    # decided orders have left the list; the filter is kept
    assert page.locator(f"#item-order-{ids[0]}").count() == 0
    assert page.locator("#inbox-results tbody tr[id^=item-registration-]").count() == 0
    screenshot(page, "inbox-cm-bulk-result-zh")
    assert _status(live_server.app, ids[0]) == "confirmed"
    # a rejection without a reason is refused with the message next to the field
    page.select_option("select[name=kind]", "")
    page.wait_for_url(re.compile(r".*/inbox/\?kind=&.*"))
    first = page.locator("#inbox-results tbody input[type=checkbox]").first
    first.check()
    with page.expect_response(re.compile(r"/inbox/bulk")) as answer:
        page.click("button[name=action][value=reject]")
    assert answer.value.status == 422
    assert page.locator("#inbox-results tbody input[type=checkbox]").count() > 0
    # the page still works after Back: the unfiltered list
    page.goto(live_server.url + "/inbox/")
    assert page.locator("#inbox-results tbody tr").count() > 0


@pytest.mark.parametrize("locale, width, suffix", [("en", 1280, "en"), ("zh-CN", 390, "zh-phone"),
                                                  ("en", 390, "en-phone")])
def test_inbox_screens(browser, live_server, locale, width, suffix):
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        login(page, live_server.url, "cm.north@example.com")
        if locale == "en":
            page.click("button[value=en]")
            page.wait_for_load_state()
        screenshot(page, f"inbox-cm-dashboard-{suffix}")
        page.goto(live_server.url + "/inbox/")
        screenshot(page, f"inbox-cm-{suffix}")
        for email, name in (("finance@example.com", "finance"), ("director@example.com", "director"),
                            ("dealer1.admin@example.com", "dealer"), ("rep.north@example.com", "rep")):
            page.click("#logout")
            login(page, live_server.url, email)
            screenshot(page, f"dashboard-{name}-{suffix}")
    finally:
        context.close()
