"""Matrix entries of the catalogue admin, `/prices/` and price exceptions.

`build(world)` creates a small catalogue (two lines, three products with floor prices), a price
list in force today and one scheduled next, tier discounts, an approved registration of dealer A,
and a pending exception of dealer A deep enough (8 pp) to need the channel manager, then the
director. Helpers here are reused by tests/test_pricing_*.py and tests/test_catalog_*.py.
"""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from portal.core import clock
from portal.extensions import db
from tests.routes import CHANGED, DEALERS, EVERYONE, Route, expect

APPROVERS = {"channel_manager", "other_region_cm", "sales_director", "finance"}
EXC_VIEWERS = DEALERS | APPROVERS | {"admin"}


def make_catalog():
    """Lines, products, a list in force today (and a next one), tier discounts."""
    from portal.catalog.models import PriceList, PriceListItem, Product, ProductLine, TierDiscount
    from portal.catalog.services import price_list_in_force

    today = clock.today()
    server = ProductLine(code="p_server", name_zh="服务器", name_en="Servers", sort=1)
    storage = ProductLine(code="p_storage", name_zh="存储", name_en="Storage", sort=2)
    db.session.add_all([server, storage])
    db.session.flush()
    srv = Product(sku="P-SRV-1", name="测试双路服务器", line_id=server.id, unit="台",
                  floor_price_fen=600_000)
    sto = Product(sku="P-STO-1", name="测试全闪存储", line_id=storage.id, unit="台",
                  floor_price_fen=3_000_000)
    odd = Product(sku="P-SRV-ODD", name="=cmd|' /C calc'!A0", line_id=server.id, unit="台")
    db.session.add_all([srv, sto, odd])
    db.session.flush()
    # Another domain's fixtures may have made a list in force already: share it, and end it in
    # 30 days so that the next list can be scheduled after it.
    current = price_list_in_force(today)
    if current is None:
        current = PriceList(name="当前目录价", effective_from=today - timedelta(days=30))
        db.session.add(current)
    current.effective_to = today + timedelta(days=30)
    upcoming = PriceList(name="下期目录价", effective_from=today + timedelta(days=31))
    db.session.add(upcoming)
    db.session.flush()
    db.session.add_all([
        PriceListItem(price_list_id=current.id, product_id=srv.id, list_price_fen=1_000_000),
        PriceListItem(price_list_id=current.id, product_id=sto.id, list_price_fen=5_000_000),
        PriceListItem(price_list_id=current.id, product_id=odd.id, list_price_fen=999_999),
        PriceListItem(price_list_id=upcoming.id, product_id=srv.id, list_price_fen=1_100_000),
        PriceListItem(price_list_id=upcoming.id, product_id=sto.id, list_price_fen=5_500_000),
        TierDiscount(tier="platinum", line_id=server.id, discount_bp=2500),
        TierDiscount(tier="platinum", line_id=storage.id, discount_bp=2000),
        TierDiscount(tier="gold", line_id=server.id, discount_bp=2000),
        TierDiscount(tier="gold", line_id=storage.id, discount_bp=1500),
    ])
    db.session.flush()
    return SimpleNamespace(server=server, storage=storage, srv=srv, sto=sto, odd=odd,
                           current=current, upcoming=upcoming)


def make_deal(dealer, user, *, status="approved", protected_days=90, value_fen=20_000_000,
              name="北京测试客户有限公司"):
    from portal.deals.models import Customer, DealRegistration

    today = clock.today()
    customer = Customer(dealer_id=dealer.id, name=name, region_id=dealer.region_id)
    db.session.add(customer)
    db.session.flush()
    deal = DealRegistration(dealer_id=dealer.id, created_by_id=user.id, customer_id=customer.id,
                            region_id=dealer.region_id, project_name="数据中心扩容",
                            estimated_value_fen=value_fen,
                            expected_close_date=today + timedelta(days=60), status=status,
                            submitted_at=clock.now())
    if status == "approved":
        deal.approved_at = clock.now()
        deal.protected_until = today + timedelta(days=protected_days)
    db.session.add(deal)
    db.session.flush()
    deal.number = f"R{today.year}-{deal.id:05d}"
    db.session.flush()
    return deal


def request_exception(user, deal, lines, submit=True, reason="竞争对手报价更低"):
    """lines: [(sku, quantity, yuan text)]."""
    from portal.pricing import workflow

    raw = [{"index": i, "sku": sku, "quantity": str(q), "price": price}
           for i, (sku, q, price) in enumerate(lines)]
    exc = workflow.save_request(user, None, deal_id=deal.id, reason=reason, raw_lines=raw,
                                submit=submit)
    db.session.flush()
    return exc


