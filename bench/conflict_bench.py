"""Benchmark: the conflict check on submit at full scale (DESIGN.md §6).

Target: p95 < 50 ms with 500,000 customers and 200,000 active registrations, on SQLite and on
PostgreSQL.

The data set is built once per backend (migrations, then bulk core inserts with executemany) and
kept: SQLite in `instance/bench/conflict_bench.sqlite`, PostgreSQL in the database
`portal_conflict_bench` of `$BENCH_PG_URL` (default postgresql://postgres@127.0.0.1:5432/postgres).
Reruns find it and go straight to the timing.

Customers carry the matcher's keys (name and alias keys, USCC, domain, phone written as people
write them: with area codes, extensions, several numbers); one in ten has an alias.

Each timed submission: a dealer user registers a new customer (two in five a variant of an
existing company's name, e.g. 北京X科技有限公司 → X(北京)有限公司 or in Traditional characters,
so the matcher has work; one in five the same trade name in another line of business, which
the matcher calls possible; the rest new names), saves a draft, then submits it. Timed: `detect()` (the conflict check) and the whole
`submit_deal()` (check + state change + audit + notifications). Every submission is rolled back,
so the data set does not drift between runs.

Run:  .venv/bin/python bench/conflict_bench.py [--backend sqlite|pg|both] [--submissions 200]
      [--customers 500000] [--registrations 200000] [--rebuild]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

CHARS = ("华中国信通达科瑞恒泰安康宏远新兴盛鼎金银海天星月辰博智慧云联创正元嘉禾润泽明德启航"
         "东西南北方圆成大长城汇龙腾凯旋同德利隆昌永乐和平美佳丰瑞祥福寿富贵荣光辉晨曦朗逸"
         "蓝青绿紫红白黑松竹梅兰菊桂森林山川江河湖泊峰岭源泉溪涛波浪帆舟航道路桥港湾岛屿")
REGIONS = ["北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安", "天津", "济南",
           "苏州", "重庆", "厦门", "合肥", "郑州", "长沙", "沈阳", "青岛", "大连"]
INDUSTRIES = ["科技", "信息技术", "网络", "电子", "软件", "数据", "智能", "医药", "物流", "贸易"]
FORMS = ["有限公司", "股份有限公司", "有限责任公司", "集团有限公司"]
FREE = ["qq.com", "163.com", "gmail.com"]


def sqlite_url() -> str:
    path = Path(os.environ.get("BENCH_SQLITE", ROOT / "instance" / "bench" / "conflict_bench.sqlite"))
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def pg_url(rebuild: bool = False) -> str:
    base = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    url = sa.engine.make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if rebuild:
            conn.execute(sa.text('DROP DATABASE IF EXISTS "portal_conflict_bench" WITH (FORCE)'))
        if not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname='portal_conflict_bench'")).scalar():
            conn.execute(sa.text('CREATE DATABASE "portal_conflict_bench"'))
    admin.dispose()
    return url.set(database="portal_conflict_bench").render_as_string(hide_password=False)


def make_app(url: str):
    from portal import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                       "RATELIMIT_STORAGE_URI": "memory://"})


def trade_name(rng: random.Random) -> str:
    return "".join(rng.choice(CHARS) for _ in range(rng.choice((2, 2, 3, 3, 4))))


def phone(rng: random.Random) -> str:
    """A phone field as people write it."""
    number = f"0{rng.choice((10, 21, 571, 755, 515))}-{rng.randrange(10**7, 10**8)}"
    return rng.choice([number, number + f"转{rng.randrange(800, 900)}",
                       f"{number} / 1{rng.choice((38, 39, 58))}{rng.randrange(10**8, 10**9)}",
                       f"1{rng.choice((38, 39, 58))}{rng.randrange(10**8, 10**9)}"])


def company(rng: random.Random, trade: str) -> str:
    return f"{rng.choice(REGIONS)}{trade}{rng.choice(INDUSTRIES)}{rng.choice(FORMS)}"


def uscc(rng: random.Random) -> str:
    from portal.core.uscc import ALPHABET, uscc_check_char

    body = "91" + "".join(rng.choice("0123456789") for _ in range(6)) + \
        "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + uscc_check_char(body)


def build(app, n_customers: int, n_registrations: int) -> None:
    """Migrate and fill the data set unless it is already there."""
    from flask_migrate import upgrade

    from portal.accounts.models import Dealer, Region, User
    from portal.catalog.models import ProductLine
    from portal.deals.models import Customer, CustomerAlias, CustomerKey, DealLine, DealRegistration
    from portal.extensions import db
    from portal.matching.keys import record_keys
    from portal.matching.names import normalize_name

    with app.app_context():
        upgrade()
        have = db.session.scalar(sa.select(sa.func.count()).select_from(Customer))
        if have:
            print(f"  data set present: {have:,} customers (--rebuild to start over)")
            db.session.rollback()
            return
        t0 = time.perf_counter()
        rng = random.Random(42)
        conn = db.session.connection()
        regions = list(db.session.scalars(sa.select(Region)))
        if not db.session.scalar(sa.select(sa.func.count()).select_from(ProductLine)):
            conn.execute(ProductLine.__table__.insert(), [
                {"code": c, "name_zh": z, "name_en": e, "sort": i} for i, (c, z, e) in enumerate(
                    [("server", "服务器", "Servers"), ("storage", "存储", "Storage"),
                     ("network", "网络", "Networking"), ("software", "软件", "Software"),
                     ("service", "服务", "Services")])])
        line_ids = list(db.session.scalars(sa.select(ProductLine.id)))
        now = datetime.now(UTC)
        n_dealers = 5000
        conn.execute(Dealer.__table__.insert(), [
            {"code": f"B{i:05d}", "name": f"基准经销商{i}有限公司", "tier": "gold",
             "region_id": regions[i % len(regions)].id, "city": "", "status": "active",
             "created_at": now} for i in range(n_dealers)])
        dealer_rows = conn.execute(sa.select(Dealer.id, Dealer.region_id)
                                   .where(Dealer.code.like("B%"))).all()
        conn.execute(User.__table__.insert(), [
            {"email": f"bench{d.id}@bench.example", "name": f"Bench {d.id}", "role": "dealer_admin",
             "dealer_id": d.id, "timezone": "Asia/Shanghai", "active": True, "password_hash": "x",
             "session_token": f"t{d.id}", "created_at": now} for d in dealer_rows])
        print(f"  dealers and users: {time.perf_counter() - t0:.1f}s")

        chunk = 20_000
        popular = [trade_name(rng) for _ in range(2000)]  # trade names many companies share
        for start in range(0, n_customers, chunk):
            rows, keys, aliases = [], [], []
            for i in range(start, min(start + chunk, n_customers)):
                trade = rng.choice(popular) if rng.random() < 0.1 else trade_name(rng) + trade_name(rng)[:1]
                name = company(rng, trade)
                dealer = dealer_rows[i % len(dealer_rows)]
                row = {"id": i + 1, "dealer_id": dealer.id, "region_id": dealer.region_id,
                       "name": name, "name_norm": normalize_name(name) or "",
                       "uscc": uscc(rng) if rng.random() < 0.6 else None,
                       "domain": f"c{i}.com.cn" if rng.random() < 0.3 else None,
                       "phone": phone(rng) if rng.random() < 0.4 else None,
                       "province": "", "city": "", "industry": "", "key_account": False,
                       "created_at": now, "updated_at": now}
                rows.append(row)
                record = {**row, "aliases": []}
                if rng.random() < 0.1:
                    alias = f"{trade_name(rng)}{rng.choice(INDUSTRIES)}"
                    record["aliases"].append(alias)
                    aliases.append({"customer_id": row["id"], "name": alias, "source": "manual",
                                    "created_at": now})
                keys.extend({"customer_id": row["id"], "key": k[:120]} for k in record_keys(record))
            conn.execute(Customer.__table__.insert(), rows)
            conn.execute(CustomerKey.__table__.insert(), keys)
            if aliases:
                conn.execute(CustomerAlias.__table__.insert(), aliases)
            if (start // chunk) % 5 == 0:
                print(f"  customers {start + len(rows):,} ({time.perf_counter() - t0:.0f}s)", flush=True)
        today = date.today()
        users = dict(conn.execute(sa.select(User.dealer_id, User.id).where(User.email.like("bench%"))).all())
        for start in range(0, n_registrations, chunk):
            rows, lines = [], []
            for i in range(start, min(start + chunk, n_registrations)):
                cid = rng.randrange(1, n_customers + 1)
                dealer = dealer_rows[(cid - 1) % len(dealer_rows)]
                approved = rng.random() < 0.6
                rows.append({"id": i + 1, "number": f"B{i + 1:07d}", "dealer_id": dealer.id,
                             "created_by_id": users[dealer.id], "customer_id": cid,
                             "region_id": dealer.region_id, "project_name": "基准项目",
                             "estimated_value_fen": 100_000_00, "expected_close_date": today + timedelta(days=90),
                             "stage": "quoting", "competitors": "", "notes": "",
                             "status": "approved" if approved else "submitted", "created_at": now,
                             "submitted_at": now - timedelta(days=rng.randrange(1, 80)),
                             "approved_at": now if approved else None,
                             "protected_until": today + timedelta(days=rng.randrange(1, 90)) if approved else None,
                             "version_id": 1})
                for line in rng.sample(line_ids, rng.choice((1, 1, 2))):
                    lines.append({"deal_id": i + 1, "line_id": line, "quantity": 1})
            conn.execute(DealRegistration.__table__.insert(), rows)
            conn.execute(DealLine.__table__.insert(), lines)
        if db.engine.dialect.name == "postgresql":
            for table in ("customer", "deal_registration", "deal_line", "customer_key",
                          "customer_alias"):
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))") if table != "customer_key"
                             else sa.text("SELECT 1"))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(sa.text("VACUUM ANALYZE"))
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        print(f"  built {n_customers:,} customers, {n_registrations:,} registrations in "
              f"{time.perf_counter() - t0:.0f}s")


def variant(name: str, rng: random.Random) -> str:
    """Another owner's way of writing the same company."""
    from portal.matching.names import name_parts

    parts = name_parts(name)
    core = getattr(parts, "core", None) or name
    region = next((r for r in REGIONS if name.startswith(r)), "北京")
    return rng.choice([f"{core}({region})有限公司", f"{region}市{core}科技有限公司", f"{core}股份有限公司",
                       f"{region}市{core}科技有限公司（{rng.choice('王李张')}经理）",
                       traditional(f"{region}{core}科技有限公司")])


