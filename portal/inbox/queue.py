"""What awaits one head-office user's decision, across the domains (DESIGN §3.9).

Six kinds of work — registrations, extension requests, price-exception steps, conflict cases,
orders to confirm and possible overlaps — are read in ONE statement (a UNION ALL of one SELECT per
kind, each on the indexes its own list uses) that returns only what the inbox shows of each item.
Each kind is "awaiting" by the same rule its domain decides by:

- a channel manager: submitted registrations, pending extension requests, orders to confirm and
  open possible overlaps of its regions; exception steps of its regions open for the channel
  manager; open conflict cases touching its regions that no director took over;
- the sales director: exception steps open for the director; conflict cases it took over;
- finance: exception steps open for finance.

Due time = the moment the item started waiting + the kind's SLA in business days (settings
`inbox_*_business_days`; a conflict case uses `conflict_flag_business_days`, an exception step
the target of its row of the approval matrix). Business days do not fit into SQL on both
databases, so the (small) set of waiting items is sorted and paged here; the statement is built
from the actor's role, id and regions only, so it also serves as a dashboard figure.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    bindparam,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from portal.accounts.models import Dealer, Region
from portal.conflicts.models import CaseStatus, ConflictCase, OverlapStatus, PossibleOverlap
from portal.core import clock
from portal.core.cache import per_app
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
from portal.extensions import db
from portal.main.dashboard import ActorParams
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
BULK_KINDS = (REGISTRATION, ORDER, EXCEPTION)

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


def _filtered(kind: str, stmt, shape: tuple, *, lean: bool = False):
    """The kind's statement as a subquery, limited by the filters named in `shape` (their values
    are bound parameters), or None when the filters leave the kind out. `lean`: only the columns
    the filters read (a count: the joins for names drop out of the plan)."""
    kind_filter, names, id_kinds = shape
    if lean:
        keep = {"id", "region_id", "value_fen"} | (
            {"dealer_code", "dealer_name"} if "dealer" in names else set())
        stmt = stmt.with_only_columns(*[c for c in stmt.selected_columns if c.key in keep],
                                      maintain_column_froms=True)
    sub = stmt.subquery(kind)
    query = select(sub)
    if kind_filter and kind_filter != kind or id_kinds is not None and kind not in id_kinds:
        return sub, None
    if "dealer" in names:
        query = query.where(or_(func.lower(sub.c.dealer_code) == bindparam("f_dealer_lower"),
                                sub.c.dealer_name.like(bindparam("f_dealer_like"), escape="\\")))
    if "region" in names:
        query = query.where(sub.c.region_id == bindparam("f_region", type_=Integer))
    if "min" in names:
        query = query.where(sub.c.value_fen >= bindparam("f_min", type_=BigInteger))
    if "max" in names:
        query = query.where(sub.c.value_fen <= bindparam("f_max", type_=BigInteger))
    if id_kinds is not None:
        query = query.where(sub.c.id.in_(bindparam(f"ids_{kind}", type_=Integer, expanding=True)))
    return sub, query


def _shape(filters: dict | None) -> tuple:
    filters = filters or {}
    names = tuple(n for n in ("dealer", "region", "min", "max") if filters.get(n) not in (None, ""))
    ids = filters.get("ids")
    return (filters.get("kind") or "", names, tuple(sorted(ids)) if ids is not None else None)


def _params(actor, filters: dict | None) -> dict:
    """The bound values: the user's, and the filters'."""
    filters = filters or {}
    params = {"actor_id": actor.id, "actor_region_ids": list(actor.region_ids)
              if actor.role == Role.CHANNEL_MANAGER else []}
    if filters.get("dealer"):
        needle = filters["dealer"]
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.update(f_dealer_lower=needle.lower(), f_dealer_like=f"%{escaped}%")
    for name in ("region", "min", "max"):
        if filters.get(name) is not None:
            params[f"f_{name}"] = filters[name]
    for kind, ids in (filters.get("ids") or {}).items():
        params[f"ids_{kind}"] = ids
    return params


def _cached(role, what: str, shape: tuple, build):
    """Statements are built once per role, filter shape and process (building them costs more
    than running them); the user's values and the filters' are bound parameters."""

    cache = per_app("inbox")
    key = (str(role), what, shape)
    if key not in cache:

        cache[key] = build(part_statements(ActorParams(role)))
    return cache[key]


#: The navigation counts at most this many of each kind (a badge says "99+"); a kind of a large
#: region holds ten thousand waiting registrations, and counting them on every page is not free.
NAV_CAP = 100


def _count_of(parts: dict, shape: tuple, cap: str | None = None):
    """The sum of each kind's count; with `cap` (a parameter name), each kind counts at most
    that many rows."""
    counts = [select(func.count()).select_from(
        (query.limit(bindparam(cap, type_=Integer)) if cap else query).subquery()).scalar_subquery()
              for kind, stmt in parts.items()
              for _sub, query in [_filtered(kind, stmt, shape, lean=True)] if query is not None]
    if not counts:
        return literal(0, Integer)
    total = counts[0]
    for count in counts[1:]:
        total = total + count
    return total


def count_statement(actor, filters: dict | None = None):
    """`count(*)` of the waiting items (matching `filters`) as a scalar subquery, or None for a
    role without an inbox (the dashboard's figure: built from its stand-in for the user)."""
    parts = part_statements(actor)
    return _count_of(parts, _shape(filters)) if parts else None


def count(actor, filters: dict | None = None, *, upto: int | None = None):
    """How many items await `actor`, each kind counted up to NAV_CAP; with `upto`, also how
    many match `filters`, each kind counted up to `upto`: (matching, all)."""

    if actor.role not in INBOX_ROLES:
        return (0, 0) if upto else 0
    shape = _shape(filters)
    params = {**_params(actor, filters), "nav_cap": NAV_CAP}
    if upto:
        stmt = _cached(actor.role, "count2", shape, lambda parts: select(
            _count_of(parts, shape, "f_cap").label("shown"),
            _count_of(parts, _shape(None), "nav_cap").label("all")))
        return tuple(x or 0 for x in db.session.execute(stmt, {**params, "f_cap": upto}).one())
    stmt = _cached(actor.role, "count", (), lambda parts: select(
        _count_of(parts, _shape(None), "nav_cap").label("n")))
    return db.session.execute(stmt, params).scalar() or 0


def due_after(since: datetime, days: int) -> datetime:
    """`clock.add_business_days` in closed form (the inbox computes it for every item read):
    `days` business days (Mon–Fri, Asia/Shanghai) after `since`, at the same time of day."""
    if days <= 0:
        return since
    weekday = since.astimezone(clock.SHANGHAI).weekday()
    weeks, rest = divmod(days, 5)
    if weekday <= 4:
        ahead = 7 * weeks + rest + (2 if weekday + rest >= 5 else 0)
    else:  # from a Saturday or Sunday: as from the Friday before, less the weekend days gone
        ahead = 7 * weeks + rest + (2 if rest else 0) - (weekday - 4)
    return since + timedelta(days=ahead)


def _items(rows, skip: int = 0, upto: int | None = None) -> list[Item]:
    """Items of the rows, soonest due first; only those from `skip` to `upto` are built."""
    far = datetime.max.replace(tzinfo=UTC)
    order = list(KINDS)
    keyed = []
    for row in rows:
        since = row.since
        if since is not None and since.tzinfo is None:  # SQLite loses the zone in a UNION
            since = since.replace(tzinfo=UTC)
        days = int(row.sla_days or 0)
        due = due_after(since, days) if since is not None else None
        keyed.append((due or far, order.index(row.kind), row.id, row, since, days, due))
    keyed.sort(key=lambda k: k[:3])
    items = []
    for *_key, row, since, days, due in keyed[skip:upto]:
        data = dict(zip(COLUMNS, row, strict=True))
        data.update(since=since, sla_days=days)
        items.append(Item(**data, due=due))
    return items


def _read(actor, filters: dict | None, limit: int | None, skip: int = 0) -> list[Item]:
    """The items matching `filters`, soonest due first; with `limit`, only the first `limit`.

    Within a kind the due time grows with the start of waiting (one SLA for all items of the
    kind), so the first `limit` items overall are among the first `limit` of each kind by start:
    each kind is read in that order with LIMIT, in one UNION ALL, and merged here by due time.
    Exception steps have a target of their own each, so their kind is read whole (few waiting).
    """

    if actor.role not in INBOX_ROLES:
        return []
    shape = _shape(filters)

    def build(parts):
        selects = []
        for kind, stmt in parts.items():
            sub, query = _filtered(kind, stmt, shape)
            if query is None:
                continue
            if limit is not None and kind != EXCEPTION:
                query = select(query.order_by(sub.c.since, sub.c.id)
                               .limit(bindparam("f_limit", type_=Integer)).subquery(kind + "_top"))
            selects.append(query)
        if not selects:
            return None
        return union_all(*selects) if len(selects) > 1 else selects[0]

    stmt = _cached(actor.role, "items" if limit is None else "first", shape, build)
    if stmt is None:
        return []
    params = _params(actor, filters)
    if limit is not None:
        params["f_limit"] = limit
    return _items(db.session.execute(stmt, params).all(), skip, limit)


def awaiting(actor, filters: dict | None = None) -> list[Item]:
    """Every item awaiting `actor` that matches `filters`, soonest due first."""
    return _read(actor, filters, None)


def first_due(actor, filters: dict | None, upto: int, skip: int = 0) -> list[Item]:
    """The items awaiting `actor` from the `skip`th to the `upto`th, soonest due first (a page)."""
    return _read(actor, filters, upto, skip)


def awaiting_keys(actor, keys: list[tuple[str, int]]) -> dict[str, Item]:
    """Of the (kind, id) given, the items that await `actor`, by their key."""
    ids: dict[str, list[int]] = {}
    for kind, id_ in keys:
        ids.setdefault(kind, []).append(id_)
    if not ids:
        return {}
    items = awaiting(actor, {"kind": "", "ids": ids})
    return {item.key: item for item in items}
