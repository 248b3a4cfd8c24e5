"""Price exceptions (特价申请): request, routing by the approval matrix, sequential decisions.

A dealer asks for prices below its net price on one of its approved, protected deal
registrations. The request's deepest line (extra depth beyond the tier discount, in bp of the list
price) and the deal's value pick a row of the approval matrix (`ApprovalRule`), which names the
approvers in order. Each step is approved (optionally at higher counter-offer prices), rejected, or
returned for changes, with a comment. A line below the product's floor price needs the sales
director, who must give a written reason. Once the last step approves, the prices are read-only and
valid until the earlier of `exception_validity_days` and the end of the deal's protection.

Services take `actor`, validate, change state, flush and audit; they never commit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from portal.accounts.models import User, user_region
from portal.catalog.models import PriceListItem, Product
from portal.catalog.services import price_list_in_force
from portal.core import audit, clock
from portal.core.errors import Conflict, InvalidState, NotFound, PermissionDenied, ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.core.money import MoneyError, apply_discount, depth_bp, parse_yuan
from portal.core.parse import to_id, to_int
from portal.core.permissions import Role, is_dealer, scope_owned
from portal.core.settings import get_setting
from portal.extensions import db
from portal.pricing.models import (
    ApprovalRule,
    Decision,
    ExceptionStatus,
    PriceException,
    PriceExceptionLine,
    PriceExceptionStep,
    StepStatus,
)
from portal.pricing.services import tier_discounts

N_ = lambda s: s  # noqa: E731 — msgids stored with notifications, translated when shown

MAX_LINES = 30
APPROVER_ROLES = (Role.CHANNEL_MANAGER, Role.SALES_DIRECTOR, Role.FINANCE)


# --- deals: the registrations an exception may be requested for ----------------------------------

def _deal_model():
    from portal.deals.models import DealRegistration

    return DealRegistration


def _is_protected(deal, on_date: date) -> bool:
    try:
        from portal.deals.services import is_protected
    except ImportError:
        return (deal.status == "approved" and deal.protected_until is not None
                and deal.protected_until >= on_date)
    return is_protected(deal, on_date)


def eligible_deals(actor) -> list:
    """The actor's approved registrations still protected today (for the request form): its
    dealer's, and for a salesperson only those it created (as on the registrations page)."""
    try:
        from portal.deals.services import approved_deals_for
    except ImportError:
        Deal = _deal_model()
        deals = list(db.session.scalars(
            select(Deal).where(Deal.dealer_id == actor.dealer_id, Deal.status == "approved")
            .order_by(Deal.id.desc())))
    else:
        found = approved_deals_for(actor.dealer_id)
        deals = list(db.session.scalars(found) if hasattr(found, "compile") else found)
    today = clock.today()
    return [d for d in deals if _is_protected(d, today) and _own(actor, d)]


def _own(actor, deal) -> bool:
    return actor.role != Role.DEALER_SALES or deal.created_by_id == actor.id


def _deal_for_request(actor, deal_id) -> object:
    """The actor's dealer's approved, protected registration `deal_id`; ValidationError otherwise
    (another dealer's registration reads as unknown)."""
    Deal = _deal_model()
    deal = None
    if to_id(deal_id):
        deal = db.session.scalar(select(Deal).where(Deal.id == to_id(deal_id),
                                                    Deal.dealer_id == actor.dealer_id))
    if deal is None or not _own(actor, deal):
        raise ValidationError(_l("Choose one of your approved registrations."),
                              {"deal_id": _l("Choose one of your approved registrations.")})
    if not _is_protected(deal, clock.today()):
        raise ValidationError(
            _l("Registration %(number)s is not approved and protected, so no special price can "
               "be requested for it.", number=deal.number or deal.id),
            {"deal_id": _l("This registration is not approved and protected.")})
    return deal


# --- evaluating lines: net price, extra depth, floor, totals -------------------------------------

@dataclass
class LineFigures:
    index: int
    sku: str = ""
    quantity_text: str = ""
    price_text: str = ""
    product: Product | None = None
    quantity: int | None = None
    requested_fen: int | None = None
    list_fen: int | None = None
    discount_bp: int | None = None
    net_fen: int | None = None
    depth_bp: int | None = None
    below_floor: bool = False

    @property
    def total_requested_fen(self) -> int | None:
        if self.quantity is None or self.requested_fen is None:
            return None
        return self.quantity * self.requested_fen

    @property
    def total_net_fen(self) -> int | None:
        if self.quantity is None or self.net_fen is None:
            return None
        return self.quantity * self.net_fen


