"""What a rebate program pays: sales aggregates, terms, entitlement, the preview of a run.

Sales are read with SQL aggregates only — `GROUP BY dealer, product line` over confirmed orders in
the period — never by looping over order lines in Python; the per-dealer arithmetic is the pure
`calc.Terms.entitlement` (the program's terms checked once; the same results as the reference
`calc.compute_entitlement`).
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select, union_all

from portal.accounts.models import Dealer
from portal.extensions import db
from portal.orders.models import (
    OrderLine,
    OrderReturn,
    OrderReturnLine,
    OrderStatus,
    PriceSource,
    SalesOrder,
)
from portal.rebates import calc
from portal.rebates.models import (
    RebateAdjustment,
    RebateProgram,
    RebateStatement,
)
from portal.rebates.programs import treatment_of

# --- aggregates ----------------------------------------------------------------------------------


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _scope(stmt, program: RebateProgram, dealer_ids=None, *, dealer_col=None, line_col=None):
    dealer_col = dealer_col if dealer_col is not None else SalesOrder.dealer_id
    line_col = line_col if line_col is not None else OrderLine.line_id
    if program.eligible_tiers:  # the join to dealer only when tiers are limited
        stmt = stmt.join(Dealer, Dealer.id == dealer_col).where(
            Dealer.tier.in_(program.eligible_tiers))
    if program.eligible_line_ids:
        stmt = stmt.where(line_col.in_(program.eligible_line_ids))
    if dealer_ids is not None:
        stmt = stmt.where(dealer_col.in_(list(dealer_ids)))
    return stmt


def _returns_stmt(program: RebateProgram, start: date, end: date, dealer_ids, *columns):
    """Returns dated in [start, end] of eligible tiers and lines, selecting `columns`."""
    stmt = (select(*columns).select_from(OrderReturn)
            .join(OrderReturnLine, OrderReturnLine.return_id == OrderReturn.id)
            .where(OrderReturn.return_date >= start, OrderReturn.return_date <= end))
    return _scope(stmt, program, dealer_ids, dealer_col=OrderReturn.dealer_id,
                  line_col=OrderReturnLine.line_id)


def sales_by_dealer_line(program: RebateProgram, start: date, end: date, dealer_ids=None):
    """{dealer_id: {line_id: (sales_fen, exception_sales_fen)}} for confirmed orders dated in
    [start, end], less the returns dated in [start, end] (a return counts in its own date's
    period, DESIGN §3.5), eligible tiers and lines — one query: each side grouped by dealer and
    product line, the two groupings added up."""
    exception_amount = func.sum(case((OrderLine.price_source == PriceSource.EXCEPTION,
                                      OrderLine.amount_fen), else_=0))
    orders = _scope(
        select(SalesOrder.dealer_id.label("dealer_id"), OrderLine.line_id.label("line_id"),
               func.sum(OrderLine.amount_fen).label("sales"), exception_amount.label("exception"))
        .select_from(SalesOrder)
        .join(OrderLine, OrderLine.order_id == SalesOrder.id)
        .where(SalesOrder.status == OrderStatus.CONFIRMED,
               SalesOrder.order_date >= start, SalesOrder.order_date <= end)
        .group_by(SalesOrder.dealer_id, OrderLine.line_id), program, dealer_ids)
    returned_exception = func.sum(case((OrderReturnLine.price_source == PriceSource.EXCEPTION,
                                        OrderReturnLine.amount_fen), else_=0))
    returns = _returns_stmt(
        program, start, end, dealer_ids, OrderReturn.dealer_id.label("dealer_id"),
        OrderReturnLine.line_id.label("line_id"),
        (-func.sum(OrderReturnLine.amount_fen)).label("sales"),
        (-returned_exception).label("exception")
    ).group_by(OrderReturn.dealer_id, OrderReturnLine.line_id)
    both = union_all(orders, returns).subquery()
    stmt = (select(both.c.dealer_id, both.c.line_id, func.sum(both.c.sales),
                   func.sum(both.c.exception))
            .group_by(both.c.dealer_id, both.c.line_id))
    result: dict[int, dict[int, tuple[int, int]]] = {}
    for dealer_id, line_id, sales, exception in db.session.execute(stmt):
        result.setdefault(dealer_id, {})[line_id] = (int(sales or 0), int(exception or 0))
    return result


def last_year_totals(program: RebateProgram, dealer_ids=None) -> dict[int, int]:
    """{dealer_id: qualifying sales} in the same period a year earlier (for the growth bonus),
    net of that period's returns (one query)."""
    if program.growth_bonus_bp is None:
        return {}
    start, end = _year_earlier(program.period_start), _year_earlier(program.period_end)
    amount = OrderLine.amount_fen
    returned = OrderReturnLine.amount_fen
    if program.exception_treatment == "exclude":
        amount = case((OrderLine.price_source == PriceSource.EXCEPTION, 0), else_=OrderLine.amount_fen)
        returned = case((OrderReturnLine.price_source == PriceSource.EXCEPTION, 0),
                        else_=OrderReturnLine.amount_fen)
    orders = _scope(
        select(SalesOrder.dealer_id.label("dealer_id"), func.sum(amount).label("sales"))
        .select_from(SalesOrder)
        .join(OrderLine, OrderLine.order_id == SalesOrder.id)
        .where(SalesOrder.status == OrderStatus.CONFIRMED,
               SalesOrder.order_date >= start, SalesOrder.order_date <= end)
        .group_by(SalesOrder.dealer_id), program, dealer_ids)
    returns = _returns_stmt(program, start, end, dealer_ids,
                            OrderReturn.dealer_id.label("dealer_id"),
                            (-func.sum(returned)).label("sales")).group_by(OrderReturn.dealer_id)
    both = union_all(orders, returns).subquery()
    stmt = select(both.c.dealer_id, func.sum(both.c.sales)).group_by(both.c.dealer_id)
    return {d: int(s or 0) for d, s in db.session.execute(stmt)}


