"""Business rules of customers, deal registrations and direct leads (DESIGN §3.3).

Services take the acting user, validate, change state, flush and audit; they never commit.
Every loader filters in the query by the actor's scope: another dealer's object is 404.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, or_, select

from portal.accounts.recipients import channel_managers_of, dealer_recipients
from portal.core import audit, clock
from portal.core.capabilities import check
from portal.core.errors import InvalidState, PermissionDenied, ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.core.labels import status_label
from portal.core.permissions import Role, first_or_404, is_dealer, scope_owned
from portal.core.settings import get_setting
from portal.deals import signals

# Customers and leads live in their own modules; their names stay importable from here.
from portal.deals.customers import (  # noqa: F401
    CUSTOMER_FIELDS,
    clean_customer_fields,
    customer_keys,
    customers_query,
    find_customers,
    get_customer_or_404,
    refresh_keys,
    save_customer,
)

# The registration before it is saved lives in its own module; its names stay importable from here.
from portal.deals.drafts import add_months, clean_deal_input, latest_close_date, save_deal  # noqa: F401
from portal.deals.leads import close_lead, create_lead, get_lead_or_404, leads_query  # noqa: F401
from portal.deals.models import (
    DealExtension,
    DealRegistration,
    DealStatus,
)
from portal.extensions import db
from portal.notifications.services import notify


def N_(s):  # noqa: N802 — marks notification msgids for extraction; translated when shown
    return s


# --- dates and protection ------------------------------------------------------------------------

def is_protected(deal: DealRegistration, on_date: date | None = None) -> bool:
    """True while an approved registration is protected on `on_date` (its last day included)."""
    on_date = on_date or clock.today()
    return (deal.status == DealStatus.APPROVED and deal.protected_until is not None
            and on_date <= deal.protected_until)


def effective_status(deal: DealRegistration, on_date: date | None = None) -> str:
    """The status as of `on_date`: an approved registration past its date reads as expired even
    before the daily job has run (expiry applied on read)."""
    if deal.status == DealStatus.APPROVED and not is_protected(deal, on_date):
        return DealStatus.EXPIRED
    return deal.status


def protected_clause(on_date):
    """SQL of `is_protected`: approved and protected on `on_date` (a date or a bound parameter)."""
    return and_(DealRegistration.status == DealStatus.APPROVED,
                DealRegistration.protected_until >= on_date)


def active_deal_clause(on_date: date | None = None):
    """SQL: the registration takes part in conflict detection on `on_date`."""
    return or_(DealRegistration.status.in_([DealStatus.SUBMITTED, DealStatus.IN_CONFLICT]),
               protected_clause(on_date or clock.today()))


def approved_deals_for(dealer_id: int, on_date: date | None = None):
    """A select of the dealer's approved registrations still protected (exception/order forms)."""
    return (select(DealRegistration)
            .where(DealRegistration.dealer_id == dealer_id,
                   protected_clause(on_date or clock.today()))
            .order_by(DealRegistration.id.desc()))


# --- scope ---------------------------------------------------------------------------------------

def deals_query(actor):
    """Registrations `actor` may see (filtered in the query)."""
    stmt = select(DealRegistration)
    if actor.role == Role.SALES_REP:  # a rep sees only the deals it assists on
        return stmt.where(DealRegistration.assisting_rep_id == actor.id)
    return scope_owned(stmt, DealRegistration, actor)


def get_deal_or_404(deal_id, actor) -> DealRegistration:
    """The registration if `actor` may see it; 404 otherwise (never 403: no hint it exists)."""
    return first_or_404(deals_query(actor), DealRegistration, deal_id)


def submit_deal(actor, deal: DealRegistration) -> list:
    """Submit a draft: the conflict check runs (system-wide); the registration is held
    `in_conflict` when a case opens, else waits for the channel manager. Returns the cases."""
    if deal.status != DealStatus.DRAFT:
        raise InvalidState(_l("Only a draft can be submitted."))
    if is_dealer(actor) and deal.dealer_id != actor.dealer_id:
        raise PermissionDenied(_l("You cannot submit this registration."))
    if deal.expected_close_date < clock.today():
        raise ValidationError(_l("The expected close date is in the past; change it first."),
                              {"expected_close_date": _l("The expected close date is in the past.")})
    deal.status = DealStatus.SUBMITTED
    deal.submitted_at = clock.now()
    db.session.flush()
    audit.record(actor, "deal.submitted", deal, before={"status": "draft"},
                 after={"status": "submitted"})
    cases = signals.collect(signals.record_submitted, actor, deal=deal)
    if cases:
        deal.status = DealStatus.IN_CONFLICT
        audit.record(None, "deal.held", deal, before={"status": "submitted"},
                     after={"status": "in_conflict"})
        _notify_dealer(deal, "conflict_opened", N_(
            "Registration %(number)s is under review — possible overlap with an existing "
            "registration."))
    else:
        _notify_managers(deal.region_id, "approval_needed", N_(
            "Registration %(number)s of %(dealer)s awaits your approval."),
            f"/deals/{deal.id}", number=deal.number, dealer=deal.dealer.code)
    db.session.flush()
    return cases


