"""Journey: an order at an exception price, its confirmation, the quarter's rebate, the PDF.

A dealer salesperson registers an order on a registration with an approved exception and sees
the exception price; the channel manager confirms it; finance previews and issues the quarter;
the dealer admin downloads the statement PDF; the salesperson cannot.
"""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


def _rows(app):
    """Dealer D0001's own registration, exception and rebate program for this journey."""
    from portal.accounts.models import Dealer, User
    from portal.catalog.models import PriceListItem, Product
    from portal.catalog.services import price_list_in_force
    from portal.core import clock
    from portal.deals.models import Customer, DealLine, DealRegistration
    from portal.extensions import db
    from portal.pricing.models import PriceException, PriceExceptionLine
    from portal.pricing.services import price_for
    from portal.rebates.models import RebateProgram

    with app.app_context():
        today = clock.today()
        dealer = db.session.scalar(select(Dealer).where(Dealer.code == "D0001"))
        sales = db.session.scalar(select(User).where(User.email == "dealer1.sales@example.com"))
        plist = price_list_in_force(today)
        product = db.session.scalar(select(Product).join(
            PriceListItem, PriceListItem.product_id == Product.id).where(
            PriceListItem.price_list_id == plist.id, Product.active.is_(True)).order_by(Product.sku))
        quote = price_for(dealer, product, today)
        customer = Customer(dealer_id=dealer.id, region_id=dealer.region_id, name="旅程测试客户有限公司")
        db.session.add(customer)
        db.session.flush()
        deal = DealRegistration(dealer_id=dealer.id, created_by_id=sales.id, customer_id=customer.id,
                                region_id=dealer.region_id, project_name="旅程测试项目",
                                estimated_value_fen=50_000_000, expected_close_date=today + timedelta(days=30),
                                status="approved", submitted_at=clock.now(), approved_at=clock.now(),
                                protected_until=today + timedelta(days=60))
        deal.lines = [DealLine(line_id=product.line_id, quantity=3)]
        db.session.add(deal)
        db.session.flush()
        deal.number = f"R{today.year}-J{deal.id:04d}"
        price = quote.net_price_fen * 9 // 10
        exc = PriceException(dealer_id=dealer.id, region_id=dealer.region_id, deal_id=deal.id,
                             created_by_id=sales.id, status="approved", reason="旅程",
                             valid_until=today + timedelta(days=20), submitted_at=clock.now(),
                             decided_at=clock.now())
        db.session.add(exc)
        db.session.flush()
        db.session.add(PriceExceptionLine(exception_id=exc.id, product_id=product.id, quantity=3,
                                          requested_price_fen=price, approved_price_fen=price,
                                          list_price_fen=quote.list_price_fen,
                                          discount_bp=quote.discount_bp, net_price_fen=quote.net_price_fen))
        q = (today.month - 1) // 3
        start = today.replace(month=3 * q + 1, day=1)
        program = RebateProgram(name="旅程返利计划", code="2039Q4", period_code="2039Q4", period_start=start,
                                period_end=today + timedelta(days=1), mode="all_units",
                                bands=[[0, 100], [100_000_000, 200]], exception_treatment="include",
                                eligible_tiers=["platinum"], eligible_line_ids=[product.line_id])
        db.session.add(program)
        db.session.commit()
        return {"deal_id": deal.id, "sku": product.sku, "price": price, "program_id": program.id,
                "dealer_name": dealer.name}


def test_order_to_rebate_statement(page, live_server, browser):
    from portal.core.money import format_money

    base = live_server.url
    rows = _rows(live_server.app)

    # The salesperson registers the order on its registration and sees the exception price.
    login(page, base, "dealer1.sales@example.com")
    page.goto(base + f"/orders/new?deal={rows['deal_id']}")
    page.fill("#f-contract_no", "HT-JOURNEY-001")
    page.fill('input[name="sku-0"]', rows["sku"])
    page.fill('input[name="quantity-0"]', "2")
    page.click("#show-prices")
    page.wait_for_selector("#price-preview")
    assert format_money(rows["price"]) in page.inner_text("#price-preview")
    screenshot(page, "orders-new-exception-price")
    with page.expect_navigation():
        page.click("#submit-order")
    order_url = page.url
    assert format_money(rows["price"]) in page.inner_text("#order-lines")
    assert format_money(rows["price"] * 2) in page.inner_text("#order-total")
    page.context.clear_cookies()

    # The channel manager of the north confirms it.
    login(page, base, "cm.north@example.com")
    page.goto(order_url)
    with page.expect_navigation():
        page.click("#confirm-order")
    assert "confirm-order" not in page.content()
    page.context.clear_cookies()

    # Finance previews the quarter and issues it.
    login(page, base, "finance@example.com")
    page.goto(base + "/rebates/programs/")
    with page.expect_navigation():
        page.click(f'form[action="/rebates/programs/{rows["program_id"]}/runs"] button')
    assert "D0001" in page.inner_text("#preview")
    screenshot(page, "rebates-run-preview")
    with page.expect_navigation():
        page.click("#issue-run")
    issued = page.inner_text("#issued")
    assert "RB-2039Q4-D0001" in issued
    page.context.clear_cookies()

    # The dealer admin downloads the statement PDF.
    login(page, base, "dealer1.admin@example.com")
    page.goto(base + "/rebates/")
    with page.expect_navigation():
        page.click("text=RB-2039Q4-D0001")
    statement_url = page.url
    with page.expect_download() as info:
        page.click("#download-pdf")
    data = open(info.value.path(), "rb").read()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "RB-2039Q4-D0001" in text and rows["dealer_name"] in text
    page.context.clear_cookies()

    # The salesperson cannot.
    login(page, base, "dealer1.sales@example.com")
    response = page.goto(statement_url + ".pdf")
    assert response.status == 404
