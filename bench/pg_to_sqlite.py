"""Copy a full-scale PostgreSQL database (bench/generate.py) into a new SQLite file, to measure
the lists on SQLite at the same scale (`bench/list_bench.py --database-url sqlite:///…`).

    .venv/bin/python bench/pg_to_sqlite.py --from postgresql://postgres@127.0.0.1:5432/portal_full \\
        --to /tmp/portal_full.sqlite

The SQLite file is made by the migrations (its schema is the application's, indexes included);
then every table's rows are read with a server-side cursor and inserted in batches through the
models' column types (timestamps stay UTC). Both databases must be at the same revision.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

BATCH = 20_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", required=True)
    parser.add_argument("--to", dest="target", required=True, help="a new SQLite file")
    args = parser.parse_args()
    target = Path(args.target)
    if target.exists():
        sys.exit(f"{target} exists")
    source_url = args.source.replace("postgresql://", "postgresql+psycopg://", 1)
    target_url = f"sqlite:///{target}"

    from flask_migrate import upgrade

    from portal import create_app
    from portal.db import SEARCH_TABLES, Base

    app = create_app({"SQLALCHEMY_DATABASE_URI": target_url, "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        upgrade()
    import portal.app  # noqa: F401 — every model on Base.metadata

    src = sa.create_engine(source_url)
    dst = sa.create_engine(target_url)

    @sa.event.listens_for(dst, "connect")
    def _fast_load(dbapi_connection, _record):  # before any transaction
        for pragma in ("foreign_keys=OFF", "synchronous=OFF"):
            dbapi_connection.execute(f"PRAGMA {pragma}")
    started = time.perf_counter()
    with src.connect() as read, dst.connect() as write:
        # The search tables' triggers (migration 0018) would index row by row: they are set
        # aside for the copy, and each search table is rebuilt from the rows at the end.
        triggers = write.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_search_%'"
        ).all()
        for name, _sql in triggers:
            write.exec_driver_sql(f"DROP TRIGGER {name}")
        for table in Base.metadata.sorted_tables:
            if table.name == "alembic_version":
                continue
            t = time.perf_counter()
            write.execute(table.delete())  # rows the migrations seeded
            rows = read.execution_options(stream_results=True, yield_per=BATCH).execute(
                sa.select(table))
            n = 0
            for batch in rows.partitions():
                write.execute(table.insert(), [dict(r._mapping) for r in batch])
                n += len(batch)
            write.commit()
            print(f"{table.name:<28} {n:>10,} rows {time.perf_counter() - t:7.1f} s", flush=True)
        for table in SEARCH_TABLES:
            write.exec_driver_sql(f"INSERT INTO {table}_search ({table}_search) VALUES ('rebuild')")
        for _name, sql in triggers:
            write.exec_driver_sql(sql)
        write.commit()
        write.exec_driver_sql("ANALYZE")  # the planner's statistics: the lists' plans need them
        write.commit()
    print(f"done in {time.perf_counter() - started:.0f} s: {target} "
          f"({os.path.getsize(target) / 2**20:,.0f} MB)")


if __name__ == "__main__":
    main()