def _notify_dealer(deal: DealRegistration, kind: str, message: str, **params) -> None:
    notify(dealer_recipients(deal.dealer_id, deal.created_by_id), kind, message,
           f"/deals/{deal.id}", number=deal.number, **params)


def _notify_managers(region_id: int, kind: str, message: str, link: str, **params) -> None:
    notify(channel_managers_of([region_id]), kind, message, link, **params)


def approve_deal(actor, deal: DealRegistration, comment: str = "") -> DealRegistration:
    """Approve: protection runs until approval + the configured days (the last protected day)."""
    check(actor, "deal.approve", deal)
    if deal.status != DealStatus.SUBMITTED:
        raise InvalidState(_l("Only a submitted registration can be approved (this one is %(s)s).",
                              s=status_label(deal.status)))
    deal.status = DealStatus.APPROVED
    deal.approved_at = clock.now()
    deal.approved_by_id = actor.id
    deal.protected_until = clock.today() + timedelta(days=int(get_setting("deal_protection_days")))
    db.session.flush()
    audit.record(actor, "deal.approved", deal, before={"status": "submitted"},
                 after={"status": "approved", "protected_until": deal.protected_until.isoformat()},
                 comment=comment or None)
    _notify_dealer(deal, "decision_made", N_(
        "Registration %(number)s is approved and protected until %(until)s."),
        until=deal.protected_until.isoformat())
    return deal


def reject_deal(actor, deal: DealRegistration, reason: str) -> DealRegistration:
    check(actor, "deal.approve", deal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_l("Give a reason for the rejection."),
                              {"reason": _l("Give a reason for the rejection.")})
    if deal.status != DealStatus.SUBMITTED:
        raise InvalidState(_l("Only a submitted registration can be rejected."))
    deal.status = DealStatus.REJECTED
    deal.rejection_reason = reason
    deal.closed_at = clock.now()
    db.session.flush()
    audit.record(actor, "deal.rejected", deal, before={"status": "submitted"},
                 after={"status": "rejected"}, comment=reason)
    _notify_dealer(deal, "decision_made", N_("Registration %(number)s was rejected."))
    return deal


def request_extension(actor, deal: DealRegistration, reason: str) -> DealExtension:
    """The dealer's one request to extend protection, before expiry, with a reason."""
    reason = (reason or "").strip()
    if not is_dealer(actor) or deal.dealer_id != actor.dealer_id:
        raise PermissionDenied(_l("Only the registering dealer may ask for an extension."))
    if not reason:
        raise ValidationError(_l("Give a reason for the extension."),
                              {"reason": _l("Give a reason for the extension.")})
    if not is_protected(deal):
        raise InvalidState(_l("Only a registration that is still protected can be extended."))
    if deal.extension is not None:
        raise InvalidState(_l("An extension was already requested for this registration; "
                              "each registration may ask once."))
    ext = DealExtension(deal_id=deal.id, requested_by_id=actor.id, reason=reason,
                        days=int(get_setting("deal_extension_days")), requested_at=clock.now())
    db.session.add(ext)
    deal.extension = ext
    db.session.flush()
    audit.record(actor, "deal.extension_requested", deal, after={"days": ext.days}, comment=reason)
    _notify_managers(deal.region_id, "approval_needed", N_(
        "Registration %(number)s asks for a protection extension."), f"/deals/{deal.id}",
        number=deal.number)
    return ext


