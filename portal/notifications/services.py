"""`notify(...)`: the one way to tell users about something (in-app, plus e-mail)."""
from __future__ import annotations

from sqlalchemy import func, select, update

from portal.core import clock
from portal.core.jobs import enqueue_after_commit
from portal.core.urls import is_portal_path as portal_path
from portal.extensions import db
from portal.notifications.jobs import send_notification_emails
from portal.notifications.models import Notification
from portal.notifications.text import render  # noqa: F401  (the inbox and its template read it here)


def notify(users, kind: str, message: str, link: str | None = None, **params) -> list[Notification]:
    """Notify each of `users` (in-app) and queue an e-mail to each.

    `message` is an English msgid marked with `N_()` by the caller, with `%(name)s` placeholders
    filled from `params` after translation into each recipient's language.
    """
    if link is not None and not is_portal_path(link):
        raise ValueError(f"a notification links to a portal path, not {link!r}")
    created = []
    seen = set()
    for user in users:
        if user is None or user.id in seen or not user.active:
            continue
        seen.add(user.id)
        note = Notification(user_id=user.id, kind=kind, message=message, params=params, link=link)
        db.session.add(note)
        created.append(note)
    db.session.flush()
    if created:
        enqueue_after_commit(send_notification_emails, [n.id for n in created])
    return created


def is_portal_path(link: str | None) -> bool:
    """A notification links only to a path of the portal itself (see `portal.web.is_portal_path`)."""
    return portal_path(link)


def unread_of(user_id):
    """The count of a user's unread notifications as a scalar subquery (on the (user_id, read_at)
    index), for the query that loads the session's user."""
    return (select(func.count()).select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .scalar_subquery())


def unread_count(user) -> int:
    """Shown in the header of every page. Read with the session's user at the start of the
    request (`portal.accounts.auth`), else counted now."""
    loaded = getattr(user, "unread_at_load", None)
    if loaded is not None:
        return loaded
    return db.session.scalar(select(unread_of(user.id))) or 0


def mark_read(user, note_ids: list[int] | None = None) -> int:
    """Mark the user's notifications (all, or the given ones) read; returns how many."""
    stmt = update(Notification).where(Notification.user_id == user.id,
                                      Notification.read_at.is_(None))
    if note_ids is not None:
        stmt = stmt.where(Notification.id.in_(note_ids))
    user.unread_at_load = None  # count again when shown
    return db.session.execute(stmt.values(read_at=clock.now())).rowcount
