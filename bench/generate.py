"""Full-scale data for the load bench (DESIGN.md §6): 5,000 dealers, 500,000 customers and
2,000,000 order lines over the last year, on top of `flask seed demo`, bulk-loaded into
PostgreSQL with COPY.

The demo data stay as they are (so the demo logins work); the generator adds dealers (each with
a dealer administrator), customers, registrations, orders and notifications until the totals
are reached. Every dealer gets its share; D0001 — the platinum dealer the bench logs in as — is
a large one: 1 % of all orders (≈ 20,000 order lines a year) and a long notification history, so
its dashboard aggregates and lists read far more rows than an average dealer's.

    DATABASE_URL=postgresql://…/portal_load .venv/bin/python bench/generate.py
    DEALERS=5000 CUSTOMERS=500000 ORDER_LINES=2000000 REGISTRATIONS=250000 bench/generate.py

Runs in about a minute or two on 2 cores. PostgreSQL only (the load bench runs on PostgreSQL).
"""
from __future__ import annotations

import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

DEALERS = int(os.environ.get("DEALERS", 5_000))
CUSTOMERS = int(os.environ.get("CUSTOMERS", 500_000))
ORDER_LINES = int(os.environ.get("ORDER_LINES", 2_000_000))
REGISTRATIONS = int(os.environ.get("REGISTRATIONS", 250_000))
NOTIFICATIONS_PER_USER = int(os.environ.get("NOTIFICATIONS_PER_USER", 20))
LINES_PER_ORDER = 4
#: Share of all orders that belong to D0001 (the dealer the bench logs in as).
BIG_DEALER_SHARE = 0.01
TIERS = ["platinum", "gold", "gold", "silver", "silver", "silver", "authorized", "authorized"]
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安", "天津"]
WORDS = ["华信", "中科", "东方", "星河", "瑞达", "恒通", "联创", "博远", "启明", "天成", "汇智",
         "金桥", "蓝海", "鼎盛", "新锐", "安泰", "宏图", "长城", "润泽", "云帆"]
SUFFIXES = ["科技有限公司", "信息技术有限公司", "网络科技有限公司", "电子有限公司", "集团有限公司"]
DEAL_STATES = (["approved"] * 5 + ["submitted"] * 2 + ["won", "lost", "expired", "draft",
                                                       "rejected"])


def pg_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        sys.exit("bench/generate.py loads PostgreSQL only: set DATABASE_URL=postgresql://…")
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def copy(cur, table: str, columns: str, rows) -> int:
    n = 0
    with cur.copy(f'COPY "{table}" ({columns}) FROM STDIN') as cp:
        for row in rows:
            cp.write_row(row)
            n += 1
    return n


