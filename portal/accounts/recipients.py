"""Who is told: the users a notification goes to, each group computed here once.

- `channel_managers_of(region_ids)` — "the channel manager of this region" (for several regions,
  those of any of them): the same rule as capability `REGION` (`portal.core.capabilities`);
- `holders_of(role, region_id)` — the holders of an approval step's role (a regional role only in
  the object's region): the users capability `exception.decide` admits once the step opens;
- `dealer_recipients(dealer_id, created_by_id)` — the dealer's side of a record: its dealer
  administrators and the user who created it; `dealer_admins_by_dealer(dealer_ids)` the same
  for many dealers at once (no creator).

Only active users are returned; `notify` skips inactive ones again and each user once.
"""
from __future__ import annotations

from sqlalchemy import or_, select

from portal.accounts.models import User, user_region
from portal.core.permissions import REGIONAL_ROLES, Role
from portal.extensions import db


def holders_of(role: Role | str, region_ids) -> list[User]:
    """Active users of `role`; for a regional role, only those of one of `region_ids`."""
    stmt = select(User).where(User.role == role, User.active.is_(True))
    if role in REGIONAL_ROLES:
        stmt = stmt.where(User.id.in_(
            select(user_region.c.user_id)
            .where(user_region.c.region_id.in_([r for r in region_ids if r]))))
    return list(db.session.scalars(stmt.order_by(User.id)))


def channel_managers_of(region_ids) -> list[User]:
    """The channel managers of any of `region_ids` (None entries are ignored)."""
    return holders_of(Role.CHANNEL_MANAGER, region_ids)


def _dealer_side(dealer_ids, created_by_id=None):
    return select(User).where(
        User.dealer_id.in_(list(dealer_ids)), User.active.is_(True),
        or_(User.role == Role.DEALER_ADMIN, User.id == created_by_id)
        if created_by_id is not None else User.role == Role.DEALER_ADMIN)


def dealer_recipients(dealer_id: int, created_by_id: int | None = None) -> list[User]:
    """The dealer administrators of `dealer_id` and the record's creator (if of that dealer)."""
    return list(db.session.scalars(_dealer_side([dealer_id], created_by_id).order_by(User.id)))


def dealer_admins_by_dealer(dealer_ids) -> dict[int, list[User]]:
    """{dealer id: its active dealer administrators}."""
    found: dict[int, list[User]] = {}
    for user in db.session.scalars(_dealer_side(set(dealer_ids)).order_by(User.id)):
        found.setdefault(user.dealer_id, []).append(user)
    return found
