"""Demo scorecards (`flask seed demo`): a year of history that makes the charts tell a story.

On top of the earlier steps (whose orders cover the current and the previous quarter) it adds,
for every dealer, confirmed orders month by month over the fifteen months before the previous
quarter, with the seasons of the trade (a Spring Festival dip in February, the mid-year and
year-end budget peaks, a National Day lull); quarterly targets for last year and this one, met by
some and missed by others; registrations closed over the months (won, lost, expired), conflict
cases decided month by month, and price-exception requests of varying depth.

The story: D0001 (华北, platinum — the demo dealer) is rising: more orders every month, a rising
win rate, orders reported promptly. D0002 (华东, gold) and D0005 (华北, silver) are slipping:
fewer orders, targets missed, more registrations lost. Everything is seeded with a fixed random
seed, relative to today.
"""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.conflicts.models import CaseStatus, ConflictCase
from portal.core import clock
from portal.core.permissions import Role
from portal.deals.models import DealRegistration, DealStatus
from portal.extensions import db
from portal.orders.models import OrderStatus, SalesOrder
from portal.orders.seed import _order
from portal.pricing.models import ExceptionStatus, PriceException
from portal.pricing.services import price_many
from portal.scorecards.kpis import quarter_bounds, quarter_of
from portal.scorecards.models import SalesTarget

#: Share of a normal month's orders, by month (January = 0).
SEASON = [0.9, 0.5, 1.0, 0.9, 1.0, 1.2, 0.9, 0.9, 1.1, 0.8, 1.2, 1.5]
RISING = {"D0001"}
SLIPPING = {"D0002", "D0005"}
SCALE = {"platinum": 4, "gold": 3, "silver": 2, "authorized": 1}
HISTORY_MONTHS = 15


def _month_start(day: date, back: int) -> date:
    months = day.year * 12 + day.month - 1 - back
    return date(months // 12, months % 12 + 1, 1)


def _trend(code: str, step: int, steps: int) -> float:
    """The dealer's volume over time: rising 0.5 → 1.5, slipping 1.6 → 0.5, else flat."""
    share = step / max(steps - 1, 1)
    if code in RISING:
        return 0.5 + share
    if code in SLIPPING:
        return 1.6 - 1.1 * share
    return 1.0


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour % 24), tzinfo=UTC)


