"""Errors as the user sees them: a page, an htmx fragment, JSON or the API's problem+json."""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal.core import htmx
from portal.core.errors import DomainError
from portal.core.htmx import is_htmx
from portal.core.i18n import lazy_gettext as _l
from portal.extensions import db, login_manager

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
        return error_response(code, str(_HTTP_MESSAGES[code]))

    return handler


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(err):
        db.session.rollback()
        if is_htmx() and not current_user.is_authenticated:
            # The session (and its token) ended while the page stayed open: log in again.
            return login_manager.unauthorized()
        return error_response(400, _("Your form expired or was sent without its security token. "
                             "Please reload the page and try again."))

    @app.errorhandler(DomainError)
    def _domain(err):
        db.session.rollback()
        return error_response(err.status_code, str(err.message))

    @app.errorhandler(StaleDataError)
    def _stale(err):
        db.session.rollback()
        return error_response(409, _("Somebody else changed this at the same moment; "
                             "reload the page to see the decision."))

    @app.errorhandler(DataError)
    def _data_error(err):
        # The last line of defence: a value the database refuses (out of range, too long) that
        # a check before it missed. The user gets a 422 and nothing is changed; the log says
        # which check is missing.
        db.session.rollback()
        app.logger.warning("value refused by the database: %s", err.orig)
        return error_response(422, _("A value is too long or out of range for the portal. "
                             "Nothing was changed."))

    @app.errorhandler(IntegrityError)
    def _integrity(err):
        # A unique key that a check before the write could not see (another request committed in
        # between): the database decided, the user is told plainly instead of a 500.
        db.session.rollback()
        return error_response(409, _("This was saved by another request at the same moment; "
                             "reload the page to see it."))

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, _http_error_handler(code))


def error_response(status: int, message: str):
    if request.path.startswith("/api/"):
        # The API answers every error as RFC 9457 problem+json, unknown paths included.
        response = jsonify(type="about:blank", title=message, status=status)
        response.mimetype = "application/problem+json"
        return response, status
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=message), status
    if is_htmx():  # into the page's message area (HX-Retarget), whatever the request targeted
        return htmx.error_response(message, status)
    return render_template("errors/error.html", status=status, message=message), status
