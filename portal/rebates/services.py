"""Rebate runs: preview, adjustments, issue, statements and payment (DESIGN.md §3.6).

Sales are read with SQL aggregates only — `GROUP BY dealer, product line` over confirmed orders in
the period — never by looping over order lines in Python; the per-dealer arithmetic is the pure
`calc.Terms.entitlement` (the program's terms checked once; the same results as the reference
`calc.compute_entitlement`). A statement pays *cumulative entitlement + adjustments − already
issued*, so a re-run after a late change issues a supplementary statement and never edits one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, false, func, select, union_all

from portal.accounts.models import Dealer
from portal.catalog.models import ProductLine
from portal.core import audit, clock
from portal.core.errors import InvalidState, PermissionDenied, ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.core.permissions import Role, first_or_404, is_dealer, sees_all_regions
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
from portal.rebates.amount_words import amount_in_words
from portal.rebates.models import (
    RebateAdjustment,
    RebateProgram,
    RebateRun,
    RebateStatement,
    RunStatus,
    StatementStatus,
)
from portal.rebates.programs import treatment_of


def N_(s):  # noqa: N802 — marks notification msgids for extraction; translated when shown
    return s


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


# --- runs ----------------------------------------------------------------------------------------

def _require_finance(actor) -> None:
    if actor.role != Role.FINANCE:
        raise PermissionDenied(_l("Only finance runs rebate programs."))


def start_run(actor, program: RebateProgram) -> RebateRun:
    """Open a draft run on `program` (or return the draft already open)."""
    _require_finance(actor)
    run = db.session.scalar(select(RebateRun).where(RebateRun.program_id == program.id,
                                                    RebateRun.status == RunStatus.DRAFT))
    if run is not None:
        return run
    run = RebateRun(program_id=program.id, created_by_id=actor.id)
    db.session.add(run)
    db.session.flush()
    audit.record(actor, "rebate_run.started", run, after={"program": program.code})
    return run


def add_adjustment(actor, run: RebateRun, dealer_code: str, amount_fen: int,
                   reason: str) -> RebateAdjustment:
    """A manual correction to a dealer's entitlement, with its reason, in a draft run."""
    _require_finance(actor)
    if run.status != RunStatus.DRAFT:
        raise InvalidState(_l("This run was already issued; start a new run to adjust."))
    errors = {}
    dealer = db.session.scalar(select(Dealer).where(Dealer.code == (dealer_code or "").strip().upper()))
    if dealer is None:
        errors["dealer"] = _l("Unknown dealer code.")
    if not amount_fen:
        errors["amount"] = _l("Enter a non-zero amount (negative to deduct).")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _l("Give the reason for the adjustment.")
    if errors:
        raise ValidationError(_l("The adjustment was not added: please correct the marked fields."),
                              errors)
    adjustment = RebateAdjustment(run_id=run.id, program_id=run.program_id, dealer_id=dealer.id,
                                  amount_fen=amount_fen, reason=reason[:1000],
                                  created_by_id=actor.id)
    db.session.add(adjustment)
    db.session.flush()
    audit.record(actor, "rebate_run.adjusted", run, dealer_id=None,
                 after={"dealer": dealer.code, "amount_fen": amount_fen}, comment=reason)
    return adjustment


def statement_number(program: RebateProgram, dealer: Dealer, sequence: int) -> str:
    base = f"RB-{program.code}-{dealer.code}"
    return f"{base}-S{sequence}" if sequence else base