def seed_demo(ctx: dict) -> None:
    dealers = ctx.get("dealers") or {}
    products = list((ctx.get("products") or {}).values())
    if not dealers or not products:
        return
    rng = random.Random(3808)
    today = clock.today()
    this_q_start = quarter_bounds(today.year, quarter_of(today))[0]
    last_q_start = _month_start(this_q_start, 3)
    first = _month_start(last_q_start, HISTORY_MONTHS)
    plist = (ctx.get("price_lists") or {}).get("current")
    staff, managers = {}, {}
    for user in db.session.scalars(select(User).where(User.dealer_id.is_not(None))):
        staff.setdefault(user.dealer_id, user)
    for user in db.session.scalars(select(User).where(User.role == Role.CHANNEL_MANAGER)):
        for region in user.regions:
            managers.setdefault(region.id, user)

    months = []
    day = first
    while day < today.replace(day=1) or (day.year, day.month) == (today.year, today.month):
        months.append(day)
        day = _month_start(day, -1)
    orders = []
    for dealer in sorted(dealers.values(), key=lambda d: d.code):
        user = staff.get(dealer.id)
        quotes = price_many(dealer, products, today, price_list=plist)
        priced = [p for p in products if p.id in quotes]
        if not priced or user is None:
            continue
        n = 0
        for step, month in enumerate(months):
            # The earlier steps seeded a few orders in the last two quarters for everyone; the
            # history before them, and the usual volume in them, come from here — except for
            # the slipping dealers, who keep only those few.
            if month >= last_q_start and dealer.code in SLIPPING:
                continue
            volume = SCALE.get(dealer.tier, 1) * SEASON[month.month - 1] * \
                _trend(dealer.code, step, len(months))
            count = max(0, int(volume + rng.random()))
            if month >= last_q_start:
                count = max(1, count // 2)
            last_day = min(_month_start(month, -1) - timedelta(days=1), today)
            for _ in range(count):
                n += 1
                order_day = month + timedelta(days=rng.randint(0, (last_day - month).days))
                items = [(p, rng.randint(1, SCALE.get(dealer.tier, 1)))
                         for p in rng.sample(priced, k=min(2, len(priced)))]
                order = _order(dealer, user, order_day, OrderStatus.CONFIRMED, items, quotes, rng,
                               n, managers.get(dealer.region_id))
                order.contract_no = f"HY{order_day:%Y%m}-{dealer.code}-{n:03d}"
                # Slipping dealers report late more often; the rising one promptly.
                late = 0.5 if dealer.code in SLIPPING else 0.05 if dealer.code in RISING else 0.2
                delay = rng.randint(8, 20) if rng.random() < late else rng.randint(0, 5)
                created = _at(min(order_day + timedelta(days=delay), today), 2 + rng.randint(0, 8))
                order.created_at = created
                order.decided_at = created + timedelta(hours=rng.randint(3, 60))
                orders.append(order)
    db.session.flush()
    for order in orders:
        order.number = f"SO{order.order_date.year}-{order.id:05d}"
    db.session.flush()
    _targets(dealers, today, rng, ctx)
    _registrations(ctx, months, rng)
    _exceptions(ctx, months, rng)
    db.session.flush()


def _targets(dealers: dict, today: date, rng: random.Random, ctx: dict) -> None:
    """Targets for last year's and this year's quarters, set against what each dealer sold:
    most dealers near their sales (met or just missed), the slipping ones well above, the rising
    one below; the current quarter against the average of the four before it."""
    admin = (ctx.get("users") or {}).get("admin")
    quarterly = {}
    for dealer_id, day, total in db.session.execute(
            select(SalesOrder.dealer_id, SalesOrder.order_date, SalesOrder.total_fen)
            .where(SalesOrder.status == OrderStatus.CONFIRMED)):
        key = (dealer_id, day.year, quarter_of(day))
        quarterly[key] = quarterly.get(key, 0) + int(total)
    current = (today.year, quarter_of(today))
    for dealer in dealers.values():
        for year in (today.year - 1, today.year):
            for quarter in range(1, 5):
                if (year, quarter) > current:
                    continue
                if (year, quarter) == current:
                    before = [quarterly.get((dealer.id, *_quarter_back(current, k)), 0)
                              for k in range(1, 5)]
                    factor = 1.3 if dealer.code in SLIPPING else 0.9 if dealer.code in RISING \
                        else 1.05
                    base = sum(before) / 4 * factor
                else:
                    sold = quarterly.get((dealer.id, year, quarter), 0)
                    factor = 1.35 if dealer.code in SLIPPING else 0.8 if dealer.code in RISING \
                        else rng.choice([0.85, 0.95, 1.05, 1.15])
                    base = sold * factor
                if base <= 0:
                    continue
                target = int(round(base / 10_000_000)) * 10_000_000 or 10_000_000  # whole ¥100k
                db.session.add(SalesTarget(dealer_id=dealer.id, year=year, quarter=quarter,
                                           target_fen=target,
                                           updated_by_id=admin.id if admin else None))
    # A per-line target for the demo dealer, to show that a quarter may be split by line.
    lines = list((ctx.get("lines") or {}).values())
    d1 = dealers.get("D0001")
    if d1 is not None and lines:
        db.session.add(SalesTarget(dealer_id=d1.id, year=current[0], quarter=current[1],
                                   line_id=lines[0].id, target_fen=50_000_000,
                                   updated_by_id=admin.id if admin else None))


def _quarter_back(quarter: tuple[int, int], k: int) -> tuple[int, int]:
    n = quarter[0] * 4 + quarter[1] - 1 - k
    return n // 4, n % 4 + 1


def _registrations(ctx: dict, months: list[date], rng: random.Random) -> None:
    """Registrations closed over the months, and conflict cases between them decided month by
    month: the rising dealer wins more and more, the slipping ones less and less."""
    dealers, users = ctx.get("dealers") or {}, ctx.get("users") or {}
    director = users.get("director")
    # The customers the deals step left without a registration: the registrations other steps
    # made (and the journeys of the browser tests look up by customer) stay the only ones of
    # their customers.
    customers: dict[int, list[int]] = {}
    for code, records in (ctx.get("customers") or {}).items():
        if code in dealers and records:
            customers[dealers[code].id] = [c.id for c in records]
    creators = {}
    for user in users.values():
        if getattr(user, "dealer_id", None):
            creators.setdefault(user.dealer_id, user)

    for user in db.session.scalars(select(User).where(User.dealer_id.is_not(None))):
        creators.setdefault(user.dealer_id, user)
    today = clock.today()
    recent = months[-12:]
    closed: dict[str, list[DealRegistration]] = {}
    for code in sorted(dealers):
        dealer = dealers[code]
        if dealer.id not in customers or dealer.id not in creators:
            continue
        for step, month in enumerate(recent):
            share = step / max(len(recent) - 1, 1)
            win = 0.3 + 0.5 * share if code in RISING else 0.7 - 0.5 * share \
                if code in SLIPPING else 0.5
            for _ in range(rng.randint(1, 3)):
                last_day = min(_month_start(month, -1) - timedelta(days=1), today)
                closed_day = month + timedelta(days=rng.randint(0, (last_day - month).days))
                roll = rng.random()
                status = DealStatus.WON if roll < win else DealStatus.LOST \
                    if roll < win + (1 - win) * 0.7 else DealStatus.EXPIRED
                submitted = closed_day - timedelta(days=rng.randint(30, 80))
                deal = DealRegistration(
                    dealer_id=dealer.id, created_by_id=creators[dealer.id].id,
                    customer_id=rng.choice(customers[dealer.id]), region_id=dealer.region_id,
                    project_name=f"{closed_day:%Y年%m月}项目 {rng.randint(100, 999)}",
                    estimated_value_fen=rng.randint(20, 300) * 1_000_000,
                    expected_close_date=closed_day, status=status,
                    created_at=_at(submitted, 1), submitted_at=_at(submitted, 2),
                    approved_at=_at(submitted + timedelta(days=1), 3),
                    protected_until=submitted + timedelta(days=91), closed_at=_at(closed_day, 9))
                db.session.add(deal)
                closed.setdefault(code, []).append(deal)
    db.session.flush()
    for deals in closed.values():
        for deal in deals:
            deal.number = f"R{deal.submitted_at.year}-{deal.id:05d}"
    # Conflict cases between two dealers' registrations, one or two a month.
    pairs = [(a, b) for a, b in (("D0001", "D0005"), ("D0002", "D0003"), ("D0001", "D0002"),
                                 ("D0005", "D0009"), ("D0006", "D0003"), ("D0009", "D0002"))
             if closed.get(a) and closed.get(b)]
    cases = []
    for month in recent:
        for a, b in rng.sample(pairs, k=min(len(pairs), rng.randint(1, 3))):
            first, second = rng.choice(closed[a]), rng.choice(closed[b])
            opened = _at(min(month + timedelta(days=rng.randint(0, 25)), today), 4)
            # The rising dealer's registrations are usually the earlier, better documented ones;
            # the slipping dealers' usually lose.
            if a in RISING or b in SLIPPING:
                decision = rng.choice(["award_earlier"] * 3 + ["co_sell"])
            elif a in SLIPPING:
                decision = rng.choice(["award_later"] * 3 + ["not_a_conflict"])
            else:
                decision = rng.choice(["award_earlier", "award_later", "co_sell",
                                       "not_a_conflict"])
            is_open = month == recent[-1] and rng.random() < 0.5
            case = ConflictCase(status=CaseStatus.OPEN if is_open else CaseStatus.DECIDED,
                                region_id=second.region_id, other_region_id=first.region_id,
                                first_deal_id=first.id, second_deal_id=second.id,
                                evidence={"signals": [{"kind": "name", "detail": "demo"}]},
                                suggestion="award_earlier", opened_at=opened,
                                decision=None if is_open else decision,
                                reason=None if is_open else "按报备先后及客户确认裁决",
                                decided_by_id=None if is_open or director is None else director.id,
                                decided_at=None if is_open else opened + timedelta(days=2))
            db.session.add(case)
            cases.append(case)
    db.session.flush()
    for case in cases:
        case.number = f"C{case.opened_at.year}-{case.id:05d}"
    ctx["scorecard_deals"] = closed


def _exceptions(ctx: dict, months: list[date], rng: random.Random) -> None:
    """Price-exception requests over the months, decided, of varying depth."""
    closed = ctx.get("scorecard_deals") or {}
    dealers = ctx.get("dealers") or {}
    today = clock.today()
    made = []
    for code, deals in sorted(closed.items()):
        dealer = dealers[code]
        for month in months[-12:]:
            if rng.random() < (0.7 if code in SLIPPING else 0.4):
                deal = rng.choice(deals)
                depth = rng.choice([200, 350, 480, 650, 900, 1200, 1600]) + \
                    (300 if code in SLIPPING else 0)
                approved = rng.random() < (0.45 if code in SLIPPING else 0.85)
                submitted = _at(min(month + timedelta(days=rng.randint(0, 25)), today), 3)
                net = rng.randint(20, 200) * 1_000_000
                exc = PriceException(
                    dealer_id=dealer.id, region_id=dealer.region_id, deal_id=deal.id,
                    created_by_id=deal.created_by_id,
                    status=ExceptionStatus.REJECTED if not approved
                    else ExceptionStatus.APPROVED if submitted.date() + timedelta(days=30) >= today
                    else ExceptionStatus.EXPIRED,
                    reason="竞品低价 / competitor's lower price", current_step=0, round=1,
                    total_net_fen=net, total_requested_fen=net * (10_000 - depth) // 10_000,
                    max_depth_bp=depth, below_floor=depth > 1700,
                    valid_until=(submitted + timedelta(days=30)).date() if approved else None,
                    created_at=submitted, submitted_at=submitted,
                    decided_at=submitted + timedelta(days=1))
                db.session.add(exc)
                made.append(exc)
    db.session.flush()
    for exc in made:
        exc.number = f"SP{exc.submitted_at.year}-{exc.id:05d}"
