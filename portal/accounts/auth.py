"""Passwords (Argon2id at OWASP strength) and server-side revocable sessions."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, request, session

from portal.accounts.models import User, UserSession
from portal.accounts.passwords import hash_password, verify_password  # noqa: F401
from portal.accounts.services import start_session
from portal.core import clock
from portal.core.htmx import current_page, is_htmx, login_redirect
from portal.core.i18n import lazy_gettext as _l
from portal.extensions import db
from portal.notifications.services import unread_of

_user_by_id = None


def _user_statement():
    """The session's user with its dealer, the dealer's region and its count of unread
    notifications (the header of every page shows it), and its region ids: one query. Its
    regions themselves (head office only; a dealer's user has none) load when first read:
    joining them would cost every dealer's page a collection load for an empty list, and most
    pages need only their ids (`User.region_ids`), which came with the user.

    Built once, at the first request (after every model is imported); every request runs it
    afresh, so deactivation, a suspended dealer and a rotated session token are seen at the next
    request on every process."""
    global _user_by_id
    if _user_by_id is None:
        from sqlalchemy import String, bindparam, cast, func, select
        from sqlalchemy.orm import joinedload, lazyload

        from portal.accounts.models import user_region

        region_ids = (select(func.aggregate_strings(cast(user_region.c.region_id, String), ","))
                      .where(user_region.c.user_id == User.id).scalar_subquery())
        session_alive = (select(UserSession.id)
                         .where(UserSession.id == bindparam("session_id"),
                                UserSession.user_id == User.id, UserSession.ended_at.is_(None),
                                UserSession.created_at > bindparam("since"))
                         .scalar_subquery())
        _user_by_id = (select(User, unread_of(User.id), session_alive, region_ids)
                       .where(User.id == bindparam("user_id"))
                       .options(joinedload(User.dealer), lazyload(User.regions)))
    return _user_by_id


def init_login(login_manager) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.unauthorized_handler
    def unauthorized():
        """Flask-Login's own answer (a message and a redirect to the login page that returns
        here), except that an htmx request sends the whole page to the login page, which then
        returns to the page the user was on, instead of swapping the login page into a table."""
        from flask import flash, redirect
        from flask_login.utils import login_url


        flash(login_manager.login_message, login_manager.login_message_category)
        if is_htmx():
            return login_redirect(login_url(login_manager.login_view, next_url=current_page()))
        return redirect(login_url(login_manager.login_view, next_url=request.url))

    @login_manager.user_loader
    def load_user(session_id: str):
        """Sessions carry `<user id>:<session token>`, the login's own id and when it was last
        used. A rotated token ends all of a user's sessions at once; a logout ends its own
        login on the server; a session unused for SESSION_IDLE_MINUTES, or older than
        SESSION_MAX_HOURS, ends by itself."""
        user_id, _, token = (session_id or "").partition(":")
        cookie_id, seen = session.get(SESSION_ID), session.get(LAST_SEEN)
        if not (user_id.isascii() and user_id.isdigit() and len(user_id) < 19 and token
                and isinstance(cookie_id, str) and isinstance(seen, int)):
            return None
        config = current_app.config
        now = clock.now()
        if now.timestamp() - seen > config["SESSION_IDLE_MINUTES"] * 60:
            return None
        row = db.session.execute(_user_statement(), {
            "user_id": int(user_id), "session_id": UserSession.digest(cookie_id),
            "since": now - timedelta(hours=config["SESSION_MAX_HOURS"])}).one_or_none()
        if row is None:
            return None
        user, user.unread_at_load, alive, region_ids = row
        if "regions" not in user.__dict__:
            user.region_ids_at_load = tuple(sorted(int(i) for i in region_ids.split(","))) \
                if region_ids else ()
        if alive is None or user.session_token != token or not user.is_active:
            return None
        if now.timestamp() - seen >= SEEN_RESOLUTION_SECONDS:
            session[LAST_SEEN] = int(now.timestamp())
        return user


#: Keys of the signed session cookie: the login's id and the last time it was used (epoch s).
SESSION_ID, LAST_SEEN = "sid", "seen"
#: The last-seen time is rewritten at most this often (each rewrite sends a new cookie).
SEEN_RESOLUTION_SECONDS = 60


def session_entries(user) -> dict:
    """What a login puts into the session cookie of `user`: Flask-Login's id, and a new
    server-side session (added to the database session: the caller commits) with its last use."""
    return {"_user_id": user.get_id(), "_fresh": True, SESSION_ID: start_session(user),
            LAST_SEEN: int(clock.now().timestamp())}


def begin_session(user) -> None:
    """After a successful login: the cookie of a new server-side session."""
    session.clear()
    session.update(session_entries(user))
