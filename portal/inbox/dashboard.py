"""Dashboard widgets that say what to do next (issue 16, point 3).

- Head office (channel manager, director, finance): what awaits my decision — per kind, how many
  wait (the channel manager's orders to confirm among them, "99+" beyond NAV_CAP) and when the
  one waiting longest is due, overdue marked, each kind linking into the inbox filtered by it.
- A direct sales rep: the open conflict cases he is a party to.
- Everyone: what changed since the last visit — the unread notifications, newest first.

Figures are read with every other widget's in the dashboard's one SELECT (each kind counted from
its partial index, see `portal.inbox.queue.kind_figures`); the dealer's expiring registrations
are read only when a figure says there is something to show.
"""
from __future__ import annotations

from portal.conflicts.models import CaseStatus, ConflictCase
from portal.conflicts.services import cases_query
from portal.core import clock
from portal.core.permissions import Role, is_dealer
from portal.core.settings import setting_value
from portal.db import days_after
from portal.deals import services as deal_services
from portal.deals.models import DealRegistration
from portal.extensions import db
from portal.inbox.queue import INBOX_ROLES, KINDS, due_after, kind_figures
from portal.inbox.views import _COUNT
from portal.main.dashboard import count_of, register_figures
from portal.notifications import services as notifications
from portal.notifications.models import Notification

SHOWN = 5


def _inbox_figures(actor, _today):
    """Per kind: how many wait (up to NAV_CAP), and when the longest-waiting one started and its
    SLA — its due time — all in the dashboard's one SELECT."""
    return kind_figures(actor) if actor.role in INBOX_ROLES else None


def _inbox_finish(user, figures):
    from datetime import UTC

    from flask import request


    now, rows = clock.now(), []
    for kind in KINDS:
        n = figures.get(f"n_{kind}") or 0
        if not n:
            continue
        since = figures.get(f"since_{kind}")
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        due = due_after(since, int(figures.get(f"sla_{kind}") or 0)) if since else None
        rows.append({"kind": kind, "label": KINDS[kind][0], "n": n, "due": due,
                     "overdue": due is not None and due < now})
    rows.sort(key=lambda r: (r["due"] is None, r["due"] or now))
    total = sum(r["n"] for r in rows)
    request.environ[_COUNT] = total  # the navigation's count, read with the figures
    return {"rows": rows, "total": total}


def _expiring_figures(actor, today):
    """A dealer's protected registrations that end within the reminder days."""
    if not is_dealer(actor):
        return None

    days = setting_value("deal_reminder_days")
    return {"expiring": count_of(deal_services.deals_query(actor).where(
        deal_services.protected_clause(today),
        DealRegistration.protected_until <= days_after(today, days))), "days": days}


def _expiring_finish(user, figures):
    if not figures["expiring"]:
        return None
    from datetime import timedelta

    from sqlalchemy.orm import raiseload, selectinload


    today = clock.today()
    deals = list(db.session.scalars(deal_services.deals_query(user).where(
        deal_services.protected_clause(today),
        DealRegistration.protected_until <= today + timedelta(days=int(figures["days"])))
        .options(selectinload(DealRegistration.extension), raiseload("*"))
        .order_by(DealRegistration.protected_until, DealRegistration.id).limit(SHOWN)))
    return {**figures, "deals": deals, "today": today}


def _rep_figures(actor, _today):
    if actor.role != Role.SALES_REP:
        return None

    return {"cases": count_of(cases_query(actor).where(ConflictCase.status == CaseStatus.OPEN))}


def _changes_figures(actor, _today):
    """The newest unread notifications, SHOWN of them, as figures of the one SELECT."""
    from sqlalchemy import select


    figures = {}
    for i in range(SHOWN):
        newest = (select(Notification).where(Notification.user_id == actor.id,
                                             Notification.read_at.is_(None))
                  .order_by(Notification.id.desc()).limit(1).offset(i).subquery())
        for column in ("message", "params", "link", "created_at"):
            figures[f"{column}_{i}"] = select(newest.c[column]).scalar_subquery()
    return figures


def _changes_finish(user, figures):
    from datetime import UTC
    from types import SimpleNamespace


    notes = []
    for i in range(SHOWN):
        if figures.get(f"message_{i}") is None:
            break
        at = figures[f"created_at_{i}"]
        notes.append(SimpleNamespace(
            message=figures[f"message_{i}"], params=figures[f"params_{i}"] or {},
            link=figures[f"link_{i}"],
            created_at=at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at))
    # the unread count comes with the user's own load (portal.accounts.auth)
    return {"unread": notifications.unread_count(user), "notes": notes, "render": notifications.render}


def register() -> None:
    register_figures("inbox/_widget.html", _inbox_figures, order=5, finish=_inbox_finish)
    register_figures("inbox/_expiring_widget.html", _expiring_figures, order=6,
                     finish=_expiring_finish)
    register_figures("inbox/_rep_widget.html", _rep_figures, order=6)
    register_figures("inbox/_changes_widget.html", _changes_figures, order=8,
                     finish=_changes_finish)
