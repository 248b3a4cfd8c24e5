"""Who may do what: roles on routes, scope in queries.

Role checks sit on the route (`@roles_required`); ownership checks sit in the query
(`scope_owned`, `scope_region`, and the `get_*_or_404` loaders of each domain). Both are
required (OWASP ASVS 5.0 §8.2.1, §8.2.2). A dealer user asking for another dealer's object gets
404, never 403: it must not learn that the object exists.
"""
from __future__ import annotations

from enum import StrEnum
from functools import wraps

from flask import abort, current_app
from flask_login import current_user

from portal.core.i18n import lazy_gettext as _l
from portal.core.parse import to_id
from portal.extensions import db, login_manager


class Role(StrEnum):
    DEALER_ADMIN = "dealer_admin"
    DEALER_SALES = "dealer_sales"
    SALES_REP = "sales_rep"
    CHANNEL_MANAGER = "channel_manager"
    SALES_DIRECTOR = "sales_director"
    FINANCE = "finance"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.DEALER_ADMIN: _l("Dealer administrator"),
    Role.DEALER_SALES: _l("Dealer salesperson"),
    Role.SALES_REP: _l("Direct sales rep"),
    Role.CHANNEL_MANAGER: _l("Channel manager"),
    Role.SALES_DIRECTOR: _l("Sales director"),
    Role.FINANCE: _l("Finance"),
    Role.ADMIN: _l("Administrator"),
}

DEALER_ROLES = frozenset({Role.DEALER_ADMIN, Role.DEALER_SALES})
HEAD_OFFICE_ROLES = frozenset(set(Role) - DEALER_ROLES)
#: Head-office roles whose visibility is limited to their regions.
REGIONAL_ROLES = frozenset({Role.SALES_REP, Role.CHANNEL_MANAGER})
ALL_ROLES = frozenset(Role)


def roles_required(*roles: Role | str):
    """Route decorator: anonymous → login redirect; logged in with another role → 403."""
    allowed = frozenset(Role(r) for r in roles)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed  # read by the navigation and the route matrix test
        return wrapped

    return decorator


def allowed_roles(endpoint: str):
    """The roles the route of `endpoint` admits (its `@roles_required`), or None."""
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "allowed_roles", None) if view else None


def can_open(user, endpoint: str) -> bool:
    """Whether `user` may open the page of `endpoint` (navigation, admin pages)."""
    roles = allowed_roles(endpoint)
    return bool(roles) and user.is_authenticated and user.role in roles


def is_dealer(actor) -> bool:
    return actor.role in DEALER_ROLES


def is_head_office(actor) -> bool:
    return actor.role in HEAD_OFFICE_ROLES


def sees_all_regions(actor) -> bool:
    return actor.role in HEAD_OFFICE_ROLES and actor.role not in REGIONAL_ROLES


def scope_region(query, region_id_column, actor):
    """Limit a query on region-bound rows (dealers, leads, cases) for regional roles."""
    if sees_all_regions(actor):
        return query
    if is_dealer(actor):
        return query.where(region_id_column == actor.dealer.region_id)
    return query.where(region_id_column.in_(actor.region_ids))


def first_or_404(scoped_query, model, object_id):
    """Load `model` #`object_id` through a query already limited to the actor's scope.

    Anything outside the scope — or an id that is not a number — is 404, never 403, so that a
    dealer cannot learn that another dealer's object exists. Every `get_*_or_404` loader ends here.
    """
    object_id = to_id(object_id)
    if object_id is None:
        abort(404)
    obj = db.session.scalar(scoped_query.where(model.id == object_id))
    if obj is None:
        abort(404)
    return obj


def scope_owned(stmt, model, actor):
    """Limit a query on dealer-owned records (registrations, exceptions, orders) to `actor`.

    A dealer admin sees its dealer's records, a dealer salesperson only those it created; regional
    head-office roles see the records of their regions (`model.region_id`); the others see all.
    """
    if is_dealer(actor):
        stmt = stmt.where(model.dealer_id == actor.dealer_id)
        if actor.role == Role.DEALER_SALES:
            stmt = stmt.where(model.created_by_id == actor.id)
        return stmt
    if sees_all_regions(actor):
        return stmt
    return stmt.where(model.region_id.in_(actor.region_ids))
