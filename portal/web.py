"""Request-level glue: security headers, request logs, locale and time zone, error pages."""
from __future__ import annotations

import logging
import time
import uuid

from babel import Locale
from flask import current_app, g, has_request_context, jsonify, render_template, request, session, url_for
from flask_babel import Domain, format_date, format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from jinja2 import pass_context
from markupsafe import Markup
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal.core import audit
from portal.core.errors import DomainError
from portal.core.htmx import error_response, is_htmx
from portal.core.i18n import lazy_gettext as _l
from portal.core.money import format_bp, format_money
from portal.core.parse import IdConverter
from portal.db import read_without_transaction
from portal.extensions import db

LOCALES = ("zh_CN", "en")
#: Requests that only read: no view answering them writes (tests/conftest.py holds the suite to it).
READ_METHODS = frozenset({"GET", "HEAD"})
request_log = logging.getLogger("portal.request")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")


#: Parsed `babel.Locale` per identifier. Locales are immutable and the same in every process;
#: parsing one (Babel scans its locale data for the identifier) costs more than the rest of the
#: locale selection, so each process parses each identifier once.
_PARSED_LOCALES: dict[str, Locale] = {}


def parsed_locale(identifier: str) -> Locale:
    locale = _PARSED_LOCALES.get(identifier)
    if locale is None:
        locale = _PARSED_LOCALES[identifier] = Locale.parse(identifier)
    return locale


def select_locale() -> Locale:
    """The user's saved preference, else the switcher's choice, else Accept-Language.

    Outside a request (jobs, CLI) the default locale, unless `force_locale` chose one."""
    if not has_request_context():
        return parsed_locale(current_app.config["BABEL_DEFAULT_LOCALE"])
    user = current_user._get_current_object()
    if user.is_authenticated and user.locale in LOCALES:
        return parsed_locale(user.locale)
    if session.get("locale") in LOCALES:
        return parsed_locale(session["locale"])
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"])
    if best == "en":
        return parsed_locale("en")
    if best in ("zh-CN", "zh"):
        return parsed_locale("zh_CN")
    return parsed_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


def select_timezone() -> str:
    if not has_request_context():
        return current_app.config["PORTAL_TIMEZONE"]
    user = current_user._get_current_object()
    if user.is_authenticated and user.timezone:
        return user.timezone
    return current_app.config["PORTAL_TIMEZONE"]


class PortalDomain(Domain):
    """The message domain, finding each package's catalogue under its folder `zh_CN`.

    Babel ≥ 2.15 parses `zh_CN` as `zh_Hans_CN`, whose name gettext never expands back to
    `zh_CN`; so look for the full name, then language_TERRITORY, then the language alone.
    """

    def get_translations(self):
        from babel import support
        from flask_babel import _get_current_context, get_locale

        ctx = _get_current_context()
        if ctx is None:
            return support.NullTranslations()
        locale = get_locale()
        # A page asks for its catalogue dozens of times; remember it for this request's locale
        # (`force_locale` swaps the locale object, which makes this miss).
        mine = getattr(ctx, "portal_translations", None)
        if mine is not None and mine[0] is locale:
            return mine[1]
        cache = self.get_translations_cache(ctx)
        key = (str(locale), self.domain[0])
        if key not in cache:
            names = [str(locale)]
            if locale.territory:
                names.append(f"{locale.language}_{locale.territory}")
            names.append(locale.language)
            translations = support.Translations()
            for dirname in self.translation_directories:
                catalog = support.Translations.load(dirname, names, self.domain[0])
                translations.merge(catalog)
                if hasattr(catalog, "plural"):
                    translations.plural = catalog.plural
            cache[key] = translations
        ctx.portal_translations = (locale, cache[key])
        return cache[key]


