"""Benchmark: issuing all 5,000 statements of a quarter (DESIGN.md §6).

Target: < 10 min on 2 cores, memory bounded.

Two phases, as in production:
1. `issue_run` in one transaction: the preview over the quarter's orders, 5,000 numbered statement
   rows with their frozen snapshots, audit entries and notifications (measured in full).
2. The PDF batch: worker processes run `render_statement` (claim with a guarded UPDATE, render,
   store, commit) over the statements without a PDF. Rendering all 5,000 takes too long on this
   shared machine, so `--render N` statements (default 500) are rendered by `--workers` processes
   (default 2, one per core) and the time for 5,000 is extrapolated linearly (each statement is
   independent); the report says so. Peak RSS per worker is printed (memory bounded).

Data: 5,000 dealers and 200,000 confirmed order lines in the quarter, generated once into
bench/out/ (the preview at 2,000,000 lines is measured by rebate_preview_bench.py).

Run:  cd /work/main && .venv/bin/python bench/issue_all_bench.py [--render 500] [--workers 2]
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("HUEY_SQLITE_PATH", str(ROOT / "bench" / "out" / "jobs.db"))

LINES = 200_000
STORAGE = ROOT / "bench" / "out" / "issue_storage"


def _worker(url: str, ids: list[int], queue) -> None:
    import rebate_preview_bench as base

    from portal.rebates.documents import render_statement

    app = base.make_app(url)
    app.config["STORAGE_DIR"] = str(STORAGE)
    counts = {"rendered": 0, "skipped": 0, "failed": 0}
    with app.app_context():
        for statement_id in ids:
            counts[render_statement(statement_id)] += 1
    queue.put((counts, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def main() -> None:
    import rebate_preview_bench as base

    parser = argparse.ArgumentParser()
    parser.add_argument("--render", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    db_file = ROOT / "bench" / "out" / f"rebate_preview_{LINES}.db"
    pristine = ROOT / "bench" / "out" / f"issue_all_{LINES}.pristine.db"
    url = f"sqlite:///{db_file}"
    app = base.make_app(url)
    base.generate(app, LINES)
    # Every run starts from the same data: no statements issued yet.
    if not pristine.exists():
        import sqlite3

        from portal.extensions import db

        with app.app_context():
            db.engine.dispose()
        conn = sqlite3.connect(db_file)  # fold the WAL into the file before copying it
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        shutil.copyfile(db_file, pristine)
    work = ROOT / "bench" / "out" / "issue_all_work.db"
    shutil.copyfile(pristine, work)
    for suffix in ("-wal", "-shm"):
        Path(str(work) + suffix).unlink(missing_ok=True)
    shutil.rmtree(STORAGE, ignore_errors=True)
    url = f"sqlite:///{work}"
    app = base.make_app(url)
    app.config["STORAGE_DIR"] = str(STORAGE)

    from sqlalchemy import select

    from portal.accounts.models import User
    from portal.core.permissions import Role
    from portal.extensions import db
    from portal.rebates import services
    from portal.rebates.models import RebateProgram, RebateStatement

    with app.app_context():
        finance = db.session.scalar(select(User).where(User.email == "bench@example.com"))
        finance.role = Role.FINANCE
        program = RebateProgram(name="基准季度返利", period_code="2026Q4", period_start=base.START,
                                period_end=base.END, mode="all_units", bands=base.BANDS,
                                exception_treatment="exclude", eligible_tiers=[], eligible_line_ids=[])
        db.session.add(program)
        db.session.commit()
        t0 = time.perf_counter()
        run = services.start_run(finance, program)
        statements = services.issue_run(finance, run)
        db.session.info.pop("after_commit_jobs", None)  # the PDF batch is run below, by hand
        db.session.commit()
        issue_s = time.perf_counter() - t0
        count = len(statements)
        ids = list(db.session.scalars(select(RebateStatement.id).order_by(RebateStatement.id)))
        db.engine.dispose()
    print(f"issue_run: {count:,} statements (preview + rows + audit + notifications) in {issue_s:.1f} s",
          flush=True)

    sample = ids[:args.render]
    # Both workers walk the same list: the claim makes each statement rendered exactly once.
    queue = mp.get_context("spawn").Queue()
    procs = [mp.get_context("spawn").Process(target=_worker, args=(url, sample, queue))
             for _ in range(args.workers)]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    render_s = time.perf_counter() - t0
    rendered = sum(r[0]["rendered"] for r in results)
    failed = sum(r[0]["failed"] for r in results)
    rss = max(r[1] for r in results) / 1024
    with app.app_context():
        stored = db.session.scalar(select(db.func.count(RebateStatement.id)).where(
            RebateStatement.pdf_sha256.is_not(None)))
    per = render_s / max(rendered, 1)
    total = issue_s + per * count
    print(f"PDF batch: {rendered} rendered ({failed} failed, {stored} stored, none twice) by "
          f"{args.workers} workers in {render_s:.1f} s = {per * 1000:.0f} ms per statement wall; "
          f"peak RSS per worker {rss:.0f} MB", flush=True)
    print(f"extrapolated (linear, measured {rendered} of {count:,}): all {count:,} statements issued "
          f"and rendered in {total / 60:.1f} min | target < 10 min: "
          f"{'MET' if total < 600 else 'NOT MET'}", flush=True)


if __name__ == "__main__":
    main()
