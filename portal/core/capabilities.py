"""Who may do what, named once: each capability with the roles that hold it and the rule an
object must meet (after warehouse's `Permissions` and `__acl__`).

- a route declares its capability: `@requires("order.confirm")` admits the capability's roles
  exactly as `@roles_required` does, so the navigation and the route × role matrix read it;
- a service checks it on the object: `check(actor, "order.confirm", order)` raises
  `PermissionDenied` with the capability's message;
- a template asks `can("order.confirm", order)` and never names a role.

Object rules read plain attributes, so core needs no domain's models:
`REGION` — a regional role (sales rep, channel manager) only for `obj.region_id` in its regions;
`OWN_RECORDS` — a dealer admin for its dealer's objects, a dealer salesperson for those it
created (`obj.dealer_id`, `obj.created_by_id`); head office by role alone.
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

CAPABILITIES: dict[str, Capability] = {c.name: c for c in [
    Capability("deal.approve", _HEAD_OFFICE_DECIDERS, Rule.REGION,
               _l("Only a channel manager decides registrations."),
               _l("This registration is outside your regions.")),
    Capability("order.confirm", (Role.CHANNEL_MANAGER, Role.SALES_DIRECTOR), Rule.REGION,
               _l("Only a channel manager confirms orders."),
               _l("This order is outside your regions.")),
    Capability("order.register", tuple(sorted(DEALER_ROLES)), Rule.OWN_RECORDS,
               _l("You do not have access to this page.")),
    Capability("customer.view", (*sorted(DEALER_ROLES), Role.SALES_REP, *_HEAD_OFFICE_DECIDERS),
               Rule.ANY, _l("You do not have access to this page.")),
    Capability("lead.record", (Role.SALES_REP,), Rule.ANY, _l("Only direct sales reps record leads.")),
    Capability("rebate.run", (Role.FINANCE,), Rule.ANY, _l("Only finance runs rebate programs.")),
    Capability("program.edit", (Role.FINANCE,), Rule.ANY, _l("You do not have access to this page.")),
    Capability("statement.pay", (Role.FINANCE,), Rule.ANY, _l("Only finance runs rebate programs.")),
    Capability("program.review", (Role.FINANCE, Role.SALES_DIRECTOR, Role.ADMIN), Rule.ANY,
               _l("You do not have access to this page.")),
    # Dealer scorecards (DESIGN §3.8). Which dealers each role sees is the scorecards' scope
    # (a dealer administrator its own, a channel manager its regions', head office every one).
    Capability("scorecard.view", (Role.DEALER_ADMIN, Role.CHANNEL_MANAGER, Role.SALES_DIRECTOR,
                                  Role.FINANCE, Role.ADMIN), Rule.ANY,
               _l("You do not have access to this page.")),
    Capability("scorecard.view_all", (Role.CHANNEL_MANAGER, Role.SALES_DIRECTOR, Role.FINANCE,
                                      Role.ADMIN), Rule.REGION,
               _l("You do not have access to this page.")),
    Capability("target.edit", (Role.CHANNEL_MANAGER, Role.SALES_DIRECTOR, Role.ADMIN), Rule.REGION,
               _l("You do not have access to this page.")),
    Capability("scorecard.policy", (Role.ADMIN,), Rule.ANY,
               _l("You do not have access to this page.")),
]}


def capability(name: str) -> Capability:
    return CAPABILITIES[name]


def roles_of(name: str) -> tuple[Role, ...]:
    """The roles that hold capability `name` (for `@roles_required` and forms' role lists)."""
    return CAPABILITIES[name].roles


def _meets(actor, rule: Rule, obj) -> bool:
    if obj is None or rule == Rule.ANY:
        return True
    if rule == Rule.REGION:
        return actor.role not in REGIONAL_ROLES or obj.region_id in actor.region_ids
    if rule == Rule.OWN_RECORDS:
        if actor.role not in DEALER_ROLES:
            return True
        return obj.dealer_id == actor.dealer_id and (
            actor.role == Role.DEALER_ADMIN or obj.created_by_id == actor.id)
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
    return roles_required(*CAPABILITIES[name].roles)