def init_app(app) -> None:
    from portal.core import static_files
    from portal.extensions import babel

    static_files.init_app(app)

    # Before any blueprint adds its rules: `<int:id>` stops at the largest id (a 404 beyond).
    app.url_map.converters["int"] = IdConverter

    domain = babel.domain_instance = PortalDomain(domain=app.config.get("BABEL_DOMAIN", "messages"))
    # Flask-Babel's template gettext finds the app, the domain, the locale and the catalogue
    # again for each of the dozens of strings on a page. The context processor below puts the
    # catalogue of the page's locale into the template context once; templates rendered without
    # it (outside a request) fall back to the domain.
    def catalogue(ctx):
        translations = ctx.get("_translations")
        return domain.get_translations() if translations is None else translations

    # (`gettext` and `_` are replaced by `page_gettext` below; the others stay Jinja's.)
    app.jinja_env.install_gettext_callables(
        gettext=pass_context(lambda ctx, s: catalogue(ctx).ugettext(s)),
        ngettext=pass_context(lambda ctx, s, p, n: catalogue(ctx).ungettext(s, p, n)),
        pgettext=pass_context(lambda ctx, c, s: catalogue(ctx).upgettext(c, s)),
        npgettext=pass_context(lambda ctx, c, s, p, n: catalogue(ctx).unpgettext(c, s, p, n)),
        newstyle=True)

    @pass_context
    def page_gettext(ctx, string, **variables):
        """Jinja's newstyle `_()` / `gettext()` (translate, escape, format with the variables),
        without the two lookups Jinja adds per call. A string without variables — most of a
        page's — is translated and escaped once per catalogue, then reused."""
        translations = catalogue(ctx)
        autoescape = ctx.eval_ctx.autoescape
        if variables:
            text = translations.ugettext(string)
            return (Markup(text) if autoescape else text) % variables
        done = translations.__dict__.setdefault("_portal_page_strings", {})
        text = done.get((string, autoescape))
        if text is None:
            text = translations.ugettext(string)
            text = done[(string, autoescape)] = (Markup(text) if autoescape else text) % {}
        return text

    app.jinja_env.globals.update(_=page_gettext, gettext=page_gettext)

    read_autocommit = app.config.get("DATABASE_READ_AUTOCOMMIT", False)

    def _start():
        # Each request loads its user (session token, active flag, dealer status) and its locale
        # afresh. A request normally has an app context of its own; when one is shared (tests,
        # CLI-driven clients), what Flask-Login and Flask-Babel cache in `g` would outlive a
        # revoked session or a language switch.
        g.pop("_login_user", None)
        g.pop("_flask_babel", None)
        g.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex[:16]
        g.started = time.perf_counter()
        # Behind proxies, wsgi.py's ProxyFix (PROXY_HOPS) has already put the client in remote_addr.
        audit.client_ip.set(request.remote_addr or None)
        if read_autocommit and request.method in READ_METHODS and request.endpoint != "static":
            read_without_transaction(db.session)

    # First of all before-request hooks, ahead of CSRF and rate-limit checks that may answer early.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)

    @app.before_request
    def _refuse_unusable_text():
        """Text no field of the portal can hold is refused before any view reads it: a NUL
        character (PostgreSQL stores none) anywhere in the query string or the form, and a query
        value longer than MAX_QUERY_VALUE (a search of 100 KB is no search; SQLite refuses
        such a LIKE pattern)."""
        for values, limit in ((request.args, MAX_QUERY_VALUE), (request.form, None)):
            for value in _all_values(values):
                if "\x00" in value:
                    return _error(422, _("The request contains a NUL character, which no field "
                                         "accepts. Nothing was changed."))
                if limit is not None and len(value) > limit:
                    return _error(422, _("A search or filter value is longer than %(n)d "
                                         "characters.", n=limit))
        return None

    hsts = "max-age=31536000; includeSubDomains" if app.config["PORTAL_ENV"] == "production" else None

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if hsts:
            response.headers["Strict-Transport-Security"] = hsts
        if request.endpoint != "static":
            # Pages and exports carry one user's data: no browser or proxy keeps a copy.
            response.headers.setdefault("Cache-Control", "no-store")
        if is_htmx():
            response.headers["Vary"] = "HX-Request"
        if request.endpoint != "static":
            user = current_user._get_current_object()
            user_id = str(user.id) if user.is_authenticated else "-"
            request_log.info(
                "request", extra={
                    "request_id": g.get("request_id"), "user_id": user_id,
                    "method": request.method, "path": request.path, "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1),
                })
        return response

    @app.context_processor
    def _globals():
        from portal.core.permissions import ROLE_LABELS
        from portal.extensions import babel
        from portal.navigation import navigation

        user = current_user._get_current_object()
        unread = 0
        if user is not None and user.is_authenticated:
            from portal.notifications.services import unread_count

            unread = unread_count(user)
        return {"nav_items": navigation(user), "unread_count": unread,
                "_translations": babel.domain_instance.get_translations(),
                "role_labels": ROLE_LABELS, "locales": LOCALES, "is_htmx": is_htmx()}

    from flask_babel import get_locale

    from portal.core.labels import action_label, status_label

    app.jinja_env.globals.update(status_label=status_label, action_label=action_label,
                                 get_locale=get_locale, url_for=remembered_url_for)
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["bp"] = format_bp
    app.jinja_env.filters["datetime"] = lambda v, fmt="medium": format_datetime(v, fmt) if v else ""
    app.jinja_env.filters["date"] = lambda v, fmt="medium": format_date(v, fmt) if v else ""

    @app.errorhandler(CSRFError)
    def _csrf(err):
        db.session.rollback()
        if is_htmx() and not current_user.is_authenticated:
            # The session (and its token) ended while the page stayed open: log in again.
            from portal.extensions import login_manager

            return login_manager.unauthorized()
        return _error(400, _("Your form expired or was sent without its security token. "
                             "Please reload the page and try again."))

    @app.errorhandler(DomainError)
    def _domain(err):
        db.session.rollback()
        return _error(err.status_code, str(err.message))

    @app.errorhandler(StaleDataError)
    def _stale(err):
        db.session.rollback()
        return _error(409, _("Somebody else changed this at the same moment; "
                             "reload the page to see the decision."))

    @app.errorhandler(DataError)
    def _data_error(err):
        # The last line of defence: a value the database refuses (out of range, too long) that
        # a check before it missed. The user gets a 422 and nothing is changed; the log says
        # which check is missing.
        db.session.rollback()
        app.logger.warning("value refused by the database: %s", err.orig)
        return _error(422, _("A value is too long or out of range for the portal. "
                             "Nothing was changed."))

    @app.errorhandler(IntegrityError)
    def _integrity(err):
        # A unique key that a check before the write could not see (another request committed in
        # between): the database decided, the user is told plainly instead of a 500.
        db.session.rollback()
        return _error(409, _("This was saved by another request at the same moment; "
                             "reload the page to see it."))

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, _http_error_handler(code))


