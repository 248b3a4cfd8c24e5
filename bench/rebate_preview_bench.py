"""Benchmark: a quarter's rebate preview at full scale (DESIGN.md §6).

Target: < 10 s for 5,000 dealers and 2,000,000 order lines, and within 2× of one bare SQL
aggregate (the same GROUP BY, run as plain SQL) over the same rows.

The data are generated once with bulk inserts — 5,000 dealers, 500,000 confirmed orders of four
lines each, all dated inside the quarter (the worst case: every line is read) — into a cached
SQLite file (bench/out/rebate_preview.db) and a PostgreSQL database (`rebate_bench` on the server
of $BENCH_PG_URL, default postgresql://postgres@127.0.0.1:5432/postgres). Later runs reuse them.

Run:  cd /work/main && .venv/bin/python bench/rebate_preview_bench.py [--backend sqlite|pg|both]
                                                                      [--lines 2000000] [--runs 3]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HUEY_SQLITE_PATH", str(ROOT / "bench" / "out" / "jobs.db"))

import sqlalchemy as sa  # noqa: E402

START, END = date(2026, 10, 1), date(2026, 12, 31)
DEALERS = 5_000
LINES_PER_ORDER = 4
TIERS = ["platinum", "gold", "silver", "authorized"]
BANDS = [[0, 100], [50_000_000, 200], [100_000_000, 300]]
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"


def make_app(url: str):
    from portal import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "STORAGE_DIR": str(ROOT / "bench" / "out" / "storage")})


def url_for(backend: str, n_lines: int) -> str:
    if backend == "sqlite":
        return f"sqlite:///{ROOT / 'bench' / 'out' / f'rebate_preview_{n_lines}.db'}"
    base = sa.engine.make_url(os.environ.get("BENCH_PG_URL", PG_DEFAULT).replace(
        "postgresql://", "postgresql+psycopg://", 1))
    return base.set(database=f"rebate_bench_{n_lines}").render_as_string(hide_password=False)


def ensure_pg_database(url: str) -> None:
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                             {"n": target.database})
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def generate(app, n_lines: int) -> None:
    """Migrate and fill the database once (skipped when the data are there)."""
    from flask_migrate import upgrade

    from portal.extensions import db

    with app.app_context():
        upgrade()
        engine = db.engine
        with engine.connect() as conn:
            have = conn.scalar(sa.text("SELECT count(*) FROM order_line"))
        if have >= n_lines:
            return
        print(f"generating {n_lines:,} order lines (once) …", flush=True)
        t0 = time.perf_counter()
        rng = random.Random(7)
        with engine.begin() as conn:
            region = conn.scalar(sa.text("SELECT id FROM region ORDER BY id LIMIT 1"))
            if region is None:
                conn.execute(sa.text("INSERT INTO region (code, name_zh, name_en) VALUES ('north','华北','North')"))
                region = conn.scalar(sa.text("SELECT id FROM region ORDER BY id LIMIT 1"))
            conn.execute(sa.text(
                "INSERT INTO \"user\" (email, name, role, password_hash, timezone, active, session_token, created_at) "
                "VALUES ('bench@example.com', 'bench', 'finance', 'x', 'Asia/Shanghai', true, 'x', :t)"),
                {"t": "2026-01-01 00:00:00"})
            user = conn.scalar(sa.text("SELECT id FROM \"user\" WHERE email='bench@example.com'"))
            for i, code in enumerate(["server", "storage", "network", "software", "service"]):
                conn.execute(sa.text("INSERT INTO product_line (code, name_zh, name_en, sort) VALUES (:c, :c, :c, :s)"),
                             {"c": f"B-{code}", "s": i})
            line_ids = [r[0] for r in conn.execute(sa.text("SELECT id FROM product_line WHERE code LIKE 'B-%' ORDER BY id"))]
            conn.execute(sa.text("INSERT INTO product (sku, name, line_id, unit, active, created_at) VALUES "
                                 + ",".join(f"('B-SKU-{i}', 'p{i}', {line_ids[i % 5]}, '台', true, '2026-01-01')"
                                            for i in range(50))))
            products = [(r[0], r[1]) for r in conn.execute(sa.text(
                "SELECT id, line_id FROM product WHERE sku LIKE 'B-SKU-%' ORDER BY id"))]
            conn.execute(sa.text("INSERT INTO dealer (code, name, tier, region_id, city, status, created_at) VALUES (:c, :n, :t, :r, '北京', 'active', '2026-01-01')"),
                         [{"c": f"B{i:05d}", "n": f"基准经销商{i}有限公司", "t": TIERS[i % 4], "r": region}
                          for i in range(DEALERS)])
            dealers = [r[0] for r in conn.execute(sa.text("SELECT id FROM dealer WHERE code LIKE 'B%' ORDER BY id"))]
        n_orders = n_lines // LINES_PER_ORDER
        days = (END - START).days
        chunk = 50_000
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            is_pg = engine.dialect.name == "postgresql"
            cur.execute("SELECT coalesce(max(id), 0) FROM sales_order")
            first_id = cur.fetchone()[0] + 1
            for base in range(0, n_orders, chunk):
                orders, lines = [], []
                for k in range(base, min(base + chunk, n_orders)):
                    oid = first_id + k
                    dealer = dealers[k % DEALERS]
                    day = START + timedelta(days=rng.randint(0, days))
                    total = 0
                    for _ in range(LINES_PER_ORDER):
                        pid, lid = products[rng.randrange(len(products))]
                        qty = rng.randint(1, 5)
                        unit = rng.randint(500_000, 5_000_000)
                        source = "exception" if rng.random() < 0.05 else "net"
                        lines.append((oid, pid, lid, qty, unit, unit, unit, source, unit * qty))
                        total += unit * qty
                    orders.append((oid, f"BO{oid:08d}", dealer, region, user, "c", f"HT{oid}",
                                   day.isoformat(), "confirmed", total, "", "2026-10-01 00:00:00", 1))
                order_sql = ("INSERT INTO sales_order (id, number, dealer_id, region_id, created_by_id, customer_name, "
                             "contract_no, order_date, status, total_fen, notes, created_at, version_id) VALUES ")
                line_sql = ("INSERT INTO order_line (order_id, product_id, line_id, quantity, list_price_fen, "
                            "net_price_fen, unit_price_fen, price_source, amount_fen) VALUES ")
                if is_pg:
                    with cur.copy("COPY sales_order (id, number, dealer_id, region_id, created_by_id, customer_name, "
                                  "contract_no, order_date, status, total_fen, notes, created_at, version_id) FROM STDIN") as cp:
                        for row in orders:
                            cp.write_row(row)
                    with cur.copy("COPY order_line (order_id, product_id, line_id, quantity, list_price_fen, "
                                  "net_price_fen, unit_price_fen, price_source, amount_fen) FROM STDIN") as cp:
                        for row in lines:
                            cp.write_row(row)
                else:
                    cur.executemany(order_sql + "(?,?,?,?,?,?,?,?,?,?,?,?,?)", orders)
                    cur.executemany(line_sql + "(?,?,?,?,?,?,?,?,?)", lines)
                raw.commit()
                print(f"  {min(base + chunk, n_orders) * LINES_PER_ORDER:,} lines", flush=True)
            if is_pg:
                cur.execute("SELECT setval(pg_get_serial_sequence('sales_order', 'id'), (SELECT max(id) FROM sales_order))")
                raw.commit()
            else:
                cur.execute("ANALYZE")
                raw.commit()
        finally:
            raw.close()
        print(f"generated in {time.perf_counter() - t0:.0f} s", flush=True)


BARE_SQL = """
SELECT o.dealer_id, l.line_id, sum(l.amount_fen),
       sum(CASE WHEN l.price_source = 'exception' THEN l.amount_fen ELSE 0 END)
