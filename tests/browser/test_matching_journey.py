"""Matching on real-world names in headless Chromium (DESIGN §3.4.1).

1. Dealer D0005 holds 台湾鸿达电机股份有限公司 (Simplified) for servers; the north rep records a lead
   for 臺灣鴻達電機股份有限公司 (Traditional) for servers: the lead is held and a case opens, with its
   evidence in words on the north channel manager's desk.
2. Dealer D0002 holds 杭州凯瑞文化传媒有限公司; dealer D0001 registers 杭州凯瑞电子科技有限公司 in the
   same city: the registration proceeds, and the north channel manager sees a possible overlap.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser

SAME_NAME = ("Same company name once the region, industry words and legal form are set aside.",
             "去掉地区、行业词和组织形式后公司名称相同。")
OTHER_BUSINESS = ("Same trade name, but in another line of business.", "字号相同，但属于另一行业。")


def _holding(app, dealer_code: str, customer_name: str) -> tuple[str, int]:
    """A submitted registration of `dealer_code` for servers at a new customer → (number, line id)."""
    from portal.accounts.models import Dealer, User
    from portal.catalog.models import ProductLine
    from portal.extensions import db
    from tests.routes.deals import make_customer, make_deal

    with app.app_context():
        dealer = db.session.scalar(select(Dealer).where(Dealer.code == dealer_code))
        user = db.session.scalar(select(User).where(User.dealer_id == dealer.id))
        server = db.session.scalar(select(ProductLine).where(ProductLine.name_zh == "服务器"))
        customer = make_customer(dealer, customer_name)
        deal = make_deal(dealer, user, customer, server, "submitted", project_name="机房服务器采购")
        db.session.commit()
        return deal.number, server.id


def logout(page):
    page.click("#logout")


def test_traditional_characters_meet_simplified_ones_in_a_case(page, live_server):
    base = live_server.url
    held, server_id = _holding(live_server.app, "D0005", "台湾鸿达电机股份有限公司")

    login(page, base, "rep.north@example.com")
    page.goto(base + "/leads/new")
    page.fill("#f-project_name", "鸿达工厂服务器项目")
    page.select_option("#f-customer_id", "new")
    page.fill("#f-customer_name", "臺灣鴻達電機股份有限公司")
    page.check(f'input[name="line_ids"][value="{server_id}"]')
    with page.expect_navigation():
        page.click('form:has(#f-project_name) button[type="submit"]')
    number = page.locator("h1").inner_text().split()[1]
    assert number.startswith("L")
    screenshot(page, "matching_lead_held")
    logout(page)

    login(page, base, "cm.north@example.com")
    page.goto(base + "/conflicts/")
    row = page.locator("#results tr", has_text=number)
    assert row.count() == 1
    row.locator("a").first.click()
    desk = page.content()
    assert held in desk and number in desk
    assert "臺灣鴻達電機股份有限公司" in desk and "台湾鸿达电机股份有限公司" in desk
    assert any(sentence in desk for sentence in SAME_NAME)
    assert "name_exact" not in desk  # evidence in words, never codes
    screenshot(page, "matching_case_traditional")
    assert page.console_errors == []


def test_same_trade_name_other_business_proceeds_and_the_manager_sees_a_possible_overlap(
        page, live_server):
    from portal.core import clock

    base = live_server.url
    held, _server = _holding(live_server.app, "D0002", "杭州凯瑞文化传媒有限公司")

    login(page, base, "dealer1.sales@example.com")
    page.goto(base + "/deals/new")
    page.fill("#f-project_name", "凯瑞研发中心服务器")
    page.check('input[name="customer_id"][value="new"]')
    page.fill("#f-customer_name", "杭州凯瑞电子科技有限公司")
    page.select_option('select[name="line_0"]', label="服务器")
    page.fill('input[name="qty_0"]', "4")
    page.fill("#f-estimated_value", "320000")
    page.fill("#f-expected_close_date", (clock.today() + timedelta(days=60)).isoformat())
    with page.expect_navigation():
        page.click("#submit-registration")
    assert page.locator("#under-review").count() == 0  # it proceeds
    number = page.locator("h1").inner_text().split()[1]
    content = page.content()
    for secret in ("D0002", held, "杭州凯瑞文化传媒有限公司"):
        assert secret not in content, secret
    logout(page)

    login(page, base, "cm.north@example.com")
    page.goto(base + "/conflicts/")
    section = page.locator("#possible-overlaps")
    assert section.count() == 1
    row = section.locator("tr", has_text=number)
    assert row.count() == 1
    assert "杭州凯瑞文化传媒有限公司" in row.inner_text()
    row.locator("a").first.click()
    notice = page.content()
    assert any(sentence in notice for sentence in OTHER_BUSINESS)
    assert "trade_name_other_business" not in notice
    screenshot(page, "matching_possible_overlap")
    assert page.console_errors == []
