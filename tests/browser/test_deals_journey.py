"""Deal registration and deconfliction in headless Chromium.

Dealer 2 (D0002) has registered 联想(北京)有限公司 for servers (in the demo); dealer 1 registers
北京联想科技有限公司 for servers through the form; a case opens; dealer 1 sees only "under review"
and never dealer 2; the north channel manager awards the case on the desk; both dealers see the
outcome.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


def _demo_earlier(app):
    from portal.accounts.models import Dealer
    from portal.deals.models import Customer, DealRegistration
    from portal.extensions import db

    with app.app_context():
        deal = db.session.scalar(
            select(DealRegistration).join(Customer, DealRegistration.customer_id == Customer.id)
            .join(Dealer, DealRegistration.dealer_id == Dealer.id)
            .where(Dealer.code == "D0002", Customer.name == "联想(北京)有限公司"))
        dealer = db.session.scalar(select(Dealer).where(Dealer.code == "D0002"))
        return deal.number, deal.project_name, dealer.name


def _case_of(app, number):
    from portal.conflicts.models import ConflictCase
    from portal.deals.models import DealRegistration
    from portal.extensions import db

    with app.app_context():
        deal = db.session.scalar(select(DealRegistration).where(DealRegistration.number == number))
        case = db.session.scalar(select(ConflictCase).where(ConflictCase.second_deal_id == deal.id,
                                                            ConflictCase.status == "open"))
        return deal.id, case.id


def logout(page):
    page.click("#logout")


def test_overlapping_registration_is_held_and_decided_without_revealing_the_other_dealer(
        page, live_server):
    from portal.core import clock

    base = live_server.url
    earlier_number, earlier_project, dealer2_name = _demo_earlier(live_server.app)
    secrets = ["D0002", dealer2_name, earlier_number, earlier_project, "联想(北京)有限公司"]

    # Dealer 1 registers the same company, written its own way, for servers.
    login(page, base, "dealer1.sales@example.com")
    page.goto(base + "/deals/new")
    page.fill("#f-project_name", "联想研发中心服务器二期")
    page.check('input[name="customer_id"][value="new"]')
    page.fill("#f-customer_name", "北京联想科技有限公司")
    page.select_option('select[name="line_0"]', label="服务器")
    page.fill('input[name="qty_0"]', "12")
    page.fill("#f-estimated_value", "960000")
    page.fill("#f-expected_close_date", (clock.today() + timedelta(days=60)).isoformat())
    with page.expect_navigation():
        page.click("#submit-registration")
    assert page.locator("#under-review").count() == 1
    number = page.locator("h1").inner_text().split()[1]
    content = page.content()
    for secret in secrets:
        assert secret not in content, secret
    page.goto(base + "/notifications/")
    for secret in secrets:
        assert secret not in page.content(), secret
    screenshot(page, "deals_under_review")
    logout(page)

    # The north channel manager sees both sides and awards the case to the earlier registration.
    deal_id, case_id = _case_of(live_server.app, number)
    login(page, base, "cm.north@example.com")
    page.goto(base + f"/conflicts/{case_id}")
    desk = page.content()
    assert "D0002" in desk and "D0001" in desk and earlier_number in desk and number in desk
    assert page.locator('input[name="decision"][value="award_earlier"]').is_checked()
    page.fill("#f-reason", "D0002 先报备，按先到先得裁决")
    page.click("#decide")
    page.wait_for_selector("section.decision >> text=D0002 先报备")
    screenshot(page, "conflict_decided")
    logout(page)

    # Dealer 1 sees its registration rejected (conflict), still without the other party.
    login(page, base, "dealer1.sales@example.com")
    page.goto(base + f"/deals/{deal_id}")
    assert page.locator("h1 .status-rejected").count() == 1
    assert page.locator("#under-review").count() == 0
    content = page.content()
    for secret in secrets + ["先到先得"]:
        assert secret not in content, secret
    page.goto(base + "/notifications/")
    assert number in page.content()
    logout(page)

    # Dealer 2 is told its registration proceeds, and learns nothing of dealer 1.
    login(page, base, "dealer2.admin@example.com")
    page.goto(base + "/notifications/")
    notes = page.content()
    assert earlier_number in notes
    for secret in ("D0001", number, "北京联想科技有限公司", "联想研发中心服务器二期"):
        assert secret not in notes, secret
    assert page.console_errors == []