FROM sales_order o JOIN order_line l ON l.order_id = o.id
WHERE o.status = 'confirmed' AND o.order_date >= :start AND o.order_date <= :end
GROUP BY o.dealer_id, l.line_id
"""


def measure(app, runs: int) -> dict:
    from portal.extensions import db
    from portal.rebates import services
    from portal.rebates.models import RebateProgram

    with app.app_context():
        program = RebateProgram(name="bench", code="2026Q4B", period_code="2026Q4B", period_start=START, period_end=END,
                                mode="all_units", bands=BANDS, exception_treatment="exclude",
                                eligible_tiers=[], eligible_line_ids=[])
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.execute(sa.text("ANALYZE sales_order"))
                conn.execute(sa.text("ANALYZE order_line"))
                conn.commit()
        bare, full, agg, dealers = [], [], [], 0
        for _ in range(runs):
            t0 = time.perf_counter()
            services.sales_by_dealer_line(program, START, END)
            agg.append(time.perf_counter() - t0)
            db.session.rollback()
            t0 = time.perf_counter()
            rows = db.session.execute(sa.text(BARE_SQL), {"start": START, "end": END}).all()
            bare.append(time.perf_counter() - t0)
            db.session.rollback()
            t0 = time.perf_counter()
            result = services.preview(program)
            full.append(time.perf_counter() - t0)
            dealers = len(result.results)
            db.session.rollback()
        check = check_against_reference(program, rows, result)
        return {"bare": statistics.median(bare), "preview": statistics.median(full),
                "aggregate": statistics.median(agg), "check": check,
                "groups": len(rows), "dealers": dealers, "bare_all": bare, "preview_all": full}


def check_against_reference(program, rows, result) -> str:
    """Outside the timings: the preview read the same rows as the bare aggregate, and its batch
    arithmetic gives every dealer exactly what the reference `calc.compute_entitlement` gives."""
    from portal.rebates import calc
    from portal.rebates.programs import treatment_of

    bare: dict[int, dict[int, tuple[int, int]]] = {}
    for dealer_id, line_id, sales, exception in rows:
        bare.setdefault(dealer_id, {})[line_id] = (int(sales), int(exception))
    previewed = {r.dealer.id: r for r in result.results}
    if {d: r.lines for d, r in previewed.items()} != bare:
        raise SystemExit("the preview did not read the same sales as the bare aggregate")
    for dealer_id, lines in bare.items():
        expected = calc.compute_entitlement(
            {str(k): s for k, (s, _e) in sorted(lines.items())},
            {str(k): e for k, (_s, e) in sorted(lines.items()) if e},
            bands=[calc.Band(*b) for b in program.bands], mode=program.mode,
            exception_treatment=treatment_of(program), cap_fen=program.cap_fen)
        if previewed[dealer_id].entitlement != expected:
            raise SystemExit(f"dealer {dealer_id}: the preview differs from the reference arithmetic")
    return f"{len(bare):,} dealers equal to the reference"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "pg", "both"], default="both")
    parser.add_argument("--lines", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    backends = ["sqlite", "pg"] if args.backend == "both" else [args.backend]
    for backend in backends:
        load_before = os.getloadavg()
        url = url_for(backend, args.lines)
        if backend == "pg":
            ensure_pg_database(url)
        app = make_app(url)
        generate(app, args.lines)
        r = measure(app, args.runs)
        ratio = r["preview"] / r["bare"] if r["bare"] else float("inf")
        ok = r["preview"] < 10 and ratio <= 2
        print(f"{backend}: {args.lines:,} lines, {r['dealers']:,} dealers, {r['groups']:,} groups | "
              f"preview {r['preview']:.2f} s (runs {', '.join(f'{x:.2f}' for x in r['preview_all'])}) | "
              f"of which the ORM aggregate {r['aggregate']:.2f} s | "
              f"bare SQL aggregate {r['bare']:.2f} s | ratio {ratio:.2f}× | "
              f"target <10 s and ≤2×: {'MET' if ok else 'NOT MET'} | {r['check']} | load average "
              f"{' '.join(f'{x:.2f}' for x in load_before)} before, "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} after", flush=True)


if __name__ == "__main__":
    main()
