"""Conflict cases: scope, the suggested default, decisions, director take-over (DESIGN §3.4).

Two managers deciding the same case at once: exactly one wins. On SQLite the write transaction
begins with BEGIN IMMEDIATE, so the second reads the first's decision and is told who decided; on
PostgreSQL the `version_id_col` of the case turns the second UPDATE into `StaleDataError`, which
the view turns into the same 409 "already decided by <name>".
"""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, load_only, raiseload

from portal.accounts.recipients import channel_managers_of
from portal.conflicts.detection import detect
from portal.conflicts.models import CaseStatus, ConflictCase, Decision, OverlapStatus, PossibleOverlap
from portal.core import audit, clock
from portal.core.capabilities import can, check, roles_of
from portal.core.errors import Conflict, InvalidState, ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.core.permissions import Role, first_or_404, sees_all_regions
from portal.core.settings import get_setting
from portal.deals.customers import link_names
from portal.deals.models import CustomerLink, DealRegistration, DealStatus, DirectLead, LeadStatus
from portal.deals.services import _notify_dealer
from portal.extensions import db
from portal.notifications.services import notify

DECISION_LABELS = {
    Decision.AWARD_EARLIER: _l("Award to the earlier registration"),
    Decision.AWARD_LATER: _l("Award to the later registration"),
    Decision.CO_SELL: _l("Co-sell: the dealer keeps the deal, the rep assists"),
    Decision.NOT_A_CONFLICT: _l("Not a conflict: both proceed"),
}


def N_(s):  # noqa: N802
    return s


def cases_query(actor):
    """Cases `actor` may see: a channel manager those touching its regions; a rep those it is a
    party to; the director and admins all. Dealers never see cases."""
    stmt = select(ConflictCase)
    if actor.role == Role.SALES_REP:
        mine = select(DirectLead.id).where(DirectLead.rep_id == actor.id)
        return stmt.where(or_(ConflictCase.first_lead_id.in_(mine),
                              ConflictCase.second_lead_id.in_(mine)))
    if actor.role in (Role.DEALER_ADMIN, Role.DEALER_SALES, Role.FINANCE):
        return stmt.where(ConflictCase.id.is_(None))
    if sees_all_regions(actor):
        return stmt
    return stmt.where(or_(ConflictCase.region_id.in_(actor.region_ids),
                          ConflictCase.other_region_id.in_(actor.region_ids)))


def cases_of_record(actor, *, deal=None, lead=None) -> list:
    """The cases of a registration or a lead that `actor` may see (shown beside the record)."""
    if deal is not None:
        return list(db.session.scalars(cases_query(actor).where(or_(
            ConflictCase.first_deal_id == deal.id, ConflictCase.second_deal_id == deal.id))
            .order_by(ConflictCase.id)))
    return list(db.session.scalars(cases_query(actor).where(or_(
        ConflictCase.first_lead_id == lead.id, ConflictCase.second_lead_id == lead.id))))


def shown_columns(relationship, columns: tuple[str, ...], *nested: tuple):
    """`joinedload(relationship)` of a list, reading only `columns` of the related row (its key
    and the foreign keys of `nested` come with them; any other column loads if ever read), with
    the `nested` (relationship, columns) loads the same way, and nothing more. A case joins four
    parties, their customers, dealers and reps: all their columns made 198 per row, which the
    app paid for in CPU on every view of the list."""
    mapper = relationship.property.mapper
    keys = [mapper.get_property_by_column(column).class_attribute
            for rel, _columns in nested for column in rel.property.local_columns]
    return joinedload(relationship).options(
        load_only(*(getattr(mapper.class_, name) for name in columns), *keys),
        *(shown_columns(rel, cols) for rel, cols in nested), raiseload("*"))


#: What the case list shows of each case — both parties' number, customer, dealer or rep — in
#: the list's own query (the models' default loads pulled in lines, creators and their regions).
LIST_LOADS = (
    *(shown_columns(party, ("number",), (DealRegistration.customer, ("name",)),
                    (DealRegistration.dealer, ("code",)))
      for party in (ConflictCase.first_deal, ConflictCase.second_deal)),
    *(shown_columns(party, ("number",), (DirectLead.customer, ("name",)), (DirectLead.rep, ("name",)))
      for party in (ConflictCase.first_lead, ConflictCase.second_lead)),
    raiseload("*"),
)
#: What the possible overlaps above the case list show: the record's number, both customers.
OVERLAP_LIST_LOADS = (
    *(shown_columns(rel, ("number",)) for rel in (PossibleOverlap.deal, PossibleOverlap.lead)),
    *(shown_columns(rel, ("name",)) for rel in (PossibleOverlap.customer, PossibleOverlap.other_customer)),
    raiseload("*"),
)


def get_case_or_404(case_id, actor) -> ConflictCase:
    return first_or_404(cases_query(actor), ConflictCase, case_id)


def age_business_days(case: ConflictCase) -> int:
    return clock.business_days_between(case.opened_at, clock.now())


