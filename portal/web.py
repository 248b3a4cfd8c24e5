"""Request-level glue of the app: the locale (`portal.core.locale`), the request hooks and
security headers (`portal.core.headers`), the error pages (`portal.core.error_pages`), and what
every template is given (navigation, unread count, filters)."""
from __future__ import annotations

from flask import request, url_for
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.core import capabilities, error_pages, headers, locale, static_files
from portal.core.cache import per_app
from portal.core.headers import MAX_QUERY_VALUE, READ_METHODS  # noqa: F401  (tests read them here)
from portal.core.htmx import is_htmx
from portal.core.labels import action_label, changes, object_label, status_label
from portal.core.locale import LOCALES, select_locale, select_timezone  # noqa: F401  (portal.app)
from portal.core.money import depth_bp, format_bp, format_money
from portal.core.parse import IdConverter
from portal.core.permissions import ROLE_LABELS
from portal.extensions import babel
from portal.navigation import navigation
from portal.notifications.services import unread_count


def init_app(app) -> None:
    static_files.init_app(app)
    # Before any blueprint adds its rules: `<int:id>` stops at the largest id (a 404 beyond).
    app.url_map.converters["int"] = IdConverter
    locale.init_app(app)
    headers.init_app(app)

    @app.context_processor
    def _globals():
        user = current_user._get_current_object()
        unread = 0
        if user is not None and user.is_authenticated:
            unread = unread_count(user)
        return {"nav_items": navigation(user), "unread_count": unread,
                "_translations": babel.domain_instance.get_translations(),
                "role_labels": ROLE_LABELS, "locales": LOCALES, "is_htmx": is_htmx()}

    app.jinja_env.globals.update(status_label=status_label, action_label=action_label,
                                 object_label=object_label, changes=changes,
                                 get_locale=get_locale, url_for=remembered_url_for,
                                 can=template_can, depth_bp=depth_bp, colon=colon)
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["bp"] = format_bp
    app.jinja_env.filters["pp"] = format_pp
    app.jinja_env.filters["datetime"] = format_when
    app.jinja_env.filters["date"] = format_day

    error_pages.init_app(app)


#: One date and one date-time format per language (Babel patterns), on every page: never the
#: ambiguous numeric short forms ("12/3/26").
DAY_PATTERNS = {"en": "MMM d, yyyy", "zh": "yyyy年M月d日"}
WHEN_PATTERNS = {"en": "MMM d, yyyy, HH:mm", "zh": "yyyy年M月d日 HH:mm"}


def format_day(value, _style=None) -> str:
    if not value:
        return ""
    return format_date(value, DAY_PATTERNS.get(get_locale().language, DAY_PATTERNS["en"]))


def format_when(value, _style=None) -> str:
    """A moment in the user's time zone (Asia/Shanghai unless the user chose another)."""
    if not value:
        return ""
    return format_datetime(value, WHEN_PATTERNS.get(get_locale().language, WHEN_PATTERNS["en"]))


def colon() -> str:
    """The colon after a label: full-width in Chinese (`状态：`), `: ` in English."""
    return "：" if get_locale().language == "zh" else ": "


def format_pp(bp: int | None) -> str:
    """A depth in percentage points, in the page's language: 327 → `3.27 pp` / `3.27 个百分点`
    (the same words wherever a depth is shown)."""
    if bp is None:
        return ""
    return _("%(pp)s pp", pp=format_bp(bp).rstrip("%"))


def warm_up(app) -> None:
    """Do once what every app process would otherwise do at its first requests: configure the
    ORM mappers, compile every template, load each language's message catalogue.

    gunicorn calls it in the master before it forks the workers (gunicorn.conf.py), so each
    worker, and each replacement after `max_requests`, starts with all of it in memory instead of
    spending ~0.2 s of CPU on its first pages. Nothing here touches the database or Redis."""
    from flask_babel import force_locale
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    for name in app.jinja_env.list_templates(extensions=["html", "txt"]):
        app.jinja_env.get_template(name)
    with app.test_request_context("/"):
        for identifier in LOCALES:
            with force_locale(identifier):
                babel.domain_instance.get_translations()


def remembered_url_for(endpoint: str, **values) -> str:
    """`url_for` for templates, remembering the URLs that are the same on every page: a static
    file (under its digested name once `flask digest compile` has run), an endpoint without arguments. The URL map is fixed once the app runs, so the path
    depends only on the URL root; a page builds a dozen of them."""
    if endpoint.startswith(".") or (values and endpoint != "static") \
            or any(key.startswith("_") for key in values):
        return url_for(endpoint, **values)
    cache = per_app("urls")
    key = (endpoint, request.script_root, *sorted(values.items()))
    url = cache.get(key)
    if url is None:
        if endpoint == "static":
            url = cache[key] = static_files.static_url(endpoint, **values)
        else:
            url = cache[key] = url_for(endpoint, **values)
    return url


def template_can(name: str, obj=None) -> bool:
    """`can("order.confirm", order)` in templates: the current user's capability
    (`portal.core.capabilities`), so that no template names a role."""
    return capabilities.can(current_user._get_current_object(), name, obj)
