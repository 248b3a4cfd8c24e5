"""A dealer's live rebate progress for the current period (dashboard and rebates page)."""

from datetime import date

from sqlalchemy import and_, func, select

from portal.core import clock
from portal.core.cache import per_app
from portal.extensions import db
from portal.orders.models import (
    OrderReturn,
    OrderStatus,
    SalesOrder,
)
from portal.rebates.models import (
    RebateProgram,
)
from portal.rebates.sales import entitlement_for, last_year_totals, sales_by_dealer_line

# --- dealer progress -------------------------------------------------------------------------------


def programs_for(dealer, on_date: date | None = None) -> list[RebateProgram]:
    """Every program running on `on_date` that the dealer's tier takes part in (a program limited
    to some product lines counts only their sales)."""
    on_date = on_date or clock.today()
    programs = db.session.scalars(select(RebateProgram).where(
        and_(RebateProgram.period_start <= on_date, RebateProgram.period_end >= on_date))
        .order_by(RebateProgram.period_start.desc(), RebateProgram.code))
    return [p for p in programs if not p.eligible_tiers or dealer.tier in p.eligible_tiers]


def progress_stamp(dealer_id) -> dict:
    """What a dealer's live progress is computed from, besides the day and the dealer's tier, as
    scalar subqueries (`dealer_id` a value or a bound parameter): its count of confirmed orders —
    a confirmed order is final, so the count grows with every confirmation and with nothing else
    —, its count of returns (they only ever grow too) and the programs' count, versions and last
    change. The dashboard reads them with its other
    figures (`portal.main.dashboard`), in the same statement."""
    confirmed = select(func.count()).select_from(SalesOrder).where(
        SalesOrder.dealer_id == dealer_id, SalesOrder.status == OrderStatus.CONFIRMED)
    programs = select(RebateProgram.id)
    returns = select(func.count()).select_from(OrderReturn).where(OrderReturn.dealer_id == dealer_id)
    return {"confirmed_orders": confirmed.scalar_subquery(),
            "returns": returns.scalar_subquery(),
            "programs": programs.with_only_columns(func.count()).scalar_subquery(),
            "program_versions": programs.with_only_columns(
                func.coalesce(func.sum(RebateProgram.version_id), 0)).scalar_subquery(),
            "programs_changed": programs.with_only_columns(
                func.max(RebateProgram.updated_at)).scalar_subquery()}


#: Dealers whose progress one process remembers at most; beyond, it starts afresh.
PROGRESS_MEMO_SIZE = 20_000


def progress_for(dealer, on_date: date | None = None, stamp: dict | None = None) -> list[dict] | None:
    """Live progress for the current period (see `compute_progress`), remembered by this process
    together with what it was computed from: the day, the dealer's tier and `progress_stamp`,
    which every view reads afresh from the database (with the dashboard's figures when `stamp` is
    given, else in one query). A confirmed order, a saved program, a new day or a tier change on
    any process therefore shows on the next view on every process; until then a view costs no
    query for it. Nothing is invalidated, so nothing can be invalidated too early or too late."""
    on_date = on_date or clock.today()
    if stamp is None:
        stamp = db.session.execute(select(*(v.label(k) for k, v in progress_stamp(dealer.id).items()))
                                   ).one()._asdict()
    key = (on_date, str(dealer.tier), *stamp.values())
    memo = per_app("rebate-progress")
    entry = memo.get(dealer.id)
    if entry is not None and entry[0] == key:
        return entry[1]
    progress = compute_progress(dealer, on_date)
    if len(memo) >= PROGRESS_MEMO_SIZE:
        memo.clear()
    memo[dealer.id] = (key, progress)
    return progress


def compute_progress(dealer, on_date: date | None = None) -> list[dict] | None:
    """Live progress in every program the dealer takes part in today: qualifying sales so far,
    band reached, gap to the next band, estimated rebate (one query for the programs, one for
    each program's sales, one more for a program with a growth bonus). None without a program."""
    result = []
    for program in programs_for(dealer, on_date):
        lines = sales_by_dealer_line(program, program.period_start, program.period_end,
                                     [dealer.id]).get(dealer.id, {})
        # The growth bonus needs last year's figure: queries only for programs with a bonus.
        last_year = last_year_totals(program, [dealer.id]).get(dealer.id) \
            if program.growth_bonus_bp is not None else None
        ent = entitlement_for(program, lines, last_year)
        bands = program.bands
        next_rate = bands[ent.band_index + 1][1] if ent.band_index + 1 < len(bands) else None
        result.append({"program": program.name, "code": program.code,
                       "period_code": program.period_code, "period_end": program.period_end,
                       "sales_fen": ent.qualifying_sales_fen, "band_number": ent.band_index + 1,
                       "bands": len(bands), "rate_bp": ent.rate_bp,
                       "gap_fen": ent.gap_to_next_fen, "next_rate_bp": next_rate,
                       "estimate_fen": ent.total_fen})
    return result or None
