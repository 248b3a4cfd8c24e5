"""Dealer KPIs per period (DESIGN §3.8): their definitions and the one SELECT that computes them.

Every KPI is defined once, in `KPIS`, with the sentence that users read as its footnote (both
languages, through the catalogue). The figures come from `dealer_kpis(period, dealers)`: one
SELECT over the dealers, folding one GROUP BY dealer aggregate per source
(`portal.scorecards.sources`). Sales, returns, new customers and registrations are added up from
the monthly figures kept per dealer (`portal.scorecards.figures`, the days of a cut month read
from the rows); key accounts, conflict cases, price exceptions, targets and statements are read
from their rows. The ranked list of 5,000 dealers and one dealer's scorecard run the same
statement; only the dealer filter, pushed into every aggregate, differs.

Sales are the confirmed orders dated in the period less the returns dated in it, the rows the
rebate aggregate reads (`portal.rebates.services.sales_by_dealer_line`); an order's `total_fen`
is the sum of its lines' `amount_fen`, set once when the order is registered.

Ratios are integer basis points, rounded half up; money is integer fen.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import (
    BigInteger,
    Float,
    Integer,
    bindparam,
    cast,
    func,
    null,
    select,
    text,
    union_all,
)

from portal.accounts.models import Dealer
from portal.core import clock
from portal.core.i18n import lazy_gettext as _l
from portal.extensions import db
from portal.scorecards import sources
from portal.scorecards.figures import FIELDS, ON_TIME_DAYS  # noqa: F401 - the KPIs' constants
from portal.scorecards.periods import (  # noqa: F401 - the periods the KPIs are computed over
    MAX_YEAR,
    MIN_YEAR,
    Period,
    period_choices,
    period_of,
    quarter_bounds,
    quarter_of,
)
from portal.scorecards.sources import DEPTH_BUCKETS, quarter_targets  # noqa: F401

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


#: The aggregate's columns that are averages (floats); every other is a whole number.
AVERAGES = frozenset({"depth_avg"})


#: Statements built for every dealer or one (its id a parameter), by period, day and dialect:
#: building one costs more Python than PostgreSQL takes to run it for one dealer.
_BUILT: dict = {}
_BUILT_MAX = 64


def dealer_kpis(period: Period, dealers=None, *, where=()) -> list[DealerKpis]:
    """Every KPI of `period` for the dealers chosen by `dealers` (None: all; an id; a SELECT of
    ids) and `where` (conditions on `Dealer`), in one SELECT."""
    params = {}
    if where or not (dealers is None or isinstance(dealers, int)):
        stmt, keys = _statement(period, dealers, where)
    else:
        key = (period, clock.today(), dealers is None, db.session.get_bind().dialect.name)
        built = _BUILT.get(key)
        if built is None:
            if len(_BUILT) >= _BUILT_MAX:
                _BUILT.clear()
            built = _BUILT[key] = _statement(
                period, None if dealers is None else bindparam("kpi_dealer", type_=Integer), ())
        stmt, keys = built
        if dealers is not None:
            params["kpi_dealer"] = dealers
    serial = not isinstance(dealers, int) and db.session.get_bind().dialect.name == "postgresql"
    if serial:
        # Parallel workers double the list's time on a busy host (EXPLAIN ANALYZE: 200–300 ms
        # against 100–150 ms serial): the aggregate reads tens of thousands of kept months, not
        # millions of rows. (GET requests run outside a transaction: SET, then RESET.)
        db.session.execute(text("SET max_parallel_workers_per_gather = 0"))
    try:
        rows = db.session.execute(stmt, params).all()
    finally:
        if serial:
            db.session.execute(text("RESET max_parallel_workers_per_gather"))
    return [DealerKpis(row[0], row[1], row[2], row[3], row[4],
                       *derive(dict(zip(keys, row[5:], strict=True))))
            for row in rows]


def _statement(period: Period, dealers, where) -> tuple:
    ly_start, ly_end = period.last_year
    parts = [*sources.period_figures(period.start, period.end, dealers),
             *sources.period_figures(ly_start, ly_end, dealers, ("sales_fen", "returned_fen"),
                                     {"sales_fen": "last_year_fen",
                                      "returned_fen": "returned_ly_fen"}, alias="ly"),
             sources.key_accounts(period, dealers), sources.conflicts(period, dealers),
             sources.exceptions(period, dealers), sources.targets(period, dealers),
             sources.rebates(period, dealers)]
    # The kept months (5,000 rows each) and the targets are joined to the dealers; the other
    # aggregates, small, are stacked (UNION ALL, each filling its own columns) and folded into
    # one row per dealer, rather than left-joined one after another: the planner estimates a
    # chain of joins on such derived tables as a product of their sizes, and on PostgreSQL an
    # estimate in the billions switches on JIT compilation, which cost seconds per request.
    # Several aggregates fill the same columns (the kept months and the days of a cut month):
    # they are added up. Every figure is a whole number (fen, counts) but the average depth:
    # typed so, the driver hands back ints and floats rather than decimals (5,000 rows × 30
    # columns).
    joined = [p for p in parts if p.name in ("fm", "lym", "t")]
    stacked_parts = [p for p in parts if p.name not in ("fm", "lym", "t")]

    def typed(columns):
        return list({c.name: (c.name, Float() if c.name in AVERAGES else BigInteger())
                     for part in columns for c in part.c if c.name != "dealer_id"}.values())

    names = typed(parts)
    small = typed(stacked_parts)
    branches = []
    for part in stacked_parts:
        own = {c.name for c in part.c}
        branches.append(select(part.c.dealer_id, *(
            cast(part.c[name] if name in own else null(), type_).label(name)
            for name, type_ in small)))
    stacked = union_all(*branches).subquery("k_all")
    folded = (select(stacked.c.dealer_id, *(cast(func.sum(stacked.c[name]), type_).label(name)
                                            for name, type_ in small))
              .group_by(stacked.c.dealer_id).subquery("k"))
    columns = []
    for name, type_ in names:
        given = [p.c[name] for p in (*joined, folded) if name in p.c]
        columns.append(given[0] if len(given) == 1 else
                       cast(sum((func.coalesce(c, 0) for c in given[1:]),
                                func.coalesce(given[0], 0)), type_))
    stmt = select(Dealer.id, Dealer.code, Dealer.name, Dealer.tier, Dealer.region_id, *columns)
    joins = Dealer.__table__
    for part in (*joined, folded):
        joins = joins.outerjoin(part, part.c.dealer_id == Dealer.id)
    stmt = stmt.select_from(joins).where(sources.in_(Dealer.id, dealers), *where)
    return stmt, [name for name, _t in names]


def derive(raw: dict) -> tuple[dict, dict]:
    """(KPI values, extra counts) from one dealer's aggregate row (5,000 rows for the list:
    plain dictionary reads)."""
    n = {k: int(v) if v else 0 for k, v in raw.items()}
    get = n.get
    sales = get("sales_fen", 0) - get("returned_fen", 0)
    last_year = get("last_year_fen", 0) - get("returned_ly_fen", 0)
    target = get("target_fen", 0)
    won, lost, expired = get("deals_won", 0), get("deals_lost", 0), get("deals_expired", 0)
    approved, rejected = get("exceptions_approved", 0), get("exceptions_rejected", 0)
    orders, lead_orders = get("orders", 0), get("lead_orders", 0)
    depth = raw.get("depth_avg")
    values = {
        "sales_fen": sales, "target_fen": target or None,
        "attainment_bp": ratio_bp(sales, target),
        "growth_bp": ratio_bp(sales - last_year, last_year) if last_year > 0 else None,
        "rebate_fen": get("rebate_fen", 0),
        "deals_submitted": get("deals_submitted", 0),
        "deals_approved": get("deals_approved", 0),
        "deals_won": won, "deals_lost": lost, "deals_expired": expired,
        "win_rate_bp": ratio_bp(won, won + lost + expired),
        "new_customers": get("new_customers", 0),
        "key_accounts": get("key_accounts", 0),
        "conflicts": get("conflicts", 0),
        "conflicts_won": get("conflicts_won", 0),
        "conflicts_lost": get("conflicts_lost", 0),
        "conflicts_co_sell": get("conflicts_co_sell", 0),
        "exceptions": get("exceptions", 0),
        "exception_approval_bp": ratio_bp(approved, approved + rejected),
        "exception_depth_bp": int(round(float(depth))) if depth is not None else None,
        "lead_time_hours": round(get("lead_s", 0) / lead_orders / 3600, 1)
        if lead_orders else None,
        "on_time_bp": ratio_bp(get("on_time", 0), orders),
    }
    extra = {"last_year_fen": last_year, "orders": orders,
             "returned_fen": get("returned_fen", 0),
             "conflicts_open": get("conflicts_open", 0),
             "exceptions_approved": approved, "exceptions_rejected": rejected,
             "below_floor": get("below_floor", 0),
             **{key: get(key, 0) for key, _l, _h in DEPTH_BUCKETS}}
    return values, extra
