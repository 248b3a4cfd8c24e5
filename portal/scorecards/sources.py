"""The KPIs' aggregates over their rows (DESIGN §3.8), each `GROUP BY dealer`.

Sales, returns, new customers and registrations are kept per dealer and month in `dealer_month`
(`portal.scorecards.figures`): a period reads its whole months there and only the days of a cut
month from the rows (`period_figures`). `figure_rows` computes the same monthly figures from the
rows, with the same definitions as each row's part in `figures` (a test proves them equal); the
rest (key accounts, conflict cases, exceptions, targets, statements) is small and read from the
rows every time.

Every function takes `dealers`: None (every dealer), one id, or a SELECT of ids.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import (
    BigInteger,
    Date,
    and_,
    case,
    cast,
    delete,
    distinct,
    extract,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from portal.conflicts.models import CaseStatus, ConflictCase
from portal.conflicts.models import Decision as CaseDecision
from portal.core import clock
from portal.deals.models import Customer, DealRegistration, DealStatus
from portal.extensions import db
from portal.orders.models import OrderLine, OrderReturn, OrderReturnLine, OrderStatus, SalesOrder
from portal.pricing.models import ExceptionStatus, PriceException
from portal.rebates.models import RebateProgram, RebateStatement
from portal.scorecards.figures import FIELDS, ON_TIME_DAYS, DealerMonth
from portal.scorecards.line_months import DealerLineMonth
from portal.scorecards.models import SalesTarget
from portal.scorecards.periods import Period, split_months


def in_(column, dealers) -> ColumnElement:
    """The dealer filter pushed into an aggregate: None (every dealer), one id, or a SELECT of ids."""
    if dealers is None:
        return true()
    if isinstance(dealers, int | BindParameter):
        return column == dealers
    return column.in_(dealers)


def _utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


# --- each row's figures, as SQL (the same as `figures`' parts in Python) -------------------------

def lead_s(later, earlier) -> ColumnElement:
    """Whole seconds between two timestamps, rounded (`figures.lead_s`)."""
    if _dialect() == "postgresql":
        seconds = extract("epoch", later - earlier)
    else:
        seconds = (func.julianday(later) - func.julianday(earlier)) * 86_400.0
    return cast(func.round(seconds), BigInteger)


def days_between(later_ts, earlier_day) -> ColumnElement:
    """Whole days from a date to a timestamp's (UTC) date."""
    if _dialect() == "postgresql":
        return cast(func.timezone("UTC", later_ts), Date) - earlier_day
    return func.julianday(func.date(later_ts)) - func.julianday(earlier_day)


def month_of(column, timestamp: bool) -> ColumnElement:
    """The first day of the (UTC) month of a date or timestamp column."""
    if _dialect() == "postgresql":
        value = func.timezone("UTC", column) if timestamp else column
        return cast(func.date_trunc("month", value), Date)
    return type_coerce(func.date(column, "start of month"), Date)  # (CAST AS DATE: a number)


def _fill(values: dict, names, sign: int, rename: dict, pad: bool) -> list:
    """The columns `names` (labelled as `rename` says), from `values` times `sign`; a name not
    in `values` is zero with `pad`, else left out."""
    return [cast(values[n] * sign if sign != 1 else values[n], BigInteger).label(rename.get(n, n))
            if n in values else cast(literal(0), BigInteger).label(rename.get(n, n))
            for n in names if pad or n in values]


