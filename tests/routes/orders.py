"""Matrix entries of orders, and the order fixtures the order and rebate tests share.

`build(world)` gives dealer A (north, platinum) two products on the price list in force, an
approved registration with an approved price exception (5 units of the server), a submitted
order and a confirmed one.
"""
from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from sqlalchemy import select

from portal.core import clock
from portal.core.money import apply_discount
from portal.extensions import db
from tests.routes import CHANGED, Route, expect

VIEWERS = {"dealer_admin", "dealer_sales", "other_dealer", "channel_manager", "other_region_cm",
           "sales_director", "finance", "admin"}
DEALER_USERS = {"dealer_admin", "dealer_sales", "other_dealer"}
MANAGERS = {"channel_manager", "other_region_cm", "sales_director"}

SERVER_LIST_FEN = 10_000_000   # ¥100,000.00
STORAGE_LIST_FEN = 5_000_000   # ¥50,000.00
EXCEPTION_PRICE_FEN = 7_000_000  # ¥70,000.00


def catalogue() -> SimpleNamespace:
    """Two product lines, two products on the price list in force, a platinum discount."""
    from portal.catalog.models import PriceList, PriceListItem, Product, ProductLine, TierDiscount
    from portal.catalog.services import price_list_in_force

    today = clock.today()
    lines = []
    for code, zh, en in (("TO-SRV", "服务器", "Servers"), ("TO-STO", "存储", "Storage")):
        line = db.session.scalar(select(ProductLine).where(ProductLine.code == code))
        if line is None:
            line = ProductLine(code=code, name_zh=zh, name_en=en, sort=90)
            db.session.add(line)
        lines.append(line)
    db.session.flush()
    plist = price_list_in_force(today)
    if plist is None:
        plist = PriceList(name="测试价目表", effective_from=date(2020, 1, 1), effective_to=None)
        db.session.add(plist)
        db.session.flush()
    products = []
    for sku, name, line, price in (("TO-SRV-740", "测试机架服务器 R740", lines[0], SERVER_LIST_FEN),
                                   ("TO-STO-500", "测试存储阵列 S500", lines[1], STORAGE_LIST_FEN)):
        product = db.session.scalar(select(Product).where(Product.sku == sku))
        if product is None:
            product = Product(sku=sku, name=name, line_id=line.id, unit="台", active=True)
            db.session.add(product)
            db.session.flush()
            db.session.add(PriceListItem(price_list_id=plist.id, product_id=product.id,
                                         list_price_fen=price))
        products.append(product)
    discounts = {}
    for line in lines:
        row = db.session.scalar(select(TierDiscount).where(TierDiscount.tier == "platinum",
                                                           TierDiscount.line_id == line.id))
        if row is None:
            row = TierDiscount(tier="platinum", line_id=line.id, discount_bp=2000)
            db.session.add(row)
        discounts[line.id] = row.discount_bp
    db.session.flush()
    server, storage = products
    return SimpleNamespace(
        lines=lines, server=server, storage=storage, price_list=plist,
        server_net=apply_discount(SERVER_LIST_FEN, discounts[lines[0].id]),
        storage_net=apply_discount(STORAGE_LIST_FEN, discounts[lines[1].id]))


def approved_deal_with_exception(world, cat, quantity=5, price_fen=EXCEPTION_PRICE_FEN):
    """An approved registration of dealer A with an approved exception on the server."""
    from portal.pricing.models import PriceException, PriceExceptionLine
    from tests.routes.deals import make_customer, make_deal

    customer = make_customer(world.dealer_a, name="北京订单测试客户有限公司")
    deal = make_deal(world.dealer_a, world.dealer_sales, customer, cat.lines[0], status="approved")
    exc = PriceException(dealer_id=world.dealer_a.id, region_id=world.dealer_a.region_id,
                         deal_id=deal.id, created_by_id=world.dealer_sales.id, status="approved",
                         valid_until=clock.today() + timedelta(days=30), reason="竞争",
                         submitted_at=clock.now(), decided_at=clock.now())
    db.session.add(exc)
    db.session.flush()
    line = PriceExceptionLine(exception_id=exc.id, product_id=cat.server.id, quantity=quantity,
                              requested_price_fen=price_fen, approved_price_fen=price_fen,
                              used_qty=0, list_price_fen=SERVER_LIST_FEN, discount_bp=2000,
                              net_price_fen=cat.server_net)
    db.session.add(line)
    db.session.flush()
    return SimpleNamespace(customer=customer, deal=deal, exception=exc, line=line)