def issue_run(actor, run: RebateRun) -> list[RebateStatement]:
    """Issue a statement to every dealer whose amount is due; the run becomes `issued`.

    Each statement freezes its figures and a plain-data snapshot; the PDFs are rendered by
    `jobs.render_run_pdfs` after commit. Issuing twice is refused (and two finance users issuing
    at once: the run's version check lets one win).
    """
    _require_finance(actor)
    if run.status != RunStatus.DRAFT:
        raise InvalidState(_l("This run was already issued on %(date)s.",
                              date=run.issued_at.date().isoformat() if run.issued_at else ""))
    program = run.program
    result = preview(program)
    due = [r for r in result.results if r.to_issue]
    if not due:
        raise InvalidState(_l("Nothing to issue: no dealer's amount changed since the last run."))
    now = clock.now()
    run.status = RunStatus.ISSUED
    run.issued_at = now
    run.issued_by_id = actor.id
    run.statement_count = len(due)
    db.session.flush()  # the version check on the run: one of two concurrent issues wins
    details = _statement_details(program, [r.dealer.id for r in due])
    lines = {ln.id: ln for ln in db.session.scalars(select(ProductLine))}
    from flask import current_app

    vendor = current_app.config["VENDOR_NAME"]
    statements = []
    for r in due:
        seq = r.prior_count
        statement = RebateStatement(
            number=statement_number(program, r.dealer, seq), program_id=program.id, run_id=run.id,
            dealer_id=r.dealer.id, region_id=r.dealer.region_id, sequence=seq,
            status=StatementStatus.ISSUED, qualifying_sales_fen=r.entitlement.qualifying_sales_fen,
            entitlement_fen=r.entitlement.total_fen, adjustments_fen=r.adjustments_fen,
            prior_fen=r.prior_fen, net_payable_fen=r.net_fen, issued_at=now,
            issued_by_id=actor.id)
        statement.content = snapshot(program, r, details.get(r.dealer.id, {}), lines, vendor,
                                     statement.number, now)
        db.session.add(statement)
        statements.append(statement)
    db.session.flush()
    audit.record(actor, "rebate_run.issued", run,
                 after={"statements": len(statements), "net_fen": sum(s.net_payable_fen for s in statements)})
    for statement in statements:
        audit.record(actor, "rebate_statement.issued", statement,
                     after={"number": statement.number, "net_payable_fen": statement.net_payable_fen})
    _notify_dealers(statements)
    from portal.core.jobs import enqueue_after_commit
    from portal.rebates.jobs import render_run_pdfs

    enqueue_after_commit(render_run_pdfs, run.id)
    return statements


def _statement_details(program: RebateProgram, dealer_ids: list[int]) -> dict:
    """Adjustments and earlier statements of these dealers, for the snapshots (two queries)."""
    details: dict[int, dict] = {d: {"adjustments": [], "priors": []} for d in dealer_ids}
    for adj in db.session.scalars(select(RebateAdjustment).where(
            RebateAdjustment.program_id == program.id,
            RebateAdjustment.dealer_id.in_(dealer_ids)).order_by(RebateAdjustment.id)):
        details[adj.dealer_id]["adjustments"].append(
            {"amount_fen": adj.amount_fen, "reason": adj.reason,
             "date": (adj.created_at or clock.now()).astimezone(clock.SHANGHAI).date().isoformat()})
    for st in db.session.execute(select(
            RebateStatement.dealer_id, RebateStatement.number, RebateStatement.net_payable_fen,
            RebateStatement.issued_at, RebateStatement.status).where(
            RebateStatement.program_id == program.id, RebateStatement.dealer_id.in_(dealer_ids))
            .order_by(RebateStatement.sequence)):
        details[st.dealer_id]["priors"].append(
            {"number": st.number, "amount_fen": st.net_payable_fen,
             "issued_on": st.issued_at.date().isoformat(), "status": st.status})
    return details


def snapshot(program, r: DealerResult, details: dict, lines: dict, vendor: str, number: str,
             now) -> dict:
    """Everything a statement shows, as plain JSON data frozen at issue."""
    ent = r.entitlement
    bands = program.bands

    def line_names(key):
        line = lines.get(int(key))
        return {"code": line.code if line else key, "name_zh": line.name_zh if line else key,
                "name_en": line.name_en if line else key}

    next_rate = bands[ent.band_index + 1][1] if ent.band_index + 1 < len(bands) else None
    band_list = [calc.Band(*b) for b in bands]
    schedule = []
    for part in calc.band_schedule(band_list, ent.qualifying_sales_fen, program.mode):
        i = band_list.index(part.band)
        schedule.append({"band": i + 1, "from_fen": part.band.threshold_fen,
                         "to_fen": band_list[i + 1].threshold_fen if i + 1 < len(band_list) else None,
                         "sales_fen": part.part_fen, "rate_bp": part.band.rate_bp,
                         "amount": str(part.amount_exact),
                         "amount_fen": calc.units_to_fen(part.part_fen * part.band.rate_bp)})
    schedule_units = sum(p["sales_fen"] * p["rate_bp"] for p in schedule)
    return {
        "number": number, "vendor_name": vendor,
        "dealer": {"code": r.dealer.code, "name": r.dealer.name, "tier": r.dealer.tier},
        "program": {"name": program.name, "code": program.code, "period_code": program.period_code,
                    "start": program.period_start.isoformat(), "end": program.period_end.isoformat(),
                    "mode": program.mode, "treatment": program.exception_treatment,
                    "exception_rate_bp": program.exception_rate_bp, "bands": bands},
        "lines": [{**line_names(row.line), "sales_fen": row.sales_fen, "rate_bp": row.rate_bp,
                   "amount_fen": row.amount_fen, "override_sales_fen": row.override_sales_fen,
                   "override_rate_bp": row.override_rate_bp,
                   "effective_rate": _percent_text(calc.effective_rate(row.amount_fen, row.sales_fen))}
                  for row in ent.rows],
        #: The band-by-band schedule of the qualifying sales that the line amounts share.
        "schedule": schedule,
        "schedule_total_fen": calc.units_to_fen(schedule_units),
        "exclusions": [{**line_names(ex.line), "sales_fen": ex.sales_fen, "reason": ex.reason}
                       for ex in ent.exclusions],
        "qualifying_sales_fen": ent.qualifying_sales_fen, "band_index": ent.band_index,
        "band_threshold_fen": ent.band.threshold_fen, "rate_bp": ent.rate_bp,
        "gap_to_next_fen": ent.gap_to_next_fen, "next_rate_bp": next_rate,
        "lines_total_fen": ent.lines_total_fen,
        "growth": {"met": ent.growth_met, "target_fen": ent.growth_target_fen,
                   "bonus_fen": ent.growth_bonus_fen, "last_year_fen": r.last_year_fen,
                   "bonus_bp": program.growth_bonus_bp, "pct_bp": program.growth_pct_bp},
        "cap": {"applied": ent.cap_applied, "cap_fen": program.cap_fen,
                "reduction_fen": ent.cap_reduction_fen},
        "entitlement_fen": ent.total_fen,
        "adjustments": details.get("adjustments", []), "adjustments_fen": r.adjustments_fen,
        "priors": details.get("priors", []), "prior_fen": r.prior_fen,
        "net_payable_fen": r.net_fen, "amount_words": amount_in_words(r.net_fen),
        "issued_on": clock.today().isoformat() if now is None else
        now.astimezone(clock.SHANGHAI).date().isoformat(),
    }