def is_flagged(case: ConflictCase) -> bool:
    """An open case older than the configured business days (default 2) is flagged."""
    return case.status == CaseStatus.OPEN and \
        age_business_days(case) >= int(get_setting("conflict_flag_business_days"))


def can_decide(actor, case: ConflictCase) -> bool:
    return can(actor, "conflict.decide", case)


def _release(obj, actor, case) -> None:
    """A held party goes back to its normal course once no other open case holds it."""
    if obj.status != DealStatus.IN_CONFLICT:
        return
    if _open_cases_of(obj, exclude=case.id):
        return
    if isinstance(obj, DealRegistration):
        obj.status = DealStatus.SUBMITTED
        audit.record(actor, "deal.released", obj, before={"status": "in_conflict"},
                     after={"status": "submitted"})
    else:
        obj.status = LeadStatus.SUBMITTED
        audit.record(actor, "lead.released", obj, before={"status": "in_conflict"},
                     after={"status": "submitted"})


def _open_cases_of(obj, exclude: int | None = None) -> list[ConflictCase]:
    if isinstance(obj, DealRegistration):
        cond = or_(ConflictCase.first_deal_id == obj.id, ConflictCase.second_deal_id == obj.id)
    else:
        cond = or_(ConflictCase.first_lead_id == obj.id, ConflictCase.second_lead_id == obj.id)
    stmt = select(ConflictCase).where(cond, ConflictCase.status == CaseStatus.OPEN)
    if exclude is not None:
        stmt = stmt.where(ConflictCase.id != exclude)
    return list(db.session.scalars(stmt))


def _reject(obj, actor) -> None:
    before = obj.status
    if isinstance(obj, DealRegistration):
        obj.status = DealStatus.REJECTED
        obj.rejection_reason = "conflict"
        obj.closed_at = clock.now()
        # The comment is the fixed word "conflict": the manager's reason may name the other party.
        audit.record(actor, "deal.rejected", obj, before={"status": before},
                     after={"status": "rejected"}, comment="conflict")
    else:
        obj.status = LeadStatus.REJECTED
        audit.record(actor, "lead.rejected", obj, before={"status": before},
                     after={"status": "rejected"}, comment="conflict")


def decide(actor, case: ConflictCase, decision: str, reason: str,
           seen_version: int | None = None) -> ConflictCase:
    """Decide an open case with a written reason; the loser is rejected with reason "conflict"."""
    if case.status != CaseStatus.OPEN:
        who = case.decided_by.name if case.decided_by else _l("the system")
        raise Conflict(_l("This case was already decided by %(name)s.", name=who))
    if seen_version is not None and seen_version != case.version_id:
        raise Conflict(_l("This case changed while you were looking at it; reload it."))
    check(actor, "conflict.decide", case)
    reason = (reason or "").strip()
    errors = {}
    if decision not in {d.value for d in Decision}:
        errors["decision"] = _l("Choose a decision.")
    if not reason:
        errors["reason"] = _l("Write the reason for the decision.")
    first, second = case.first, case.second
    lead_vs_deal = isinstance(first, DirectLead) != isinstance(second, DirectLead)
    if decision == Decision.CO_SELL and not lead_vs_deal:
        errors["decision"] = _l("Co-sell is for a direct lead meeting a dealer registration.")
    if errors:
        raise ValidationError(next(iter(errors.values())), errors)

    if decision == Decision.AWARD_EARLIER:
        winners, losers = [first], [second]
    elif decision == Decision.AWARD_LATER:
        winners, losers = [second], [first]
    else:
        winners, losers = [first, second], []

    case.status = CaseStatus.DECIDED
    case.decision = decision
    case.reason = reason
    case.decided_by_id = actor.id
    case.decided_at = clock.now()
    db.session.flush()  # the optimistic lock: a concurrent decision fails here

    for loser in losers:
        _reject(loser, actor)
        for other_case in _open_cases_of(loser, exclude=case.id):
            other_case.status = CaseStatus.WITHDRAWN
            other_case.reason = "party rejected in " + (case.number or "")
            other_case.decided_at = clock.now()
            audit.record(actor, "conflict.withdrawn", other_case, dealer_id=None)
            for party in (other_case.first, other_case.second):
                if party is not loser:
                    _release(party, actor, other_case)
    if decision == Decision.CO_SELL:
        deal = first if isinstance(first, DealRegistration) else second
        lead = second if deal is first else first
        deal.assisting_rep_id = lead.rep_id
        lead.status = LeadStatus.ASSISTING
        lead.assists_deal_id = deal.id
        audit.record(actor, "deal.co_sell", deal, after={"assisting_rep": lead.rep.name})
        audit.record(actor, "lead.assisting", lead, after={"deal": deal.number})
    if decision != Decision.NOT_A_CONFLICT and first.customer_id != second.customer_id:
        link_names(actor, first.customer, second.customer, "case")  # the desk teaches the matcher
    for winner in winners:
        _release(winner, actor, case)
        if isinstance(winner, DealRegistration):
            audit.record(actor, "deal.conflict_cleared", winner)
    audit.record(actor, "conflict.decided", case, dealer_id=None,
                 after={"decision": decision}, comment=reason)
    db.session.flush()
    _notify_outcome(case, winners, losers)
    return case


