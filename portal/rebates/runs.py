"""Rebate runs: start, adjustments, issue of statements, payment (DESIGN.md §3.6).

A statement pays *cumulative entitlement + adjustments − already issued*, so a re-run after a
late change issues a supplementary statement and never edits one.
"""


from sqlalchemy import select

from portal.accounts.models import Dealer
from portal.accounts.recipients import dealer_admins_by_dealer
from portal.catalog.models import ProductLine
from portal.core import audit, clock
from portal.core.capabilities import check
from portal.core.errors import InvalidState, ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.core.jobs import enqueue_after_commit
from portal.extensions import db
from portal.notifications.services import notify
from portal.orders.services import parse_date
from portal.rebates import (
    calc,
    jobs,  # jobs.render_run_pdfs read at call time: tests replace it
)
from portal.rebates.amount_words import amount_in_words
from portal.rebates.models import (
    RebateAdjustment,
    RebateProgram,
    RebateRun,
    RebateStatement,
    RunStatus,
    StatementStatus,
)
from portal.rebates.sales import DealerResult, preview


def N_(s):  # noqa: N802 — marks notification msgids for extraction; translated when shown
    return s


# --- runs ----------------------------------------------------------------------------------------

def start_run(actor, program: RebateProgram) -> RebateRun:
    """Open a draft run on `program` (or return the draft already open)."""
    check(actor, "rebate.run")
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
    check(actor, "rebate.run")
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
    check(actor, "rebate.run")
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

    enqueue_after_commit(jobs.render_run_pdfs, run.id)
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
    by_dealer = dealer_admins_by_dealer(s.dealer_id for s in statements)
    for s in statements:
        notify(by_dealer.get(s.dealer_id, []), "rebate.statement_issued",
               N_("Rebate statement %(number)s was issued."), f"/rebates/statements/{s.id}",
               number=s.number)


def mark_paid(actor, statement: RebateStatement, paid_on, reference: str) -> RebateStatement:
    """Record the payment of an issued statement (issued → paid); for a negative statement, carried
    as "to be offset", the settlement of the amount the dealer owes (offset or paid back)."""
    check(actor, "statement.pay")
    if statement.status != StatementStatus.ISSUED:
        raise InvalidState(_l("This statement is already marked paid."))
    errors = {}

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
