"""Journey: a dealer requests special prices deep enough to need two approvers; the channel
manager approves, then the sales director; the dealer sees the request approved, with the
approved prices and their validity."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


def _own_deal(app) -> int:
    """An approved registration of D0001 made for this journey (the demo's stay untouched)."""
    from portal.accounts.models import Dealer, User
    from portal.extensions import db
    from tests.routes.pricing import make_deal

    with app.app_context():
        dealer = db.session.scalar(select(Dealer).where(Dealer.code == "D0001"))
        sales = db.session.scalar(select(User).where(User.email == "dealer1.sales@example.com"))
        deal = make_deal(dealer, sales, name="浏览器旅程测试客户有限公司")
        deal.project_name = "浏览器旅程特价项目"
        db.session.commit()
        return deal.id


def _as(browser, live_server, email):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    login(page, live_server.url, email)
    return ctx, page


def _approve(browser, live_server, email, url, comment):
    ctx, page = _as(browser, live_server, email)
    page.goto(url)
    page.fill("#f-comment", comment)
    with page.expect_navigation():
        page.click("#approve")
    assert page.locator(".flash.success").count() == 1
    ctx.close()


def test_exception_approved_by_two_approvers(page, browser, live_server):
    deal_id = _own_deal(live_server.app)
    login(page, live_server.url, "dealer1.sales@example.com")
    page.goto(live_server.url + "/exceptions/new")
    page.select_option("#f-deal_id", str(deal_id))
    page.fill('input[name="sku-0"]', "SRV-R740-G3")
    page.fill('input[name="quantity-0"]', "5")
    page.fill('input[name="price-0"]', "31000")
    # live figures (htmx): net ¥34,350.00 for platinum; 7.31 pp beyond the tier discount
    expect(page.locator("#figures")).to_contain_text("7.31")
    figures = page.inner_text("#figures")
    assert "¥34,350.00" in figures and "¥155,000.00" in figures
    page.fill("#f-reason", "竞品报价低，客户预算有限")
    with page.expect_navigation():
        page.click("#submit-request")
    url = page.url
    assert re.search(r"/exceptions/\d+$", url)
    assert page.locator("h1 .status-pending").count() == 1
    screenshot(page, "pricing-requested")

    _approve(browser, live_server, "cm.north@example.com", url, "同意，请尽快下单")
    _approve(browser, live_server, "director@example.com", url, "批准")

    page.goto(url)
    assert page.locator("h1 .status-approved").count() == 1
    assert page.inner_text("#exception-lines .approved-price") == "¥31,000.00"
    assert page.locator("#valid-until").count() == 1
    assert page.locator("#steps .status-approved").count() == 2
    assert "¥28,396.00" not in page.content()   # the floor price stays with head office
    screenshot(page, "pricing-approved")
    assert [e for e in page.console_errors if "exceptions" in e or "Content Security" in e] == []