def _sources(start: date | None, end: date | None, dealers, by_month: bool,
             names=FIELDS, sign: int = 1, rename=None) -> list:
    """One SELECT per source table of the figures `names` (times `sign`, labelled as `rename`
    says), grouped by dealer (and by month with `by_month`: every name in every SELECT), over
    the rows dated in [start, end] (None: every row)."""
    rename = rename or {}
    so, rt, c, dr = SalesOrder, OrderReturn, Customer, DealRegistration
    parts = []

    def day_range(column):
        if start is None:
            return true()
        return and_(column >= start, column <= end)

    def ts_range(column):
        if start is None:
            return column.is_not(None)
        return and_(column >= _utc(start), column < _utc(end + timedelta(days=1)))

    def branch(dealer_col, month_col, values, *where):
        group = [dealer_col] + ([month_col] if by_month else [])
        cols = [dealer_col.label("dealer_id")]
        if by_month:
            cols.append(month_col.label("month"))
        return (select(*cols, *_fill(values, names, sign, rename, by_month))
                .where(in_(dealer_col, dealers), *where).group_by(*group))

    if {"sales_fen", "orders", "lead_s", "lead_orders", "on_time"} & set(names):
        lead = lead_s(so.decided_at, so.created_at)
        parts.append(branch(so.dealer_id, month_of(so.order_date, False), {
            "sales_fen": func.sum(so.total_fen), "orders": func.count(),
            "lead_s": func.coalesce(func.sum(lead), 0), "lead_orders": func.count(lead),
            "on_time": func.count(case((days_between(so.created_at, so.order_date)
                                        <= ON_TIME_DAYS, 1)))},
            so.status == OrderStatus.CONFIRMED, day_range(so.order_date)))
    if "returned_fen" in names:
        parts.append(branch(rt.dealer_id, month_of(rt.return_date, False),
                            {"returned_fen": func.sum(rt.amount_fen)}, day_range(rt.return_date)))
    if "new_customers" in names:
        parts.append(branch(c.dealer_id, month_of(c.created_at, True),
                            {"new_customers": func.count()}, c.dealer_id.is_not(None),
                            ts_range(c.created_at)))
    if "deals_submitted" in names:
        parts.append(branch(dr.dealer_id, month_of(dr.submitted_at, True),
                            {"deals_submitted": func.count()}, ts_range(dr.submitted_at)))
        parts.append(branch(dr.dealer_id, month_of(dr.approved_at, True),
                            {"deals_approved": func.count()}, ts_range(dr.approved_at)))
        closed = {f"deals_{s.value}": func.count(case((dr.status == s, 1)))
                  for s in (DealStatus.WON, DealStatus.LOST, DealStatus.EXPIRED)}
        parts.append(branch(dr.dealer_id, month_of(dr.closed_at, True), closed,
                            dr.status.in_([DealStatus.WON, DealStatus.LOST, DealStatus.EXPIRED]),
                            ts_range(dr.closed_at)))
    return parts


def figure_rows(dealers=None):
    """(dealer_id, month, *FIELDS) per source table and month, from the rows: what `dealer_month`
    must hold (several rows per dealer and month, to add up)."""
    return union_all(*_sources(None, None, dealers, True))


def period_figures(start: date, end: date, dealers, names=FIELDS, rename=None,
                   alias: str = "f") -> list:
    """The figures `names` of the days [start, end] per dealer: the whole months from
    `dealer_month`, the days of a cut month from the rows (added, or taken away from a month
    read whole). Columns renamed by `rename` ({name: label})."""
    rename = rename or {}
    (first, last), edges = split_months(start, end, clock.today())
    parts = []
    if first is not None:
        dm = DealerMonth
        parts.append(select(dm.dealer_id.label("dealer_id"), *(
            cast(func.sum(dm.__table__.c[n]), BigInteger).label(rename.get(n, n)) for n in names))
            .where(dm.month >= first, dm.month <= last, in_(dm.dealer_id, dealers))
            .group_by(dm.dealer_id))
    out = [parts[0].subquery(f"{alias}m")] if parts else []  # the kept months: "…m"
    for sign, a, b in edges:
        out += [part.subquery(f"{alias}{i}") for i, part in
                enumerate(_sources(a, b, dealers, False, names, sign, rename))]
    return out


# --- read from the rows every time ---------------------------------------------------------------

def key_accounts(period: Period, dealers):
    """Distinct key accounts among the registrations submitted in the period. Key accounts are
    few (head office's): their registrations are found from their partial index, once per dealer
    and customer, so that the count needs no DISTINCT over every registration."""
    dr = DealRegistration
    s, e = _utc(period.start), _utc(period.end + timedelta(days=1))
    pairs = (select(dr.dealer_id.label("dealer_id"), dr.customer_id)
             .select_from(Customer).join(dr, dr.customer_id == Customer.id)
             .where(Customer.key_account, dr.submitted_at >= s, dr.submitted_at < e,
                    in_(dr.dealer_id, dealers))
             .group_by(dr.dealer_id, dr.customer_id).subquery("ka_pairs"))
    return (select(pairs.c.dealer_id, func.count().label("key_accounts"))
            .group_by(pairs.c.dealer_id).subquery("ka"))


