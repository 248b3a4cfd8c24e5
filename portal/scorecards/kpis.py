"""Dealer KPIs per period (DESIGN §3.8), with aggregate SQL over the rows rebates and lists read.

Every KPI is defined once, in `KPIS`, with the sentence that users read as its footnote (both
languages, through the catalogue). The figures come from `dealer_kpis(period, dealers)`: one
SELECT over the dealers, left-joined to one GROUP BY dealer aggregate per source table (orders,
registrations, customers, conflict cases, price exceptions, targets, statements). The ranked list
of 5,000 dealers and one dealer's scorecard run the same statement; only the dealer filter,
pushed into every aggregate, differs.

Sales are the confirmed orders dated in the period less the returns dated in it (`_returns`), the
rows the rebate aggregate reads (`portal.rebates.services.sales_by_dealer_line`); an order's
`total_fen` is the sum of its lines' `amount_fen`, set once when the order is registered.

Ratios are integer basis points, rounded half up; money is integer fen.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    Integer,
    and_,
    case,
    cast,
    distinct,
    extract,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement

from portal.accounts.models import Dealer
from portal.catalog.models import ProductLine
from portal.conflicts.models import CaseStatus, ConflictCase
from portal.conflicts.models import Decision as CaseDecision
from portal.core.i18n import lazy_gettext as _l
from portal.deals.models import Customer, DealRegistration, DealStatus
from portal.extensions import db
from portal.orders.models import OrderLine, OrderReturn, OrderReturnLine, OrderStatus, SalesOrder
from portal.pricing.models import ExceptionStatus, PriceException
from portal.rebates.models import RebateProgram, RebateStatement
from portal.scorecards.models import SalesTarget

MIN_YEAR, MAX_YEAR = 2000, 2100
#: An order registered within this many days of its order date counts as reported on time.
ON_TIME_DAYS = 7


# --- periods -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """A quarter (`2026Q3`) or a year to date (`2026`): the days [start, end], both inclusive."""

    year: int
    quarter: int | None  #: None: the year to date
    start: date
    end: date

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def quarters(self) -> list[int]:
        """The quarters whose targets the period's target adds up."""
        return [self.quarter] if self.quarter else list(range(1, (self.end.month - 1) // 3 + 2))

    @property
    def last_year(self) -> tuple[date, date]:
        return _year_earlier(self.start), _year_earlier(self.end)


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end - timedelta(days=1)


def period_of(code: str | None, today: date) -> Period | None:
    """`2026Q3` → that quarter, `2026` → that year to date (to today, or the whole year when it
    is over); empty → the current quarter. Anything else, or a year outside 2000–2100 → None."""
    code = (code or "").strip().upper()
    if not code:
        code = f"{today.year}Q{quarter_of(today)}"
    if len(code) == 6 and code[4] == "Q" and code[:4].isascii() and code[:4].isdigit() \
            and code[5] in "1234":
        year, quarter = int(code[:4]), int(code[5])
        if not MIN_YEAR <= year <= MAX_YEAR:
            return None
        return Period(year, quarter, *quarter_bounds(year, quarter))
    if len(code) == 4 and code.isascii() and code.isdigit():
        year = int(code)
        if not MIN_YEAR <= year <= MAX_YEAR:
            return None
        end = min(today, date(year, 12, 31)) if year == today.year else date(year, 12, 31)
        if year > today.year:
            end = date(year, 12, 31)
        return Period(year, None, date(year, 1, 1), end)
    return None


def period_choices(today: date) -> list[str]:
    """The periods offered in the picker: this year's and last year's quarters, both years."""
    codes = []
    for year in (today.year, today.year - 1):
        last = quarter_of(today) if year == today.year else 4
        codes += [f"{year}Q{q}" for q in range(last, 0, -1)]
        codes.append(str(year))
    return codes


# --- definitions ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Kpi:
    key: str
    group: str      #: financial, customer, collaboration
    label: object   #: lazy translation
    definition: object  #: lazy translation: the footnote users read
    kind: str = "count"  #: money, bp, count, hours


FINANCIAL, CUSTOMER, COLLABORATION = "financial", "customer", "collaboration"
GROUP_LABELS = {FINANCIAL: _l("Financial"), CUSTOMER: _l("Customers"),
                COLLABORATION: _l("Collaboration")}

KPIS: list[Kpi] = [
    Kpi("sales_fen", FINANCIAL, _l("Confirmed sales"), _l(
        "Sum of the confirmed orders dated in the period, less the returns dated in the period "
        "(the amounts rebates are computed from)."), "money"),
    Kpi("target_fen", FINANCIAL, _l("Target"), _l(
        "Head office's sales target for the period: per quarter, the all-lines target, or the sum "
        "of the per-line targets when there is none; the year to date adds up its quarters."),
        "money"),
    Kpi("attainment_bp", FINANCIAL, _l("Target attainment"), _l(
        "Confirmed sales ÷ target. Empty when no target is set."), "bp"),
    Kpi("growth_bp", FINANCIAL, _l("Growth on last year"), _l(
        "Confirmed sales ÷ confirmed sales of the same days a year earlier − 1. Empty when there "
        "were none a year earlier."), "bp"),
    Kpi("rebate_fen", FINANCIAL, _l("Rebate earned"), _l(
        "Net payable of the rebate statements issued for programs that start in the period, "
        "supplementary statements included."), "money"),
    Kpi("deals_submitted", CUSTOMER, _l("Registrations submitted"), _l(
        "Registrations the dealer submitted in the period.")),
    Kpi("deals_approved", CUSTOMER, _l("Registrations approved"), _l(
        "Registrations approved in the period.")),
    Kpi("deals_won", CUSTOMER, _l("Won"), _l("Registrations closed as won in the period.")),
    Kpi("deals_lost", CUSTOMER, _l("Lost"), _l("Registrations closed as lost in the period.")),
    Kpi("deals_expired", CUSTOMER, _l("Expired"), _l(
        "Registrations whose protection expired in the period.")),
    Kpi("win_rate_bp", CUSTOMER, _l("Win rate"), _l(
        "Won ÷ (won + lost + expired) of the registrations closed in the period. Empty when none "
        "closed."), "bp"),
    Kpi("new_customers", CUSTOMER, _l("New customers"), _l(
        "Customer records the dealer created in the period.")),
    Kpi("key_accounts", CUSTOMER, _l("Key accounts"), _l(
        "Distinct key accounts (大客户) among the registrations submitted in the period.")),
    Kpi("conflicts", COLLABORATION, _l("Conflicts involved"), _l(
        "Conflict cases opened in the period with one of the dealer's registrations as a party "
        "(notices of a different product line not counted).")),
    Kpi("conflicts_won", COLLABORATION, _l("Conflicts awarded to the dealer"), _l(
        "Of those, cases decided in favour of the dealer's registration.")),
    Kpi("conflicts_lost", COLLABORATION, _l("Conflicts awarded to the other party"), _l(
        "Of those, cases decided in favour of the other party.")),
    Kpi("conflicts_co_sell", COLLABORATION, _l("Conflicts settled as co-sell"), _l(
        "Of those, cases decided as co-sell.")),
    Kpi("exceptions", COLLABORATION, _l("Price-exception requests"), _l(
        "Price-exception requests submitted in the period.")),
    Kpi("exception_approval_bp", COLLABORATION, _l("Exception approval rate"), _l(
        "Approved (an approval that has since expired included) ÷ (approved + rejected) of "
        "those requests. Empty when none was decided."), "bp"),
    Kpi("exception_depth_bp", COLLABORATION, _l("Average extra discount"), _l(
        "Average of the deepest extra discount beyond the tier discount of each request, in "
        "percentage points."), "bp"),
    Kpi("lead_time_hours", COLLABORATION, _l("Order-to-confirmation lead time"), _l(
        "Average hours between registering an order and its confirmation, for the confirmed "
        "orders dated in the period."), "hours"),
    Kpi("on_time_bp", COLLABORATION, _l("Orders reported within 7 days"), _l(
        "Share of the confirmed orders dated in the period that were registered at most 7 days "
        "after their order date."), "bp"),
]
KPI_BY_KEY = {k.key: k for k in KPIS}


# --- the aggregate ------------------------------------------------------------------------------

@dataclass
class DealerKpis:
    dealer_id: int
    code: str
    name: str
    tier: str
    region_id: int
    values: dict = field(default_factory=dict)
    #: Raw counts the charts and the score read besides the KPIs.
    extra: dict = field(default_factory=dict)

    def __getitem__(self, key):
        return self.values.get(key)


def ratio_bp(numerator: int, denominator: int) -> int | None:
    """numerator ÷ denominator in basis points, rounded half up; None for a zero denominator."""
    if not denominator:
        return None
    n = numerator * 10_000
    q, r = divmod(abs(n), abs(denominator))
    if 2 * r >= abs(denominator):
        q += 1
    return q if (n >= 0) == (denominator > 0) else -q


def _in(column, dealers) -> ColumnElement:
    """The dealer filter pushed into an aggregate: None (every dealer), one id, or a SELECT of ids."""
    if dealers is None:
        return true()
    if isinstance(dealers, int):
        return column == dealers
    return column.in_(dealers)


def _utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def hours_between(later, earlier) -> ColumnElement:
    if _dialect() == "postgresql":
        return extract("epoch", later - earlier) / 3600.0
    return (func.julianday(later) - func.julianday(earlier)) * 24.0


def days_between(later_ts, earlier_day) -> ColumnElement:
    """Whole days from a date to a timestamp's (UTC) date."""
    if _dialect() == "postgresql":
        return cast(later_ts, Date) - earlier_day
    return func.julianday(func.date(later_ts)) - func.julianday(earlier_day)


def _orders(period: Period, dealers):
    """Confirmed orders dated in the period: one contiguous range of the covering index
    `ix_sales_order_scorecard`, read without the table."""
    so = SalesOrder
    return (select(so.dealer_id.label("dealer_id"), func.sum(so.total_fen).label("sales_fen"),
                   func.count().label("orders"),
                   func.avg(hours_between(so.decided_at, so.created_at)).label("lead_hours"),
                   func.count(case((days_between(so.created_at, so.order_date) <= ON_TIME_DAYS, 1)))
                   .label("on_time"))
            .where(so.status == OrderStatus.CONFIRMED, so.order_date >= period.start,
                   so.order_date <= period.end, _in(so.dealer_id, dealers))
            .group_by(so.dealer_id).subquery("o"))


def _orders_last_year(period: Period, dealers):
    """Confirmed sales of the same days a year earlier (growth), a second range of the index."""
    so = SalesOrder
    start, end = period.last_year
    return (select(so.dealer_id.label("dealer_id"), func.sum(so.total_fen).label("last_year_fen"))
            .where(so.status == OrderStatus.CONFIRMED, so.order_date >= start,
                   so.order_date <= end, _in(so.dealer_id, dealers))
            .group_by(so.dealer_id).subquery("ly"))


def _returns(period: Period, dealers):
    """Returns (credit notes) dated in the period and in the same days a year earlier, by dealer:
    subtracted from the sales of those days, as the rebate aggregate does (a return counts in the
    period of its own date, DESIGN §3.5)."""
    r = OrderReturn
    ly_start, ly_end = period.last_year
    in_period = and_(r.return_date >= period.start, r.return_date <= period.end)
    return (select(r.dealer_id.label("dealer_id"),
                   func.sum(case((in_period, r.amount_fen), else_=0)).label("returned_fen"),
                   func.sum(case((in_period, 0), else_=r.amount_fen)).label("returned_ly_fen"))
            .where(or_(in_period, and_(r.return_date >= ly_start, r.return_date <= ly_end)),
                   _in(r.dealer_id, dealers))
            .group_by(r.dealer_id).subquery("rt"))


def _deals(period: Period, dealers):
    """Registrations submitted, approved and closed in the period: three ranges, each of its own
    covering index (migration 0011), stacked and counted per dealer — one condition `submitted
    or approved or closed in the period` would read every registration."""
    dr = DealRegistration
    s, e = _utc(period.start), _utc(period.end + timedelta(days=1))
    submitted = (select(dr.dealer_id.label("dealer_id"), literal("s").label("kind"),
                        cast(null(), dr.status.type).label("status"),
                        cast(null(), dr.customer_id.type).label("key_customer"))
                 .where(dr.submitted_at >= s, dr.submitted_at < e, _in(dr.dealer_id, dealers)))
    approved = (select(dr.dealer_id, literal("a"), cast(null(), dr.status.type),
                       cast(null(), dr.customer_id.type))
                .where(dr.approved_at >= s, dr.approved_at < e, _in(dr.dealer_id, dealers)))
    closed = (select(dr.dealer_id, literal("c"), dr.status, cast(null(), dr.customer_id.type))
              .where(dr.closed_at >= s, dr.closed_at < e, _in(dr.dealer_id, dealers)))
    # Key accounts are few (head office's): their registrations, found from their partial index,
    # once per dealer and customer — so that the count needs no DISTINCT over every event.
    key = (select(dr.dealer_id, literal("k"), cast(null(), dr.status.type), dr.customer_id)
           .select_from(Customer).join(dr, dr.customer_id == Customer.id)
           .where(Customer.key_account, dr.submitted_at >= s, dr.submitted_at < e,
                  _in(dr.dealer_id, dealers))
           .group_by(dr.dealer_id, dr.customer_id))
    events = union_all(submitted, approved, closed, key).subquery("dr_events")

    def count(kind, status=None):
        cond = events.c.kind == kind
        if status is not None:
            cond = and_(cond, events.c.status == status)
        return func.count(case((cond, 1)))

    return (select(events.c.dealer_id.label("dealer_id"),
                   count("s").label("deals_submitted"), count("a").label("deals_approved"),
                   count("c", DealStatus.WON).label("deals_won"),
                   count("c", DealStatus.LOST).label("deals_lost"),
                   count("c", DealStatus.EXPIRED).label("deals_expired"),
                   count("k").label("key_accounts"))
            .group_by(events.c.dealer_id).subquery("d"))


def _customers(period: Period, dealers):
    c = Customer
    return (select(c.dealer_id.label("dealer_id"), func.count().label("new_customers"))
            .where(c.created_at >= _utc(period.start),
                   c.created_at < _utc(period.end + timedelta(days=1)),
                   c.dealer_id.is_not(None), _in(c.dealer_id, dealers))
            .group_by(c.dealer_id).subquery("c"))


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
                            cc.status != CaseStatus.NOTICE, _in(dr.dealer_id, dealers)))
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


