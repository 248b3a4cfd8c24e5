"""Journey: a return after the quarter was issued gives the dealer a negative supplementary
statement.

Finance issues a program of its own over the current quarter; the north channel manager records
a return of one unit of one of D0001's confirmed orders; finance re-runs the program; the dealer
admin downloads the supplementary PDF and reads the negative amount in figures and in 大写.
"""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser

CODE = "J-RT-2039"


def _rows(app):
    """A program of this journey's own, and a confirmed order of D0001 to return from."""
    from portal.accounts.models import Dealer, User
    from portal.catalog.models import PriceListItem, Product
    from portal.catalog.services import price_list_in_force
    from portal.core import clock
    from portal.extensions import db
    from portal.orders.models import OrderLine, SalesOrder
    from portal.pricing.services import price_for
    from portal.rebates.models import RebateProgram

    with app.app_context():
        today = clock.today()
        dealer = db.session.scalar(select(Dealer).where(Dealer.code == "D0001"))
        sales = db.session.scalar(select(User).where(User.email == "dealer1.sales@example.com"))
        manager = db.session.scalar(select(User).where(User.email == "cm.north@example.com"))
        plist = price_list_in_force(today)
        product = db.session.scalar(select(Product).join(
            PriceListItem, PriceListItem.product_id == Product.id).where(
            PriceListItem.price_list_id == plist.id, Product.active.is_(True))
            .order_by(PriceListItem.list_price_fen.desc()))
        quote = price_for(dealer, product, today)
        order = SalesOrder(dealer_id=dealer.id, region_id=dealer.region_id, created_by_id=sales.id,
                           customer_name="退货旅程客户有限公司", contract_no="HT-RT-JOURNEY",
                           order_date=today, status="confirmed", decided_by_id=manager.id,
                           decided_at=clock.now(), total_fen=quote.net_price_fen * 3)
        order.lines.append(OrderLine(product_id=product.id, line_id=product.line_id, quantity=3,
                                     list_price_fen=quote.list_price_fen,
                                     net_price_fen=quote.net_price_fen,
                                     unit_price_fen=quote.net_price_fen, price_source="net",
                                     amount_fen=quote.net_price_fen * 3))
        db.session.add(order)
        db.session.flush()
        order.number = f"SO{today.year}-{order.id:05d}"
        q = (today.month - 1) // 3
        program = RebateProgram(name="退货旅程返利计划", code=CODE, period_code="2039Q3",
                                period_start=today.replace(month=3 * q + 1, day=1),
                                period_end=today + timedelta(days=1), mode="all_units",
                                bands=[[0, 200]], exception_treatment="include",
                                eligible_tiers=["platinum"], eligible_line_ids=[product.line_id])
        db.session.add(program)
        db.session.commit()
        return {"order_id": order.id, "line_id": order.lines[0].id, "program_id": program.id,
                "unit_fen": quote.net_price_fen}


def _net_payable(app, number) -> int:
    from portal.extensions import db
    from portal.rebates.models import RebateStatement

    with app.app_context():
        return db.session.scalar(select(RebateStatement.net_payable_fen).where(
            RebateStatement.number == number))


def _issue(page, base, program_id):
    page.goto(base + "/rebates/programs/")
    with page.expect_navigation():
        page.click(f'form[action="/rebates/programs/{program_id}/runs"] button')
    with page.expect_navigation():
        page.click("#issue-run")
    return page.inner_text("#issued")


def test_a_return_after_issue_gives_a_negative_supplementary_statement(page, live_server, browser):
    from portal.core.money import format_money
    from portal.rebates.amount_words import amount_in_words

    base = live_server.url
    rows = _rows(live_server.app)

    login(page, base, "finance@example.com")
    assert f"RB-{CODE}-D0001" in _issue(page, base, rows["program_id"])
    page.context.clear_cookies()

    # The channel manager of the north records the return of one unit.
    login(page, base, "cm.north@example.com")
    page.goto(base + f"/orders/{rows['order_id']}")
    with page.expect_navigation():
        page.click("#record-return")
    page.fill(f'input[name="qty-{rows["line_id"]}"]', "1")
    page.fill("#f-reason", "客户退回一台")
    screenshot(page, "orders-return-new")
    with page.expect_navigation():
        page.click("#submit-return")
    returns = page.inner_text("#order-returns")
    assert "RT" in returns and "客户退回一台" in returns
    assert format_money(rows["unit_fen"] * 2) in page.inner_text("#order-net")
    page.context.clear_cookies()

    # Finance re-runs the program: a supplementary statement of −2% of one unit.
    login(page, base, "finance@example.com")
    assert f"RB-{CODE}-D0001-S1" in _issue(page, base, rows["program_id"])
    page.context.clear_cookies()

    expected = _net_payable(live_server.app, f"RB-{CODE}-D0001-S1")
    assert expected < 0 and abs(expected + rows["unit_fen"] * 2 // 100) <= 1  # −2% of one unit
    login(page, base, "dealer1.admin@example.com")
    page.goto(base + "/rebates/")
    with page.expect_navigation():
        page.click(f"text=RB-{CODE}-D0001-S1")
    assert format_money(expected) in page.inner_text("#net-payable")
    screenshot(page, "rebates-supplementary-negative")
    with page.expect_download() as info:
        page.click("#download-pdf")
    data = open(info.value.path(), "rb").read()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    words = amount_in_words(expected)
    assert words.startswith("负")
    assert f"RB-{CODE}-D0001-S1" in text
    assert format_money(expected) in text and words in text