def build(w) -> None:
    w.cat = make_catalog()
    w.pdeal = make_deal(w.dealer_a, w.dealer_sales)
    w.pdeal_b = make_deal(w.dealer_b, w.other_dealer, name="上海测试客户有限公司")
    # platinum server net ¥7,500.00; ¥6,700.00 is 8 pp deeper → channel manager, then director
    w.exception = request_exception(w.dealer_sales, w.pdeal, [("P-SRV-1", 10, "6700")])


def _new_request(w):
    return {"deal_id": str(w.pdeal.id), "rows": "1", "sku-0": "P-SRV-1", "quantity-0": "2",
            "price-0": "7400", "action": "submit", "reason": "矩阵"}


def _own(ok, hq=None):
    """Dealer A's exception: its users `ok`, dealer B 404, approvers in scope `ok`."""
    return {"dealer_admin": ok, "dealer_sales": ok, "other_dealer": 404, **(hq or {})}


ROUTES = [
    # catalogue admin
    Route("catalog.products", "/admin/catalog/products/", expect({"admin"})),
    Route("catalog.product", "/admin/catalog/products/new", expect({"admin"})),
    Route("catalog.product", lambda w: f"/admin/catalog/products/{w.cat.srv.id}", expect({"admin"})),
    Route("catalog.product", lambda w: f"/admin/catalog/products/{w.cat.srv.id}",
          expect({"admin"}, ok=CHANGED), method="POST",
          data=lambda w: {"sku": "P-SRV-1", "name": "改名", "line_id": str(w.cat.server.id),
                          "unit": "台", "active": "y", "floor_price": "6000"}),
    Route("catalog.import_products", "/admin/catalog/products/import",
          expect({"admin"}, ok=CHANGED), method="POST", data={}),
    Route("catalog.product_template", "/admin/catalog/products/template.csv", expect({"admin"})),
    Route("catalog.lines", "/admin/catalog/lines/", expect({"admin"})),
    Route("catalog.lines", lambda w: f"/admin/catalog/lines/{w.cat.server.id}", expect({"admin"}),
          ),
    Route("catalog.lines", "/admin/catalog/lines/", expect({"admin"}, ok=CHANGED), method="POST",
          data={"code": "p_net", "name_zh": "网络", "name_en": "Networking", "sort": "3"}),
    Route("catalog.price_lists", "/admin/catalog/price-lists/", expect({"admin"})),
    Route("catalog.price_list_new", "/admin/catalog/price-lists/new", expect({"admin"})),
    Route("catalog.price_list_new", "/admin/catalog/price-lists/new", expect({"admin"}, ok=CHANGED),
          method="POST", data={"name": "x"}),
    Route("catalog.price_list", lambda w: f"/admin/catalog/price-lists/{w.cat.current.id}",
          expect({"admin"})),
    Route("catalog.price_list_template", "/admin/catalog/price-lists/template.xlsx",
          expect({"admin"})),
    Route("catalog.discounts", "/admin/catalog/discounts", expect({"admin"})),
    Route("catalog.discounts", "/admin/catalog/discounts", expect({"admin"}, ok=CHANGED),
          method="POST", data={}),
    Route("pricing.rules", "/admin/approval-matrix", expect({"admin"})),
    # prices
    Route("pricing.prices", "/prices/", expect(EVERYONE)),
    Route("pricing.prices", "/prices/?format=csv", expect(EVERYONE)),
    # exceptions
    Route("pricing.exceptions", "/exceptions/", expect(EXC_VIEWERS)),
    Route("pricing.exception_new", "/exceptions/new", expect(DEALERS)),
    Route("pricing.exception_new", "/exceptions/new",
          expect({"dealer_admin", "dealer_sales"}, ok=(302,), other_dealer=422),
          method="POST", data=_new_request),
    Route("pricing.exception", lambda w: f"/exceptions/{w.exception.id}",
          expect(EXC_VIEWERS, **_own(200, {"other_region_cm": 404}))),
    Route("pricing.exception_edit", lambda w: f"/exceptions/{w.exception.id}/edit",
          expect({"dealer_admin", "dealer_sales"}, ok=302, other_dealer=404)),
    Route("pricing.decide", lambda w: f"/exceptions/{w.exception.id}/decide",
          expect({"channel_manager", "sales_director", "finance"}, ok=CHANGED,
                 other_region_cm=404, sales_director=(403, 409), finance=(403, 409)),
          method="POST", data=lambda w: {"step_id": str(w.exception.steps[0].id),
                                         "decision": "approve"}),
    Route("pricing.cancel", lambda w: f"/exceptions/{w.exception.id}/cancel",
          expect({"dealer_admin", "dealer_sales"}, ok=302, other_dealer=404), method="POST",
          data={}),
]