@dataclass
class Evaluation:
    lines: list[LineFigures] = field(default_factory=list)
    errors: dict = field(default_factory=dict)
    total_requested_fen: int = 0
    total_net_fen: int = 0
    max_depth_bp: int = 0
    below_floor: bool = False
    route: list[str] = field(default_factory=list)


def evaluate(dealer, raw_lines: list[dict], on_date: date | None = None,
             deal_value_fen: int = 0) -> Evaluation:
    """Check and price the typed lines ({sku, quantity, price} as text) for `dealer`.

    Used while typing (htmx preview) and on save: errors are per field (`sku-0`, `price-2`, …).
    Blank rows are ignored. Nothing is written.
    """
    on_date = on_date or clock.today()
    result = Evaluation()
    plist = price_list_in_force(on_date)
    if plist is None:
        result.errors["lines"] = _l("No price list is in force today; special prices cannot be "
                                    "requested.")
        return result
    rows = [r for r in raw_lines if any((r.get(k) or "").strip() for k in ("sku", "quantity", "price"))]
    if not rows:
        result.errors["lines"] = _l("Add at least one line.")
        return result
    if len(rows) > MAX_LINES:
        result.errors["lines"] = _l("At most %(n)d lines per request.", n=MAX_LINES)
        return result
    skus = {(r.get("sku") or "").strip().upper() for r in rows}
    products = {p.sku: p for p in db.session.scalars(select(Product).where(Product.sku.in_(skus)))}
    prices = dict(db.session.execute(select(PriceListItem.product_id, PriceListItem.list_price_fen)
                                     .where(PriceListItem.price_list_id == plist.id,
                                            PriceListItem.product_id.in_([p.id for p in products.values()]))).all())
    discounts = tier_discounts(dealer.tier)
    seen: dict[str, int] = {}
    for raw in rows:
        i = raw["index"]
        fig = LineFigures(index=i, sku=(raw.get("sku") or "").strip().upper(),
                          quantity_text=(raw.get("quantity") or "").strip(),
                          price_text=(raw.get("price") or "").strip())
        result.lines.append(fig)
        product = products.get(fig.sku)
        if not fig.sku:
            result.errors[f"sku-{i}"] = _l("Enter a SKU.")
        elif product is None or not product.active or product.id not in prices:
            result.errors[f"sku-{i}"] = _l("Unknown SKU, or not on the price list in force.")
        elif fig.sku in seen:
            result.errors[f"sku-{i}"] = _l("This SKU is already on line %(n)d.", n=seen[fig.sku] + 1)
        else:
            seen[fig.sku] = i
            fig.product = product
            fig.list_fen = prices[product.id]
            fig.discount_bp = discounts.get(product.line_id, 0)
            fig.net_fen = apply_discount(fig.list_fen, fig.discount_bp)
        quantity = to_int(fig.quantity_text, 1, 1_000_000)
        if quantity is None:
            result.errors[f"quantity-{i}"] = _l("Enter a whole number from 1 to 1,000,000.")
        else:
            fig.quantity = quantity
        try:
            fig.requested_fen = parse_yuan(fig.price_text)
        except MoneyError:
            result.errors[f"price-{i}"] = _l("Enter a price in yuan, e.g. 12800.00.")
        else:
            if fig.requested_fen <= 0:
                result.errors[f"price-{i}"] = _l("The price must be more than zero.")
                fig.requested_fen = None
            elif fig.net_fen is not None and fig.requested_fen >= fig.net_fen:
                result.errors[f"price-{i}"] = _l("At or above your net price: no special price "
                                                 "is needed.")
        if fig.net_fen is not None and fig.requested_fen is not None:
            fig.depth_bp = depth_bp(fig.net_fen, fig.requested_fen, fig.list_fen)
            floor = product.floor_price_fen
            fig.below_floor = floor is not None and fig.requested_fen < floor
    for fig in result.lines:
        if fig.total_requested_fen is not None and fig.total_net_fen is not None:
            result.total_requested_fen += fig.total_requested_fen
            result.total_net_fen += fig.total_net_fen
        result.max_depth_bp = max(result.max_depth_bp, fig.depth_bp or 0)
        result.below_floor = result.below_floor or fig.below_floor
    result.route = route_for(result.max_depth_bp, max(deal_value_fen, result.total_requested_fen),
                             result.below_floor)[0]
    return result


# --- routing -------------------------------------------------------------------------------------