def _conflicts(period: Period, dealers):
    parties = conflict_parties(_utc(period.start), _utc(period.end + timedelta(days=1)), dealers)
    outcome = outcome_columns(parties)
    return (select(parties.c.dealer_id.label("dealer_id"),
                   func.count(distinct(parties.c.case_id)).label("conflicts"),
                   *(func.count(case((cond, 1))).label(f"conflicts_{name}")
                     for name, cond in outcome.items()))
            .group_by(parties.c.dealer_id).subquery("k"))


#: Buckets of the exception-depth chart: (key, lowest depth in bp, highest in bp or None).
DEPTH_BUCKETS = [("depth_5", 0, 500), ("depth_10", 501, 1000), ("depth_more", 1001, None)]


def _exceptions(period: Period, dealers):
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
                   _in(pe.dealer_id, dealers))
            .group_by(pe.dealer_id).subquery("x"))


def quarter_targets(year: int, quarters: list[int], dealers):
    """(dealer, quarter, target): the all-lines target, else the sum of the per-line ones."""
    t = SalesTarget
    whole = func.max(case((t.line_id.is_(None), t.target_fen)))
    by_line = func.sum(case((t.line_id.is_not(None), t.target_fen)))
    return (select(t.dealer_id.label("dealer_id"), t.quarter.label("quarter"),
                   func.coalesce(whole, by_line, 0).label("target_fen"))
            .where(t.year == year, t.quarter.in_(quarters), _in(t.dealer_id, dealers))
            .group_by(t.dealer_id, t.quarter))


