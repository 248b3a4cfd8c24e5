"""Journey: forms that fit the work (DESIGN §3.9).

A dealer salesperson registers a deal by typing part of a customer's name and choosing it from
the suggestions, adds product lines without leaving the page, then registers an order: the end
customer found the same way, five lines each found by typing part of a SKU, then submitted.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser

CUSTOMER = "旅程搜索星海精密机械有限公司"


def _customer(app) -> int:
    from portal.accounts.models import Dealer
    from portal.deals.models import Customer
    from portal.deals.services import refresh_keys
    from portal.extensions import db

    with app.app_context():
        dealer = db.session.scalar(select(Dealer).where(Dealer.code == "D0001"))
        customer = Customer(dealer_id=dealer.id, region_id=dealer.region_id, name=CUSTOMER)
        db.session.add(customer)
        db.session.flush()
        refresh_keys(customer)
        db.session.commit()
        return customer.id


def _deal(app, project: str):
    from portal.deals.models import DealRegistration
    from portal.extensions import db

    with app.app_context():
        deal = db.session.scalar(select(DealRegistration).where(DealRegistration.project_name == project))
        return deal.customer_id, sorted(ln.quantity for ln in deal.lines)


def _order(app, contract: str):
    from portal.extensions import db
    from portal.orders.models import SalesOrder

    with app.app_context():
        order = db.session.scalar(select(SalesOrder).where(SalesOrder.contract_no == contract))
        return order.customer_id, sorted((ln.product.sku, ln.quantity) for ln in order.lines)


def _pick_sku(page, row: int, typed: str) -> str:
    """Type part of a SKU in line `row`, wait for the suggestions, take the first one."""
    page.fill(f"#f-sku-{row}", "")
    page.type(f"#f-sku-{row}", typed, delay=30)
    option = page.locator(f"#sku-options-{row} option").first
    option.wait_for(state="attached")
    sku = option.get_attribute("value")
    page.fill(f"#f-sku-{row}", sku)
    return sku


def test_search_customers_and_skus_and_add_lines(page, live_server):
    from portal.core import clock

    base = live_server.url
    customer_id = _customer(live_server.app)
    login(page, base, "dealer1.sales@example.com")

    # The registration: the customer by search as you type, four product lines.
    page.goto(base + "/deals/new")
    page.fill("#f-project_name", "旅程搜索项目")
    page.type("#f-customer_q", "星海精密", delay=40)
    choice = page.locator(f'#customer-choices input[name="customer_id"][value="{customer_id}"]')
    choice.wait_for()
    assert CUSTOMER in page.inner_text("#customer-choices")
    choice.check()
    for i in range(3):
        page.select_option(f'select[name="line_{i}"]', index=i + 1)
        page.fill(f'input[name="qty_{i}"]', str(i + 1))
    page.click("#add-line")  # htmx: the form again with one more row, what was typed kept
    page.wait_for_selector('select[name="line_3"]')
    assert page.input_value('input[name="qty_2"]') == "3"
    assert page.is_checked(f'#customer-choices input[value="{customer_id}"]')
    page.select_option('select[name="line_3"]', index=1)
    page.fill('input[name="qty_3"]', "4")
    page.fill("#f-expected_close_date", (clock.today() + timedelta(days=45)).isoformat())
    screenshot(page, "forms-journey-registration")
    with page.expect_navigation():
        page.click("#submit-registration")
    assert _deal(live_server.app, "旅程搜索项目") == (customer_id, [1, 2, 3, 4])

    # The order: the end customer found the same way, five lines found by part of their SKU.
    page.goto(base + "/orders/new")
    page.fill("#f-contract_no", "HT-FORMS-JOURNEY")
    page.type("#f-customer_name", "星海精密", delay=40)
    page.locator(f'#customer-choices input[value="{customer_id}"]').check()
    typed = ["SRV-R7", "STO-S5", "NET-SW-S6", "SW-BAK", "SVC-INST"]
    skus = [_pick_sku(page, 0, typed[0])]
    page.fill('input[name="quantity-0"]', "1")
    for row in range(1, 5):
        if row >= 3:
            page.click("#add-line")
            page.wait_for_selector(f"#f-sku-{row}")
            # htmx moves the focus to the new row's `autofocus` field when the swap settles.
            expect(page.locator(f"#f-sku-{row}")).to_be_focused(timeout=5000)
        skus.append(_pick_sku(page, row, typed[row]))
        page.fill(f'input[name="quantity-{row}"]', str(row + 1))
    assert page.input_value("#f-sku-0") == skus[0]  # kept through the added lines
    page.click("#show-prices")
    page.wait_for_selector("#price-preview")
    assert page.locator("#price-preview tbody tr").count() == 5
    screenshot(page, "forms-journey-order")
    with page.expect_navigation():
        page.click("#submit-order")
    assert _order(live_server.app, "HT-FORMS-JOURNEY") == (
        customer_id, sorted(zip(skus, [1, 2, 3, 4, 5], strict=True)))
    assert page.console_errors == []
