"""Every request's start and end: its id, read-only transactions, refusing text no field can
hold, the security headers and the request log."""
from __future__ import annotations

import logging
import time
import uuid

from flask import g, request
from flask_babel import gettext as _
from flask_login import current_user

from portal.core import audit
from portal.core.error_pages import error_response
from portal.core.htmx import is_htmx
from portal.db import read_without_transaction
from portal.extensions import db

#: Requests that only read: no view answering them writes (tests/conftest.py holds the suite to it).
READ_METHODS = frozenset({"GET", "HEAD"})
request_log = logging.getLogger("portal.request")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")

#: Longest value of a query-string parameter (searches, filters, page numbers).
MAX_QUERY_VALUE = 200


def _all_values(multidict):
    for _key, value in multidict.items(multi=True):
        yield value


def init_app(app) -> None:
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
                    return error_response(422, _("The request contains a NUL character, which no field "
                                         "accepts. Nothing was changed."))
                if limit is not None and len(value) > limit:
                    return error_response(422, _("A search or filter value is longer than %(n)d "
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
