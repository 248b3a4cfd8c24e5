"""Operations: `/healthz` for load balancers, and the production configuration's safety rails."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal import create_app
from portal.config import ConfigError, load_config
from tests.conftest import IS_PG, TEST_CONFIG
from tests.test_production_support import free_port

ROOT = Path(__file__).resolve().parent.parent


def _health(database_url: str, **config):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **config})
    response = app.test_client().get("/healthz")
    return response.status_code, response.get_json()


def test_healthz_is_ok_when_database_and_redis_answer(fresh_database):
    try:
        import redis

        redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2).ping()
    except Exception:  # noqa: BLE001
        if os.environ.get("CI"):
            pytest.fail("Redis at 127.0.0.1:6379 is required in CI")
        pytest.skip("no Redis at 127.0.0.1:6379")
    status, body = _health(fresh_database(), REDIS_URL="redis://127.0.0.1:6379/0")
    assert (status, body) == (200, {"status": "ok", "checks": {"database": "ok", "redis": "ok"}})


def test_healthz_is_503_when_redis_is_unreachable(fresh_database):
    closed = free_port()  # nothing listens there
    status, body = _health(fresh_database(), REDIS_URL=f"redis://127.0.0.1:{closed}/0")
    assert status == 503
    assert body["status"] == "error"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error: ")


def test_healthz_is_503_when_the_database_is_unreachable():
    closed = free_port()
    status, body = _health(f"postgresql+psycopg://postgres@127.0.0.1:{closed}/portal",
                           SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}})
    assert status == 503
    assert body["checks"]["database"].startswith("error: ")
    assert "redis" not in body["checks"]  # no REDIS_URL: rate limits in memory, jobs in SQLite


def _start(env_changes: dict, tmp_path) -> subprocess.CompletedProcess:
    """Import wsgi.py (what gunicorn does) in a clean environment plus `env_changes`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "SECRET_KEY"))}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "STORAGE_DIR": str(tmp_path),
                "HUEY_SQLITE_PATH": str(tmp_path / "jobs.db"), **env_changes})
    env.pop("REDIS_URL", None)
    return subprocess.run([sys.executable, "-c", "import wsgi; print(wsgi.app.name)"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)


def test_production_refuses_to_start_without_secret_key(tmp_path):
    refused = _start({"PORTAL_ENV": "production"}, tmp_path)
    assert refused.returncode != 0
    assert "SECRET_KEY must be set when PORTAL_ENV=production" in refused.stderr
    assert "secrets.token_hex(32)" in refused.stderr  # says how to make one

    started = _start({"PORTAL_ENV": "production", "SECRET_KEY": "k" * 64}, tmp_path)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "portal"


def test_production_cookies_are_secure_unless_explicitly_turned_off(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    assert load_config()["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "0")
    assert load_config()["SESSION_COOKIE_SECURE"] is False
    monkeypatch.delenv("SECRET_KEY")
    with pytest.raises(ConfigError):
        load_config()
    monkeypatch.setenv("PORTAL_ENV", "development")
    assert load_config()["SESSION_COOKIE_SECURE"] is False
    assert load_config()["SECRET_KEY"] == "dev-only-insecure-key"


def test_behind_a_proxy_the_login_limit_counts_per_client_not_per_proxy(fresh_database):
    from wsgi import behind_proxies

    app = behind_proxies(create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": fresh_database(),
                                     "LOGIN_LIMIT_PER_IP": "2 per minute",
                                     "LOGIN_LIMIT_PER_ACCOUNT": "100 per minute"}), hops=1)
    client = app.test_client()

    def attempt(forwarded_for: str) -> int:
        return client.post("/login", data={"email": "x@example.com", "password": "wrong-pass-1"},
                           headers={"X-Forwarded-For": forwarded_for}).status_code

    assert [attempt("203.0.113.7"), attempt("203.0.113.7")] == [401, 401]
    assert attempt("203.0.113.7") == 429
    # A client cannot escape by claiming another address: only the proxy's entry counts.
    assert attempt("198.51.100.1, 203.0.113.7") == 429
    # Another client behind the same proxy is not locked out by the first.
    assert attempt("203.0.113.8") == 401


@pytest.mark.skipif(not IS_PG, reason="a connection ended by the server needs PostgreSQL")
@pytest.mark.parametrize("ping_idle, idle_for, first", [
    (0.2, 0.4, 200),   # idle long enough: checked before use, replaced, the request succeeds
    (0, 0, 200),       # checked before every use (pool_pre_ping)
    (3600, 0, 503),    # in use a moment ago: not checked; this request fails, the next succeeds
])
def test_a_pooled_connection_ended_by_the_server_is_replaced(fresh_database, ping_idle, idle_for,
                                                             first):
    import time

    import sqlalchemy as sa

    from portal.extensions import db

    url = fresh_database()
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url,
                      "DATABASE_PING_IDLE_SECONDS": ping_idle,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": ping_idle <= 0}})
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    with app.app_context():
        backend = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        db.session.remove()  # back to the pool, which now holds this one connection
    admin = sa.create_engine(url)
    try:
        with admin.connect() as conn:
            assert conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": backend}).scalar()
    finally:
        admin.dispose()
    time.sleep(idle_for)
    assert client.get("/healthz").status_code == first
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["checks"]["database"] == "ok"


@pytest.mark.skipif(not IS_PG, reason="autocommit reads are a PostgreSQL mode")
def test_a_request_that_only_reads_runs_outside_a_transaction_and_cannot_write(fresh_database):
    import sqlalchemy as sa
    from flask import request
    from psycopg.pq import TransactionStatus

    from portal.core.settings import Setting
    from portal.db import ReadOnlyRequest
    from portal.extensions import db

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": fresh_database()})
    with app.app_context():
        db.session.add(Setting(key="probe", value=1))
        db.session.commit()

    @app.route("/_probe", methods=["GET", "POST"])
    def _probe():
        db.session.execute(sa.text("SELECT 1"))
        status = db.session.connection().connection.driver_connection.info.transaction_status
        if request.args.get("write"):
            db.session.get(Setting, "probe").value = 2
            db.session.commit()
        return status.name

    client = app.test_client()
    assert client.get("/_probe").get_data(as_text=True) == TransactionStatus.IDLE.name
    assert client.post("/_probe").get_data(as_text=True) == TransactionStatus.INTRANS.name
    # A GET that tries to write fails and changes nothing; the same write in a POST stands.
    with pytest.raises(ReadOnlyRequest):
        client.get("/_probe?write=1")
    with app.app_context():
        assert db.session.get(Setting, "probe").value == 1
    assert client.post("/_probe?write=1").status_code == 200
    with app.app_context():
        assert db.session.get(Setting, "probe").value == 2
    # DATABASE_READ_AUTOCOMMIT=0: a GET runs in a transaction, as before.
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": fresh_database(),
                      "DATABASE_READ_AUTOCOMMIT": False})
    app.add_url_rule("/_probe", view_func=_probe)
    assert app.test_client().get("/_probe").get_data(as_text=True) == TransactionStatus.INTRANS.name


def test_warm_up_compiles_every_template_without_the_database(tmp_path):
    """gunicorn's master warms the app before forking (gunicorn.conf.py `when_ready`): every
    template is compiled and both catalogues loaded, and nothing needs the database."""
    from portal.extensions import babel
    from portal.web import warm_up

    closed = free_port()
    app = create_app({**TEST_CONFIG, "STORAGE_DIR": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:{closed}/x"})
    warm_up(app)
    names = app.jinja_env.list_templates(extensions=["html"])
    assert "base.html" in names and "main/dashboard.html" in names
    cached = {key[1] for key in app.jinja_env.cache}  # (loader weakref, name)
    assert set(names) <= cached
    loaded = {locale for locale, _domain in babel.domain_instance.cache}
    assert {"en", "zh_Hans_CN"} <= loaded


def test_gunicorn_master_warms_the_app_before_forking(app):
    import runpy
    from types import SimpleNamespace

    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["preload_app"]
    app.jinja_env.cache.clear()
    config["when_ready"](SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app)))
    assert "main/dashboard.html" in {key[1] for key in app.jinja_env.cache}