def conflict_parties(start: datetime, end: datetime, dealers):
    """(case, dealer, side 1|2, status, decision, opened_at) for each registration party of the
    cases opened in [start, end): one row per dealer side of a case."""
    cc, dr = ConflictCase, DealRegistration
    sides = []
    for side, column in ((1, cc.first_deal_id), (2, cc.second_deal_id)):
        sides.append(select(cc.id.label("case_id"), dr.dealer_id.label("dealer_id"),
                            literal(side).label("side"), cc.status.label("status"),
                            cc.decision.label("decision"), cc.opened_at.label("opened_at"))
                     .join(dr, dr.id == column)
                     .where(cc.opened_at >= start, cc.opened_at < end,
                            cc.status != CaseStatus.NOTICE, in_(dr.dealer_id, dealers)))
    return union_all(*sides).subquery("parties")


def outcome_columns(parties) -> dict[str, ColumnElement]:
    """The outcome of a case for the dealer on its side: won, lost, co_sell, open, other."""
    decided = parties.c.status == CaseStatus.DECIDED
    earlier, later = CaseDecision.AWARD_EARLIER.value, CaseDecision.AWARD_LATER.value
    won = and_(decided, or_(and_(parties.c.side == 1, parties.c.decision == earlier),
                            and_(parties.c.side == 2, parties.c.decision == later)))
    lost = and_(decided, or_(and_(parties.c.side == 1, parties.c.decision == later),
                             and_(parties.c.side == 2, parties.c.decision == earlier)))
    return {"won": won, "lost": lost,
            "co_sell": and_(decided, parties.c.decision == CaseDecision.CO_SELL.value),
            "open": parties.c.status == CaseStatus.OPEN}


def conflicts(period: Period, dealers):
    parties = conflict_parties(_utc(period.start), _utc(period.end + timedelta(days=1)), dealers)
    outcome = outcome_columns(parties)
    return (select(parties.c.dealer_id.label("dealer_id"),
                   func.count(distinct(parties.c.case_id)).label("conflicts"),
                   *(func.count(case((cond, 1))).label(f"conflicts_{name}")
                     for name, cond in outcome.items()))
            .group_by(parties.c.dealer_id).subquery("k"))


#: Buckets of the exception-depth chart: (key, lowest depth in bp, highest in bp or None).
DEPTH_BUCKETS = [("depth_5", 0, 500), ("depth_10", 501, 1000), ("depth_more", 1001, None)]


def exceptions(period: Period, dealers):
    pe = PriceException

    def bucket(low, high):
        cond = pe.max_depth_bp >= low if high is None else and_(pe.max_depth_bp >= low,
                                                                pe.max_depth_bp <= high)
        return func.count(case((cond, 1)))

    return (select(pe.dealer_id.label("dealer_id"), func.count().label("exceptions"),
                   # An expired exception was approved and has lapsed: it counts as approved.
                   func.count(case((pe.status.in_([ExceptionStatus.APPROVED,
                                                   ExceptionStatus.EXPIRED]), 1)))
                   .label("exceptions_approved"),
                   func.count(case((pe.status == ExceptionStatus.REJECTED, 1)))
                   .label("exceptions_rejected"),
                   func.avg(pe.max_depth_bp).label("depth_avg"),
                   func.count(case((pe.below_floor, 1))).label("below_floor"),
                   *(bucket(low, high).label(key) for key, low, high in DEPTH_BUCKETS))
            .where(pe.submitted_at >= _utc(period.start), pe.status != ExceptionStatus.DRAFT,
                   pe.submitted_at < _utc(period.end + timedelta(days=1)),
                   in_(pe.dealer_id, dealers))
            .group_by(pe.dealer_id).subquery("x"))


def quarter_targets(year: int, quarters: list[int], dealers):
    """(dealer, quarter, target): the all-lines target, else the sum of the per-line ones."""
    t = SalesTarget
    whole = func.max(case((t.line_id.is_(None), t.target_fen)))
    by_line = func.sum(case((t.line_id.is_not(None), t.target_fen)))
    return (select(t.dealer_id.label("dealer_id"), t.quarter.label("quarter"),
                   func.coalesce(whole, by_line, 0).label("target_fen"))
            .where(t.year == year, t.quarter.in_(quarters), in_(t.dealer_id, dealers))
            .group_by(t.dealer_id, t.quarter))


