"""Price exceptions (特价申请): the lifecycle — request, submit, sequential decisions, expiry.

A dealer asks for prices below its net price on one of its approved, protected deal
registrations. The request's deepest line (extra depth beyond the tier discount, in bp of the list
price) and the deal's value pick a row of the approval matrix (`ApprovalRule`), which names the
approvers in order. Each step is approved (optionally at higher counter-offer prices), rejected, or
returned for changes, with a comment. A line below the product's floor price needs the sales
director, who must give a written reason. Once the last step approves, the prices are read-only and
valid until the earlier of `exception_validity_days` and the end of the deal's protection.

Lines are evaluated next to the price function (`portal.pricing.services.evaluate`); the
approval matrix that routes a request is `portal.pricing.matrix`. Services take `actor`,
validate, change state, flush and audit; they never commit.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from portal.accounts.recipients import dealer_recipients, holders_of
from portal.core import audit, clock
from portal.core.capabilities import can, check
from portal.core.errors import Conflict, InvalidState, NotFound, PermissionDenied, ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.core.money import MoneyError, depth_bp, parse_yuan
from portal.core.parse import to_id
from portal.core.permissions import Role, is_dealer, scope_owned
from portal.core.settings import get_setting
from portal.deals.models import DealRegistration
from portal.deals.services import approved_deals_for, is_protected
from portal.extensions import db
from portal.notifications.services import notify
from portal.pricing.matrix import APPROVER_ROLES, route_for, rules, save_rules  # noqa: F401
from portal.pricing.models import (
    Decision,
    ExceptionStatus,
    PriceException,
    PriceExceptionLine,
    PriceExceptionStep,
    StepStatus,
)
from portal.pricing.services import MAX_LINES, Evaluation, LineFigures, evaluate, tier_discounts  # noqa: F401

N_ = lambda s: s  # noqa: E731 — msgids stored with notifications, translated when shown


# --- deals: the registrations an exception may be requested for ----------------------------------

def eligible_deals(actor) -> list:
    """The actor's approved registrations still protected today (for the request form): its
    dealer's, and for a salesperson only those it created (as on the registrations page)."""
    deals = list(db.session.scalars(approved_deals_for(actor.dealer_id)))
    today = clock.today()
    return [d for d in deals if is_protected(d, today) and _own(actor, d)]


def _own(actor, deal) -> bool:
    return actor.role != Role.DEALER_SALES or deal.created_by_id == actor.id


def _deal_for_request(actor, deal_id) -> object:
    """The actor's dealer's approved, protected registration `deal_id`; ValidationError otherwise
    (another dealer's registration reads as unknown)."""
    deal = None
    if to_id(deal_id):
        deal = db.session.scalar(select(DealRegistration).where(
            DealRegistration.id == to_id(deal_id), DealRegistration.dealer_id == actor.dealer_id))
    if deal is None or not _own(actor, deal):
        raise ValidationError(_l("Choose one of your approved registrations."),
                              {"deal_id": _l("Choose one of your approved registrations.")})
    if not is_protected(deal, clock.today()):
        raise ValidationError(
            _l("Registration %(number)s is not approved and protected, so no special price can "
               "be requested for it.", number=deal.number or deal.id),
            {"deal_id": _l("This registration is not approved and protected.")})
    return deal


# --- scope ---------------------------------------------------------------------------------------

def scoped(stmt, actor):
    """Limit a query on PriceException to what `actor` may see."""
    return scope_owned(stmt, PriceException, actor)


def get_exception_or_404(exception_id: int, actor, *, full: bool = True) -> PriceException:
    stmt = scoped(select(PriceException).where(PriceException.id == exception_id), actor)
    if full:
        stmt = stmt.options(selectinload(PriceException.lines),
                            selectinload(PriceException.steps),
                            selectinload(PriceException.deal),
                            selectinload(PriceException.created_by))
    exc = db.session.scalar(stmt)
    if exc is None:
        raise NotFound(_l("Price exception not found."))
    return exc


def is_effectively_expired(exc: PriceException, on_date: date | None = None) -> bool:
    on_date = on_date or clock.today()
    return (exc.status == ExceptionStatus.APPROVED and exc.valid_until is not None
            and exc.valid_until < on_date)


