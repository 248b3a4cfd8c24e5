"""The kinds of work that await a head-office user's decision, and what each kind reads (DESIGN §3.9).

Six kinds — registrations, extension requests, price-exception steps, conflict cases, orders to
confirm and possible overlaps — each read by one SELECT on the indexes of its own list, returning
only what the inbox shows of an item (`COLUMNS`). Each kind is "awaiting" by the same rule its
domain decides by:

- a channel manager: submitted registrations, pending extension requests, orders to confirm and
  open possible overlaps of its regions; exception steps of its regions open for the channel
  manager; open conflict cases touching its regions that no director took over;
- the sales director: exception steps open for the director; conflict cases it took over;
- finance: exception steps open for finance.

Due time = the moment the item started waiting + the kind's SLA in business days (settings
`inbox_*_business_days`; a conflict case uses `conflict_flag_business_days`, an exception step
the target of its row of the approval matrix); see `portal.inbox.due`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Integer,
    String,
    cast,
    func,
    literal,
    null,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from portal.accounts.models import Dealer, Region
from portal.conflicts.models import CaseStatus, ConflictCase, OverlapStatus, PossibleOverlap
from portal.core.i18n import lazy_gettext as _l
from portal.core.permissions import Role
from portal.core.settings import setting_value
from portal.deals.models import (
    Customer,
    DealExtension,
    DealRegistration,
    DealStatus,
    DirectLead,
)
from portal.orders.models import OrderStatus, SalesOrder
from portal.pricing.models import (
    ExceptionStatus,
    PriceException,
    PriceExceptionStep,
    StepStatus,
)

#: Roles that have an inbox.
INBOX_ROLES = (Role.CHANNEL_MANAGER, Role.SALES_DIRECTOR, Role.FINANCE)

REGISTRATION, EXTENSION, EXCEPTION, CONFLICT, ORDER, OVERLAP = (
    "registration", "extension", "exception", "conflict", "order", "overlap")

#: kind → (label, SLA setting); display order of the kind filter.
KINDS = {
    REGISTRATION: (_l("Registration"), "inbox_registration_business_days"),
    EXTENSION: (_l("Extension request"), "inbox_extension_business_days"),
    EXCEPTION: (_l("Price exception step"), None),  # the approval matrix's target per step
    CONFLICT: (_l("Conflict case"), "conflict_flag_business_days"),
    ORDER: (_l("Order to confirm"), "inbox_order_business_days"),
    OVERLAP: (_l("Possible overlap"), "inbox_overlap_business_days"),
}
#: Kinds a bulk action may decide: the decision needs no reading of the item.
BULK_KINDS = (REGISTRATION, EXTENSION, ORDER, EXCEPTION)

COLUMNS = ("kind", "id", "step_id", "number", "dealer_id", "dealer_code", "dealer_name",
           "region_id", "region_zh", "region_en", "title", "value_fen", "since", "sla_days")


@dataclass(frozen=True)
class Item:
    """One waiting item as the inbox shows it."""

    kind: str
    id: int
    step_id: int | None
    number: str | None
    dealer_id: int | None
    dealer_code: str | None
    dealer_name: str | None
    region_id: int | None
    region_zh: str | None
    region_en: str | None
    title: str | None
    value_fen: int | None
    since: datetime | None
    sla_days: int
    due: datetime | None

    @property
    def key(self) -> str:
        """The value a bulk form sends for the item: `kind:id`, or `exception:id:step` (the step
        decided, so that a step that moved on is not decided by a stale form)."""
        return f"{self.kind}:{self.id}:{self.step_id}" if self.step_id else f"{self.kind}:{self.id}"

    @property
    def bulk(self) -> bool:
        return self.kind in BULK_KINDS

    def overdue(self, now: datetime) -> bool:
        return self.due is not None and self.due < now


def _row(kind, *, id, number, dealer_id, region_id, title, value_fen, since, step_id=None,
         sla_days=None):

    if sla_days is None:  # the kind's setting, read with the rows
        sla_days = setting_value(KINDS[kind][1])

    return [literal(kind, String).label("kind"), id.label("id"),
            (step_id if step_id is not None else cast(null(), Integer)).label("step_id"),
            number.label("number"), dealer_id.label("dealer_id"),
            Dealer.code.label("dealer_code"), Dealer.name.label("dealer_name"),
            region_id.label("region_id"), Region.name_zh.label("region_zh"),
            Region.name_en.label("region_en"),
            title.label("title"), value_fen.label("value_fen"), since.label("since"),
            cast(sla_days, Integer).label("sla_days")]


def _joined(stmt, dealer_id, region_id):
    return (stmt.outerjoin(Dealer, Dealer.id == dealer_id)
            .outerjoin(Region, Region.id == region_id))


def _in_regions(actor, *columns):
    return or_(*(column.in_(actor.region_ids) for column in columns))


def part_statements(actor) -> dict:
    """kind → the SELECT of the items of that kind awaiting `actor` (the `COLUMNS`), empty for a
    role without an inbox. Uses only `actor.role`, `.id` and `.region_ids`, so it works with the
    dashboard's bound-parameter stand-in for the user."""

    role = actor.role
    if role not in INBOX_ROLES:
        return {}
    cm = role == Role.CHANNEL_MANAGER
    parts = {}
    deal = DealRegistration
    if cm:
        parts[REGISTRATION] = (_joined(select(*_row(
            REGISTRATION, id=deal.id, number=deal.number, dealer_id=deal.dealer_id,
            region_id=deal.region_id, title=deal.project_name, value_fen=deal.estimated_value_fen,
            since=deal.submitted_at)), deal.dealer_id, deal.region_id)
            .where(deal.status == DealStatus.SUBMITTED, deal.region_id.in_(actor.region_ids)))
        parts[EXTENSION] = (_joined(select(*_row(
            EXTENSION, id=deal.id, number=deal.number, dealer_id=deal.dealer_id,
            region_id=deal.region_id, title=deal.project_name, value_fen=deal.estimated_value_fen,
            since=DealExtension.requested_at)).select_from(DealExtension)
            .join(deal, deal.id == DealExtension.deal_id), deal.dealer_id, deal.region_id)
            .where(DealExtension.status == "pending", deal.region_id.in_(actor.region_ids)))
        order = SalesOrder
        parts[ORDER] = (_joined(select(*_row(
            ORDER, id=order.id, number=order.number, dealer_id=order.dealer_id,
            region_id=order.region_id, title=order.customer_name, value_fen=order.total_fen,
            since=order.created_at)), order.dealer_id, order.region_id)
            .where(order.status == OrderStatus.SUBMITTED, order.region_id.in_(actor.region_ids)))
        ov, ov_deal, ov_lead = PossibleOverlap, aliased(DealRegistration), aliased(DirectLead)
        parts[OVERLAP] = (_joined(select(*_row(
            OVERLAP, id=ov.id, number=func.coalesce(ov_deal.number, ov_lead.number),
            dealer_id=ov_deal.dealer_id, region_id=ov.region_id, title=Customer.name,
            value_fen=ov_deal.estimated_value_fen, since=ov.created_at)).select_from(ov)
            .outerjoin(ov_deal, ov_deal.id == ov.deal_id)
            .outerjoin(ov_lead, ov_lead.id == ov.lead_id)
            .join(Customer, Customer.id == ov.customer_id), ov_deal.dealer_id, ov.region_id)
            .where(ov.status == OverlapStatus.OPEN,
                   _in_regions(actor, ov.region_id, ov.other_region_id)))
    exc, step, exc_deal = PriceException, PriceExceptionStep, aliased(DealRegistration)
    exceptions = (_joined(select(*_row(
        EXCEPTION, id=exc.id, step_id=step.id, number=exc.number, dealer_id=exc.dealer_id,
        region_id=exc.region_id, title=exc_deal.project_name, value_fen=exc.total_requested_fen,
        since=func.coalesce(step.started_at, exc.submitted_at), sla_days=step.target_business_days))
        .select_from(exc)
        .join(step, (step.exception_id == exc.id) & (step.round == exc.round)
              & (step.seq == exc.current_step))
        .join(exc_deal, exc_deal.id == exc.deal_id), exc.dealer_id, exc.region_id)
        .where(exc.status == ExceptionStatus.PENDING, exc.current_role == str(role),
               step.status == StepStatus.PENDING))
    if cm:
        exceptions = exceptions.where(exc.region_id.in_(actor.region_ids))
    parts[EXCEPTION] = exceptions
    if role in (Role.CHANNEL_MANAGER, Role.SALES_DIRECTOR):
        case, first, second = ConflictCase, aliased(DealRegistration), aliased(DealRegistration)
        first_lead = aliased(DirectLead)
        case_customer = aliased(Customer)
        cases = (_joined(select(*_row(
            CONFLICT, id=case.id, number=case.number,
            dealer_id=func.coalesce(first.dealer_id, second.dealer_id), region_id=case.region_id,
            title=case_customer.name,
            value_fen=func.coalesce(first.estimated_value_fen, second.estimated_value_fen),
            since=case.opened_at)).select_from(case)
            .outerjoin(first, first.id == case.first_deal_id)
            .outerjoin(second, second.id == case.second_deal_id)
            .outerjoin(first_lead, first_lead.id == case.first_lead_id)
            .outerjoin(case_customer, case_customer.id == func.coalesce(
                first.customer_id, first_lead.customer_id, second.customer_id)),
            func.coalesce(first.dealer_id, second.dealer_id), case.region_id)
            .where(case.status == CaseStatus.OPEN))
        if cm:
            cases = cases.where(case.assigned_to_id.is_(None),
                                _in_regions(actor, case.region_id, case.other_region_id))
        else:
            cases = cases.where(case.assigned_to_id == actor.id)
        parts[CONFLICT] = cases
    return parts
