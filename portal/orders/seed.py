"""Demo orders (`flask seed demo`): confirmed orders of the current and previous quarters for
every dealer and of the current quarter a year earlier (the growth bonus has a baseline), one
dated on the quarter's first day, a few waiting for confirmation, one rejected, and (when the
pricing seed left an approved exception on D0001's registration) an order at the exception price.

Prices come from `portal.pricing.services.price_many` against the list in force today, so demo
orders carry the same prices a dealer would see.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.catalog.models import Product
from portal.core import clock
from portal.core.errors import DomainError
from portal.core.permissions import Role
from portal.extensions import db
from portal.orders import services
from portal.orders.models import OrderLine, OrderStatus, SalesOrder
from portal.pricing.models import ExceptionStatus, PriceException, PriceExceptionLine
from portal.pricing.services import price_many


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _order(dealer, user, day, status, items, quotes, rng, n, manager=None):
    order = SalesOrder(dealer_id=dealer.id, region_id=dealer.region_id, created_by_id=user.id,
                       customer_name=rng.choice(CUSTOMERS), contract_no=f"HT{day:%Y%m}-{dealer.code}-{n:03d}",
                       order_date=day, status=status)
    total = 0
    for product, qty in items:
        quote = quotes[product.id]
        amount = quote.unit_price_fen * qty
        total += amount
        order.lines.append(OrderLine(product_id=product.id, line_id=product.line_id, quantity=qty,
                                     list_price_fen=quote.list_price_fen,
                                     net_price_fen=quote.net_price_fen,
                                     unit_price_fen=quote.unit_price_fen, price_source=quote.source,
                                     amount_fen=amount))
    order.total_fen = total
    if status in (OrderStatus.CONFIRMED, OrderStatus.REJECTED) and manager is not None:
        order.decided_by_id = manager.id
        order.decided_at = clock.now()
    if status == OrderStatus.REJECTED:
        order.rejection_reason = "合同金额与订单不符 / contract amount does not match"
    db.session.add(order)
    return order


CUSTOMERS = ["国家电网北京分公司", "中国移动上海公司", "广州地铁集团", "四川大学华西医院", "天津港集团",
             "杭州市数据资源管理局", "深圳证券交易所", "西安交通大学", "Acme China Ltd.",
             "南京银行股份有限公司", "厦门航空有限公司", "重庆长安汽车股份有限公司"]


def seed_demo(ctx: dict) -> None:
    dealers = ctx.get("dealers") or {}
    products = list((ctx.get("products") or {}).values())
    if not dealers or not products:
        return
    users = ctx.get("users", {})
    plist = (ctx.get("price_lists") or {}).get("current")
    rng = random.Random(2026)
    today = clock.today()
    this_q = quarter_start(today)
    last_q = quarter_start(this_q - timedelta(days=1))
    staff = {}
    for user in db.session.scalars(select(User).where(User.dealer_id.is_not(None))):
        staff.setdefault(user.dealer_id, user)
    managers = {}
    for user in db.session.scalars(select(User).where(User.role == Role.CHANNEL_MANAGER)):
        for region in user.regions:
            managers.setdefault(region.id, user)
    orders = []
    for index, dealer in enumerate(sorted(dealers.values(), key=lambda d: d.code)):
        user = staff.get(dealer.id) or users.get("dealer1_admin")
        quotes = price_many(dealer, products, today, price_list=plist)
        priced = [p for p in products if p.id in quotes]
        if not priced or user is None:
            continue
        # Bigger dealers buy more: D0001 crosses the middle band, the tail stays in the first.
        scale = 3 if dealer.tier == "platinum" else 2 if dealer.tier == "gold" else 1
        n = 0
        year_ago = this_q.replace(year=this_q.year - 1)
        for _ in range(1 + scale // 2):  # the same quarter a year earlier, smaller: growth
            n += 1
            items = [(p, 1) for p in rng.sample(priced, k=min(2, len(priced)))]
            day = year_ago + timedelta(days=rng.randint(0, max((today - this_q).days, 0)))
            orders.append(_order(dealer, user, day, OrderStatus.CONFIRMED, items, quotes, rng, n,
                                 managers.get(dealer.region_id)))
        if index == 0:  # on the quarter's first day: the price list in force covers it
            n += 1
            orders.append(_order(dealer, user, this_q, OrderStatus.CONFIRMED, [(priced[0], 1)],
                                 quotes, rng, n, managers.get(dealer.region_id)))
        for start, end in ((last_q, this_q - timedelta(days=1)), (this_q, today)):
            span = max((end - start).days, 0)
            for _ in range(2 + scale):
                n += 1
                items = [(p, rng.randint(1, scale)) for p in rng.sample(priced, k=min(2, len(priced)))]
                day = start + timedelta(days=rng.randint(0, span))
                orders.append(_order(dealer, user, day, OrderStatus.CONFIRMED, items, quotes, rng, n,
                                     managers.get(dealer.region_id)))
        if index < 4:
            n += 1
            orders.append(_order(dealer, user, today, OrderStatus.SUBMITTED,
                                 [(priced[0], 2)], quotes, rng, n))
        if index == 1:
            n += 1
            orders.append(_order(dealer, user, today - timedelta(days=3), OrderStatus.REJECTED,
                                 [(priced[-1], 1)], quotes, rng, n, managers.get(dealer.region_id)))
    db.session.flush()
    for order in orders:
        order.number = f"SO{order.created_at.year}-{order.id:05d}"
    db.session.flush()
    _exception_order(ctx)
    ctx["orders"] = orders


def _exception_order(ctx: dict) -> None:
    """D0001's salesperson orders on its approved registration at the approved exception price."""
    deal = (ctx.get("deals") or {}).get("d1_approved")
    user = (ctx.get("users") or {}).get("dealer1_sales")
    if deal is None or user is None:
        return
    line = db.session.scalar(
        select(PriceExceptionLine).join(PriceException, PriceException.id == PriceExceptionLine.exception_id)
        .where(PriceException.deal_id == deal.id, PriceException.status == ExceptionStatus.APPROVED,
               PriceExceptionLine.used_qty < PriceExceptionLine.quantity).limit(1))
    if line is None:
        return

    product = db.session.get(Product, line.product_id)
    try:
        draft = services.clean_order(user, {
            "contract_no": f"HT{clock.today():%Y%m}-D0001-SP", "order_date": clock.today().isoformat(),
            "deal_id": deal.id}, [{"sku": product.sku, "quantity": min(2, line.quantity - line.used_qty)}])
        services.create_order(user, draft)
    except DomainError:
        return  # the exception seed changed shape; the demo does without this order