def current_step(exc: PriceException) -> PriceExceptionStep | None:
    return next((s for s in exc.steps if s.round == exc.round and s.seq == exc.current_step
                 and exc.status == ExceptionStatus.PENDING), None)


def can_decide(actor, exc: PriceException) -> bool:
    """Whether `actor` holds the open step of `exc` (capability `exception.decide`)."""
    return can(actor, "exception.decide", exc)


# --- request: create, edit, submit, cancel -------------------------------------------------------

def save_request(actor, exc: PriceException | None, *, deal_id, reason: str,
                 raw_lines: list[dict], submit: bool) -> PriceException:
    """Create or change a request (draft or returned) and optionally submit it for approval."""
    if not is_dealer(actor):
        raise PermissionDenied(_l("Only dealers request special prices."))
    if exc is not None and exc.status not in (ExceptionStatus.DRAFT, ExceptionStatus.RETURNED):
        raise InvalidState(_l("Only a draft or a returned request can be changed."))
    deal = _deal_for_request(actor, deal_id)
    ev = evaluate(actor.dealer, raw_lines, deal_value_fen=deal.estimated_value_fen or 0)
    if ev.errors:
        raise ValidationError(_l("Please correct the marked fields."), ev.errors)
    if len((reason or "").strip()) > 2000:
        raise ValidationError(_l("Please correct the marked fields."),
                              {"reason": _l("At most 2,000 characters.")})
    created = exc is None
    if created:
        exc = PriceException(dealer_id=actor.dealer_id, region_id=actor.dealer.region_id,
                             created_by_id=actor.id, status=ExceptionStatus.DRAFT, round=0,
                             current_step=0)
        db.session.add(exc)
        exc.lines = []
        exc.steps = []
    exc.deal_id = deal.id
    exc.reason = (reason or "").strip()
    exc.lines = [PriceExceptionLine(product_id=f.product.id, quantity=f.quantity,
                                    requested_price_fen=f.requested_fen, list_price_fen=f.list_fen,
                                    discount_bp=f.discount_bp, net_price_fen=f.net_fen)
                 for f in ev.lines]
    exc.total_requested_fen, exc.total_net_fen = ev.total_requested_fen, ev.total_net_fen
    exc.max_depth_bp, exc.below_floor = ev.max_depth_bp, ev.below_floor
    db.session.flush()
    if created:
        exc.number = f"SP{clock.today().year}-{exc.id:05d}"
    audit.record(actor, "exception.created" if created else "exception.updated", exc,
                 after={"deal_id": deal.id, "lines": len(ev.lines),
                        "total_requested_fen": ev.total_requested_fen,
                        "max_depth_bp": ev.max_depth_bp})
    if submit:
        _submit(actor, exc, deal, ev)
    return exc


def _submit(actor, exc: PriceException, deal, ev: Evaluation) -> None:
    approvers, days = route_for(ev.max_depth_bp,
                                max(deal.estimated_value_fen or 0, ev.total_requested_fen),
                                ev.below_floor)
    now = clock.now()
    exc.round += 1
    for seq, role in enumerate(approvers, start=1):
        exc.steps.append(PriceExceptionStep(
            round=exc.round, seq=seq, role=role, target_business_days=days,
            status=StepStatus.PENDING if seq == 1 else StepStatus.WAITING,
            started_at=now if seq == 1 else None))
    for line in exc.lines:
        line.approved_price_fen = None
    exc.status, exc.current_step, exc.current_role = ExceptionStatus.PENDING, 1, approvers[0]
    exc.submitted_at, exc.decided_at, exc.floor_reason = now, None, None
    db.session.flush()
    audit.record(actor, "exception.submitted", exc, after={
        "round": exc.round, "approvers": approvers, "max_depth_bp": ev.max_depth_bp,
        "below_floor": ev.below_floor})
    _notify_approvers(exc, approvers[0])


def cancel(actor, exc: PriceException) -> None:
    if not is_dealer(actor) or exc.dealer_id != actor.dealer_id:
        raise PermissionDenied(_l("Only the dealer can cancel its request."))
    if exc.status not in (ExceptionStatus.DRAFT, ExceptionStatus.PENDING, ExceptionStatus.RETURNED):
        raise InvalidState(_l("This request can no longer be cancelled."))
    before = exc.status
    for step in exc.steps:
        if step.status in (StepStatus.PENDING, StepStatus.WAITING):
            step.status = StepStatus.SKIPPED
    exc.status, exc.current_step, exc.current_role = ExceptionStatus.CANCELLED, 0, None
    db.session.flush()
    audit.record(actor, "exception.cancelled", exc, before={"status": before},
                 after={"status": exc.status})


