"""Demo rebate programs (`flask seed demo`): the previous and the current quarter, and the previous
quarter issued — every dealer with sales gets a statement; D0001's PDF is rendered and stored now,
the others by the worker (or at first download)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.core import clock
from portal.extensions import db
from portal.rebates.models import RebateProgram

BANDS = [[0, 100], [30_000_000, 200], [100_000_000, 300]]  # ¥0 1% · ¥300k 2% · ¥1M 3%


def _quarter(day):
    from portal.orders.seed import quarter_start

    start = quarter_start(day)
    nxt = quarter_start(start + timedelta(days=100))
    return f"{start.year}Q{(start.month - 1) // 3 + 1}", start, nxt - timedelta(days=1)


def seed_demo(ctx: dict) -> None:
    from portal.rebates import services
    from portal.rebates.documents import store_now
    from portal.rebates.models import RebateStatement

    finance = (ctx.get("users") or {}).get("finance")
    today = clock.today()
    code, start, end = _quarter(today)
    prev_code, prev_start, prev_end = _quarter(start - timedelta(days=1))
    previous = RebateProgram(name=f"{prev_code} 渠道季度返利 / Quarterly channel rebate",
                             period_code=prev_code, period_start=prev_start, period_end=prev_end,
                             mode="all_units", bands=BANDS, exception_treatment="exclude",
                             eligible_tiers=[], eligible_line_ids=[],
                             created_by_id=getattr(finance, "id", None))
    current = RebateProgram(name=f"{code} 渠道季度返利 / Quarterly channel rebate",
                            period_code=code, period_start=start, period_end=end,
                            mode="incremental", bands=BANDS, exception_treatment="rate_bp",
                            exception_rate_bp=50, growth_pct_bp=1000, growth_bonus_bp=50,
                            eligible_tiers=[], eligible_line_ids=[],
                            created_by_id=getattr(finance, "id", None))
    db.session.add_all([previous, current])
    db.session.flush()
    ctx["rebate_programs"] = {"previous": previous, "current": current}
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