def _percent_text(value) -> str | None:
    return None if value is None else f"{value}%"


def _notify_dealers(statements: list[RebateStatement]) -> None:
    from portal.accounts.models import User
    from portal.notifications.services import notify

    by_dealer: dict[int, list] = {}
    for user in db.session.scalars(select(User).where(
            User.dealer_id.in_([s.dealer_id for s in statements]), User.role == Role.DEALER_ADMIN)):
        by_dealer.setdefault(user.dealer_id, []).append(user)
    for s in statements:
        notify(by_dealer.get(s.dealer_id, []), "rebate.statement_issued",
               N_("Rebate statement %(number)s was issued."), f"/rebates/statements/{s.id}",
               number=s.number)


def mark_paid(actor, statement: RebateStatement, paid_on, reference: str) -> RebateStatement:
    """Record the payment of an issued statement (issued → paid); for a negative statement, carried
    as "to be offset", the settlement of the amount the dealer owes (offset or paid back)."""
    _require_finance(actor)
    if statement.status != StatementStatus.ISSUED:
        raise InvalidState(_l("This statement is already marked paid."))
    errors = {}
    from portal.orders.services import parse_date

    day = parse_date(paid_on)
    if day is None:
        errors["paid_on"] = _l("Enter the payment date as YYYY-MM-DD.")
    elif day > clock.today():
        errors["paid_on"] = _l("The payment date cannot be in the future.")
    reference = (reference or "").strip()
    if not reference or len(reference) > 100:
        errors["reference"] = _l("Enter the payment reference (at most 100 characters).")
    if errors:
        raise ValidationError(_l("The payment was not recorded: please correct the marked fields."),
                              errors)
    statement.status = StatementStatus.PAID
    statement.paid_on = day
    statement.payment_reference = reference
    statement.paid_by_id = actor.id
    db.session.flush()
    action = "rebate_statement.settled" if statement.net_payable_fen < 0 else "rebate_statement.paid"
    audit.record(actor, action, statement, before={"status": "issued"},
                 after={"status": "paid", "paid_on": day.isoformat(), "reference": reference})
    return statement


# --- scope ---------------------------------------------------------------------------------------

def statements_query(actor):
    """Statements `actor` may see: the dealer admin its dealer's; a dealer salesperson none;
    a channel manager its regions'; finance, the director and admins all."""
    stmt = select(RebateStatement)
    if is_dealer(actor):
        if actor.role != Role.DEALER_ADMIN:
            return stmt.where(false())
        return stmt.where(RebateStatement.dealer_id == actor.dealer_id)
    if actor.role == Role.SALES_REP:
        return stmt.where(false())
    if sees_all_regions(actor):
        return stmt
    return stmt.where(RebateStatement.region_id.in_(actor.region_ids))


def get_statement_or_404(statement_id, actor) -> RebateStatement:
    return first_or_404(statements_query(actor), RebateStatement, statement_id)


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
    from portal.web import per_app

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
