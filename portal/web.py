"""Request-level glue of the app: the locale (`portal.core.locale`), the request hooks and
security headers (`portal.core.headers`), the error pages (`portal.core.error_pages`), and what
every template is given (navigation, unread count, filters)."""
from __future__ import annotations

from datetime import UTC, datetime

from babel import dates
from flask import current_app, has_request_context, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.routing import IntegerConverter

from portal.core import capabilities, error_pages, headers, locale, static_files
from portal.core.cache import per_app
from portal.core.headers import MAX_QUERY_VALUE, READ_METHODS  # noqa: F401  (tests read them here)
from portal.core.htmx import is_htmx
from portal.core.labels import action_label, changes, object_label, status_label
from portal.core.locale import (  # noqa: F401  (portal.app imports select_* from here)
    LOCALES,
    page_locale,
    page_timezone,
    select_locale,
    select_timezone,
)
from portal.core.money import depth_bp, format_bp, format_money
from portal.core.parse import MAX_ID, IdConverter
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
                                 can=template_can, depth_bp=depth_bp, colon=colon,
                                 status_badge=status_badge)
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


# Both format as Flask-Babel's `format_date`/`format_datetime` do (a moment is first put into the
# user's time zone), with the request's locale and zone read once per call instead of three
# times through proxies: a list shows a date or two on each of its rows.
def format_day(value, _style=None) -> str:
    if not value:
        return ""
    locale = page_locale()
    if isinstance(value, datetime):
        value = _in_user_zone(value).date()
    return dates.format_date(value, DAY_PATTERNS.get(locale.language, DAY_PATTERNS["en"]), locale=locale)


def format_when(value, _style=None) -> str:
    """A moment in the user's time zone (Asia/Shanghai unless the user chose another)."""
    if not value:
        return ""
    locale = page_locale()
    return dates.format_datetime(value, WHEN_PATTERNS.get(locale.language, WHEN_PATTERNS["en"]),
                                 tzinfo=page_timezone(), locale=locale)


def _in_user_zone(moment: datetime) -> datetime:
    """`flask_babel.to_user_timezone`: a naive moment is UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    tzinfo = page_timezone()
    return tzinfo.normalize(moment.astimezone(tzinfo))


def status_badge(value, label=None) -> Markup:
    """A status badge: `value`'s label (`status_label`), or `label`, in a span whose class names
    the status (`_macros/ui.html` exports it as `status`)."""
    return Markup('<span class="status status-%s">%s</span>') % (value, label or status_label(value))


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
    file (under its digested name once `flask digest compile` has run), an endpoint without
    arguments, and an id's page around its id (`_url_with_id`). The URL map is fixed once the
    app runs, so the path depends only on the URL root; a page builds a dozen of them, a list
    one more per row."""
    if endpoint.startswith(".") or any(key.startswith("_") for key in values):
        return url_for(endpoint, **values)
    if values and endpoint != "static":
        return _url_with_id(endpoint, values)
    cache = per_app("urls")
    key = (endpoint, request.script_root, *sorted(values.items()))
    url = cache.get(key)
    if url is None:
        if endpoint == "static":
            url = cache[key] = static_files.static_url(endpoint, **values)
        else:
            url = cache[key] = url_for(endpoint, **values)
    return url


#: A value no id reaches in a URL built once to find where an endpoint's id goes.
_ID_MARK = MAX_ID


def _url_with_id(endpoint: str, values: dict) -> str:
    """`url_for(endpoint, x=<id>)` of an endpoint whose one rule has the one `<int:x>` argument,
    from its URL built once around a marker: a list links each of its rows to its page, and
    werkzeug's builder costs more than the rest of the row. Any other call goes to `url_for`."""
    if len(values) != 1 or not has_request_context():
        return url_for(endpoint, **values)
    ((name, value),) = values.items()
    if type(value) is not int or not 0 <= value < _ID_MARK:
        return url_for(endpoint, **values)
    cache = per_app("id_urls")
    key = (endpoint, name, request.script_root)
    parts = cache.get(key)
    if parts is None:
        parts = cache[key] = _id_url_parts(endpoint, name)
    if not parts:
        return url_for(endpoint, **values)
    return f"{parts[0]}{value}{parts[1]}"


def _id_url_parts(endpoint: str, name: str) -> tuple[str, str] | tuple[()]:
    """(before, after) the id in the endpoint's URL, or () when its URL is not built that simply
    (several rules, other arguments or defaults, another converter, URL defaults functions)."""
    app = current_app
    rules = app.url_map._rules_by_endpoint.get(endpoint, [])
    if len(rules) != 1 or any(app.url_default_functions.values()):
        return ()
    rule = rules[0]
    if rule.arguments != {name} or rule.defaults or not isinstance(rule._converters.get(name),
                                                                  IntegerConverter):
        return ()
    url = url_for(endpoint, **{name: _ID_MARK})
    if url.count(str(_ID_MARK)) != 1:
        return ()
    before, after = url.split(str(_ID_MARK))
    return before, after


def template_can(name: str, obj=None) -> bool:
    """`can("order.confirm", order)` in templates: the current user's capability
    (`portal.core.capabilities`), so that no template names a role."""
    return capabilities.can(current_user._get_current_object(), name, obj)