def _notify_outcome(case, winners, losers) -> None:
    for obj in winners:
        if isinstance(obj, DealRegistration):
            _notify_dealer(obj, "conflict_decided", N_(
                "The overlap review of registration %(number)s is closed: your registration "
                "proceeds."))
        else:
            notify([obj.rep], "conflict_decided", N_(
                "Conflict case %(case)s is decided: lead %(number)s proceeds."),
                f"/conflicts/{case.id}", case=case.number, number=obj.number)
    for obj in losers:
        if isinstance(obj, DealRegistration):
            _notify_dealer(obj, "conflict_decided", N_(
                "Registration %(number)s was rejected after the overlap review (conflict)."))
        else:
            notify([obj.rep], "conflict_decided", N_(
                "Conflict case %(case)s is decided: lead %(number)s was rejected."),
                f"/conflicts/{case.id}", case=case.number, number=obj.number)
    notify(channel_managers_of([case.region_id, case.other_region_id]), "conflict_decided",
           N_("Conflict case %(case)s is decided."), f"/conflicts/{case.id}", case=case.number)


def take_over(actor, case: ConflictCase) -> ConflictCase:
    """The director takes a case over: from now on only the director decides it."""
    check(actor, "conflict.take_over", case)
    if case.status != CaseStatus.OPEN:
        raise InvalidState(_l("Only an open case can be taken over."))
    case.assigned_to_id = actor.id
    db.session.flush()
    audit.record(actor, "conflict.taken_over", case, dealer_id=None)
    return case


# --- Possible overlaps (DESIGN §3.4.1) ------------------------------------------------------

def overlaps_query(actor):
    """Possible-overlap notices `actor` may see: a channel manager those touching its regions;
    the director and admins all; nobody else."""
    stmt = select(PossibleOverlap)
    if actor.role not in roles_of("overlap.decide"):
        return stmt.where(PossibleOverlap.id.is_(None))
    if sees_all_regions(actor):
        return stmt
    return stmt.where(or_(PossibleOverlap.region_id.in_(actor.region_ids),
                          PossibleOverlap.other_region_id.in_(actor.region_ids)))


def get_overlap_or_404(overlap_id, actor):
    return first_or_404(overlaps_query(actor), PossibleOverlap, overlap_id)


def _open_overlap(overlap):
    if overlap.status != OverlapStatus.OPEN:
        who = overlap.decided_by.name if overlap.decided_by else _l("the system")
        raise Conflict(_l("This notice was already handled by %(name)s.", name=who))


def _decide_overlap(actor, overlap, status, *, linked: bool) -> None:
    """Close `overlap` as `status` and record, by hand, whether its two customers are the same
    (`linked`), so the check reads that decision from now on."""
    overlap.status = status
    overlap.decided_by_id = actor.id
    overlap.decided_at = clock.now()
    a, b = sorted((overlap.customer_id, overlap.other_customer_id))
    link = db.session.scalar(select(CustomerLink).where(CustomerLink.a_id == a, CustomerLink.b_id == b))
    if link is None:
        link = CustomerLink(a_id=a, b_id=b)
        db.session.add(link)
    link.linked, link.source, link.changed_by_id = linked, "manual", actor.id
    db.session.flush()


def dismiss_overlap(actor, overlap, reason: str = ""):
    """Not the same customer: the notice closes and the two records are marked as different, so
    the check does not raise them again."""
    _open_overlap(overlap)
    _decide_overlap(actor, overlap, OverlapStatus.DISMISSED, linked=False)
    audit.record(actor, "overlap.dismissed", overlap, dealer_id=None,
                 comment=(reason or "").strip()[:500] or None)
    return overlap


def escalate_overlap(actor, overlap) -> list[ConflictCase]:
    """The same customer after all: the records are linked, the names become aliases of each
    other, and the check runs again for the submission — overlapping product lines open a case
    and hold it."""
    _open_overlap(overlap)
    record = overlap.record
    if str(record.status) not in ("submitted", "in_conflict", "approved"):
        raise Conflict(_l("The submission is no longer active; dismiss the notice instead."))
    _decide_overlap(actor, overlap, OverlapStatus.ESCALATED, linked=True)
    link_names(actor, overlap.customer, overlap.other_customer, "link")
    audit.record(actor, "overlap.escalated", overlap, dealer_id=None)
    cases = detect(actor, deal=overlap.deal) if overlap.deal else detect(actor, lead=overlap.lead)
    if cases and record.status in (DealStatus.SUBMITTED, LeadStatus.SUBMITTED):
        before = record.status
        record.status = DealStatus.IN_CONFLICT if overlap.deal else LeadStatus.IN_CONFLICT
        audit.record(None, "deal.held" if overlap.deal else "lead.held", record,
                     before={"status": str(before)}, after={"status": "in_conflict"})
    db.session.flush()
    return cases