def terms_of(program: RebateProgram) -> calc.Terms:
    """The program's terms, checked once for all of its dealers."""
    return calc.Terms(bands=[calc.Band(*b) for b in program.bands], mode=program.mode,
                      exception_treatment=treatment_of(program),
                      growth_bonus_bp=program.growth_bonus_bp, growth_pct_bp=program.growth_pct_bp,
                      cap_fen=program.cap_fen)


def entitlement_for(program: RebateProgram, lines: dict[int, tuple[int, int]],
                    last_year: int | None, terms: calc.Terms | None = None) -> calc.Entitlement:
    """The pure computation for one dealer; product lines keyed by their id as text. Pass
    `terms_of(program)` when computing many dealers, so the terms are checked only once."""
    items = sorted(lines.items())
    sales = {str(line_id): s for line_id, (s, _e) in items}
    exceptions = {str(line_id): e for line_id, (_s, e) in items if e}
    return (terms or terms_of(program)).entitlement(sales, exceptions, last_year)


# --- preview -------------------------------------------------------------------------------------

@dataclass
class DealerResult:
    dealer: object  #: a row with id, code, name, tier, region_id
    entitlement: calc.Entitlement
    adjustments_fen: int = 0
    prior_fen: int = 0
    prior_count: int = 0
    last_year_fen: int | None = None
    lines: dict = field(default_factory=dict)

    @property
    def cumulative_fen(self) -> int:
        return self.entitlement.total_fen + self.adjustments_fen

    @property
    def net_fen(self) -> int:
        return calc.supplementary_amount(self.cumulative_fen, self.prior_fen)

    @property
    def to_issue(self) -> bool:
        """A statement is due when something changed, or for a first statement with sales."""
        return self.net_fen != 0 or (self.prior_count == 0 and (
            self.entitlement.qualifying_sales_fen > 0 or self.adjustments_fen != 0))


@dataclass
class Preview:
    program: RebateProgram
    results: list[DealerResult]

    @property
    def totals(self) -> dict:
        due = [r for r in self.results if r.to_issue]
        return {"dealers": len(self.results), "statements": len(due),
                "sales_fen": sum(r.entitlement.qualifying_sales_fen for r in self.results),
                "entitlement_fen": sum(r.entitlement.total_fen for r in self.results),
                "adjustments_fen": sum(r.adjustments_fen for r in self.results),
                "prior_fen": sum(r.prior_fen for r in self.results),
                "net_fen": sum(r.net_fen for r in due)}


def preview(program: RebateProgram, dealer_ids=None) -> Preview:
    """Every eligible dealer's entitlement now, with adjustments and what was already issued.

    No side effects. Five queries whatever the number of dealers and order lines.
    """
    sales = sales_by_dealer_line(program, program.period_start, program.period_end, dealer_ids)
    last_year = last_year_totals(program, dealer_ids)
    adj_stmt = (select(RebateAdjustment.dealer_id, func.sum(RebateAdjustment.amount_fen))
                .where(RebateAdjustment.program_id == program.id)
                .group_by(RebateAdjustment.dealer_id))
    prior_stmt = (select(RebateStatement.dealer_id, func.sum(RebateStatement.net_payable_fen),
                         func.count()).where(RebateStatement.program_id == program.id)
                  .group_by(RebateStatement.dealer_id))
    if dealer_ids is not None:
        adj_stmt = adj_stmt.where(RebateAdjustment.dealer_id.in_(list(dealer_ids)))
        prior_stmt = prior_stmt.where(RebateStatement.dealer_id.in_(list(dealer_ids)))
    adjustments = {d: int(a) for d, a in db.session.execute(adj_stmt)}
    priors = {d: (int(s), int(n)) for d, s, n in db.session.execute(prior_stmt)}
    ids = set(sales) | set(adjustments) | set(priors)
    # Plain rows, not ORM objects; for the whole program every dealer is read rather than
    # thousands of ids bound into an IN list.
    dealer_stmt = select(Dealer.id, Dealer.code, Dealer.name, Dealer.tier, Dealer.region_id)
    if dealer_ids is not None:
        dealer_stmt = dealer_stmt.where(Dealer.id.in_(ids))
    dealers = {d.id: d for d in db.session.execute(dealer_stmt) if d.id in ids} if ids else {}
    terms = terms_of(program)
    results = []
    for dealer_id in sorted(ids, key=lambda i: dealers[i].code):
        lines = sales.get(dealer_id, {})
        prior, count = priors.get(dealer_id, (0, 0))
        results.append(DealerResult(
            dealer=dealers[dealer_id],
            entitlement=entitlement_for(program, lines, last_year.get(dealer_id), terms),
            adjustments_fen=adjustments.get(dealer_id, 0), prior_fen=prior, prior_count=count,
            last_year_fen=last_year.get(dealer_id), lines=lines))
    return Preview(program, results)
