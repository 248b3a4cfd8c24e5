"""Translated labels of states and audit actions, shared by all templates.

Domains add theirs with `register(...)` at import time; templates call `status_label(value)` and
`action_label(action)`.
"""
from __future__ import annotations

from portal.core.i18n import lazy_gettext as _l

STATUS_LABELS: dict[str, object] = {
    "active": _l("Active"),
    "suspended": _l("Suspended"),
    "inactive": _l("Inactive"),
}
ACTION_LABELS: dict[str, object] = {
    "user.login": _l("Logged in"),
    "user.logout": _l("Logged out"),
    "user.created": _l("User created"),
    "user.updated": _l("User changed"),
    "user.deactivated": _l("User deactivated"),
    "user.password_changed": _l("Password changed"),
    "dealer.created": _l("Dealer created"),
    "dealer.updated": _l("Dealer changed"),
    "dealer.suspended": _l("Dealer suspended"),
    "dealer.active": _l("Dealer reactivated"),
    "setting.changed": _l("Setting changed"),
}


def register(statuses: dict | None = None, actions: dict | None = None) -> None:
    STATUS_LABELS.update(statuses or {})
    ACTION_LABELS.update(actions or {})


def status_label(value) -> str:
    return str(STATUS_LABELS.get(str(value), value))


def action_label(value) -> str:
    return str(ACTION_LABELS.get(str(value), value))