def per_app(name: str) -> dict:
    """A dict kept with the current app for what is the same for the app's whole life in one
    process (built navigation, URLs, statements, clients). Never data another process could
    change, unless every use checks it against the database first (the rebate progress,
    `portal.rebates.services.progress_for`)."""
    return current_app.extensions.setdefault(f"portal.{name}", {})


def warm_up(app) -> None:
    """Do once what every app process would otherwise do at its first requests: configure the
    ORM mappers, compile every template, load each language's message catalogue.

    gunicorn calls it in the master before it forks the workers (gunicorn.conf.py), so each
    worker, and each replacement after `max_requests`, starts with all of it in memory instead of
    spending ~0.2 s of CPU on its first pages. Nothing here touches the database or Redis."""
    from flask_babel import force_locale
    from sqlalchemy.orm import configure_mappers

    from portal.extensions import babel

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
            from portal.core.static_files import static_url

            url = cache[key] = static_url(endpoint, **values)
        else:
            url = cache[key] = url_for(endpoint, **values)
    return url


_HTTP_MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You do not have access to this page."),
    404: _l("Page not found."),
    405: _l("This action is not allowed here."),
    413: _l("The file is too large."),
    429: _l("Too many attempts. Please wait a few minutes and try again."),
    500: _l("Something went wrong on our side. The error has been logged."),
}


def _http_error_handler(code: int):
    def handler(err):
        db.session.rollback()
        return _error(code, str(_HTTP_MESSAGES[code]))

    return handler


#: Longest value of a query-string parameter (searches, filters, page numbers).
MAX_QUERY_VALUE = 200


def _all_values(multidict):
    for _key, value in multidict.items(multi=True):
        yield value


def _error(status: int, message: str):
    if request.path.startswith("/api/"):
        # The API answers every error as RFC 9457 problem+json, unknown paths included.
        response = jsonify(type="about:blank", title=message, status=status)
        response.mimetype = "application/problem+json"
        return response, status
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=message), status
    if is_htmx():
        return error_response(message, status)
    return render_template("errors/error.html", status=status, message=message), status