# --- decisions -----------------------------------------------------------------------------------

def already_decided(exc: PriceException, step_id: int | None = None) -> Conflict:
    """The Conflict to raise when someone else decided first, naming who."""
    decided = [s for s in exc.steps if s.decided_by_id and (step_id is None or s.id == step_id)]
    last = max(decided, key=lambda s: s.decided_at) if decided else None
    if last is None:
        return Conflict(_l("This request was changed by someone else; reload the page."))
    return Conflict(_l("Already decided by %(name)s at %(time)s.", name=last.decided_by.name,
                       time=last.decided_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")))


def counter_figures(exc: PriceException, prices: dict[int, str] | None = None) -> list[dict]:
    """For the approver typing counter-offers: per line the price that would be approved (typed,
    else proposed so far), its extra depth and total, and whether it is below the floor. Nothing
    is written; a price that cannot be read is reported as such."""
    rows = []
    for line in exc.lines:
        proposed = line.approved_price_fen or line.requested_price_fen
        raw = ((prices or {}).get(line.id) or "").strip()
        price, unreadable = proposed, False
        if raw:
            try:
                price = parse_yuan(raw)
            except MoneyError:
                unreadable = True
        floor = line.product.floor_price_fen
        rows.append({"line": line, "price_fen": price, "unreadable": unreadable,
                     "depth_bp": depth_bp(line.net_price_fen, price, line.list_price_fen),
                     "total_fen": price * line.quantity,
                     "below_floor": floor is not None and price < floor})
    return rows


def decide(actor, exc: PriceException, *, step_id: int, decision: str, comment: str = "",
           prices: dict[int, str] | None = None, floor_reason: str = "") -> None:
    """Decide the open step. `prices` maps line id → typed approved price (a counter-offer at or
    above the requested price); empty keeps the price proposed so far."""
    step = current_step(exc)
    if step is None or step.id != step_id:
        if any(s.id == step_id and s.decided_by_id for s in exc.steps):
            raise already_decided(exc, step_id)
        raise InvalidState(_l("This request is not waiting for a decision."))
    check(actor, "exception.decide", exc)
    try:
        decision = Decision(decision)
    except ValueError:
        raise ValidationError(_l("Choose approve, reject or return for changes."),
                              {"decision": _l("Choose a decision.")}) from None
    comment = (comment or "").strip()
    errors = {}
    if decision != Decision.APPROVE and not comment:
        errors["comment"] = _l("Say why, for the dealer.")
    if len(comment) > 2000:
        errors["comment"] = _l("At most 2,000 characters.")
    approved: dict[int, int] = {}
    if decision == Decision.APPROVE:
        for line in exc.lines:
            proposed = line.approved_price_fen or line.requested_price_fen
            raw = ((prices or {}).get(line.id) or "").strip()
            if not raw:
                approved[line.id] = proposed
                continue
            try:
                fen = parse_yuan(raw)
            except MoneyError:
                errors[f"price-{line.id}"] = _l("Enter a price in yuan, e.g. 12800.00.")
                continue
            if fen < proposed:
                errors[f"price-{line.id}"] = _l("A counter-offer cannot be below the price "
                                                "proposed so far.")
            elif fen > line.net_price_fen:
                errors[f"price-{line.id}"] = _l("A counter-offer cannot be above the net price.")
            else:
                approved[line.id] = fen
        below = [ln for ln in exc.lines if ln.id in approved and ln.product.floor_price_fen is not None
                 and approved[ln.id] < ln.product.floor_price_fen]
        if below and can(actor, "exception.approve_below_floor") and not (floor_reason or "").strip():
            errors["floor_reason"] = _l("Prices below the floor need your written reason.")
    if errors:
        raise ValidationError(_l("Please correct the marked fields."), errors)
    now = clock.now()
    step.decided_at, step.decided_by_id, step.comment = now, actor.id, comment or None
    before = {"status": exc.status, "step": step.seq}
    if decision == Decision.APPROVE:
        step.status = StepStatus.APPROVED
        step.prices = {str(k): v for k, v in approved.items()}
        for line in exc.lines:
            line.approved_price_fen = approved[line.id]
        if can(actor, "exception.approve_below_floor") and (floor_reason or "").strip():
            exc.floor_reason = floor_reason.strip()
        next_step = next((s for s in exc.steps if s.round == exc.round and s.seq == step.seq + 1),
                         None)
        if next_step is None:
            _approve(actor, exc, step, before)
        else:
            next_step.status, next_step.started_at = StepStatus.PENDING, now
            exc.current_step, exc.current_role = next_step.seq, next_step.role
            db.session.flush()
            audit.record(actor, "exception.step_approved", exc, before=before,
                         after={"status": exc.status, "step": next_step.seq,
                                "prices": step.prices}, comment=comment or None)
            _notify_approvers(exc, next_step.role)
            _notify_dealer(exc, N_("Price exception %(number)s was approved by %(name)s and "
                                   "passed to the next approver."), name=actor.name)
        return
    step.status = StepStatus.REJECTED if decision == Decision.REJECT else StepStatus.RETURNED
    for other in exc.steps:
        if other.round == exc.round and other.status == StepStatus.WAITING:
            other.status = StepStatus.SKIPPED
    exc.status = ExceptionStatus.REJECTED if decision == Decision.REJECT else ExceptionStatus.RETURNED
    exc.current_step, exc.current_role, exc.decided_at = 0, None, now
    for line in exc.lines:
        line.approved_price_fen = None
    db.session.flush()
    action = "exception.rejected" if decision == Decision.REJECT else "exception.returned"
    audit.record(actor, action, exc, before=before, after={"status": exc.status}, comment=comment)
    msg = N_("Price exception %(number)s was rejected: %(comment)s") \
        if decision == Decision.REJECT else \
        N_("Price exception %(number)s was returned for changes: %(comment)s")
    _notify_dealer(exc, msg, comment=comment)


def _approve(actor, exc: PriceException, step: PriceExceptionStep, before: dict) -> None:
    today = clock.today()
    valid = today + timedelta(days=int(get_setting("exception_validity_days")))
    deal = exc.deal
    if deal.protected_until is not None:
        valid = min(valid, deal.protected_until)
    exc.status, exc.valid_until = ExceptionStatus.APPROVED, valid
    exc.current_step, exc.current_role, exc.decided_at = 0, None, clock.now()
    db.session.flush()
    audit.record(actor, "exception.approved", exc, before=before, after={
        "status": exc.status, "valid_until": valid.isoformat(), "prices": step.prices,
        "floor_reason": exc.floor_reason}, comment=step.comment)
    _notify_dealer(exc, N_("Price exception %(number)s was approved; the prices are valid until "
                           "%(date)s."), date=valid.isoformat())


def expire_due(on_date: date | None = None) -> int:
    """Mark approved exceptions past their validity as expired (scheduled, and safe to rerun)."""
    on_date = on_date or clock.today()
    ids = list(db.session.scalars(select(PriceException.id).where(
        PriceException.status == ExceptionStatus.APPROVED, PriceException.valid_until < on_date)))
    if not ids:
        return 0
    db.session.execute(update(PriceException).where(PriceException.id.in_(ids))
                       .values(status=ExceptionStatus.EXPIRED,
                               version_id=PriceException.version_id + 1)
                       .execution_options(synchronize_session=False))
    for exc_id in ids:
        audit.record(None, "exception.expired", object_type="price_exception", object_id=exc_id,
                     after={"status": "expired"})
    return len(ids)


# --- notifications -------------------------------------------------------------------------------

def _notify_approvers(exc: PriceException, role: str) -> None:
    notify(holders_of(role, [exc.region_id]), "approval_needed",
           N_("Price exception %(number)s of %(dealer)s awaits your approval."),
           f"/exceptions/{exc.id}", number=exc.number, dealer=exc.dealer.name)


def _notify_dealer(exc: PriceException, message: str, **params) -> None:
    notify(dealer_recipients(exc.dealer_id, exc.created_by_id), "decision_made", message, f"/exceptions/{exc.id}", number=exc.number, **params)
