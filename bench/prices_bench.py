"""Benchmark of the pricing list pages (DESIGN §6: list page p95 < 100 ms, ≤ 10 SQL queries).

`/prices/` with 5,000 SKUs on the list in force, and `/exceptions/` with 10,000 open requests.
Builds its own database (SQLite file by default, or `--database-url postgresql://…` for an empty
PostgreSQL database), migrates it, fills it with bulk inserts, then times requests through the
Flask test client: server time per request (WSGI call to response), p50/p95, and SQL statements
per request counted with a `before_cursor_execute` listener.

    .venv/bin/python bench/prices_bench.py                     # SQLite under /tmp
    .venv/bin/python bench/prices_bench.py --database-url postgresql://postgres@127.0.0.1:5432/bench
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert, select, text  # noqa: E402

N_PRODUCTS = 5_000
N_EXCEPTIONS = 10_000
N_DEALS = 500


def build(app) -> dict:
    from portal.accounts.auth import hash_password, session_entries
    from portal.accounts.models import Dealer, Region, User, user_region
    from portal.catalog.models import PriceList, PriceListItem, Product, ProductLine, TierDiscount
    from portal.core import clock
    from portal.deals.models import Customer, DealRegistration
    from portal.extensions import db
    from portal.pricing.models import PriceException, PriceExceptionLine, PriceExceptionStep

    rnd = random.Random(7)
    today, now = clock.today(), clock.now()
    with app.app_context():
        s = db.session
        north = s.scalar(select(Region).where(Region.code == "north"))
        pw = hash_password("bench-pass-2026")
        dealers = [Dealer(code=f"B{i:04d}", name=f"基准经销商{i}有限公司", tier=t, region_id=north.id,
                          city="北京")
                   for i, t in enumerate(["platinum", "gold", "silver", "authorized"] * 10)]
        s.add_all(dealers)
        s.flush()
        dealer_user = User(email="bench.dealer@example.com", name="Bench Dealer", role="dealer_admin",
                           dealer_id=dealers[0].id, password_hash=pw, locale="zh_CN")
        cm = User(email="bench.cm@example.com", name="Bench CM", role="channel_manager",
                  password_hash=pw, locale="zh_CN")
        director = User(email="bench.director@example.com", name="Bench Director",
                        role="sales_director", password_hash=pw, locale="zh_CN")
        s.add_all([dealer_user, cm, director])
        s.flush()
        s.execute(insert(user_region), [{"user_id": cm.id, "region_id": north.id}])
        lines = [ProductLine(code=c, name_zh=z, name_en=e, sort=i) for i, (c, z, e) in enumerate(
            [("server", "服务器", "Servers"), ("storage", "存储", "Storage"),
             ("network", "网络", "Networking"), ("software", "软件", "Software"),
             ("service", "服务", "Services")])]
        s.add_all(lines)
        s.flush()
        plist = PriceList(name="基准目录价", effective_from=today - timedelta(days=30))
        s.add(plist)
        s.flush()
        words = ["机架服务器", "全闪存储", "汇聚交换机", "虚拟化软件", "上门服务", "防火墙", "硬盘", "内存"]
        s.execute(insert(Product), [
            {"sku": f"SKU-{i:05d}", "name": f"{words[i % len(words)]} 型号{i}", "unit": "台",
             "line_id": lines[i % 5].id, "active": True, "floor_price_fen": 50_000 + i,
             "created_at": now} for i in range(N_PRODUCTS)])
        product_ids = list(s.scalars(select(Product.id).order_by(Product.id)))
        s.execute(insert(PriceListItem), [
            {"price_list_id": plist.id, "product_id": pid, "list_price_fen": rnd.randint(10_000, 99_999_999)}
            for pid in product_ids])
        s.execute(insert(TierDiscount), [
            {"tier": t, "line_id": ln.id, "discount_bp": 500 + 300 * k + 100 * j}
            for k, t in enumerate(["authorized", "silver", "gold", "platinum"])
            for j, ln in enumerate(lines)])
        s.execute(insert(Customer).execution_options(figures="rebuilt"), [
            {"dealer_id": dealers[i % len(dealers)].id, "name": f"基准客户{i}有限公司",
             "name_norm": f"基准客户{i}", "region_id": north.id, "province": "", "city": "",
             "industry": "", "key_account": False, "created_at": now, "updated_at": now}
            for i in range(N_DEALS)])
        customer_ids = list(s.scalars(select(Customer.id).order_by(Customer.id)))
        s.execute(insert(DealRegistration).execution_options(figures="rebuilt"), [
            {"number": f"RB-{i:05d}", "dealer_id": dealers[i % len(dealers)].id,
             "created_by_id": dealer_user.id, "customer_id": customer_ids[i], "region_id": north.id,
             "project_name": f"基准项目{i}", "estimated_value_fen": 100_000_000,
             "expected_close_date": today + timedelta(days=60), "stage": "qualifying",
             "competitors": "", "notes": "", "status": "approved", "created_at": now,
             "submitted_at": now, "approved_at": now, "protected_until": today + timedelta(days=90),
             "version_id": 1} for i in range(N_DEALS)])
        deal_rows = s.execute(select(DealRegistration.id, DealRegistration.dealer_id)
                              .order_by(DealRegistration.id)).all()
        s.execute(insert(PriceException), [
            {"number": f"SPB-{i:06d}", "dealer_id": deal_rows[i % N_DEALS][1],
             "region_id": north.id, "deal_id": deal_rows[i % N_DEALS][0],
             "created_by_id": dealer_user.id, "status": "pending", "reason": "",
             "current_step": 1, "current_role": "channel_manager", "round": 1,
             "total_requested_fen": rnd.randint(10_000, 900_000_000), "total_net_fen": 0,
             "max_depth_bp": rnd.randint(1, 2000), "below_floor": False,
             "created_at": now - timedelta(hours=i), "submitted_at": now - timedelta(hours=i),
             "version_id": 1} for i in range(N_EXCEPTIONS)])
        exc_ids = list(s.scalars(select(PriceException.id).order_by(PriceException.id)))
        s.execute(insert(PriceExceptionLine), [
            {"exception_id": eid, "product_id": product_ids[(eid * 7 + k) % N_PRODUCTS],
             "quantity": 10, "requested_price_fen": 10_000, "used_qty": 0,
             "list_price_fen": 20_000, "discount_bp": 2000, "net_price_fen": 16_000}
            for eid in exc_ids for k in range(2)])
        s.execute(insert(PriceExceptionStep), [
            {"exception_id": eid, "round": 1, "seq": seq, "role": role,
             "status": "pending" if seq == 1 else "waiting", "target_business_days": 2,
             "started_at": now - timedelta(hours=eid % 200) if seq == 1 else None,
             "version_id": 1}
            for eid in exc_ids for seq, role in ((1, "channel_manager"), (2, "sales_director"))])
        from portal.scorecards import sources

        sources.rebuild(s)  # the customers and registrations inserted in bulk above
        s.commit()
        # Planner statistics, as a production database has them (autovacuum, `ANALYZE`).
        s.execute(text("ANALYZE"))
        s.commit()
        logins = {"dealer": session_entries(dealer_user), "cm": session_entries(cm),
                  "director": session_entries(director)}
        s.commit()
        return logins


def measure(app, login: dict, urls: list[str], rounds: int):
    """(server ms, SQL statements, ms spent in SQL) per request, for `rounds` over `urls`."""
    from portal.extensions import db

    client = app.test_client()
    with client.session_transaction() as sess:
        sess.update(login)
    counter = {"n": 0, "sql_ms": 0.0, "t": 0.0}

    def count(_conn, _cursor, statement, *_args, **_kw):
        counter["n"] += 1
        counter["t"] = time.perf_counter()
        if os.environ.get("BENCH_SHOW_SQL"):
            print("   SQL", " ".join(statement.split())[:160])

    def done(*_args, **_kw):
        counter["sql_ms"] += (time.perf_counter() - counter["t"]) * 1000

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    event.listen(engine, "after_cursor_execute", done)
    times, queries, sql_times = [], [], []
    try:
        for url in urls[:3]:               # warm-up (template compile, caches)
            client.get(url)
        for _ in range(rounds):
            for url in urls:
                counter["n"], counter["sql_ms"] = 0, 0.0
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                queries.append(counter["n"])
                sql_times.append(counter["sql_ms"])
                assert response.status_code == 200, (url, response.status_code)
    finally:
        event.remove(engine, "before_cursor_execute", count)
        event.remove(engine, "after_cursor_execute", done)
    return times, queries, sql_times


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[max(0, int(len(values) * 0.95) - 1)]


def report(name: str, times: list[float], queries: list[int], sql_times: list[float]) -> None:
    p95 = _p95(times)
    times = sorted(times)
    print(f"{name:<44} n={len(times):<4} p50={statistics.median(times):6.1f} ms  "
          f"p95={p95:6.1f} ms  max={times[-1]:6.1f} ms  SQL/request max={max(queries)} "
          f"median={int(statistics.median(queries))}  SQL time p95={_p95(sql_times):5.1f} ms  "
          f"{'OK' if p95 < 100 and max(queries) <= 10 else 'MISSED TARGET'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="empty database to use (default: a temp SQLite file)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--show-sql", action="store_true", help="print every statement")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='prices_bench_')}/bench.db"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    os.environ.setdefault("HUEY_IMMEDIATE", "1")
    if args.show_sql:
        os.environ["BENCH_SHOW_SQL"] = "1"

    from flask_migrate import upgrade

    from portal import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "BABEL_DEFAULT_LOCALE": "zh_CN",
                      "RATELIMIT_STORAGE_URI": "memory://"})
    started = time.perf_counter()
    with app.app_context():
        upgrade()
    logins = build(app)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"database {url.split('@')[-1]}: migrated and filled in {time.perf_counter() - started:.1f} s "
          f"({N_PRODUCTS} SKUs, {N_EXCEPTIONS} open exceptions)")
    import logging

    logging.getLogger("portal.request").setLevel(logging.WARNING)
    price_urls = ["/prices/", "/prices/?page=37", "/prices/?page=100", "/prices/?q=交换机",
                  "/prices/?q=SKU-049", "/prices/?sort=-net", "/prices/?sort=list&line=3",
                  "/prices/?sort=name&page=20", "/prices/?q=型号12&sort=-list"]
    report("/prices/ (dealer, 5,000 SKUs)", *measure(app, logins["dealer"], price_urls, args.rounds))
    exc_urls = ["/exceptions/", "/exceptions/?page=50", "/exceptions/?page=400",
                "/exceptions/?sort=-total", "/exceptions/?sort=depth&page=3",
                "/exceptions/?q=SPB-0099", "/exceptions/?view=all&status=pending"]
    report("/exceptions/ (channel manager queue, 10k)", *measure(app, logins["cm"], exc_urls, args.rounds))
    report("/exceptions/?view=all (director, 10k)", *measure(
        app, logins["director"], ["/exceptions/?view=all", "/exceptions/?view=all&page=200",
                                  "/exceptions/?view=all&sort=-depth"], args.rounds))


if __name__ == "__main__":
    main()
