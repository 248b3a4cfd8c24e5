"""Who may do what, named once: each capability with the roles that hold it and the rule an
object must meet (after warehouse's `Permissions` and `__acl__`).

- a route declares its capability: `@requires("order.confirm")` admits the capability's roles
  exactly as `@roles_required` does, so the navigation and the route × role matrix read it;
- a service checks it on the object: `check(actor, "order.confirm", order)` raises
  `PermissionDenied` with the capability's message;
- a template asks `can("order.confirm", order)` and never names a role.

Object rules read plain attributes, so core needs no domain's models:
`REGION` — a regional role (sales rep, channel manager) only for an object of its regions
(`obj.region_id`, or `obj.other_region_id` for what touches two regions): "the channel manager
of this region" is this rule and `portal.accounts.recipients.channel_managers_of`, nowhere else;
`OWN_RECORDS` — a dealer admin for its dealer's objects, a dealer salesperson for those it
created (`obj.dealer_id`, `obj.created_by_id`), a regional role by `REGION`; the others by role;
`OWN_DEALER` — a dealer user for its dealer's objects (`obj.dealer_id`), a regional role by
`REGION`; the others by role;
`REP` — a sales rep only for its own leads (`obj.rep_id`); the others by role;
`STEP_HOLDER` — the holder of the current approval step (`obj.status == "pending"` and
`obj.current_role` is the actor's role), a regional role only in the object's region;
`CASE_HOLDER` — once a case is assigned (`obj.assigned_to_id`), its assignee or an admin; before
that a regional role by `REGION`, the others by role.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from portal.core.errors import PermissionDenied
from portal.core.i18n import lazy_gettext as _l
from portal.core.permissions import DEALER_ROLES, REGIONAL_ROLES, Role, roles_required


class Rule(StrEnum):
    ANY = "any"
    REGION = "region"
    OWN_RECORDS = "own_records"
    OWN_DEALER = "own_dealer"
    REP = "rep"
    STEP_HOLDER = "step_holder"
    CASE_HOLDER = "case_holder"


@dataclass(frozen=True)
class Capability:
    name: str
    roles: tuple[Role, ...]
    rule: Rule
    #: Said when the actor's role does not hold the capability.
    denied: object
    #: Said when the role holds it but the object is outside the rule.
    outside: object = None


_HEAD_OFFICE_DECIDERS = (Role.CHANNEL_MANAGER, Role.SALES_DIRECTOR, Role.ADMIN)
_DEALERS = tuple(sorted(DEALER_ROLES))
_NO_ACCESS = _l("You do not have access to this page.")

CAPABILITIES: dict[str, Capability] = {c.name: c for c in [
    # registrations, leads, customers
    Capability("deal.view", (*_DEALERS, Role.SALES_REP, *_HEAD_OFFICE_DECIDERS, Role.FINANCE),
               Rule.OWN_RECORDS, _NO_ACCESS),
    Capability("deal.approve", _HEAD_OFFICE_DECIDERS, Rule.REGION,
               _l("Only a channel manager decides registrations."),
               _l("This registration is outside your regions.")),
    Capability("lead.record", (Role.SALES_REP,), Rule.ANY, _l("Only direct sales reps record leads.")),
    Capability("lead.close", (Role.SALES_REP, Role.SALES_DIRECTOR, Role.ADMIN), Rule.REP,
               _l("Only the lead's rep can close it.")),
    Capability("customer.view", (*_DEALERS, Role.SALES_REP, *_HEAD_OFFICE_DECIDERS),
               Rule.ANY, _NO_ACCESS),
    Capability("customer.link", _HEAD_OFFICE_DECIDERS, Rule.ANY, _NO_ACCESS),
    # conflicts
    Capability("conflict.decide", _HEAD_OFFICE_DECIDERS, Rule.CASE_HOLDER,
               _l("You cannot decide this case.")),
    Capability("conflict.take_over", (Role.SALES_DIRECTOR,), Rule.ANY,
               _l("Only the sales director takes cases over.")),
    Capability("overlap.decide", _HEAD_OFFICE_DECIDERS, Rule.REGION, _NO_ACCESS),
    # price exceptions
    Capability("exception.decide", (Role.CHANNEL_MANAGER, Role.SALES_DIRECTOR, Role.FINANCE),
               Rule.STEP_HOLDER, _l("This step is for another approver.")),
    #: Approving below the floor price asks this approver for a written reason.
    Capability("exception.approve_below_floor", (Role.SALES_DIRECTOR,), Rule.ANY, _NO_ACCESS),
    # orders
    Capability("order.confirm", (Role.CHANNEL_MANAGER, Role.SALES_DIRECTOR), Rule.REGION,
               _l("Only a channel manager confirms orders."),
               _l("This order is outside your regions.")),
    Capability("order.register", _DEALERS, Rule.OWN_RECORDS, _NO_ACCESS),
    Capability("order.cancel", _DEALERS, Rule.OWN_RECORDS, _l("Only the dealer cancels its orders.")),
    Capability("order.return", (Role.CHANNEL_MANAGER, Role.FINANCE), Rule.REGION,
               _l("Only the channel manager of the order's region or finance records returns."),
               _l("This order is outside your regions.")),
    # rebates
    Capability("rebate.run", (Role.FINANCE,), Rule.ANY, _l("Only finance runs rebate programs.")),
    Capability("program.edit", (Role.FINANCE,), Rule.ANY, _NO_ACCESS),
    Capability("statement.pay", (Role.FINANCE,), Rule.ANY, _l("Only finance runs rebate programs.")),
    Capability("statement.download", (*_DEALERS, *_HEAD_OFFICE_DECIDERS, Role.FINANCE),
               Rule.OWN_DEALER, _NO_ACCESS),
    Capability("program.review", (Role.FINANCE, Role.SALES_DIRECTOR, Role.ADMIN), Rule.ANY,
               _NO_ACCESS),
    # administration
    Capability("admin.manage", (Role.ADMIN,), Rule.ANY, _NO_ACCESS),
    # Dealer scorecards (DESIGN §3.8). Which dealers each role sees is the scorecards' scope
    # (a dealer administrator its own, a channel manager its regions', head office every one).
    Capability("scorecard.view", (Role.DEALER_ADMIN, Role.CHANNEL_MANAGER, Role.SALES_DIRECTOR,
                                  Role.FINANCE, Role.ADMIN), Rule.ANY, _NO_ACCESS),
    Capability("scorecard.view_all", (Role.CHANNEL_MANAGER, Role.SALES_DIRECTOR, Role.FINANCE,
                                      Role.ADMIN), Rule.REGION, _NO_ACCESS),
    Capability("target.edit", (Role.CHANNEL_MANAGER, Role.SALES_DIRECTOR, Role.ADMIN), Rule.REGION,
               _NO_ACCESS),
    Capability("scorecard.policy", (Role.ADMIN,), Rule.ANY, _NO_ACCESS),
]}


def capability(name: str) -> Capability:
    return CAPABILITIES[name]


def roles_of(name: str) -> tuple[Role, ...]:
    """The roles that hold capability `name` (for `@roles_required` and forms' role lists)."""
    return CAPABILITIES[name].roles


def in_regions(actor, obj) -> bool:
    """Whether `obj` lies in one of `actor`'s regions (`region_id`, or `other_region_id` for what
    touches two): "the channel manager of this region", for every regional role."""
    regions = set(actor.region_ids)
    return obj.region_id in regions or getattr(obj, "other_region_id", None) in regions - {None}


def _by_region(actor, obj) -> bool:
    return actor.role not in REGIONAL_ROLES or in_regions(actor, obj)


def _meets(actor, rule: Rule, obj) -> bool:
    if obj is None or rule == Rule.ANY:
        return True
    if rule == Rule.REGION:
        return _by_region(actor, obj)
    if rule in (Rule.OWN_RECORDS, Rule.OWN_DEALER):
        if actor.role not in DEALER_ROLES:
            return _by_region(actor, obj)
        return obj.dealer_id == actor.dealer_id and (
            rule == Rule.OWN_DEALER or actor.role == Role.DEALER_ADMIN
            or obj.created_by_id == actor.id)
    if rule == Rule.REP:
        return actor.role != Role.SALES_REP or obj.rep_id == actor.id
    if rule == Rule.STEP_HOLDER:
        return obj.status == "pending" and obj.current_role == actor.role and \
            _by_region(actor, obj)
    if rule == Rule.CASE_HOLDER:
        if obj.assigned_to_id is not None:
            return obj.assigned_to_id == actor.id or actor.role == Role.ADMIN
        return _by_region(actor, obj)
    raise ValueError(f"unknown rule {rule!r}")


def can(actor, name: str, obj=None) -> bool:
    """Whether `actor` holds capability `name`, on `obj` when one is given."""
    cap = CAPABILITIES[name]
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role not in cap.roles:
        return False
    return _meets(actor, cap.rule, obj)


def check(actor, name: str, obj=None) -> None:
    """Raise `PermissionDenied` unless `actor` holds capability `name` (on `obj`)."""
    cap = CAPABILITIES[name]
    if actor.role not in cap.roles:
        raise PermissionDenied(cap.denied)
    if not _meets(actor, cap.rule, obj):
        raise PermissionDenied(cap.outside or cap.denied)


def requires(name: str):
    """Route decorator: the roles of capability `name`, checked and declared like
    `@roles_required` (anonymous → login, another role → 403)."""
    decorator = roles_required(*CAPABILITIES[name].roles)

    def declare(view):
        wrapped = decorator(view)
        wrapped.capability = name  # read by the route × role matrix test
        return wrapped

    return declare
