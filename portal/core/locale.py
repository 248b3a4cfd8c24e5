"""The page's language and time zone, and the message catalogues of every domain merged."""
from __future__ import annotations

from babel import Locale
from flask import current_app, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import Domain, get_locale, get_timezone
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from portal.extensions import babel

LOCALES = ("zh_CN", "en")


#: Parsed `babel.Locale` per identifier. Locales are immutable and the same in every process;
#: parsing one (Babel scans its locale data for the identifier) costs more than the rest of the
#: locale selection, so each process parses each identifier once.
_PARSED_LOCALES: dict[str, Locale] = {}


def parsed_locale(identifier: str) -> Locale:
    locale = _PARSED_LOCALES.get(identifier)
    if locale is None:
        locale = _PARSED_LOCALES[identifier] = Locale.parse(identifier)
    return locale


def _babel_state():
    """Flask-Babel's per-context namespace (`g._flask_babel`), read from the app context itself.

    Flask-Babel reaches it through the `g` proxy three times per call (`_get_current_context`);
    a list page asks for its locale or catalogue a hundred times or more (each date, each status
    label), and those proxy lookups were a noticeable part of the page's CPU."""
    app_ctx = _cv_app.get(None)
    return None if app_ctx is None else app_ctx.g.__dict__.get("_flask_babel")


def page_locale() -> Locale | None:
    """`flask_babel.get_locale()`, without its proxy lookups once the request has chosen it."""
    state = _babel_state()
    locale = None if state is None else state.__dict__.get("babel_locale")
    return get_locale() if locale is None else locale


def page_timezone():
    """`flask_babel.get_timezone()`, without its proxy lookups once the request has chosen it."""
    state = _babel_state()
    tzinfo = None if state is None else state.__dict__.get("babel_tzinfo")
    return get_timezone() if tzinfo is None else tzinfo


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
        from flask_babel import _get_current_context

        ctx = _babel_state() or _get_current_context()
        if ctx is None:
            return support.NullTranslations()
        locale = page_locale()
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
    """The translation domain and the template gettext of `app`."""
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