def _targets(period: Period, dealers):
    per_quarter = quarter_targets(period.year, period.quarters, dealers).subquery("tq")
    return (select(per_quarter.c.dealer_id, func.sum(per_quarter.c.target_fen).label("target_fen"))
            .group_by(per_quarter.c.dealer_id).subquery("t"))


def _rebates(period: Period, dealers):
    st, pr = RebateStatement, RebateProgram
    return (select(st.dealer_id.label("dealer_id"), func.sum(st.net_payable_fen).label("rebate_fen"))
            .join(pr, pr.id == st.program_id)
            .where(pr.period_start >= period.start, pr.period_start <= period.end,
                   _in(st.dealer_id, dealers))
            .group_by(st.dealer_id).subquery("r"))


#: The aggregate's columns that are averages (floats); every other is a whole number.
AVERAGES = frozenset({"lead_hours", "depth_avg"})


def dealer_kpis(period: Period, dealers=None, *, where=()) -> list[DealerKpis]:
    """Every KPI of `period` for the dealers chosen by `dealers` (None: all; an id; a SELECT of
    ids) and `where` (conditions on `Dealer`), in one SELECT."""
    parts = [_orders(period, dealers), _orders_last_year(period, dealers), _deals(period, dealers),
             _customers(period, dealers), _conflicts(period, dealers),
             _exceptions(period, dealers), _targets(period, dealers), _rebates(period, dealers),
             _returns(period, dealers)]
    # The aggregates are stacked (UNION ALL, each filling its own columns) and folded into one
    # row per dealer, rather than left-joined one after another: the planner estimates a chain
    # of joins on derived tables as a product of their sizes, and on PostgreSQL an estimate in
    # the billions switches on JIT compilation, which cost seconds per request.
    # Every figure is a whole number (fen, counts) but the two averages: typed so, the driver
    # hands back ints and floats rather than decimals (5,000 rows × 30 columns).
    names = [(c.name, Float() if c.name in AVERAGES else BigInteger())
             for part in parts for c in part.c if c.name != "dealer_id"]
    branches = []
    for part in parts:
        own = {c.name for c in part.c}
        branches.append(select(part.c.dealer_id, *(
            cast(part.c[name] if name in own else null(), type_).label(name)
            for name, type_ in names)))
    stacked = union_all(*branches).subquery("k_all")
    folded = (select(stacked.c.dealer_id, *(func.max(stacked.c[name]).label(name)
                                            for name, _t in names))
              .group_by(stacked.c.dealer_id).subquery("k"))
    stmt = (select(Dealer.id, Dealer.code, Dealer.name, Dealer.tier, Dealer.region_id,
                   *(folded.c[name] for name, _t in names))
            .select_from(Dealer).outerjoin(folded, folded.c.dealer_id == Dealer.id)
            .where(_in(Dealer.id, dealers), *where))
    keys = [name for name, _t in names]
    return [DealerKpis(row[0], row[1], row[2], row[3], row[4],
                       *derive(dict(zip(keys, row[5:], strict=True))))
            for row in db.session.execute(stmt)]


