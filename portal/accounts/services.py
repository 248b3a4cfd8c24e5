"""Dealers and users: creation, changes, suspension and deactivation (with audit)."""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, func, select, update

from portal.accounts.models import Dealer, DealerStatus, Region, Tier, User, UserSession
from portal.accounts.passwords import hash_password, verify_password
from portal.core import audit, clock
from portal.core.errors import PermissionDenied, ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.core.parse import to_id
from portal.core.permissions import DEALER_ROLES, REGIONAL_ROLES, Role
from portal.core.uscc import UsccError, validate_uscc
from portal.extensions import db

MIN_PASSWORD = 10


class LoginRefused(Exception):
    """Login refused; `message` is what the user sees."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def authenticate(email: str, password: str) -> User:
    """The user for these credentials, or LoginRefused with a message that does not tell an
    unknown e-mail apart from a wrong password."""
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    ok = verify_password(user.password_hash if user else None, password or "")
    if not ok:
        raise LoginRefused(_l("Wrong e-mail or password."))
    if not user.active:
        raise LoginRefused(_l("This account has been deactivated. Contact your administrator."))
    if user.dealer is not None and not user.dealer.is_active:
        raise LoginRefused(_l("Your dealer's access is suspended. Contact your channel manager."))
    user.last_login_at = clock.now()
    audit.record(user, "user.login", user, dealer_id=user.dealer_id)
    return user


def start_session(user: User) -> str:
    """A new login's session: its id for the cookie (the server keeps only its digest)."""
    cookie_id = secrets.token_urlsafe(32)
    db.session.add(UserSession(id=UserSession.digest(cookie_id), user_id=user.id, created_at=clock.now()))
    return cookie_id


def logout(user: User, cookie_id: str | None) -> None:
    """End this session on the server: its cookie, replayed, opens nothing any more."""
    if cookie_id:
        db.session.execute(update(UserSession)
                           .where(UserSession.id == UserSession.digest(cookie_id),
                                  UserSession.user_id == user.id, UserSession.ended_at.is_(None))
                           .values(ended_at=clock.now()))
    audit.record(user, "user.logout", user, dealer_id=user.dealer_id)


def purge_sessions(max_hours: float) -> int:
    """Forget sessions that ended, or that are past their lifetime, a day ago or more."""
    cutoff = clock.now() - timedelta(hours=max_hours, days=1)
    result = db.session.execute(delete(UserSession).where(
        (UserSession.created_at < cutoff) | (UserSession.ended_at < clock.now() - timedelta(days=1))))
    return result.rowcount or 0


def _check_user_fields(email: str, name: str, role: str, dealer_id, region_ids, user_id=None):
    errors = {}
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        errors["email"] = _l("Enter a valid e-mail address.")
    elif db.session.scalar(select(func.count()).select_from(User).where(
            User.email == email, User.id != (user_id or 0))):
        errors["email"] = _l("A user with this e-mail already exists.")
    if not (name or "").strip():
        errors["name"] = _l("Enter the person's name.")
    try:
        role = Role(role)
    except ValueError:
        errors["role"] = _l("Choose a role.")
    else:
        if role in DEALER_ROLES and not dealer_id:
            errors["dealer_id"] = _l("A dealer user needs a dealer.")
        if role not in DEALER_ROLES and dealer_id:
            errors["dealer_id"] = _l("Head-office users do not belong to a dealer.")
        if role in REGIONAL_ROLES and not region_ids:
            errors["region_ids"] = _l("Choose at least one region.")
    # The form's choices are not checked by the form (they are many): an id of no dealer or
    # region is refused here, before the database would refuse it with a foreign key.
    if dealer_id and "dealer_id" not in errors and db.session.get(Dealer, dealer_id) is None:
        errors["dealer_id"] = _l("Choose a dealer from the list.")
    if region_ids and "region_ids" not in errors and len(_regions(region_ids)) != len(set(region_ids)):
        errors["region_ids"] = _l("Choose regions from the list.")
    if errors:
        raise ValidationError(_l("Please correct the marked fields."), errors)
    return email, role


def create_user(actor, *, email, name, role, password, dealer_id=None, region_ids=(),
                locale=None) -> User:
    """Create a user. Admins create any user; a dealer admin only users of its own dealer."""
    if actor.role == Role.DEALER_ADMIN:
        if dealer_id != actor.dealer_id or role not in {r.value for r in DEALER_ROLES}:
            raise PermissionDenied(_l("You can only add users to your own dealer."))
    elif actor.role != Role.ADMIN:
        raise PermissionDenied(_l("You may not create users."))
    email, role = _check_user_fields(email, name, role, dealer_id, region_ids)
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError(_l("Please correct the marked fields."),
                              {"password": _l("Use at least %(n)d characters.", n=MIN_PASSWORD)})
    user = User(email=email, name=name.strip(), role=role, dealer_id=dealer_id or None,
                password_hash=hash_password(password), locale=locale or None)
    user.regions = _regions(region_ids) if role not in DEALER_ROLES else []
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.created", user, dealer_id=user.dealer_id,
                 after={"email": email, "role": role})
    return user


