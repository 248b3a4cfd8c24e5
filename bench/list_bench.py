"""Every list page at a large vendor's scale, for every role that opens it (DESIGN §6).

Target: p95 < 100 ms server time and ≤ 10 SQL statements per request, on PostgreSQL, for the
lists, their filters, sorts, searches and exports — as the dealer administrator of the large
dealer D0001, a channel manager, the director, finance and admin (and each role's dashboard,
the north's direct sales rep's among them).

    # a full-scale database (bench/generate.py), kept for reuse:
    createdb portal_full
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/portal_full .venv/bin/flask --app portal:create_app db upgrade
    DATABASE_URL=… .venv/bin/flask --app portal:create_app seed demo
    DATABASE_URL=… .venv/bin/python bench/generate.py
    .venv/bin/python bench/list_bench.py --database-url postgresql://postgres@127.0.0.1:5432/portal_full
    .venv/bin/python bench/list_bench.py --database-url … --only orders --roles cm --explain
    .venv/bin/python bench/list_bench.py --database-url … --only registrations --per-url
    .venv/bin/python bench/list_bench.py --database-url sqlite:////tmp/full.sqlite   # bench/pg_to_sqlite.py

Each request runs in this process through the app (the server time a worker spends, without the
network); the figures are p50/p95/p99 of the server time, the SQL statements per request and
the time spent waiting for the database. With `--explain`, the plan (EXPLAIN ANALYZE, BUFFERS; on
SQLite EXPLAIN QUERY PLAN) of the slowest statement of every page over target is printed.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select, text  # noqa: E402

#: The demo logins (`flask seed demo`) the bench acts as.
ROLES = {
    "dealer": "dealer1.admin@example.com",   # D0001: 1 % of all orders at full scale
    "cm": "cm.north@example.com",
    "director": "director@example.com",
    "finance": "finance@example.com",
    "admin": "admin@example.com",
    "rep": "rep.north@example.com",
}

#: page name → (roles that open it, URLs: the list, its filters, sorts, searches, later pages, exports)
PAGES: dict[str, tuple[tuple[str, ...], list[str]]] = {
    "orders": (("dealer", "cm", "director", "finance", "admin"), [
        "/orders/", "/orders/?status=submitted", "/orders/?status=confirmed&sort=-total",
        "/orders/?sort=date", "/orders/?page=40", "/orders/?q=SO2026-0001",
        "/orders/?from=2026-07-01&to=2026-09-30", "/orders/?dealer=D0002",
        # searches: a rare value, a value in every row, a 2-character value in no row
        "/orders/?q=HT-171069", "/orders/?q=客户", "/orders/?q=数据",
        "/orders/?sort=date&page=2",
    ]),
    "orders export": (("dealer", "cm", "finance"), [
        "/orders/?format=csv&from=2026-10-01&to=2026-10-07",
    ]),
    "order queue": (("cm", "director"), ["/orders/queue", "/orders/queue?page=5"]),
    "registrations": (("dealer", "cm", "director", "admin"), [
        "/deals/", "/deals/?status=approved", "/deals/?status=submitted&sort=-value",
        "/deals/?q=数据中心", "/deals/?page=40", "/deals/?sort=close",
        # searches: 2 characters in every row, a rare number, a rare customer, sorted by close
        "/deals/?q=数据", "/deals/?q=R2026-12345", "/deals/?q=博远博远66009",
        "/deals/?q=宏图数据中心&sort=close",
    ]),
    "leads": (("cm", "director"), ["/leads/", "/leads/?page=5", "/leads/?q=直销"]),
    "customers": (("dealer", "cm", "director"), [
        "/customers/", "/customers/?q=科技", "/customers/?page=40",
        # a 2-character value in 13 of 500,000 customers, a rare number, a rare full name
        "/customers/?q=数据", "/customers/?q=66009", "/customers/?q=广州星河云帆429283集团有限公司",
    ]),
    "conflicts": (("cm", "director"), [
        "/conflicts/", "/conflicts/?status=open", "/conflicts/?status=decided", "/conflicts/?page=3",
    ]),
    "exceptions": (("dealer", "cm", "director", "finance"), [
        "/exceptions/", "/exceptions/?view=all", "/exceptions/?view=all&status=pending",
        "/exceptions/?view=all&page=10", "/exceptions/?view=all&q=SP2026-0001",
    ]),
    "rebates": (("dealer", "finance", "director"), ["/rebates/"]),
    "rebate programs": (("finance", "director"), ["/rebates/programs/"]),
    "notifications": (("dealer", "cm", "finance"), ["/notifications/", "/notifications/?page=3"]),
    "audit log": (("admin",), ["/admin/audit/", "/admin/audit/?page=40",
                               "/admin/audit/?object_type=order"]),
    "admin lists": (("admin",), ["/admin/dealers/", "/admin/dealers/?page=100",
                                 "/admin/dealers/?q=D004", "/admin/dealers/?q=数据",
                                 "/admin/users/", "/admin/users/?page=100",
                                 "/admin/users/?q=dealer4321"]),
    "scorecards": (("dealer", "cm", "director"), [
        "/scorecards/", "/scorecards/?sort=name&page=3", "/scorecards/?sort=-sales&period=2026",
    ]),
    "dashboard": (("dealer", "cm", "director", "finance", "rep", "admin"), ["/"]),
    # DESIGN §3.9: everything awaiting the user, sorted by due time, its filters and later pages
    "inbox": (("cm", "director", "finance"), [
        "/inbox/", "/inbox/?kind=order", "/inbox/?kind=registration&page=20",
        "/inbox/?dealer=D0002", "/inbox/?min=1000000", "/inbox/?page=40",
    ]),
}

TARGET_MS, TARGET_SQL = 100.0, 10


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(len(values) * p) - 1))]


class Meter:
    """Counts statements and the time spent in them, per request; keeps the slowest one."""

    def __init__(self, engine):
        self.engine, self.n, self.sql_ms, self.t = engine, 0, 0.0, 0.0
        self.slowest: tuple[float, str, object] = (0.0, "", None)
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def reset(self):
        self.n, self.sql_ms, self.slowest = 0, 0.0, (0.0, "", None)

    def _before(self, _conn, _cursor, statement, parameters, *_args):
        self.n += 1
        self.t = time.perf_counter()

    def _after(self, _conn, _cursor, statement, parameters, *_args):
        ms = (time.perf_counter() - self.t) * 1000
        self.sql_ms += ms
        if ms > self.slowest[0] and statement.lstrip()[:6].upper() in ("SELECT", "WITH R"):
            self.slowest = (ms, statement, parameters)  # (not a SAVEPOINT of --rollback)

    def close(self):
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)


def log_in(app, email: str) -> dict:
    from portal.accounts.auth import session_entries
    from portal.accounts.models import User
    from portal.extensions import db

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        entries = session_entries(user)
        db.session.commit()
        return entries


def run_page(app, meter: Meter, login: dict, urls: list[str], rounds: int):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess.update(login)
    for url in urls:                      # warm-up: templates, caches, the plan cache
        client.get(url).close()
    times, queries, sql, slow = [], [], [], []
    for _ in range(rounds):
        for url in urls:
            meter.reset()
            started = time.perf_counter()
            response = client.get(url)
            response.get_data()               # a streamed export is made while it is read
            response.close()
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (url, response.status_code, login.get("_user_id"))
            times.append(elapsed)
            queries.append(meter.n)
            sql.append(meter.sql_ms)
            slow.append((elapsed, url, meter.n, meter.slowest))
    return times, queries, sql, slow


def explain(app, statement: str, parameters) -> str:
    from portal.extensions import db

    with app.app_context():
        shared = not hasattr(db.engine, "raw_connection")  # --rollback: the one connection
        raw = db.engine.connection.dbapi_connection if shared else db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if db.engine.dialect.name == "sqlite":  # no ANALYZE there: the plan, as a tree
                cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                depth = {0: -1}
                lines = []
                for node, parent, _unused, detail in cursor.fetchall():
                    depth[node] = depth.get(parent, -1) + 1
                    lines.append("  " * depth[node] + detail)
                return "\n".join(lines)
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            if not shared:
                raw.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a full-scale database (see above)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", action="append", help="page names to run (default: all)")
    parser.add_argument("--roles", help="comma-separated roles (default: each page's own)")
    parser.add_argument("--explain", action="store_true", help="plans of pages over target")
    parser.add_argument("--per-url", action="store_true",
                        help="also the median time and statements of each URL")
    parser.add_argument("--rollback", action="store_true",
                        help="leave the database as it was: the bench's logins are written inside "
                             "one transaction on one connection, rolled back at the end")
    args = parser.parse_args()
    url = args.database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    import logging

    from portal import create_app
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "BABEL_DEFAULT_LOCALE": "zh_CN",
                      "RATELIMIT_STORAGE_URI": "memory://", "HUEY_IMMEDIATE": True})
    logging.getLogger("portal.request").setLevel(logging.WARNING)
    if args.rollback:
        outer = _one_rolled_back_transaction(app)
    with app.app_context():
        meter = Meter(db.engine)
        sizes = {t: db.session.scalar(text(f"SELECT count(*) FROM {t}"))
                 for t in ("dealer", "customer", "deal_registration", "sales_order", "order_line")}
    print(f"database {url.split('@')[-1]}: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; {args.rounds} rounds\n")
    print(f"{'page':<16} {'role':<9} {'n':>4} {'p50':>7} {'p95':>7} {'p99':>7} {'SQL max':>7} "
          f"{'SQL ms p95':>10}  verdict")
    logins = {role: log_in(app, email) for role, email in ROLES.items()}
    wanted_roles = set(args.roles.split(",")) if args.roles else None
    missed = []
    for name, (roles, urls) in PAGES.items():
        if args.only and name not in args.only:
            continue
        for role in roles:
            if wanted_roles and role not in wanted_roles:
                continue
            times, queries, sql, slow = run_page(app, meter, logins[role], urls, args.rounds)
            p95 = percentile(times, 0.95)
            ok = p95 < TARGET_MS and max(queries) <= TARGET_SQL
            print(f"{name:<16} {role:<9} {len(times):>4} {statistics.median(times):>6.1f}m "
                  f"{p95:>6.1f}m {percentile(times, 0.99):>6.1f}m {max(queries):>7} "
                  f"{percentile(sql, 0.95):>9.1f}m  {'OK' if ok else 'MISSED TARGET'}", flush=True)
            if args.per_url:
                for url in urls:
                    mine = [s for s in slow if s[1] == url]
                    print(f"    {url:<52} {statistics.median(s[0] for s in mine):>8.1f}m "
                          f"{max(s[2] for s in mine):>3} statements")
            if not ok:
                missed.append((name, role, max(slow, key=lambda s: s[0])))
    meter.close()
    if args.explain:
        for name, role, (elapsed, url, n, (ms, statement, parameters)) in missed:
            print(f"\n== {name} as {role}: {url} took {elapsed:.0f} ms, {n} statements; "
                  f"slowest {ms:.0f} ms:\n{' '.join(statement.split())[:600]}")
            if statement:
                print(explain(app, statement, parameters))
    print(f"\n{len(missed)} page × role combinations over target")
    if args.rollback:
        outer.rollback()


def _one_rolled_back_transaction(app):
    """Bind the app's session to one connection inside a transaction (as the test suite does):
    what the bench writes (its logins) is rolled back at the end. Requests then run inside that
    transaction rather than in autocommit mode; the statements they send are the same."""
    from sqlalchemy import inspect

    from portal.db import Base
    from portal.extensions import db

    with app.app_context():
        conn = db.engine.connect()
        outer = conn.begin()
        # A database migrated before the code's newest indexes gets them for this run only.
        inspector = inspect(conn)
        # (not on SQLite, whose expression indexes cannot be reflected: use a migrated copy)
        for table in Base.metadata.sorted_tables if conn.dialect.name == "postgresql" else ():
            present = {ix["name"] for ix in inspector.get_indexes(table.name)}
            for index in table.indexes:
                if index.name not in present:
                    print(f"(index {index.name} created for this run, rolled back after it)")
                    index.create(conn)
        db._app_engines[app][None] = conn
        db.session = db._make_scoped_session({"join_transaction_mode": "create_savepoint"})
    return outer


if __name__ == "__main__":
    main()
