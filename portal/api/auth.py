"""Who is calling `/api/v1/`: the bearer token, never the session cookie.

`authenticate_request` runs before every API view (the blueprint's before-request hook). It sets
Flask-Login's user for the request to the token's user (so locale, logs and `current_user` in
shared code see that user) or to the anonymous user — a session cookie sent along is ignored,
and never loaded. A request over the token's rate limit is answered 429 here.
"""
from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _

from portal.api import services
from portal.api.framework import current_actor, problem, set_token_context, unauthorized  # noqa: F401
from portal.extensions import login_manager


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate_request():
    g.api_token = None
    g._login_user = login_manager.anonymous_user()  # the cookie is not read on /api/
    secret = _bearer()
    token = services.authenticate(secret) if secret else None
    if token is None:
        if secret and not services.within_rate_limit("failed:" + (request.remote_addr or "-")):
            return _too_many()
        return None  # the operation answers 401 (the document and every route need a token)
    if not services.within_rate_limit(f"token:{token.id}"):
        return _too_many()
    g._login_user = token.user
    set_token_context(token)
    services.note_use(token, writing=request.method not in ("GET", "HEAD"))
    return None


def _too_many():
    return problem(429, _("Too many requests with this token. Please slow down."),
                   kind="rate-limited", headers={"Retry-After": "60"})


def end_request(_exc=None) -> None:
    set_token_context(None)
