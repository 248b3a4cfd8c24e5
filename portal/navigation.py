"""The navigation: only what the user's role may open.

Each item names an endpoint; whether a role sees it is read from the route's own
`@roles_required`, so navigation and access can never disagree.

The items of a role are the same in every process and for the life of the app (routes,
`ITEMS` and the catalogues are fixed at start-up), so each app builds them once per role, URL
root and language.
"""
from __future__ import annotations

from flask import request, url_for
from flask_babel import get_locale

from portal.core.cache import per_app
from portal.core.i18n import lazy_gettext as _l
from portal.core.permissions import can_open

#: (endpoint, label) in display order; endpoints of capabilities not installed are skipped.
ITEMS = [
    ("main.dashboard", _l("Dashboard")),
    ("inbox.index", _l("Inbox")),
    ("pricing.prices", _l("Prices")),
    ("deals.index", _l("Registrations")),
    ("deals.leads", _l("Direct leads")),
    ("conflicts.index", _l("Conflicts")),
    ("pricing.exceptions", _l("Exceptions")),
    ("orders.index", _l("Orders")),
    ("rebates.index", _l("Rebates")),
    ("scorecards.index", _l("Scorecards")),
    ("accounts.team", _l("My team")),
    ("admin.index", _l("Administration")),
]


def navigation(user) -> tuple[dict, ...]:
    """The items `user` may open, in display order, with their labels in the page's language."""
    if user is None or not user.is_authenticated:
        return ()
    cache = per_app("navigation")
    key = (user.role, request.script_root, get_locale())  # a parsed Locale: hashable, cached
    items = cache.get(key)
    if items is None:
        items = cache[key] = tuple(
            {"endpoint": ep, "label": str(label), "url": url_for(ep)}
            for ep, label in ITEMS if can_open(user, ep))
    return items
