"""Demo rebate programs (`flask seed demo`): the previous and the current quarter, a storage-line
program beside the current quarter's, and the previous quarter issued — every dealer with sales
gets a statement. Then D0001 returns part of a previous-quarter order and finance re-runs the
quarter: D0001 gets a negative supplementary statement, carried as to be offset. D0001's PDFs are
rendered and stored now, the others by the worker."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.core import clock
from portal.extensions import db
from portal.orders import services as orders
from portal.orders.forms import return_input
from portal.orders.models import OrderStatus, SalesOrder
from portal.orders.seed import quarter_start
from portal.rebates import services
from portal.rebates.documents import store_now
from portal.rebates.models import RebateProgram, RebateStatement

BANDS = [[0, 100], [30_000_000, 200], [100_000_000, 300]]  # ¥0 1% · ¥300k 2% · ¥1M 3%
STORAGE_BANDS = [[0, 50], [10_000_000, 150]]  # storage: ¥0 0.5% · ¥100k 1.5%


def _quarter(day):
    start = quarter_start(day)
    nxt = quarter_start(start + timedelta(days=100))
    return f"{start.year}Q{(start.month - 1) // 3 + 1}", start, nxt - timedelta(days=1)


def seed_demo(ctx: dict) -> None:
    finance = (ctx.get("users") or {}).get("finance")
    today = clock.today()
    code, start, end = _quarter(today)
    prev_code, prev_start, prev_end = _quarter(start - timedelta(days=1))
    previous = RebateProgram(name=f"{prev_code} 渠道季度返利 / Quarterly channel rebate",
                             code=prev_code, period_code=prev_code, period_start=prev_start, period_end=prev_end,
                             mode="all_units", bands=BANDS, exception_treatment="exclude",
                             eligible_tiers=[], eligible_line_ids=[],
                             created_by_id=getattr(finance, "id", None))
    current = RebateProgram(name=f"{code} 渠道季度返利 / Quarterly channel rebate",
                            code=code, period_code=code, period_start=start, period_end=end,
                            mode="incremental", bands=BANDS, exception_treatment="rate_bp",
                            exception_rate_bp=50, growth_pct_bp=1000, growth_bonus_bp=50,
                            eligible_tiers=[], eligible_line_ids=[],
                            created_by_id=getattr(finance, "id", None))
    storage_line = (ctx.get("lines") or {}).get("storage")
    storage = RebateProgram(name=f"{code} 存储专项返利 / Storage line rebate", code=f"{code}-STO",
                            period_code=code, period_start=start, period_end=end,
                            mode="incremental", bands=STORAGE_BANDS, exception_treatment="include",
                            eligible_tiers=["platinum", "gold"],
                            eligible_line_ids=[storage_line.id] if storage_line else [],
                            created_by_id=getattr(finance, "id", None))
    db.session.add_all([previous, current, storage])
    db.session.flush()
    ctx["rebate_programs"] = {"previous": previous, "current": current, "storage": storage}
    if finance is None or not ctx.get("orders"):
        return
    run = services.start_run(finance, previous)
    statements = services.issue_run(finance, run)
    d1 = db.session.scalar(select(RebateStatement).where(
        RebateStatement.id.in_([s.id for s in statements]),
        RebateStatement.number == f"RB-{prev_code}-D0001"))
    if d1 is not None:
        store_now(d1)
    ctx["statements"] = statements
    supplementary = _return_and_rerun(ctx, finance, previous, prev_start, prev_end)
    if supplementary is not None:
        store_now(supplementary)
        ctx["statements"] = [*statements, supplementary]


def _return_and_rerun(ctx, finance, program, start, end):
    """D0001 returns one unit of its largest previous-quarter order (the north channel manager
    records it, dated in that quarter); finance re-runs the quarter: D0001's supplementary."""
    manager = (ctx.get("users") or {}).get("cm_north")
    dealer = (ctx.get("dealers") or {}).get("D0001")
    if manager is None or dealer is None:
        return None
    order = db.session.scalar(select(SalesOrder).where(
        SalesOrder.dealer_id == dealer.id, SalesOrder.status == OrderStatus.CONFIRMED,
        SalesOrder.order_date >= start, SalesOrder.order_date <= end)
        .order_by(SalesOrder.total_fen.desc(), SalesOrder.id).limit(1))
    if order is None:
        return None
    line = max(order.lines, key=lambda ln: ln.unit_price_fen)
    day = min(order.order_date + timedelta(days=7), end)
    orders.record_return(manager, order, return_input(
        {"return_date": day.isoformat(), "reason": "客户退回一台 / one unit returned by the customer"},
        {line.id: "1"}))
    run = services.start_run(finance, program)
    issued = services.issue_run(finance, run)
    return db.session.scalar(select(RebateStatement).where(
        RebateStatement.id.in_([s.id for s in issued]), RebateStatement.dealer_id == dealer.id))