def update_user(actor, user: User, *, name, role, dealer_id=None, region_ids=(), active=True,
                locale=None) -> User:
    if actor.role == Role.DEALER_ADMIN:
        if user.dealer_id != actor.dealer_id or role not in {r.value for r in DEALER_ROLES} \
                or dealer_id != actor.dealer_id:
            raise PermissionDenied(_l("You can only manage users of your own dealer."))
    elif actor.role != Role.ADMIN:
        raise PermissionDenied(_l("You may not change users."))
    _, role = _check_user_fields(user.email, name, role, dealer_id, region_ids, user_id=user.id)
    if user.id == actor.id and not active:
        raise ValidationError(_l("You cannot deactivate yourself."), {"active": _l("You cannot deactivate yourself.")})
    if user.id == actor.id and role != user.role:
        raise ValidationError(_l("You cannot change your own role."),
                              {"role": _l("You cannot change your own role.")})
    before = {"name": user.name, "role": user.role, "active": user.active,
              "dealer_id": user.dealer_id, "regions": user.region_ids}
    user.name, user.role, user.locale = name.strip(), role, locale or user.locale
    user.dealer_id = dealer_id or None
    user.regions = _regions(region_ids) if role not in DEALER_ROLES else []
    if user.active and not active:
        user.rotate_session_token()  # ends every open session of this user at once
    user.active = bool(active)
    after = {"name": user.name, "role": user.role, "active": user.active,
             "dealer_id": user.dealer_id, "regions": list(region_ids)}
    audit.record(actor, "user.updated" if active or not before["active"] else "user.deactivated",
                 user, dealer_id=user.dealer_id, before=before, after=after)
    return user


def set_own_locale(user: User, locale: str) -> None:
    user.locale = locale


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current or ""):
        raise ValidationError(_l("Please correct the marked fields."),
                              {"current": _l("The current password is wrong.")})
    if len(new or "") < MIN_PASSWORD:
        raise ValidationError(_l("Please correct the marked fields."),
                              {"new": _l("Use at least %(n)d characters.", n=MIN_PASSWORD)})
    user.password_hash = hash_password(new)
    user.rotate_session_token()
    audit.record(user, "user.password_changed", user, dealer_id=user.dealer_id)


def save_dealer(actor, dealer: Dealer | None, *, code, name, tier, region_id, city="", uscc=None,
                parent_id=None) -> Dealer:
    """Create (dealer=None) or update a dealer. Admin only."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied(_l("You may not change dealers."))
    errors = {}
    code = (code or "").strip().upper()
    if not code:
        errors["code"] = _l("Enter the dealer code.")
    elif db.session.scalar(select(func.count()).select_from(Dealer).where(
            Dealer.code == code, Dealer.id != (dealer.id if dealer else 0))):
        errors["code"] = _l("Another dealer already has this code.")
    if not (name or "").strip():
        errors["name"] = _l("Enter the dealer's legal name.")
    if tier not in set(Tier):
        errors["tier"] = _l("Choose a tier.")
    if not to_id(region_id) or db.session.get(Region, to_id(region_id)) is None:
        errors["region_id"] = _l("Choose a region.")
    if uscc:
        try:
            uscc = validate_uscc(uscc)
        except UsccError as exc:
            errors["uscc"] = exc.args[1] if len(exc.args) > 1 else str(exc)
    if errors:
        raise ValidationError(_l("Please correct the marked fields."), errors)
    before = None
    if dealer is None:
        dealer = Dealer(code=code)
        db.session.add(dealer)
    else:
        before = {"code": dealer.code, "name": dealer.name, "tier": dealer.tier,
                  "region_id": dealer.region_id}
    dealer.code, dealer.name, dealer.tier = code, name.strip(), tier
    dealer.region_id, dealer.city, dealer.uscc = int(region_id), (city or "").strip(), uscc or None
    dealer.parent_id = parent_id or None
    db.session.flush()
    audit.record(actor, "dealer.created" if before is None else "dealer.updated", dealer,
                 dealer_id=dealer.id, before=before,
                 after={"code": code, "name": dealer.name, "tier": tier, "region_id": dealer.region_id})
    return dealer


def set_dealer_status(actor, dealer: Dealer, status: str, reason: str = "") -> None:
    """Suspend or reactivate a dealer. Suspension ends its users' sessions at their next request."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied(_l("You may not change dealers."))
    status = DealerStatus(status)
    before = dealer.status
    dealer.status = status
    if status == DealerStatus.SUSPENDED:
        for user in db.session.scalars(select(User).where(User.dealer_id == dealer.id)):
            user.rotate_session_token()
    audit.record(actor, f"dealer.{status.value}", dealer, dealer_id=dealer.id,
                 before={"status": before}, after={"status": status.value}, comment=reason or None)


def _regions(region_ids) -> list[Region]:
    ids = [i for i in (to_id(r) for r in region_ids or []) if i is not None]
    return list(db.session.scalars(select(Region).where(Region.id.in_(ids)))) if ids else []