def decide_extension(actor, deal: DealRegistration, approve: bool, comment: str = "") -> DealExtension:
    check(actor, "deal.approve", deal)
    # Read again under a row lock: a second manager deciding the same request waits for the
    # first and then reads its decision (the request has no version column of its own, and a
    # rejection does not write the registration).
    ext = db.session.scalars(select(DealExtension).where(DealExtension.deal_id == deal.id)
                             .with_for_update(of=DealExtension)
                             .execution_options(populate_existing=True)).first()
    if ext is None or ext.status != "pending":
        raise InvalidState(_l("There is no pending extension request."))
    if not approve and not (comment or "").strip():
        raise ValidationError(_l("Give a reason for declining."),
                              {"comment": _l("Give a reason for declining.")})
    ext.status = "approved" if approve else "rejected"
    ext.decided_by_id, ext.decided_at, ext.comment = actor.id, clock.now(), comment or None
    before = deal.protected_until
    if approve and deal.protected_until is not None:
        deal.protected_until = deal.protected_until + timedelta(days=ext.days)
        if deal.status == DealStatus.EXPIRED:  # decided after the date: protection resumes
            deal.status = DealStatus.APPROVED
        deal.reminded_on = None  # remind again before the new date
    db.session.flush()
    audit.record(actor, "deal.extension_" + ext.status, deal,
                 before={"protected_until": before.isoformat() if before else None},
                 after={"protected_until": deal.protected_until.isoformat()
                        if deal.protected_until else None}, comment=comment or None)
    until = deal.protected_until.isoformat() if deal.protected_until else ""
    if approve:
        _notify_dealer(deal, "decision_made", N_(
            "The extension of registration %(number)s was approved; protected until %(until)s."),
            until=until)
    else:
        _notify_dealer(deal, "decision_made", N_(
            "The extension of registration %(number)s was declined; protected until %(until)s."),
            until=until)
    return ext


def mark_won(actor, deal: DealRegistration) -> DealRegistration:
    """The registration became an order (called by order confirmation, or by the dealer)."""
    if deal.status == DealStatus.WON:
        return deal
    if deal.status not in (DealStatus.APPROVED, DealStatus.EXPIRED):
        raise InvalidState(_l("Only an approved registration can be won."))
    before = deal.status
    deal.status = DealStatus.WON
    deal.closed_at = clock.now()
    db.session.flush()
    audit.record(actor, "deal.won", deal, before={"status": before}, after={"status": "won"})
    return deal


def mark_lost(actor, deal: DealRegistration, reason: str = "") -> DealRegistration:
    if is_dealer(actor) and deal.dealer_id != actor.dealer_id:
        raise PermissionDenied(_l("You cannot close this registration."))
    if deal.status not in (DealStatus.APPROVED, DealStatus.SUBMITTED, DealStatus.EXPIRED):
        raise InvalidState(_l("Only an open registration can be closed as lost."))
    before = deal.status
    deal.status = DealStatus.LOST
    deal.closed_at = clock.now()
    db.session.flush()
    audit.record(actor, "deal.lost", deal, before={"status": before}, after={"status": "lost"},
                 comment=(reason or "").strip() or None)
    return deal


# --- expiry and reminders (the daily job) ---------------------------------------------------------

def expire_due(on_date: date | None = None) -> list[DealRegistration]:
    """Approved registrations whose last protected day is before `on_date` become expired."""
    on_date = on_date or clock.today()
    due = list(db.session.scalars(select(DealRegistration).where(
        DealRegistration.status == DealStatus.APPROVED,
        DealRegistration.protected_until < on_date)))
    for deal in due:
        deal.status = DealStatus.EXPIRED
        deal.closed_at = clock.now()
        audit.record(None, "deal.expired", deal, before={"status": "approved"},
                     after={"status": "expired"})
        _notify_dealer(deal, "protection_expiring", N_(
            "The protection of registration %(number)s has ended."))
    db.session.flush()
    return due


def send_reminders(on_date: date | None = None) -> list[DealRegistration]:
    """Remind dealers 7 days (configurable) before the last protected day, once per registration."""
    on_date = on_date or clock.today()
    horizon = on_date + timedelta(days=int(get_setting("deal_reminder_days")))
    due = list(db.session.scalars(select(DealRegistration).where(
        DealRegistration.status == DealStatus.APPROVED,
        DealRegistration.protected_until >= on_date,
        DealRegistration.protected_until <= horizon,
        DealRegistration.reminded_on.is_(None))))
    for deal in due:
        deal.reminded_on = on_date
        _notify_dealer(deal, "protection_expiring", N_(
            "The protection of registration %(number)s ends on %(until)s."),
            until=deal.protected_until.isoformat())
    db.session.flush()
    return due
