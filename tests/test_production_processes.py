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
    demo_db,
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
def stack(demo_db, redis_space, processes, tmp_path_factory):  # noqa: F811
    """A PostgreSQL database with the demo, two app servers and one worker."""
    url = demo_db
    env = production_env(url, redis_space, tmp_path_factory.mktemp("storage"),
                         LOGIN_LIMIT_PER_ACCOUNT="5 per 15 minutes",
                         LOGIN_LIMIT_PER_IP="1000 per 15 minutes")
    ports = free_port(), free_port()
    web = [processes.gunicorn(f"web{i}", env, port) for i, port in enumerate(ports)]
    worker = processes.worker("worker", env)
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    for base, proc in zip(bases, web, strict=True):
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
    other_lines = [ln for ln in stack.web[1].output().splitlines() if not ln.startswith("{")]
    assert not any(request_id in ln for ln in other_lines)


def test_healthz_reports_database_and_redis(stack):
    response = Browser().get(stack.a + "/healthz")
    assert response.status == 200
    assert json.loads(response.text)["checks"] == {"database": "ok", "redis": "ok"}


# --- two approvers, two servers, one step ------------------------------------------------------------

PENDING_STEP = sa.text(
    "SELECT e.id, e.number, e.region_id, s.id AS step_id, s.role FROM price_exception e "
    "JOIN price_exception_step s ON s.exception_id = e.id AND s.round = e.round "
    "AND s.seq = e.current_step WHERE e.status = 'pending' AND s.status = 'pending' "
    "ORDER BY e.id LIMIT 1")


def _pending_exception(stack):
    """The demo's pending price exception; when the demo has none, one requested by dealer1."""
    with stack.engine.connect() as conn:
        row = conn.execute(PENDING_STEP).first()
    if row is not None:
        return row
    from decimal import Decimal

    from portal import create_app
    from portal.accounts.models import User
    from portal.catalog.models import PriceListItem, Product
    from portal.catalog.services import price_list_in_force
    from portal.core import clock
    from portal.extensions import db
    from portal.pricing import workflow
    from portal.pricing.services import price_for

    url = stack.engine.url.render_as_string(hide_password=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.test_request_context():
        dealer_user = db.session.scalar(sa.select(User).where(User.email == "dealer1.sales@example.com"))
        deals = workflow.eligible_deals(dealer_user.dealer_id)
        assert deals, "the demo has no approved registration of D0001 to ask a special price for"
        plist = price_list_in_force(clock.today())
        product = db.session.scalar(sa.select(Product).join(
            PriceListItem, PriceListItem.product_id == Product.id).where(
            PriceListItem.price_list_id == plist.id, Product.active.is_(True)).order_by(Product.id).limit(1))
        net = price_for(dealer_user.dealer, product, clock.today()).net_price_fen
        price = (Decimal(net) * Decimal("0.97") / 100).quantize(Decimal("0.01"))
        workflow.save_request(dealer_user, None, deal_id=deals[0].id, reason="production test",
                              raw_lines=[{"index": 0, "sku": product.sku, "quantity": "2",
                                          "price": str(price)}], submit=True)
        db.session.commit()
        db.engine.dispose()
    with stack.engine.connect() as conn:
        return conn.execute(PENDING_STEP).one()


def _two_approvers(stack, role: str, region_id: int) -> list[str]:
    """The e-mails of two users who may decide a step of `role` in `region_id` (a second one is
    added, with the demo password, when the demo has only one)."""
    scoped = role in ("channel_manager", "sales_rep")
    with stack.engine.begin() as conn:
        query = ('SELECT u.id, u.email FROM "user" u '
                 + ("JOIN user_region ur ON ur.user_id = u.id AND ur.region_id = :region " if scoped else "")
                 + "WHERE u.role = :role AND u.active ORDER BY u.id")
        users = conn.execute(sa.text(query), {"role": role, "region": region_id}).all()
        assert users, f"no active {role} for region {region_id}"
        if len(users) == 1:
            email = f"second.{role}@example.com"
            new_id = conn.execute(sa.text(
                'INSERT INTO "user" (email, name, role, dealer_id, locale, timezone, active, '
                "password_hash, session_token, created_at) SELECT :email, 'Second approver', role, "
                "dealer_id, 'en', timezone, true, password_hash, md5(random()::text), now() "
                'FROM "user" WHERE id = :id RETURNING id'), {"email": email, "id": users[0].id}).scalar_one()
            conn.execute(sa.text("INSERT INTO user_region (user_id, region_id) SELECT :new, region_id "
                                 "FROM user_region WHERE user_id = :id"), {"new": new_id, "id": users[0].id})
            users.append((new_id, email))
    return [users[0][1], users[1][1]]


def test_two_approvers_on_two_servers_exactly_one_decides_and_the_worker_mails(stack):
    exc = _pending_exception(stack)
    emails = _two_approvers(stack, exc.role, exc.region_id)
    approvers = [Browser(), Browser()]
    bases = [stack.a, stack.b]
    tokens = []
    for browser, base, email in zip(approvers, bases, emails, strict=True):
        assert browser.login(base, email).status == 302
        page = browser.get(f"{base}/exceptions/{exc.id}")
        assert page.status == 200
        tokens.append(page.csrf_token())
    mail_log_offset = len(stack.worker.output())

    barrier, results = threading.Barrier(2), [None, None]

    def decide(i):
        barrier.wait(timeout=10)
        results[i] = approvers[i].request(
            f"{bases[i]}/exceptions/{exc.id}/decide",
            {"csrf_token": tokens[i], "step_id": exc.step_id, "decision": "approve",
             "comment": f"approved by approver {i + 1}"})

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    statuses = sorted(r.status for r in results)
    assert statuses == [302, 409], [(r.status, r.text[:500]) for r in results]
    loser = next(r for r in results if r.status == 409)
    assert "decided" in loser.text.lower() or "changed" in loser.text.lower()

    with stack.engine.connect() as conn:
        step = conn.execute(sa.text("SELECT status, decided_by_id, comment FROM price_exception_step "
                                    "WHERE id = :id"), {"id": exc.step_id}).one()
        decisions = conn.execute(sa.text(
            "SELECT count(*) FROM audit_entry WHERE object_type = 'price_exception' AND object_id = :id "
            "AND actor_id IN (:a, :b)"),
            {"id": exc.id, "a": _user_id(stack, emails[0]), "b": _user_id(stack, emails[1])}).scalar()
    winner = next(i for i, r in enumerate(results) if r.status == 302)
    assert step.status == "approved" and step.comment == f"approved by approver {winner + 1}"
    assert step.decided_by_id == _user_id(stack, emails[winner])
    assert decisions == 1  # the loser left no trace

    # The decision's notification e-mails are sent by the worker, not by the web process.
    def mailed():
        new = stack.worker.output()[mail_log_offset:]
        return [line for line in new.splitlines() if "mail to=" in line and exc.number in line]

    assert wait_until(mailed, 20, "the worker to send the decision's e-mail",
                      [stack.worker, *stack.web])
    assert not any("mail to=" in proc.output() for proc in stack.web)
