"""Configuration read from the environment.

Every variable is listed in README.md ("Configuration"). `create_app(config)` accepts a mapping
that overrides these values, which the tests use.
"""
from __future__ import annotations

import logging
import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _database_url(url: str | None) -> str:
    """Default to the embedded SQLite file; use psycopg 3 for PostgreSQL URLs."""
    if not url:
        return f"sqlite:///{INSTANCE / 'portal.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def redis_namespace() -> str:
    """`REDIS_NAMESPACE` (default `portal`): job queue name and rate-limit key prefix in Redis."""
    return os.environ.get("REDIS_NAMESPACE") or "portal"


class ConfigError(RuntimeError):
    """The environment does not allow the portal to start safely."""


def load_config(overrides: dict | None = None) -> dict:
    """Build the configuration mapping from the environment, then apply `overrides`."""
    env = os.environ.get("PORTAL_ENV", "development")
    redis_url = os.environ.get("REDIS_URL") or None
    ping_idle = float(os.environ.get("DATABASE_PING_IDLE_SECONDS", "10"))
    cfg = {
        "PORTAL_ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": _database_url(os.environ.get("DATABASE_URL")),
        # A pooled connection is checked before use once idle this long (`portal.db.ping_when_idle`);
        # 0 checks it before every use (SQLAlchemy's `pool_pre_ping`, a round trip per request).
        "DATABASE_PING_IDLE_SECONDS": ping_idle,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": ping_idle <= 0},
        # GET and HEAD requests read outside a transaction on PostgreSQL (`portal.db.
        # read_without_transaction`); DATABASE_READ_AUTOCOMMIT=0 wraps them in one, as POST.
        "DATABASE_READ_AUTOCOMMIT": _bool("DATABASE_READ_AUTOCOMMIT", True),
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        #: Prefix of every Redis key (rate limits; the job queue reads it in portal.core.jobs), so
        #: several portals — or test runs — can share one Redis server.
        "REDIS_NAMESPACE": redis_namespace(),
        "RATELIMIT_KEY_PREFIX": redis_namespace(),
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_LIMIT_PER_ACCOUNT": os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes"),
        "LOGIN_LIMIT_PER_IP": os.environ.get("LOGIN_LIMIT_PER_IP", "30 per 15 minutes"),
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "600 per minute"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # On in production; SESSION_COOKIE_SECURE=0 turns it off for plain-http test runs only.
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", env == "production"),
        #: A session unused this long ends (the cookie's last-seen time is signed); one older than
        #: SESSION_MAX_HOURS ends whatever its use (its login row on the server says when).
        "SESSION_IDLE_MINUTES": float(os.environ.get("SESSION_IDLE_MINUTES", "30")),
        "SESSION_MAX_HOURS": float(os.environ.get("SESSION_MAX_HOURS", "12")),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_BYTES", 5 * 1024 * 1024)),
        "BABEL_DEFAULT_LOCALE": os.environ.get("DEFAULT_LOCALE", "zh_CN"),
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "PORTAL_TIMEZONE": os.environ.get("PORTAL_TIMEZONE", "Asia/Shanghai"),
        "PORTAL_NAME": os.environ.get("PORTAL_NAME", "Dealer Portal"),
        "VENDOR_NAME": os.environ.get("VENDOR_NAME", "华辰信息技术有限公司"),
        "SMTP_HOST": os.environ.get("SMTP_HOST") or None,
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "587")),
        "SMTP_USER": os.environ.get("SMTP_USER") or None,
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": _bool("SMTP_STARTTLS", True),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "portal@example.com"),
        #: The address users open the portal at; e-mails link to it (else they carry bare paths).
        "PORTAL_URL": (os.environ.get("PORTAL_URL") or "").rstrip("/") or None,
        "HUEY_SQLITE_PATH": os.environ.get("HUEY_SQLITE_PATH", str(INSTANCE / "jobs.db")),
        "HUEY_IMMEDIATE": _bool("HUEY_IMMEDIATE"),
        "STORAGE_DIR": os.environ.get("STORAGE_DIR", str(INSTANCE / "storage")),
        "TESTING": False,
    }
    if overrides:
        cfg.update(overrides)
    cfg.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(hours=cfg["SESSION_MAX_HOURS"]))
    if not cfg["SECRET_KEY"]:
        if cfg["PORTAL_ENV"] == "production":
            raise ConfigError(
                "SECRET_KEY must be set when PORTAL_ENV=production: "
                "generate one with `python -c 'import secrets; print(secrets.token_hex(32))'`."
            )
        cfg["SECRET_KEY"] = "dev-only-insecure-key"
    if cfg["PORTAL_ENV"] == "production" and not cfg["REDIS_URL"] and not cfg["TESTING"]:
        logging.getLogger("portal.config").warning(
            "PORTAL_ENV=production without REDIS_URL: login attempts are counted per process and "
            "jobs queue in a local SQLite file; run a single app process or set REDIS_URL.")
    return cfg