def _int(value) -> int:
    return int(value or 0)


def derive(raw: dict) -> tuple[dict, dict]:
    """(KPI values, extra counts) from one dealer's aggregate row."""
    sales = _int(raw.get("sales_fen")) - _int(raw.get("returned_fen"))
    last_year = _int(raw.get("last_year_fen")) - _int(raw.get("returned_ly_fen"))
    target = _int(raw.get("target_fen"))
    won, lost, expired = (_int(raw.get(k)) for k in ("deals_won", "deals_lost", "deals_expired"))
    approved, rejected = _int(raw.get("exceptions_approved")), _int(raw.get("exceptions_rejected"))
    orders = _int(raw.get("orders"))
    lead = raw.get("lead_hours")
    depth = raw.get("depth_avg")
    values = {
        "sales_fen": sales, "target_fen": target if target else None,
        "attainment_bp": ratio_bp(sales, target),
        "growth_bp": ratio_bp(sales - last_year, last_year) if last_year > 0 else None,
        "rebate_fen": _int(raw.get("rebate_fen")),
        "deals_submitted": _int(raw.get("deals_submitted")),
        "deals_approved": _int(raw.get("deals_approved")),
        "deals_won": won, "deals_lost": lost, "deals_expired": expired,
        "win_rate_bp": ratio_bp(won, won + lost + expired),
        "new_customers": _int(raw.get("new_customers")),
        "key_accounts": _int(raw.get("key_accounts")),
        "conflicts": _int(raw.get("conflicts")),
        "conflicts_won": _int(raw.get("conflicts_won")),
        "conflicts_lost": _int(raw.get("conflicts_lost")),
        "conflicts_co_sell": _int(raw.get("conflicts_co_sell")),
        "exceptions": _int(raw.get("exceptions")),
        "exception_approval_bp": ratio_bp(approved, approved + rejected),
        "exception_depth_bp": int(round(float(depth))) if depth is not None else None,
        "lead_time_hours": round(float(lead), 1) if lead is not None and orders else None,
        "on_time_bp": ratio_bp(_int(raw.get("on_time")), orders),
    }
    extra = {"last_year_fen": last_year, "orders": orders,
             "returned_fen": _int(raw.get("returned_fen")),
             "conflicts_open": _int(raw.get("conflicts_open")),
             "exceptions_approved": approved, "exceptions_rejected": rejected,
             "below_floor": _int(raw.get("below_floor")),
             **{key: _int(raw.get(key)) for key, _l, _h in DEPTH_BUCKETS}}
    return values, extra


