"""The foundation's journeys in headless Chromium: log in as a dealer and as head office, see the
role and only the allowed navigation, switch language, log out; a suspended dealer is refused."""
from __future__ import annotations

import pytest

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


def nav_links(page) -> list[str]:
    return page.eval_on_selector_all("ul.mainnav a", "els => els.map(e => e.getAttribute('href'))")


def test_dealer_sees_its_role_dealer_and_only_its_navigation(page, live_server):
    login(page, live_server.url, "dealer1.admin@example.com")
    assert page.url == live_server.url + "/"
    assert page.locator("#my-role").inner_text() == "经销商管理员"
    dealer = page.locator("#my-dealer").inner_text()
    assert "D0001" in dealer and "白金" in dealer and "华北" in dealer
    links = nav_links(page)
    assert "/team/" in links and "/admin/" not in links
    for href in links:  # everything shown opens
        response = page.request.get(live_server.url + href)
        assert response.status == 200, href
    assert page.locator("#unread-badge").count() == 1
    assert page.console_errors == []


def test_head_office_sees_its_role_and_administration(page, live_server):
    login(page, live_server.url, "admin@example.com")
    assert page.locator("#my-role").inner_text() == "系统管理员"
    assert page.locator("#my-regions").inner_text() == "全部区域"
    links = nav_links(page)
    assert "/admin/" in links and "/team/" not in links
    page.click('ul.mainnav a[href="/admin/"]')
    assert page.locator("h1").inner_text() == "系统管理"
    page.goto(live_server.url + "/admin/users/?role=channel_manager")
    assert page.locator("table.data tbody tr").count() >= 2
    screenshot(page, "admin-users-zh")
    page.goto(live_server.url + "/notifications/")
    screenshot(page, "notifications-zh")


def test_regional_manager_sees_its_regions(page, live_server):
    login(page, live_server.url, "cm.north@example.com")
    assert page.locator("#my-role").inner_text() == "渠道经理"
    assert "华北" in page.locator("#my-regions").inner_text()
    assert "/admin/" not in nav_links(page)


def test_switch_language_and_back(page, live_server):
    login(page, live_server.url, "dealer1.sales@example.com")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text().startswith("欢迎")
    screenshot(page, "dashboard-zh")
    with page.expect_navigation():
        page.click('form.lang-switch button[value="en"]')
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith("Welcome")
    assert page.locator("#my-role").inner_text() == "Dealer salesperson"
    assert page.locator("#logout").inner_text() == "Log out"
    screenshot(page, "dashboard-en")
    # the preference is saved with the user: a new browser profile logs in in English
    page.goto(live_server.url + "/notifications/")
    assert page.locator("h1").inner_text() == "Notifications"
    with page.expect_navigation():
        page.click('form.lang-switch button[value="zh_CN"]')
    assert page.url == live_server.url + "/notifications/"
    assert page.locator("h1").inner_text() == "通知"


def test_saved_language_follows_the_user(browser, live_server):
    first = browser.new_context(locale="zh-CN")
    page = first.new_page()
    login(page, live_server.url, "cm.east@example.com")
    with page.expect_navigation():
        page.click('form.lang-switch button[value="en"]')
    first.close()
    second = browser.new_context(locale="zh-CN")
    page = second.new_page()
    login(page, live_server.url, "cm.east@example.com")
    assert page.locator("#my-role").inner_text() == "Channel manager"
    with page.expect_navigation():
        page.click('form.lang-switch button[value="zh_CN"]')
    second.close()


def test_log_out(page, live_server):
    login(page, live_server.url, "finance@example.com")
    with page.expect_navigation():
        page.click("#logout")
    assert page.url.startswith(live_server.url + "/login")
    assert page.locator(".flash.success").inner_text() == "您已退出登录。"
    page.goto(live_server.url + "/")
    assert page.url.startswith(live_server.url + "/login?next=")


def test_wrong_password_is_refused_with_a_clear_message(page, live_server):
    login(page, live_server.url, "dealer1.admin@example.com", "not-the-password")
    assert page.url.startswith(live_server.url + "/login")
    assert page.locator(".flash.error").inner_text() == "邮箱或密码错误。"
    screenshot(page, "login-refused-zh")


def test_suspended_dealers_user_is_refused_and_its_open_session_ends(browser, page, live_server):
    from portal.accounts.auth import hash_password
    from portal.accounts.models import Dealer, Region, User
    from portal.extensions import db

    with live_server.app.app_context():
        region = db.session.query(Region).filter_by(code="west").one()
        dealer = Dealer(code="Z9901", name="乌鲁木齐测试科技有限公司", tier="silver",
                        region_id=region.id, city="乌鲁木齐")
        db.session.add(dealer)
        db.session.flush()
        db.session.add(User(email="z.sales@example.com", name="Z Sales", role="dealer_sales",
                            dealer_id=dealer.id, password_hash=hash_password("demo-pass-2026")))
        db.session.commit()
        dealer_id = dealer.id
    # the dealer's user is working ...
    login(page, live_server.url, "z.sales@example.com")
    assert page.locator("#my-role").inner_text() == "经销商销售"
    # ... when head office suspends the dealer in another browser
    admin_ctx = browser.new_context(locale="zh-CN")
    admin = admin_ctx.new_page()
    login(admin, live_server.url, "admin@example.com")
    admin.goto(f"{live_server.url}/admin/dealers/{dealer_id}")
    admin.on("dialog", lambda dialog: dialog.accept())  # the confirmation of app.js
    admin.fill("#reason", "测试暂停")
    with admin.expect_navigation():
        admin.click('button[name="status"][value="suspended"]')
    assert "Z9901" in admin.locator(".flash.success").inner_text()
    admin_ctx.close()
    # the open session ends at once
    page.reload()
    assert page.url.startswith(live_server.url + "/login")
    # and a new login is refused
    login(page, live_server.url, "z.sales@example.com")
    assert page.locator(".flash.error").inner_text() == "您所属经销商的访问权限已被暂停，请联系您的渠道经理。"
    with live_server.app.app_context():
        assert db.session.get(Dealer, dealer_id).status == "suspended"
        db.session.remove()


def test_open_a_notification_marks_it_read_and_follows_its_link(page, live_server):
    from sqlalchemy import select

    from portal.accounts.models import User
    from portal.extensions import db
    from portal.notifications.services import notify, unread_count

    with live_server.app.app_context():
        user = db.session.scalar(select(User).where(User.email == "rep.north@example.com"))
        notify([user], "decision_made", "Dealer %(code)s saved.", "/account", code="D0042")
        db.session.commit()
        before = unread_count(user)
        db.session.remove()
    login(page, live_server.url, "rep.north@example.com")
    assert page.locator("#unread-badge").inner_text() == str(before)
    page.goto(live_server.url + "/notifications/")
    screenshot(page, "notifications-with-one-zh")
    row = page.locator("button.open-note", has_text="经销商 D0042 已保存。")
    with page.expect_navigation():
        row.click()
    assert page.url == live_server.url + "/account"
    assert page.locator("#unread-badge").inner_text() == str(before - 1)
