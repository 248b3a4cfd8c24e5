"""Dashboard widgets that say what to do next (issue 16, point 3).

- Head office (channel manager, director, finance): what awaits my decision — each kind's count
  (the channel manager's orders to confirm among them) and the five items due soonest, with
  their due times, each linking into the inbox.
- A direct sales rep: the open conflict cases he is a party to.
- Everyone: what changed since the last visit — the unread notifications, newest first.

Figures are read with every other widget's in the dashboard's one SELECT; the lists (five items,
five notifications) are read only when a figure says there is something to show.
"""
from __future__ import annotations

from portal.core.permissions import Role
from portal.inbox.queue import INBOX_ROLES, KINDS, NAV_CAP, first_due, part_statements

SHOWN = 5


def _inbox_figures(actor, _today):
    if actor.role not in INBOX_ROLES:
        return None
    from sqlalchemy import func, select

    figures = {}
    for kind, stmt in part_statements(actor).items():
        figures[f"n_{kind}"] = select(func.count()).select_from(
            stmt.limit(NAV_CAP).subquery()).scalar_subquery()
    return figures


def _inbox_finish(user, figures):
    from flask import request

    from portal.inbox.views import _COUNT

    counts = [(kind, KINDS[kind][0], figures.get(f"n_{kind}") or 0) for kind in KINDS
              if f"n_{kind}" in figures]
    total = sum(n for _k, _l, n in counts)
    request.environ[_COUNT] = total  # the navigation's count, read with the figures
    from portal.core import clock

    return {"counts": [c for c in counts if c[2]], "total": total, "now": clock.now(),
            "items": first_due(user, None, SHOWN) if total else [], "kinds": KINDS}


def _expiring_figures(actor, today):
    """A dealer's protected registrations that end within the reminder days."""
    from portal.core.permissions import is_dealer

    if not is_dealer(actor):
        return None
    from portal.core.settings import setting_value
    from portal.db import days_after
    from portal.deals import services
    from portal.deals.models import DealRegistration
    from portal.main.dashboard import count_of

    days = setting_value("deal_reminder_days")
    return {"expiring": count_of(services.deals_query(actor).where(
        services.protected_clause(today),
        DealRegistration.protected_until <= days_after(today, days))), "days": days}


def _expiring_finish(user, figures):
    if not figures["expiring"]:
        return None
    from datetime import timedelta

    from sqlalchemy.orm import raiseload, selectinload

    from portal.core import clock
    from portal.deals import services
    from portal.deals.models import DealRegistration
    from portal.extensions import db

    today = clock.today()
    deals = list(db.session.scalars(services.deals_query(user).where(
        services.protected_clause(today),
        DealRegistration.protected_until <= today + timedelta(days=int(figures["days"])))
        .options(selectinload(DealRegistration.extension), raiseload("*"))
        .order_by(DealRegistration.protected_until, DealRegistration.id).limit(SHOWN)))
    return {**figures, "deals": deals, "today": today}


def _rep_figures(actor, _today):
    if actor.role != Role.SALES_REP:
        return None
    from portal.conflicts.models import CaseStatus, ConflictCase
    from portal.conflicts.services import cases_query
    from portal.main.dashboard import count_of

    return {"cases": count_of(cases_query(actor).where(ConflictCase.status == CaseStatus.OPEN))}


def _changes_figures(_actor, _today):
    return {}  # the unread count comes with the user's own load (portal.accounts.auth)


def _changes_finish(user, _figures):
    from portal.notifications import services

    unread = services.unread_count(user)
    if not unread:
        return {"unread": 0, "notes": []}
    from sqlalchemy import select

    from portal.extensions import db
    from portal.notifications.models import Notification

    notes = list(db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))
        .order_by(Notification.id.desc()).limit(SHOWN)))
    return {"unread": unread, "notes": notes, "render": services.render}


def register() -> None:
    from portal.main.dashboard import register_figures

    register_figures("inbox/_widget.html", _inbox_figures, order=5, finish=_inbox_finish)
    register_figures("inbox/_expiring_widget.html", _expiring_figures, order=6,
                     finish=_expiring_finish)
    register_figures("inbox/_rep_widget.html", _rep_figures, order=6)
    register_figures("inbox/_changes_widget.html", _changes_figures, order=8,
                     finish=_changes_finish)