def rules() -> list[ApprovalRule]:
    return list(db.session.scalars(select(ApprovalRule).order_by(ApprovalRule.level)))


def route_for(max_depth_bp: int, deal_value_fen: int, below_floor: bool) -> tuple[list[str], int]:
    """(approver roles in order, target business days per step) from the approval matrix.

    The matching rule with the highest level wins; below the floor the sales director is added
    (after the channel manager) when the rule does not already include it.
    """
    chosen = None
    for rule in rules():
        by_depth = max_depth_bp > rule.depth_above_bp
        by_value = rule.value_from_fen is not None and deal_value_fen >= rule.value_from_fen
        if by_depth or by_value:
            chosen = rule
    approvers = list(chosen.approvers) if chosen else [Role.CHANNEL_MANAGER.value]
    days = chosen.target_business_days if chosen else 1
    if below_floor and Role.SALES_DIRECTOR.value not in approvers:
        at = approvers.index(Role.CHANNEL_MANAGER.value) + 1 \
            if Role.CHANNEL_MANAGER.value in approvers else 0
        approvers.insert(at, Role.SALES_DIRECTOR.value)
    return approvers, days


def save_rules(actor, rows: list[dict]) -> None:
    """Replace the approval matrix. Each row: level, depth_above_bp, value_from_fen, approvers,
    target_business_days. Validated as a whole."""
    errors = {}
    levels = set()
    valid_roles = {r.value for r in APPROVER_ROLES}
    for i, row in enumerate(rows):
        if row["level"] in levels:
            errors[f"level-{i}"] = _l("Each level may appear once.")
        levels.add(row["level"])
        if not row["approvers"] or any(r not in valid_roles for r in row["approvers"]):
            errors[f"approvers-{i}"] = _l("Choose the approvers in order.")
        elif len(set(row["approvers"])) != len(row["approvers"]):
            errors[f"approvers-{i}"] = _l("An approver role may appear once per rule.")
        if not 1 <= row["target_business_days"] <= 30:
            errors[f"days-{i}"] = _l("Enter 1 to 30 business days.")
        if row["depth_above_bp"] < -1 or row["depth_above_bp"] >= 10_000:
            errors[f"depth-{i}"] = _l("Enter a depth from 0 to 99.99 percentage points.")
    if not rows:
        errors["rules"] = _l("Keep at least one rule.")
    if errors:
        raise ValidationError(_l("Please correct the marked fields."), errors)
    before = [_rule_dict(r) for r in rules()]
    db.session.execute(ApprovalRule.__table__.delete())
    db.session.add_all(ApprovalRule(**row) for row in rows)
    db.session.flush()
    audit.record(actor, "approval_rule.changed", object_type="approval_rule",
                 before={"rules": before}, after={"rules": [_rule_dict(r) for r in rules()]})


def _rule_dict(rule: ApprovalRule) -> dict:
    return {"level": rule.level, "depth_above_bp": rule.depth_above_bp,
            "value_from_fen": rule.value_from_fen, "approvers": list(rule.approvers),
            "target_business_days": rule.target_business_days}


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
    step = current_step(exc)
    return step is not None and step.status == StepStatus.PENDING and actor.role == step.role


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
    if actor.role != step.role:
        raise PermissionDenied(_l("This step is for another approver."))
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
        if below and actor.role == Role.SALES_DIRECTOR and not (floor_reason or "").strip():
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
        if actor.role == Role.SALES_DIRECTOR and (floor_reason or "").strip():
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

def approvers_for(role: str, region_id: int) -> list[User]:
    stmt = select(User).where(User.role == role, User.active.is_(True))
    if role == Role.CHANNEL_MANAGER:
        stmt = stmt.join(user_region, user_region.c.user_id == User.id).where(
            user_region.c.region_id == region_id)
    return list(db.session.scalars(stmt))


def _notify_approvers(exc: PriceException, role: str) -> None:
    from portal.notifications.services import notify

    notify(approvers_for(role, exc.region_id), "approval_needed",
           N_("Price exception %(number)s of %(dealer)s awaits your approval."),
           f"/exceptions/{exc.id}", number=exc.number, dealer=exc.dealer.name)


def _notify_dealer(exc: PriceException, message: str, **params) -> None:
    from portal.notifications.services import notify

    users = list(db.session.scalars(select(User).where(
        User.dealer_id == exc.dealer_id, User.active.is_(True),
        (User.id == exc.created_by_id) | (User.role == Role.DEALER_ADMIN))))
    notify(users, "decision_made", message, f"/exceptions/{exc.id}", number=exc.number, **params)