def targets(period: Period, dealers):
    per_quarter = quarter_targets(period.year, period.quarters, dealers).subquery("tq")
    return (select(per_quarter.c.dealer_id, func.sum(per_quarter.c.target_fen).label("target_fen"))
            .group_by(per_quarter.c.dealer_id).subquery("t"))


def rebates(period: Period, dealers):
    st, pr = RebateStatement, RebateProgram
    return (select(st.dealer_id.label("dealer_id"), func.sum(st.net_payable_fen).label("rebate_fen"))
            .join(pr, pr.id == st.program_id)
            .where(pr.period_start >= period.start, pr.period_start <= period.end,
                   in_(st.dealer_id, dealers))
            .group_by(st.dealer_id).subquery("r"))


# --- the kept figures against the rows --------------------------------------------------------------------------------

def from_rows(session, dealers=None) -> dict:
    """{(dealer_id, month): {field: amount}} computed from the rows (`sources.figure_rows`),
    without zero months."""
    figures: dict = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    for row in session.execute(figure_rows(dealers)):
        key = (row.dealer_id, _as_date(row.month))
        for name in FIELDS:
            figures[key][name] += int(getattr(row, name) or 0)
    return {k: v for k, v in figures.items() if any(v.values())}


def kept(session, dealers=None) -> dict:
    """{(dealer_id, month): {field: amount}} as kept, without zero months."""
    stmt = select(DealerMonth)
    if dealers is not None:
        stmt = stmt.where(DealerMonth.dealer_id.in_(dealers))
    out = {}
    for row in session.execute(stmt.execution_options(populate_existing=True)).scalars():
        values = {f: int(getattr(row, f)) for f in FIELDS}
        if any(values.values()):
            out[(row.dealer_id, _as_date(row.month))] = values
    return out


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def line_rows_from_rows(session) -> dict:
    """{(dealer_id, month, line_id): {"sales_fen", "returned_fen"}} from the order lines of
    confirmed orders and the return lines (what `dealer_line_month` must hold), without zeros."""
    so, ol, r, rl = SalesOrder, OrderLine, OrderReturn, OrderReturnLine
    out: dict = defaultdict(lambda: {"sales_fen": 0, "returned_fen": 0})
    for field, stmt in (
            ("sales_fen", select(so.dealer_id, month_of(so.order_date, False), ol.line_id,
                                 func.sum(ol.amount_fen)).join(ol, ol.order_id == so.id)
             .where(so.status == OrderStatus.CONFIRMED)),
            ("returned_fen", select(r.dealer_id, month_of(r.return_date, False), rl.line_id,
                                    func.sum(rl.amount_fen)).join(rl, rl.return_id == r.id))):
        for dealer_id, month, line_id, amount in session.execute(stmt.group_by(*stmt.selected_columns[:3])):
            out[(dealer_id, _as_date(month), line_id)][field] += int(amount or 0)
    return {k: v for k, v in out.items() if any(v.values())}


def line_kept(session) -> dict:
    t = DealerLineMonth.__table__
    return {(row.dealer_id, _as_date(row.month), row.line_id):
            {"sales_fen": int(row.sales_fen), "returned_fen": int(row.returned_fen)}
            for row in session.execute(select(t)) if row.sales_fen or row.returned_fen}


def rebuild(session) -> int:
    """Recompute every dealer's months (and months by product line) from the rows, after writes
    that bypass the portal's sessions; returns the number of dealer months kept."""
    connection = session.connection()
    months = 0
    for table, figures in ((DealerMonth.__table__, from_rows(session)),
                           (DealerLineMonth.__table__, line_rows_from_rows(session))):
        connection.execute(delete(table))
        keys = [c.name for c in table.primary_key.columns]
        rows = [{**dict(zip(keys, k, strict=True)), **v} for k, v in sorted(figures.items())]
        for start in range(0, len(rows), 5000):
            connection.execute(insert(table), rows[start:start + 5000])
        months = months or len(rows)
    return months