# --- one dealer's series -------------------------------------------------------------------------

def quarter_totals(rows) -> list[int | None]:
    """The dealer's target of each quarter from its target rows (quarter, line or None, fen): the
    all-lines row, else the sum of the per-line rows, else None (not set)."""
    whole: dict[int, int] = {}
    by_line: dict[int, int] = {}
    for quarter, line_id, target in rows:
        if line_id is None:
            whole[quarter] = target
        else:
            by_line[quarter] = by_line.get(quarter, 0) + target
    return [whole.get(q, by_line.get(q)) or None for q in (1, 2, 3, 4)]


@dataclass
class LineFigures:
    """One dealer's figures by product line: sales of the period and target rows of its year."""

    #: {line_id: confirmed sales in the period less its returns, fen}
    sales: dict[int, int]
    #: [(quarter, line_id or None, target_fen)] of every target of the period's year
    target_rows: list[tuple[int, int | None, int]]
    #: {line_id: (sort, name_zh, name_en)} of the lines above, in the catalogue's order
    lines: dict[int, tuple[int, str, str]] = field(default_factory=dict)

    def line_label(self, line_id: int, locale: str) -> str:
        _sort, zh, en = self.lines.get(line_id, (0, str(line_id), str(line_id)))
        return en if locale.startswith("en") else zh

    def line_order(self) -> list[int]:
        return sorted(self.lines, key=lambda i: (self.lines[i][0], i))

    def year_targets(self) -> list[int | None]:
        return quarter_totals(self.target_rows)

    def line_targets(self, period: Period) -> dict[int, int]:
        """{line_id: the sum of the line's targets over the period's quarters} — lines with a
        target in at least one of them."""
        targets: dict[int, int] = {}
        for quarter, line_id, target in self.target_rows:
            if line_id is not None and quarter in period.quarters:
                targets[line_id] = targets.get(line_id, 0) + target
        return targets