def make_order(world, cat, *, status="submitted", contract_no=None, order_date=None, lines=None,
               dealer=None, user=None, deal=None):
    """An order written directly (prices at net) for tests that need one in a given state."""
    from portal.orders.models import OrderLine, SalesOrder

    dealer = dealer or world.dealer_a
    user = user or world.dealer_sales
    order = SalesOrder(dealer_id=dealer.id, region_id=dealer.region_id, created_by_id=user.id,
                       customer_name="北京测试最终用户有限公司", contract_no=contract_no or
                       f"HT-{dealer.code}-{db.session.scalar(select(db.func.count(SalesOrder.id))) + 1}",
                       order_date=order_date or clock.today(), status=status,
                       deal_id=deal.id if deal else None)
    total = 0
    for product, qty, unit, source in (lines or [(cat.server, 1, cat.server_net, "net")]):
        amount = unit * qty
        total += amount
        order.lines.append(OrderLine(product_id=product.id, line_id=product.line_id, quantity=qty,
                                     list_price_fen=unit, net_price_fen=unit, unit_price_fen=unit,
                                     price_source=source, amount_fen=amount))
    order.total_fen = total
    if status in ("confirmed", "rejected"):
        order.decided_at = clock.now()
        order.decided_by_id = world.channel_manager.id
    db.session.add(order)
    db.session.flush()
    order.number = f"SO{order.created_at.year}-{order.id:05d}"
    db.session.flush()
    return order


def build(world) -> None:
    cat = catalogue()
    world.order_catalogue = cat
    world.order_submitted = make_order(world, cat, contract_no="HT-A-SUBMITTED")
    world.order_submitted_2 = make_order(world, cat, contract_no="HT-A-SUBMITTED-2")
    world.order_submitted_3 = make_order(world, cat, contract_no="HT-A-SUBMITTED-3")
    world.order_confirmed = make_order(world, cat, status="confirmed", contract_no="HT-A-CONFIRMED")
    world.order_returnable = make_order(world, cat, status="confirmed", contract_no="HT-A-RETURN",
                                        lines=[(cat.server, 50, cat.server_net, "net")])


ROUTES = [
    Route("orders.index", "/orders/", expect(VIEWERS)),
    Route("orders.index", "/orders/?format=csv&status=submitted", expect(VIEWERS)),
    Route("orders.queue", "/orders/queue", expect(MANAGERS)),
    Route("orders.new", "/orders/new", expect(DEALER_USERS)),
    Route("orders.new", "/orders/new", expect(DEALER_USERS, ok=CHANGED), method="POST",
          data={"contract_no": "", "order_date": "", "sku-0": "NOPE", "quantity-0": "0"}),
    Route("orders.sku_search", "/orders/skus?q=TO-SRV", expect(DEALER_USERS)),
    Route("orders.sku_options", "/orders/skus/options?row=2&sku-2=TO-SRV", expect(DEALER_USERS)),
    Route("orders.upload", "/orders/upload", expect(DEALER_USERS)),
    Route("orders.upload", "/orders/upload", expect(DEALER_USERS, ok=CHANGED), method="POST",
          data={}),
    Route("orders.detail", lambda w: f"/orders/{w.order_submitted.id}",
          expect(VIEWERS, other_dealer=404, other_region_cm=404)),
    Route("orders.confirm", lambda w: f"/orders/{w.order_submitted.id}/confirm",
          expect(MANAGERS, ok=CHANGED, other_region_cm=404), method="POST", data={}),
    Route("orders.reject", lambda w: f"/orders/{w.order_submitted_2.id}/reject",
          expect(MANAGERS, ok=CHANGED, other_region_cm=404), method="POST",
          data={"reason": "合同金额不符"}),
    Route("orders.new_return", lambda w: f"/orders/{w.order_returnable.id}/returns/new",
          expect({"channel_manager", "other_region_cm", "finance"}, other_region_cm=404)),
    Route("orders.new_return", lambda w: f"/orders/{w.order_returnable.id}/returns/new",
          expect({"channel_manager", "other_region_cm", "finance"}, ok=CHANGED,
                 other_region_cm=404), method="POST",
          data=lambda w: {"return_date": clock.today().isoformat(), "reason": "退货",
                          f"qty-{w.order_returnable.lines[0].id}": "1"}),
    Route("orders.cancel", lambda w: f"/orders/{w.order_submitted_3.id}/cancel",
          expect(DEALER_USERS, ok=CHANGED, other_dealer=404), method="POST", data={}),
]
