"""A shared cache for figures that cost queries on every page view but change at known moments.

Backed by Redis (Flask-Caching's RedisCache) when `REDIS_URL` is set, so that every app process
sees the same entries and an invalidation in one process holds for all. Without Redis nothing is
cached (NullCache): a cache in a process's memory would go stale when another process changes the
data, and the figures must never be older than the last committed decision.

Invalidation happens after the transaction that changed the data commits (`forget_after_commit`,
`bump_after_commit`), never before, so a reader cannot cache the old figure again between the
change and its commit. A generation counter (`generation`) invalidates a whole family of entries
at once. Every entry also expires (`TIMEOUT`) as a backstop. A Redis error is logged and treated
as a miss: the page computes the figure instead.
"""
from __future__ import annotations

import logging

from flask_caching import Cache
from sqlalchemy.orm import Session

from portal.db import after_commit

log = logging.getLogger("portal.cache")

cache = Cache()

#: Seconds an entry lives at most, whatever happens.
TIMEOUT = 15 * 60


def init_app(app) -> None:
    url = app.config.get("REDIS_URL")
    config = ({"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url,
               "CACHE_KEY_PREFIX": f"{app.config['REDIS_NAMESPACE']}:cache:",
               "CACHE_DEFAULT_TIMEOUT": TIMEOUT,
               "CACHE_OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}}
              if url and not app.config.get("CACHE_DISABLED")
              else {"CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True})
    cache.init_app(app, config=config)


def get_many(*keys: str) -> list:
    try:
        return list(cache.get_many(*keys))
    except Exception:  # Redis down or slow: compute instead
        log.warning("cache read failed", exc_info=True)
        return [None] * len(keys)


def put(key: str, value, timeout: int = TIMEOUT) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:
        log.warning("cache write failed", exc_info=True)


def generation(name: str) -> str:
    """The key of a generation counter; its value is part of what an entry was computed from."""
    return f"gen:{name}"


def forget_after_commit(session: Session, *keys: str) -> None:
    """Delete `keys` once the session's current transaction commits (nothing on rollback)."""
    after_commit(session, _forget, keys)


def bump_after_commit(session: Session, name: str) -> None:
    """Advance the generation `name` once the transaction commits: every entry made under an
    earlier generation stops being used."""
    after_commit(session, _bump, name)


def _forget(keys) -> None:
    try:
        cache.delete_many(*keys)
    except Exception:  # the commit stands; the entries expire on their own
        log.error("cache invalidation failed; entries expire within %d s", TIMEOUT, exc_info=True)


def _bump(name: str) -> None:
    try:
        cache.cache.inc(generation(name))
    except Exception:
        log.error("cache invalidation failed; entries expire within %d s", TIMEOUT, exc_info=True)