@dataclass
class DealerSeries:
    """One dealer's series for its scorecard's charts."""

    #: Confirmed sales of each month of the period's year less the returns dated in that month
    #: (as the sales KPI: the months of a period add up to its sales), fen.
    sales: list[int]
    #: (won, closed) of each month of the year: registrations closed won, lost or expired.
    win_rate: list[tuple[int, int]]
    lines: LineFigures


def _row(kind: str, month=None, line_id=None, quarter=None, a=None, b=None) -> list:
    return [literal(kind).label("kind"), cast(month if month is not None else null(), Integer)
            .label("month"), cast(line_id if line_id is not None else null(), Integer)
            .label("line_id"), cast(quarter if quarter is not None else null(), Integer)
            .label("quarter"), cast(a if a is not None else null(), BigInteger).label("a"),
            cast(b if b is not None else null(), BigInteger).label("b")]


def dealer_series(dealer_id: int, period: Period) -> DealerSeries:
    """Monthly sales and win rate of the period's year, sales by product line in the period and
    every target row of the year, with the lines' names — one query, for one dealer. The line
    sales are the order lines of its confirmed orders dated in the period less the return lines
    dated in it (the rows `rebates.services.sales_by_dealer_line` reads); they are read only when
    the dealer has a line target in the period (else `lines.sales` is empty)."""
    so, ol, r, rl, t, dr = (SalesOrder, OrderLine, OrderReturn, OrderReturnLine, SalesTarget,
                            DealRegistration)
    first, last = date(period.year, 1, 1), date(period.year, 12, 31)
    sold_month, returned_month = extract("month", so.order_date), extract("month", r.return_date)
    closed_month = extract("month", dr.closed_at)
    # Sales by line only serve a comparison with line targets: without any in the period, the
    # two branches are skipped (a one-time filter) rather than reading every order line.
    line_targets = (select(t.id).where(t.dealer_id == dealer_id, t.year == period.year,
                                       t.quarter.in_(period.quarters), t.line_id.is_not(None))
                    .exists())
    parts = [
        select(*_row("m", sold_month, a=func.sum(so.total_fen)))
        .where(so.dealer_id == dealer_id, so.status == OrderStatus.CONFIRMED,
               so.order_date >= first, so.order_date <= last).group_by(sold_month),
        select(*_row("m", returned_month, a=-func.sum(r.amount_fen)))
        .where(r.dealer_id == dealer_id, r.return_date >= first, r.return_date <= last)
        .group_by(returned_month),
        select(*_row("w", closed_month, a=func.count(case((dr.status == DealStatus.WON, 1))),
                     b=func.count()))
        .where(dr.dealer_id == dealer_id,
               dr.status.in_([DealStatus.WON, DealStatus.LOST, DealStatus.EXPIRED]),
               dr.closed_at >= _utc(first), dr.closed_at < _utc(last + timedelta(days=1)))
        .group_by(closed_month),
        select(*_row("s", line_id=ol.line_id, a=func.sum(ol.amount_fen)))
        .select_from(so).join(ol, ol.order_id == so.id)
        .where(line_targets, so.dealer_id == dealer_id, so.status == OrderStatus.CONFIRMED,
               so.order_date >= period.start, so.order_date <= period.end).group_by(ol.line_id),
        select(*_row("s", line_id=rl.line_id, a=-func.sum(rl.amount_fen)))
        .select_from(r).join(rl, rl.return_id == r.id)
        .where(line_targets, r.dealer_id == dealer_id, r.return_date >= period.start,
               r.return_date <= period.end).group_by(rl.line_id),
        select(*_row("t", line_id=t.line_id, quarter=t.quarter, a=t.target_fen))
        .where(t.dealer_id == dealer_id, t.year == period.year),
    ]
    both = union_all(*parts).subquery()
    pl = ProductLine
    stmt = (select(both.c.kind, both.c.month, both.c.line_id, both.c.quarter, both.c.a, both.c.b,
                   pl.sort, pl.name_zh, pl.name_en).outerjoin(pl, pl.id == both.c.line_id))
    series = DealerSeries([0] * 12, [(0, 0)] * 12, LineFigures({}, []))
    figures = series.lines
    for kind, month, line_id, quarter, a, b, sort, zh, en in db.session.execute(stmt):
        if line_id is not None:
            figures.lines[line_id] = (sort or 0, zh, en)
        if kind == "m":
            series.sales[month - 1] += int(a or 0)
        elif kind == "w":
            series.win_rate[month - 1] = (int(a), int(b))
        elif kind == "s":
            figures.sales[line_id] = figures.sales.get(line_id, 0) + int(a or 0)
        else:
            figures.target_rows.append((int(quarter), line_id, int(a)))
    return series


def _whole_year(year: int) -> Period:
    return Period(year, None, date(year, 1, 1), date(year, 12, 31))


def monthly_sales(dealer_id: int, year: int) -> list[int]:
    """Confirmed sales of each month of `year` (12 values, fen), less each month's returns."""
    return dealer_series(dealer_id, _whole_year(year)).sales


def monthly_win_rate(dealer_id: int, year: int) -> list[tuple[int, int]]:
    """(won, closed) of each month of `year`: registrations closed won, lost or expired."""
    return dealer_series(dealer_id, _whole_year(year)).win_rate


def year_targets(dealer_id: int, year: int) -> list[int | None]:
    """The dealer's target of each quarter of `year` (None where not set)."""
    return dealer_series(dealer_id, _whole_year(year)).lines.year_targets()


def line_figures(period: Period, dealer_id: int) -> LineFigures:
    """Sales by product line in the period and the target rows of its year (`dealer_series`)."""
    return dealer_series(dealer_id, period).lines
