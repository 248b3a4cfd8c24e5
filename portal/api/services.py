"""API tokens: creation (the secret shown once), revocation, authentication, rate limit, last use.

A token acts with exactly its user's role and scope: authentication returns the user, and every
endpoint passes that user to the same loaders and services as the pages. A token dies with its
user's deactivation or its dealer's suspension because authentication checks both on every
request (the user's `is_active`), like the session loader does.

"Last used" without writing in a GET: a GET request runs outside a transaction on PostgreSQL and
must not write. A POST writes the time in its own transaction (at most once a minute per token);
a GET only notes the time in Redis (or, without Redis, in the process), and the job
`record_token_use` writes the noted times every minute. The account page shows the later of the
stored and the noted time, so a use is visible at once.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from portal.accounts.models import User
from portal.api.models import ApiToken
from portal.core import audit, clock
from portal.core.cache import per_app
from portal.core.errors import PermissionDenied, ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.extensions import db, limiter

#: Secrets look like `dp_<43 url-safe characters>`: 256 bits from `secrets`.
SECRET_PREFIX = "dp_"
MAX_TOKENS_PER_USER = 20
#: A POST refreshes `last_used_at` only when it is older than this.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def tokens_of(user) -> list[ApiToken]:
    """The user's tokens, live ones first, newest first."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())))


def create_token(actor, name: str) -> tuple[ApiToken, str]:
    """A new token of `actor` named `name`; returns it and its secret (never stored, shown once)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_l("Please correct the marked fields."),
                              {"name": _l("Name the token, e.g. after the system that uses it.")})
    if len(name) > 100:
        raise ValidationError(_l("Please correct the marked fields."),
                              {"name": _l("At most 100 characters.")})
    live = [t for t in tokens_of(actor) if t.is_live]
    if len(live) >= MAX_TOKENS_PER_USER:
        raise ValidationError(_l("Please correct the marked fields."),
                              {"name": _l("You have %(n)d tokens; revoke one first.", n=len(live))})
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=actor.id, name=name, token_hash=hash_secret(secret),
                     prefix=secret[:10])
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "api_token.created", token, dealer_id=actor.dealer_id,
                 after={"name": name, "token": token.label})
    return token, secret


def revoke_token(actor, token: ApiToken) -> ApiToken:
    """End a token at once. Only its user revokes it (the loader already limits to own tokens)."""
    if token.user_id != actor.id:
        raise PermissionDenied(_l("You can only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        audit.record(actor, "api_token.revoked", token, dealer_id=actor.dealer_id,
                     after={"name": token.name, "token": token.label})
    return token


_by_hash = None


def _token_statement():
    """The live token with its user, the user's dealer (and region): one query per request."""
    global _by_hash
    if _by_hash is None:
        from sqlalchemy import bindparam
        from sqlalchemy.orm import contains_eager, joinedload

        _by_hash = (select(ApiToken).join(User, User.id == ApiToken.user_id)
                    .where(ApiToken.token_hash == bindparam("token_hash"),
                           ApiToken.revoked_at.is_(None))
                    .options(contains_eager(ApiToken.user).joinedload(User.dealer),
                             joinedload(ApiToken.user, User.regions)))
    return _by_hash


def authenticate(secret: str | None) -> ApiToken | None:
    """The live token for `secret` whose user may act now (active, dealer not suspended)."""
    if not secret or not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    token = db.session.execute(_token_statement(), {"token_hash": hash_secret(secret)}) \
        .unique().scalar_one_or_none()
    if token is None or not token.user.is_active:
        return None
    return token


def within_rate_limit(key: str) -> bool:
    """Count one request against the per-token limit `API_RATE_LIMIT` (Redis in production)."""
    from limits import parse

    if not limiter.enabled:
        return True
    item = parse(current_app.config["API_RATE_LIMIT"])
    return limiter.limiter.hit(item, current_app.config.get("RATELIMIT_KEY_PREFIX", "portal"),
                               "api", key)


# --- last use ------------------------------------------------------------------------------------

_LOCAL_USE: dict[int, str] = {}


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    clients = per_app("api")
    if "redis" not in clients:
        import redis

        clients["redis"] = redis.Redis.from_url(url, socket_timeout=0.5)
    return clients["redis"]


def _use_key() -> str:
    return f"{current_app.config.get('REDIS_NAMESPACE', 'portal')}:api-token-used"


def note_use(token: ApiToken, writing: bool) -> None:
    """Remember that `token` was used now. In a request that writes (POST), in its transaction;
    in one that only reads, outside the database (see the module docstring)."""
    now = clock.now()
    if writing:
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            token.last_used_at = now
        return
    client = _redis()
    if client is None:
        _LOCAL_USE[token.id] = now.isoformat()
        return
    try:
        client.hset(_use_key(), str(token.id), now.isoformat())
    except Exception:  # noqa: BLE001 — a lost "last used" must never fail the request
        current_app.logger.warning("could not note the use of API token %s", token.id)


def pending_use() -> dict[int, datetime]:
    """Uses noted by GET requests and not yet written: {token id: time}."""
    client = _redis()
    raw = dict(_LOCAL_USE) if client is None else {
        int(k): v.decode() for k, v in client.hgetall(_use_key()).items()}
    return {int(k): datetime.fromisoformat(v) for k, v in raw.items()}


def last_used(token: ApiToken, pending: dict[int, datetime] | None = None) -> datetime | None:
    noted = (pending or {}).get(token.id)
    if noted is None:
        return token.last_used_at
    return noted if token.last_used_at is None else max(noted, token.last_used_at)


def record_token_use() -> int:
    """Write the noted uses to `last_used_at` (a job, every minute). Returns how many tokens."""
    client = _redis()
    if client is None:
        noted = {k: _LOCAL_USE.pop(k) for k in list(_LOCAL_USE)}
    else:
        pipe = client.pipeline()
        pipe.hgetall(_use_key())
        pipe.delete(_use_key())
        raw, _ = pipe.execute()
        noted = {int(k): v.decode() for k, v in raw.items()}
    for token_id, when in noted.items():
        when = datetime.fromisoformat(when)
        db.session.execute(update(ApiToken).where(
            ApiToken.id == token_id,
            (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at < when))
            .values(last_used_at=when))
    return len(noted)
