"""Passwords (Argon2id at OWASP strength) and server-side revocable sessions."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portal.core.i18n import lazy_gettext as _l
from portal.extensions import db

# OWASP Password Storage Cheat Sheet: Argon2id, m=19 MiB, t=2, p=1.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
#: A hash verified when the e-mail is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash("not-a-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


_user_by_id = None


def _user_statement():
    """The session's user with its dealer, the dealer's region and its count of unread
    notifications (the header of every page shows it): one query. Its regions (head office only;
    a dealer's user has none) load when first read: joining them would cost every dealer's page
    a collection load for an empty list.

    Built once, at the first request (after every model is imported); every request runs it
    afresh, so deactivation, a suspended dealer and a rotated session token are seen at the next
    request on every process."""
    global _user_by_id
    if _user_by_id is None:
        from sqlalchemy import bindparam, select
        from sqlalchemy.orm import joinedload, lazyload

        from portal.accounts.models import User
        from portal.notifications.services import unread_of

        _user_by_id = (select(User, unread_of(User.id))
                       .where(User.id == bindparam("user_id"))
                       .options(joinedload(User.dealer), lazyload(User.regions)))
    return _user_by_id


def init_login(login_manager) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str):
        """Sessions carry `<user id>:<session token>`; a rotated token ends them all at once."""
        user_id, _, token = (session_id or "").partition(":")
        if not user_id.isdigit() or not token:
            return None
        row = db.session.execute(_user_statement(), {"user_id": int(user_id)}).one_or_none()
        if row is None:
            return None
        user, user.unread_at_load = row
        if user.session_token != token or not user.is_active:
            return None
        return user