def other_business(name: str) -> str:
    """The same trade name in another line of business: the matcher says possible."""
    from portal.matching.names import name_parts

    core = name_parts(name).core or name
    region = next((r for r in REGIONS if name.startswith(r)), "北京")
    return f"{region}{core}文化传媒有限公司"


def traditional(name: str) -> str:
    return _s2t().convert(name)


def _s2t():
    import opencc

    if not hasattr(_s2t, "converter"):
        _s2t.converter = opencc.OpenCC("s2t")
    return _s2t.converter


def run(app, submissions: int, n_customers: int) -> dict:
    from portal.accounts.models import User
    from portal.conflicts.detection import detect
    from portal.deals import services
    from portal.deals.models import Customer
    from portal.extensions import db

    rng = random.Random(7)
    from portal.conflicts.models import PossibleOverlap

    check_ms, submit_ms, found, possible = [], [], 0, 0
    with app.app_context():
        line_id = db.session.scalar(sa.text("SELECT min(id) FROM product_line"))
        user_ids = list(db.session.scalars(sa.select(User.id).where(User.email.like("bench%")).limit(200)))
        db.session.rollback()
        warmup = 10  # compile and cache the statements first; not timed
        for i in range(submissions + warmup):
            actor = db.session.get(User, rng.choice(user_ids))
            if i % 5 in (0, 1):
                other = db.session.get(Customer, rng.randrange(1, n_customers + 1))
                name = variant(other.name, rng)
            elif i % 5 == 2:
                other = db.session.get(Customer, rng.randrange(1, n_customers + 1))
                name = other_business(other.name)
            else:
                name = company(rng, trade_name(rng) + trade_name(rng))
            deal = services.save_deal(actor, None, {
                "project_name": "基准提交", "customer_id": "new", "customer_name": name,
                "expected_close_date": (date.today() + timedelta(days=30)).isoformat(),
                "stage": "quoting"}, [{"line_id": str(line_id), "quantity": "1"}])
            # the conflict check alone
            sp = db.session.begin_nested()
            t0 = time.perf_counter()
            cases = detect(actor, deal=deal)
            if i >= warmup:
                check_ms.append((time.perf_counter() - t0) * 1000)
                found += bool(cases)
                possible += bool(db.session.scalar(sa.select(sa.func.count()).select_from(
                    PossibleOverlap).where(PossibleOverlap.deal_id == deal.id)))
            sp.rollback()
            # the whole submission (check + state change + audit + notifications)
            t0 = time.perf_counter()
            services.submit_deal(actor, deal)
            if i >= warmup:
                submit_ms.append((time.perf_counter() - t0) * 1000)
            db.session.rollback()
    return {"check": check_ms, "submit": submit_ms, "found": found, "possible": possible}


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["sqlite", "pg", "both"], default="both")
    ap.add_argument("--customers", type=int, default=500_000)
    ap.add_argument("--registrations", type=int, default=200_000)
    ap.add_argument("--submissions", type=int, default=200)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--build-only", action="store_true")
    args = ap.parse_args()
    backends = ["sqlite", "pg"] if args.backend == "both" else [args.backend]
    for backend in backends:
        if backend == "sqlite" and args.rebuild:
            Path(sqlite_url()[len("sqlite:///"):]).unlink(missing_ok=True)
        url = sqlite_url() if backend == "sqlite" else pg_url(args.rebuild)
        print(f"[{backend}] {url.split('@')[-1]}")
        app = make_app(url)
        build(app, args.customers, args.registrations)
        if args.build_only:
            continue
        result = run(app, args.submissions, args.customers)
        for label in ("check", "submit"):
            v = result[label]
            print(f"[{backend}] {label:6s} n={len(v)} p50={statistics.median(v):.1f} ms "
                  f"p95={pct(v, 95):.1f} ms max={max(v):.1f} ms")
        print(f"[{backend}] submissions that raised a possible overlap: "
              f"{result['possible']}/{len(result['check'])}")
        print(f"[{backend}] submissions that opened a case: {result['found']}/{len(result['check'])}"
              f"  target: check p95 < 50 ms -> {'MET' if pct(result['check'], 95) < 50 else 'MISSED'}")


if __name__ == "__main__":
    main()
