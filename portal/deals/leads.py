"""Direct leads (直销线索) of the vendor's reps: scope, recording (with the conflict check, like a
submission) and closing."""
from __future__ import annotations

from flask import abort
from sqlalchemy import select

from portal.catalog.models import ProductLine
from portal.core import audit, clock
from portal.core.capabilities import check
from portal.core.errors import InvalidState, ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.core.parse import to_id
from portal.core.permissions import Role, is_dealer, sees_all_regions
from portal.deals import signals
from portal.deals.models import ACTIVE_LEAD_STATES, Customer, DirectLead, LeadLine, LeadStatus
from portal.extensions import db


def leads_query(actor):
    stmt = select(DirectLead)
    if actor.role == Role.SALES_REP:
        return stmt.where(DirectLead.rep_id == actor.id)
    if sees_all_regions(actor):
        return stmt
    return stmt.where(DirectLead.region_id.in_(actor.region_ids))


def get_lead_or_404(lead_id, actor) -> DirectLead:
    if is_dealer(actor):
        abort(404)
    lead = db.session.scalar(leads_query(actor).where(DirectLead.id == (to_id(lead_id) or 0)))
    if lead is None:
        abort(404)
    return lead


def create_lead(actor, customer: Customer, project_name: str, line_ids: list[int],
                estimated_value_fen: int = 0, notes: str = "", region_id: int | None = None):
    """A rep records a lead; it is checked for conflicts at once, like a submission."""
    check(actor, "lead.record")
    errors = {}
    project_name = (project_name or "").strip()
    if not project_name:
        errors["project_name"] = _l("Enter the project name.")
    known = {pl.id for pl in db.session.scalars(select(ProductLine))}
    line_ids = sorted({to_id(i) for i in line_ids if to_id(i) in known})
    if not line_ids:
        errors["lines"] = _l("Choose at least one product line.")
    region_id = region_id if region_id in actor.region_ids else (
        customer.region_id if customer.region_id in actor.region_ids else
        (actor.region_ids[0] if actor.region_ids else None))
    if region_id is None:
        errors["region_id"] = _l("You have no region; ask an administrator.")
    if errors:
        raise ValidationError(_l("Please correct the marked fields."), errors)
    lead = DirectLead(rep_id=actor.id, customer_id=customer.id, region_id=region_id,
                      project_name=project_name[:200], estimated_value_fen=estimated_value_fen,
                      notes=(notes or "")[:5000], status=LeadStatus.SUBMITTED,
                      submitted_at=clock.now())
    lead.customer = customer
    lead.lines = [LeadLine(line_id=i) for i in line_ids]
    db.session.add(lead)
    db.session.flush()
    lead.number = f"L{clock.today().year}-{lead.id:05d}"
    audit.record(actor, "lead.created", lead, after={"project": lead.project_name})
    cases = signals.collect(signals.record_submitted, actor, lead=lead)
    if cases:
        lead.status = LeadStatus.IN_CONFLICT
        audit.record(None, "lead.held", lead, after={"status": "in_conflict"})
    db.session.flush()
    return lead, cases


def close_lead(actor, lead: DirectLead, reason: str = "") -> DirectLead:
    check(actor, "lead.close", lead)
    if lead.status not in ACTIVE_LEAD_STATES and lead.status != LeadStatus.ASSISTING:
        raise InvalidState(_l("This lead is already closed."))
    before = lead.status
    lead.status = LeadStatus.CLOSED
    db.session.flush()
    audit.record(actor, "lead.closed", lead, before={"status": before},
                 after={"status": "closed"}, comment=(reason or "").strip() or None)
    return lead