def main() -> None:
    t0 = time.perf_counter()
    rng = random.Random(2026)
    now = datetime.now(UTC)
    today = now.date()
    with psycopg.connect(pg_url()) as conn, conn.cursor() as cur:
        cur.execute('SELECT count(*) FROM dealer')
        have_dealers = cur.fetchone()[0]
        if have_dealers >= DEALERS:
            print(f"already at full scale ({have_dealers:,} dealers)")
            return
        cur.execute("SELECT id FROM region ORDER BY id")
        regions = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT product.id, product.line_id, max(item.list_price_fen) FROM product "
                    "JOIN price_list_item item ON item.product_id = product.id "
                    "WHERE product.active GROUP BY product.id, product.line_id ORDER BY product.id")
        products = cur.fetchall()
        if not products:
            sys.exit("no priced products: run `flask seed demo` first")

        # Dealers, each with a dealer administrator who can own registrations and orders.
        start = have_dealers + 1
        copy(cur, "dealer", "code, name, tier, region_id, city, status, created_at",
             ((f"D{i:04d}", f"{rng.choice(WORDS)}{rng.choice(WORDS)}{i}{rng.choice(SUFFIXES)}",
               rng.choice(TIERS), regions[i % len(regions)], rng.choice(CITIES), "active", now)
              for i in range(start, DEALERS + 1)))
        cur.execute("SELECT d.id, d.region_id, d.code FROM dealer d ORDER BY d.id")
        dealers = cur.fetchall()
        cur.execute('SELECT dealer_id, min(id) FROM "user" WHERE dealer_id IS NOT NULL GROUP BY dealer_id')
        owner = dict(cur.fetchall())
        copy(cur, "user", "email, name, role, dealer_id, timezone, active, password_hash, "
             "session_token, created_at",
             ((f"admin@{code.lower()}.dealer.example", f"{code} 管理员", "dealer_admin", did,
               "Asia/Shanghai", True, "!", f"bench{did}", now)
              for did, _r, code in dealers if did not in owner))
        cur.execute('SELECT dealer_id, min(id) FROM "user" WHERE dealer_id IS NOT NULL GROUP BY dealer_id')
        owner = dict(cur.fetchall())
        big = next(d for d in dealers if d[2] == "D0001")
        print(f"dealers: {len(dealers):,} ({time.perf_counter() - t0:.0f} s)", flush=True)

        # Customers, owned round-robin by the dealers.
        cur.execute("SELECT coalesce(max(id), 0) FROM customer")
        first_customer = cur.fetchone()[0] + 1
        n_customers = max(0, CUSTOMERS - first_customer + 1)

        def customers():
            for k in range(n_customers):
                did, region, _code = dealers[k % len(dealers)]
                name = f"{rng.choice(CITIES)}{rng.choice(WORDS)}{rng.choice(WORDS)}{k}{rng.choice(SUFFIXES)}"
                yield (first_customer + k, did, owner[did], region, name, name, "",
                       rng.choice(CITIES), "", False, now, now)
        copy(cur, "customer", "id, dealer_id, created_by_id, region_id, name, name_norm, province, "
             "city, industry, key_account, created_at, updated_at", customers())
        customer_ids = range(first_customer, first_customer + n_customers)
        print(f"customers: {n_customers:,} ({time.perf_counter() - t0:.0f} s)", flush=True)

        # Registrations in every state, with one or two product lines each.
        cur.execute("SELECT coalesce(max(id), 0) FROM deal_registration")
        first_deal = cur.fetchone()[0] + 1
        line_ids = sorted({p[1] for p in products})
        deal_lines = []

        def deals():
            for k in range(REGISTRATIONS):
                cid = customer_ids[rng.randrange(len(customer_ids))]
                did, region, _code = dealers[(cid - first_customer) % len(dealers)]
                status = rng.choice(DEAL_STATES)
                submitted = now - timedelta(days=rng.randrange(1, 300))
                approved = status in ("approved", "won", "lost", "expired")
                until = today + timedelta(days=rng.randrange(1, 90)) if status == "approved" else \
                    (today - timedelta(days=rng.randrange(1, 200)) if approved else None)
                # A won, lost or expired registration was closed after its approval (the
                # scorecards count it in the month it closed).
                closed = None
                if status in ("won", "lost", "expired"):
                    closed = min(now, submitted + timedelta(days=rng.randrange(3, 120)))
                deal_id = first_deal + k
                for line in rng.sample(line_ids, rng.choice((1, 1, 2))):
                    deal_lines.append((deal_id, line, rng.randint(1, 50)))
                yield (deal_id, f"R{submitted.year}-{deal_id:06d}", did, owner[did], cid, region,
                       f"{rng.choice(WORDS)}数据中心项目", rng.randint(10_000, 5_000_000) * 100,
                       today + timedelta(days=rng.randrange(10, 180)), "quoting", "", "", status,
                       submitted, None if status == "draft" else submitted,
                       submitted + timedelta(days=2) if approved else None, until, closed, 1)
        copy(cur, "deal_registration", "id, number, dealer_id, created_by_id, customer_id, region_id, "
             "project_name, estimated_value_fen, expected_close_date, stage, competitors, notes, status, "
             "created_at, submitted_at, approved_at, protected_until, closed_at, version_id", deals())
        copy(cur, "deal_line", "deal_id, line_id, quantity", deal_lines)
        deal_lines.clear()
        print(f"registrations: {REGISTRATIONS:,} ({time.perf_counter() - t0:.0f} s)", flush=True)

        # Orders over the last 365 days, four lines each; D0001 takes BIG_DEALER_SHARE of them.
        cur.execute("SELECT coalesce(max(id), 0) FROM sales_order")
        first_order = cur.fetchone()[0] + 1
        n_orders = ORDER_LINES // LINES_PER_ORDER
        lines = []

        def orders():
            for k in range(n_orders):
                oid = first_order + k
                did, region, _code = big if rng.random() < BIG_DEALER_SHARE else \
                    dealers[rng.randrange(len(dealers))]
                day = today - timedelta(days=rng.randrange(0, 365))
                status = "confirmed" if rng.random() < 0.94 else rng.choice(("submitted", "rejected"))
                total = 0
                for _ in range(LINES_PER_ORDER):
                    pid, lid, price = products[rng.randrange(len(products))]
                    qty = rng.randint(1, 5)
                    source = "exception" if rng.random() < 0.05 else "net"
                    lines.append((oid, pid, lid, qty, price, price, price, source, price * qty))
                    total += price * qty
                created = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
                yield (oid, f"SO{day.year}-{oid:07d}", did, region, owner[did], "客户", f"HT-{oid}",
                       day, status, total, "", created, created if status != "submitted" else None, 1)
                if len(lines) >= 200_000:
                    return
        done = 0
        while done < n_orders:
            before = first_order
            n = copy(cur, "sales_order", "id, number, dealer_id, region_id, created_by_id, "
                     "customer_name, contract_no, order_date, status, total_fen, notes, created_at, "
                     "decided_at, version_id", _limited(orders(), n_orders - done))
            copy(cur, "order_line", "order_id, product_id, line_id, quantity, list_price_fen, "
                 "net_price_fen, unit_price_fen, price_source, amount_fen", lines)
            lines.clear()
            done += n
            first_order = before + n
        print(f"orders: {n_orders:,}, order lines: {n_orders * LINES_PER_ORDER:,} "
              f"({time.perf_counter() - t0:.0f} s)", flush=True)

        # Notifications: a history for every user, a long one for D0001's people.
        cur.execute('SELECT id, dealer_id FROM "user"')
        users = cur.fetchall()

        def notes():
            for uid, did in users:
                count = NOTIFICATIONS_PER_USER * (50 if did == big[0] else 1)
                # Oldest first, as the portal writes them (the newest has the highest id); the
                # message is the portal's own, so it reads in the recipient's language.
                times = sorted(now - timedelta(hours=rng.randrange(1, 24 * 365)) for _ in range(count))
                for j, at in enumerate(times):
                    number = f"R{at.year}-{rng.randrange(1, REGISTRATIONS):06d}"
                    unread = j >= count - max(1, count // 10)  # the newest tenth is unread
                    yield (uid, at, None if unread else at + timedelta(hours=1), "decision_made",
                           "Registration %(number)s is approved and protected until %(until)s.",
                           f'{{"number": "{number}", "until": "{(at + timedelta(days=90)).date()}"}}',
                           "/deals/")
        copy(cur, "notification", "user_id, created_at, read_at, kind, message, params, link", notes())
        print(f"notifications ({time.perf_counter() - t0:.0f} s)", flush=True)

        for table in ("dealer", "user", "customer", "deal_registration", "deal_line", "sales_order",
                      "order_line", "notification"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                        f"(SELECT max(id) FROM \"{table}\"))")
        # COPY bypasses the portal's sessions: change the stamp of the scorecards' ranked list so
        # that running processes recompute it (portal.scorecards.stamp).
        cur.execute("SELECT to_regclass('scorecard_stamp') IS NOT NULL")
        if cur.fetchone()[0]:
            cur.execute("UPDATE scorecard_stamp SET version = version + 1, "
                        "token = floor(random() * 4611686018427387903)::bigint")
        conn.commit()
    # The dealers' monthly figures (portal.scorecards.figures) are kept by the portal's sessions:
    # COPY bypasses them, so recompute them from the rows loaded.
    rebuild_figures()
    with psycopg.connect(pg_url(), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"full scale loaded in {time.perf_counter() - t0:.0f} s", flush=True)


def rebuild_figures() -> None:
    from portal import create_app
    from portal.extensions import db
    from portal.scorecards import sources, stamp

    t0 = time.perf_counter()
    app = create_app({"SQLALCHEMY_DATABASE_URI": pg_url()})
    with app.app_context():
        months = sources.rebuild(db.session)
        stamp.bump(db.session)
        db.session.commit()
        db.engine.dispose()
    print(f"dealer months: {months:,} ({time.perf_counter() - t0:.0f} s)", flush=True)


def _limited(rows, n):
    for i, row in enumerate(rows):
        if i >= n:
            return
        yield row


if __name__ == "__main__":
    main()
