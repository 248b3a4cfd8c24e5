"""Production mode (DESIGN §4): two gunicorn app servers and a huey worker on PostgreSQL and Redis.

Nothing one process needs may live in another's memory: login attempts are counted in Redis,
sessions are revocable through the database, decisions are serialised by the database, and jobs
queued by a web process run in the worker. Each check below goes through one process and looks
at the effect through the other.

Runs against PostgreSQL even when the suite runs on SQLite (see tests/test_production_support.py);
unreachable PostgreSQL or Redis fails in CI and skips elsewhere.
"""
from __future__ import annotations

import json
import re
import threading
import uuid
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.test_production_support import (  # noqa: F401 - fixtures
    Browser,
    flask_cmd,
    free_port,
    pg,
    processes,
    production_env,
    redis_space,
    wait_http,
    wait_until,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack(request, pg, redis_space, processes, tmp_path_factory):  # noqa: F811
    """A migrated PostgreSQL database with the demo, two app servers and one worker."""
    from tests.conftest import IS_PG

    if IS_PG:
        # The suite already runs on this server: a migrated copy of the run's template.
        url = request.getfixturevalue("databases").new().replace("postgresql+psycopg://",
                                                                   "postgresql://", 1)
        migrate = False
    else:
        url, migrate = pg.create("prod"), True
    env = production_env(url, redis_space, tmp_path_factory.mktemp("storage"),
                         LOGIN_LIMIT_PER_ACCOUNT="5 per 15 minutes",
                         LOGIN_LIMIT_PER_IP="1000 per 15 minutes")
    if migrate:
        flask_cmd(env, "db", "upgrade")
    flask_cmd(env, "seed", "demo")
    ports = free_port(), free_port()
    web = [processes.gunicorn(f"web{i}", env, port) for i, port in enumerate(ports)]
    worker = processes.worker("worker", env)
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    for base, proc in zip(bases, web):
        wait_http(base, proc)
    wait_until(lambda: "consumer started" in worker.output(), 30,
               "the worker to start", [worker])
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    yield SimpleNamespace(env=env, a=bases[0], b=bases[1], web=web, worker=worker, engine=engine,
                          redis=redis_space)
    engine.dispose()


def _user_id(stack, email: str) -> int:
    with stack.engine.connect() as conn:
        return conn.execute(sa.text('SELECT id FROM "user" WHERE email = :e'), {"e": email}).scalar_one()


def _log_lines(proc) -> list[dict]:
    lines = []
    for line in proc.output().splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                pass
    return lines


def test_login_attempts_are_counted_across_app_servers(stack):
    """Five wrong passwords for one account, alternating between the servers, then refusal."""
    email = f"nobody-{uuid.uuid4().hex[:6]}@example.com"
    statuses = []
    for attempt in range(7):
        base = stack.a if attempt % 2 == 0 else stack.b
        statuses.append(Browser().login(base, email, "wrong-password-1").status)
    # Each server saw at most 4 attempts: only a shared counter reaches the limit of 5.
    assert statuses == [401, 401, 401, 401, 401, 429, 429]
    assert any(k.startswith(b"LIMITS") for k in stack.redis.keys()), "limits are not kept in Redis"


def test_login_on_one_server_is_valid_on_the_other(stack):
    dealer = Browser()
    assert dealer.login(stack.a, "dealer1.admin@example.com").status == 302
    page = dealer.get(stack.b + "/")
    assert page.status == 200
    assert "D0001" in page.text or "dealer1" in page.text.lower() or "北京华信" in page.text


def test_deactivated_user_is_refused_by_the_other_server(stack):
    rep = Browser()
    assert rep.login(stack.b, "rep.north@example.com").status == 302
    assert rep.get(stack.b + "/").status == 200

    admin = Browser()
    assert admin.login(stack.a, "admin@example.com").status == 302
    rep_id = _user_id(stack, "rep.north@example.com")
    with stack.engine.connect() as conn:
        region_ids = conn.execute(sa.text("SELECT region_id FROM user_region WHERE user_id = :u"),
                                  {"u": rep_id}).scalars().all()
    page = f"{stack.a}/admin/users/{rep_id}"
    saved = admin.post_form(page, page, {
        "email": "rep.north@example.com", "name": "Rep North", "role": "sales_rep",
        "dealer_id": "0", "region_ids": region_ids, "locale": "zh_CN",
        # "active" left out: the unchecked box deactivates the user
    })
    assert saved.status == 302, saved.text[:2000]

    # The very next request on the other server finds the session ended.
    refused = rep.get(stack.b + "/")
    assert refused.status == 302 and "/login" in refused.headers["Location"]
    assert rep.get(stack.a + "/").status == 302
    # And the password no longer opens a session.
    again = Browser().login(stack.b, "rep.north@example.com")
    assert again.status == 401 and "deactivated" in again.text


def test_request_logs_are_one_json_line_per_request_with_the_request_id(stack):
    dealer = Browser()
    assert dealer.login(stack.b, "dealer1.sales@example.com").status == 302
    request_id = f"trace-{uuid.uuid4().hex[:12]}"
    response = dealer.get(stack.b + "/", headers={"X-Request-ID": request_id})
    assert response.status == 200
    assert response.headers["X-Request-ID"] == request_id

    user_id = str(_user_id(stack, "dealer1.sales@example.com"))

    def logged():
        return [line for line in _log_lines(stack.web[1]) if line.get("request_id") == request_id]

    lines = wait_until(logged, 5, "the request's log line", stack.web)
    assert len(lines) == 1
    line = lines[0]
    assert line["user_id"] == user_id and line["path"] == "/" and line["status"] == 200
    assert isinstance(line["duration_ms"], (int, float)) and line["duration_ms"] >= 0
    # Without an incoming id, the server makes one up and returns it.
    fresh = dealer.get(stack.b + "/healthz")
    assert re.fullmatch(r"[0-9a-f]{16}", fresh.headers["X-Request-ID"])
    # gunicorn's own access log is off: the structured line is the only one per request.
    assert request_id not in "".join(l for l in stack.web[1].output().splitlines() if not l.startswith("{"))


def test_healthz_reports_database_and_redis(stack):
    response = Browser().get(stack.a + "/healthz")
    assert response.status == 200
    assert json.loads(response.text)["checks"] == {"database": "ok", "redis": "ok"}
