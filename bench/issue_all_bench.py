"""Benchmark: issuing all 5,000 statements of a quarter (DESIGN.md §6).

Target: < 10 min on 2 cores, memory bounded.

Two phases, as in production:
1. `issue_run` in one transaction: the preview over the quarter's orders, 5,000 numbered statement
   rows with their frozen snapshots, audit entries and notifications (measured in full).
2. The PDF batch as the worker runs it: `render_run_pdfs` splits the run into tasks of
   `jobs.CHUNK` statements; `--workers` processes (default 2, one per core, like
   `huey_consumer -w 2 -k process`) take the tasks from one queue and run `render_chunk` on each
   (claim with a guarded UPDATE, render, store, commit, per statement). All statements are
   rendered (`--render N` renders only the first N and extrapolates linearly; the report says
   so). Printed: wall time, CPU time of the workers, RSS of each worker after its first task
   and at the end (memory bounded), the load average before and after.

Data: 5,000 dealers and 200,000 confirmed order lines in the quarter, generated once into
bench/out/ (the preview at 2,000,000 lines is measured by rebate_preview_bench.py).

Run:  cd /work/main && flock /tmp/bench.lock .venv/bin/python bench/issue_all_bench.py [--workers 2]
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


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _worker(url: str, tasks, queue) -> None:
    """One worker process: takes chunk tasks until the queue says stop (None)."""
    import rebate_preview_bench as base

    from portal.rebates.jobs import render_chunk

    app = base.make_app(url)
    app.config["STORAGE_DIR"] = str(STORAGE)
    counts = {"rendered": 0, "skipped": 0, "failed": 0}
    first_rss = None
    with app.app_context():
        while (chunk := tasks.get()) is not None:
            for key, n in render_chunk(chunk).items():
                counts[key] += n
            first_rss = first_rss or _rss_mb()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    queue.put((counts, first_rss, _rss_mb(), usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime))


def main() -> None:
    import rebate_preview_bench as base

    parser = argparse.ArgumentParser()
    parser.add_argument("--render", type=int, default=0, help="render only the first N (0: all)")
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
    from portal.core.audit import AuditEntry
    from portal.core.permissions import Role
    from portal.extensions import db
    from portal.rebates import services
    from portal.rebates.models import RebateProgram, RebateStatement

    with app.app_context():
        finance = db.session.scalar(select(User).where(User.email == "bench@example.com"))
        finance.role = Role.FINANCE
        program = RebateProgram(name="基准季度返利", code="2026Q4", period_code="2026Q4", period_start=base.START,
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

    from portal.rebates.jobs import CHUNK

    sample = ids[:args.render] if args.render else ids
    ctx = mp.get_context("spawn")
    tasks, queue = ctx.Queue(), ctx.Queue()
    for i in range(0, len(sample), CHUNK):  # what render_run_pdfs queues
        tasks.put(sample[i:i + CHUNK])
    for _ in range(args.workers):
        tasks.put(None)
    procs = [ctx.Process(target=_worker, args=(url, tasks, queue)) for _ in range(args.workers)]
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    render_s = time.perf_counter() - t0
    load_after = os.getloadavg()
    rendered = sum(r[0]["rendered"] for r in results)
    failed = sum(r[0]["failed"] for r in results)
    cpu_s = sum(r[4] for r in results)
    with app.app_context():
        stored = db.session.scalar(select(db.func.count(RebateStatement.id)).where(
            RebateStatement.pdf_sha256.is_not(None)))
        renders = db.session.scalar(select(db.func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "rebate_statement.pdf_rendered"))
    per = render_s / max(rendered, 1)
    print(f"PDF batch: {rendered:,} rendered ({failed} failed, {stored:,} stored, {renders:,} render "
          f"audit entries) by {args.workers} worker processes in {render_s:.1f} s wall = "
          f"{per * 1000:.0f} ms per statement; worker CPU {cpu_s:.1f} s = "
          f"{cpu_s / max(rendered, 1) * 1000:.0f} ms per statement", flush=True)
    print("RSS per worker after its first task → at the end (peak): " + ", ".join(
        f"{r[1]:.0f} → {r[2]:.0f} MB ({r[3]:.0f})" for r in results), flush=True)
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)", flush=True)
    if rendered < count:
        total = issue_s + per * count
        print(f"extrapolated (linear, measured {rendered:,} of {count:,}): all {count:,} statements "
              f"issued and rendered in {total / 60:.1f} min | target < 10 min: "
              f"{'MET' if total < 600 else 'NOT MET'}", flush=True)
    else:
        total = issue_s + render_s
        print(f"all {count:,} statements issued and rendered in {total / 60:.1f} min "
              f"(issue {issue_s:.0f} s + PDFs {render_s:.0f} s), measured, not extrapolated | "
              f"target < 10 min: {'MET' if total < 600 else 'NOT MET'}", flush=True)


if __name__ == "__main__":
    main()
