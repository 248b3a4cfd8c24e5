"""Orders: computed prices, validation that changes nothing, confirmation, races, lists, upload."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm.exc import StaleDataError

from portal.core import clock
from portal.orders import services
from portal.orders.models import OrderStatus, SalesOrder
from portal.pricing.models import PriceExceptionLine
from tests.routes.orders import EXCEPTION_PRICE_FEN, approved_deal_with_exception


@pytest.fixture
def deal(world, db):
    return approved_deal_with_exception(world, world.order_catalogue)


def order_form(deal=None, contract="HT-2026-100", lines=(("TO-SRV-740", 3),), **extra):
    data = {"contract_no": contract, "order_date": clock.today().isoformat(),
            "deal_id": str(deal.deal.id) if deal else "", "customer_name": "" if deal else "某客户",
            "action": "submit", **extra}
    for i, (sku, qty) in enumerate(lines):
        data[f"sku-{i}"], data[f"quantity-{i}"] = sku, str(qty)
    return data


def count_orders(db):
    return db.session.scalar(select(func.count(SalesOrder.id)))


def used(db, deal):
    db.session.expire_all()
    return db.session.get(PriceExceptionLine, deal.line.id).used_qty


def test_order_on_a_deal_gets_the_exception_price_and_reserves_the_quantity(client, login_as, world, deal, db):
    cat = world.order_catalogue
    login_as(world.dealer_sales)
    preview = client.post("/orders/new", data=order_form(deal, lines=(("TO-SRV-740", 3), ("to-sto-500", 2)),
                                                        action="preview"))
    assert preview.status_code == 200
    assert "¥70,000.00" in preview.text and "Exception price" in preview.text
    fragment = client.post("/orders/new", headers={"HX-Request": "true"},
                           data=order_form(deal, action="preview"))
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="order-form"' in fragment.text and "¥70,000.00" in fragment.text
    response = client.post("/orders/new", data=order_form(deal, lines=(("TO-SRV-740", 3), ("to-sto-500", 2))))
    assert response.status_code == 302
    order = db.session.scalar(select(SalesOrder).where(SalesOrder.contract_no == "HT-2026-100"))
    by_sku = {ln.product.sku: ln for ln in order.lines}
    assert by_sku["TO-SRV-740"].unit_price_fen == EXCEPTION_PRICE_FEN
    assert by_sku["TO-SRV-740"].price_source == "exception"
    assert by_sku["TO-STO-500"].unit_price_fen == cat.storage_net
    assert by_sku["TO-STO-500"].price_source == "net"
    assert order.total_fen == 3 * EXCEPTION_PRICE_FEN + 2 * cat.storage_net
    assert order.status == "submitted" and order.customer_name == deal.customer.name
    assert used(db, deal) == 3
    page = client.get(f"/orders/{order.id}")
    assert "¥70,000.00" in page.text and "Exception price" in page.text


def test_order_without_a_deal_pays_the_net_price(client, login_as, world, deal, db):
    login_as(world.dealer_admin)
    assert client.post("/orders/new", data=order_form(None, contract="HT-NET-1")).status_code == 302
    order = db.session.scalar(select(SalesOrder).where(SalesOrder.contract_no == "HT-NET-1"))
    assert order.lines[0].unit_price_fen == world.order_catalogue.server_net
    assert used(db, deal) == 0


@pytest.mark.parametrize("lines, message", [
    ((("NO-SUCH-SKU", 1),), "Unknown SKU NO-SUCH-SKU"),
    ((("TO-SRV-740", 0),), "Enter a quantity of at least 1 for TO-SRV-740"),
])
def test_bad_lines_are_refused_and_change_nothing(client, login_as, world, deal, db, lines, message):
    login_as(world.dealer_sales)
    before = count_orders(db)
    response = client.post("/orders/new", data=order_form(deal, lines=lines))
    assert response.status_code == 422
    assert message in response.text
    assert count_orders(db) == before
    assert used(db, deal) == 0


@pytest.mark.parametrize("lines", [(("TO-SRV-740", 12),), (("TO-SRV-740", 7), ("TO-SRV-740", 5))])
def test_more_than_the_approved_quantity_is_split_and_shown_before_submission(
        client, login_as, world, db, lines):
    """12 asked where 10 are left at the exception price: one order, a line of 10 at the
    exception price and a line of 2 at the net price, shown on the preview first."""
    cat = world.order_catalogue
    deal = approved_deal_with_exception(world, cat, quantity=10)
    login_as(world.dealer_sales)
    before = count_orders(db)
    preview = client.post("/orders/new", data=order_form(deal, contract="HT-SPLIT", lines=lines,
                                                        action="preview"))
    assert preview.status_code == 200 and count_orders(db) == before
    assert 'id="split-notice"' in preview.text
    table = preview.text.split('id="price-preview"')[1]
    assert "¥70,000.00" in table and "Units beyond the approved quantity" in table
    total = 10 * EXCEPTION_PRICE_FEN + 2 * cat.server_net
    from portal.core.money import format_money

    assert format_money(total) in table
    assert client.post("/orders/new", data=order_form(deal, contract="HT-SPLIT",
                                                      lines=lines)).status_code == 302
    order = db.session.scalar(select(SalesOrder).where(SalesOrder.contract_no == "HT-SPLIT"))
    assert [(ln.quantity, ln.unit_price_fen, ln.price_source) for ln in order.lines] == [
        (10, EXCEPTION_PRICE_FEN, "exception"), (2, cat.server_net, "net")]
    assert order.total_fen == total
    assert used(db, deal) == 10
    # Nothing left at the exception price: the next order is all at the net price.
    again = client.post("/orders/new", data=order_form(deal, contract="HT-SPLIT-2",
                                                      lines=(("TO-SRV-740", 3),)))
    assert again.status_code == 302
    later = db.session.scalar(select(SalesOrder).where(SalesOrder.contract_no == "HT-SPLIT-2"))
    assert [(ln.quantity, ln.price_source) for ln in later.lines] == [(3, "net")]


def test_duplicate_contract_number_is_refused(client, login_as, world, deal, db):
    login_as(world.dealer_sales)
    before = count_orders(db)
    response = client.post("/orders/new", data=order_form(deal, contract="ht-a-confirmed"))
    assert response.status_code == 422
    assert "already used by another of your orders" in response.text
    assert count_orders(db) == before and used(db, deal) == 0
    # Another dealer may use the same number.
    login_as(world.other_dealer)
    assert client.post("/orders/new", data=order_form(None, contract="HT-A-CONFIRMED")).status_code == 302


def test_a_registration_of_another_dealer_cannot_be_linked(client, login_as, world, deal, db):
    login_as(world.other_dealer)
    response = client.post("/orders/new", data=order_form(deal, contract="HT-B-1"))
    assert response.status_code == 422
    assert "approved, protected registrations" in response.text


def test_confirming_marks_the_registration_won(client, login_as, world, deal, db):
    login_as(world.dealer_sales)
    client.post("/orders/new", data=order_form(deal, contract="HT-WIN"))
    order = db.session.scalar(select(SalesOrder).where(SalesOrder.contract_no == "HT-WIN"))
    login_as(world.other_region_cm)
    assert client.post(f"/orders/{order.id}/confirm").status_code == 404
    login_as(world.channel_manager)
    queue = client.get("/orders/queue")
    assert "HT-WIN" in queue.text
    assert client.post(f"/orders/{order.id}/confirm").status_code == 302
    db.session.expire_all()
    assert db.session.get(SalesOrder, order.id).status == "confirmed"
    from portal.deals.models import DealRegistration

    assert db.session.get(DealRegistration, deal.deal.id).status == "won"
    assert "HT-WIN" not in client.get("/orders/queue").text
    # The second decision is told who decided first.
    login_as(world.sales_director)
    again = client.post(f"/orders/{order.id}/confirm", headers={"HX-Request": "true"})
    assert again.status_code == 409
    assert "already decided by" in again.text


def test_a_lost_race_is_a_409(world, db, app):
    order = world.order_submitted
    # Somebody else's decision landed between our read and our write.
    db.session.execute(update(SalesOrder).where(SalesOrder.id == order.id)
                       .values(version_id=SalesOrder.version_id + 1, status="rejected")
                       # submitted → rejected: neither is counted in the scorecards' months
                       .execution_options(synchronize_session=False, figures="unchanged"))
    with pytest.raises(StaleDataError):
        services.confirm_order(world.channel_manager, order)


def test_rejecting_and_cancelling_give_back_the_exception_quantity(client, login_as, world, deal, db):
    login_as(world.dealer_sales)
    client.post("/orders/new", data=order_form(deal, contract="HT-REJ", lines=(("TO-SRV-740", 2),)))
    client.post("/orders/new", data=order_form(deal, contract="HT-CAN", lines=(("TO-SRV-740", 3),)))
    assert used(db, deal) == 5
    rej = db.session.scalar(select(SalesOrder).where(SalesOrder.contract_no == "HT-REJ"))
    can = db.session.scalar(select(SalesOrder).where(SalesOrder.contract_no == "HT-CAN"))
    login_as(world.channel_manager)
    missing_reason = client.post(f"/orders/{rej.id}/reject", data={"reason": " "})
    assert missing_reason.status_code == 422 and used(db, deal) == 5
    assert client.post(f"/orders/{rej.id}/reject", data={"reason": "价格不符"}).status_code == 302
    assert used(db, deal) == 3
    login_as(world.dealer_sales)
    assert client.post(f"/orders/{can.id}/cancel").status_code == 302
    assert used(db, deal) == 0
    db.session.expire_all()
    assert db.session.get(SalesOrder, can.id).status == OrderStatus.CANCELLED
    # Cancelling a decided order is refused.
    assert client.post(f"/orders/{rej.id}/cancel").status_code == 409


def test_lists_are_scoped_and_filtered(client, login_as, world, db):
    from tests.routes.orders import make_order

    cat = world.order_catalogue
    make_order(world, cat, contract_no="HT-BY-ADMIN", user=world.dealer_admin)
    make_order(world, cat, contract_no="HT-OF-B", dealer=world.dealer_b, user=world.other_dealer)
    login_as(world.dealer_sales)
    text = client.get("/orders/").text
    assert "HT-A-SUBMITTED" in text and "HT-BY-ADMIN" not in text and "HT-OF-B" not in text
    login_as(world.dealer_admin)
    text = client.get("/orders/?status=confirmed").text
    assert "HT-A-CONFIRMED" in text and "HT-A-SUBMITTED" not in text
    login_as(world.channel_manager)
    text = client.get("/orders/").text
    assert "HT-BY-ADMIN" in text and "HT-OF-B" not in text
    login_as(world.finance)
    assert "HT-OF-B" in client.get("/orders/?dealer=DB002").text
    assert "HT-A-CONFIRMED" not in client.get("/orders/?dealer=DB002").text


@pytest.mark.parametrize("sort", ["total", "-total", "date", "-number", "status", "nonsense", "-"])
def test_every_sort_of_the_order_list_answers(client, login_as, world, db, sort):
    from tests.routes.orders import make_order

    cat = world.order_catalogue
    make_order(world, cat, contract_no="HT-SMALL", lines=[(cat.server, 1, cat.server_net, "net")])
    make_order(world, cat, contract_no="HT-LARGE", lines=[(cat.server, 9, cat.server_net, "net")])
    login_as(world.dealer_admin)
    response = client.get(f"/orders/?sort={sort}")
    assert response.status_code == 200
    small, large = response.text.index("HT-SMALL"), response.text.index("HT-LARGE")
    if sort == "total":
        assert small < large
    elif sort == "-total":
        assert large < small


def test_export_escapes_formulas(client, login_as, world, db):
    from tests.routes.orders import make_order

    make_order(world, world.order_catalogue, contract_no="=HYPERLINK(1)")
    login_as(world.dealer_admin)
    response = client.get("/orders/?format=csv")
    assert response.mimetype == "text/csv"
    assert "'=HYPERLINK(1)" in response.text and "HT-A-CONFIRMED" in response.text


def test_sku_search_shows_the_dealers_net_price(client, login_as, world, db):
    login_as(world.dealer_sales)
    fragment = client.get("/orders/skus?q=to-srv", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "TO-SRV-740" in fragment.text
    assert "¥80,000.00" in fragment.text  # list ¥100,000 less the platinum 20%


def upload(client, rows, name="orders.csv"):
    header = "contract_no,order_date,customer,deal,sku,quantity\n"
    body = (header + "".join(",".join(map(str, r)) + "\n" for r in rows)).encode()
    return client.post("/orders/upload", data={"file": (io.BytesIO(body), name)},
                       content_type="multipart/form-data")


def test_bulk_upload_is_all_or_nothing(client, login_as, world, deal, db):
    today = clock.today().isoformat()
    db.session.commit()  # a rejected file rolls the request back: keep the fixtures
    login_as(world.dealer_sales)
    before = count_orders(db)
    bad = upload(client, [
        ("HT-UP-1", today, "客户甲", deal.deal.number, "TO-SRV-740", 2),
        ("HT-UP-1", today, "客户甲", deal.deal.number, "TO-STO-500", 1),
        ("HT-UP-2", today, "客户乙", "", "NOPE-1", 1),
        ("HT-UP-3", today, "客户丙", "", "TO-STO-500", 0),
        ("HT-A-CONFIRMED", today, "客户丁", "", "TO-STO-500", 1),
    ])
    assert bad.status_code == 422
    assert "Unknown SKU NOPE-1" in bad.text
    assert "Enter a quantity of at least 1 for TO-STO-500" in bad.text
    assert "already used by another of your orders" in bad.text
    assert count_orders(db) == before and used(db, deal) == 0
    good = upload(client, [
        ("HT-UP-1", today, "客户甲", deal.deal.number, "TO-SRV-740", 2),
        ("HT-UP-1", today, "客户甲", deal.deal.number, "TO-STO-500", 1),
        ("HT-UP-2", today, "客户乙", "", "TO-STO-500", 4),
    ])
    assert good.status_code == 302
    assert count_orders(db) == before + 2
    assert used(db, deal) == 2
    first = db.session.scalar(select(SalesOrder).where(SalesOrder.contract_no == "HT-UP-1"))
    assert first.total_fen == 2 * EXCEPTION_PRICE_FEN + world.order_catalogue.storage_net


def test_bulk_upload_tells_the_channel_manager_once_about_every_order(client, login_as, world, deal, db):
    from portal.notifications.models import Notification

    today = clock.today().isoformat()
    db.session.commit()
    login_as(world.dealer_sales)
    before = db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == world.channel_manager.id))
    assert upload(client, [("HT-N-1", today, "客户甲", "", "TO-STO-500", 1),
                           ("HT-N-2", today, "客户乙", "", "TO-STO-500", 2),
                           ("HT-N-3", today, "客户丙", "", "TO-STO-500", 3)]).status_code == 302
    numbers = sorted(db.session.scalars(select(SalesOrder.number).where(
        SalesOrder.contract_no.in_(["HT-N-1", "HT-N-2", "HT-N-3"]))))
    notes = list(db.session.scalars(select(Notification).where(
        Notification.user_id == world.channel_manager.id).order_by(Notification.id)))
    assert len(notes) == before + 1
    assert notes[-1].link == "/orders/queue"
    login_as(world.channel_manager)
    inbox = client.get("/notifications/").text
    assert f"3 orders from {world.dealer_a.name} ({numbers[0]} … {numbers[-1]})" in inbox


def test_upload_refuses_other_files(client, login_as, world, db):
    login_as(world.dealer_sales)
    response = client.post("/orders/upload", data={"file": (io.BytesIO(b"MZ\x00\x00"), "x.exe")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Upload a .csv or .xlsx file" in response.text
