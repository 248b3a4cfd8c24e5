"""Jobs survive faults: the worker killed (SIGKILL) in the middle of a batch of statement PDFs.

Production mode: PostgreSQL, Redis, `huey_consumer portal.worker.huey`. A rebate run's PDFs are
rendered by `portal.rebates.jobs.render_run_pdfs(run_id)`, which claims each statement with a
guarded UPDATE (`portal.rebates.documents.claim`) and renders only statements without a PDF.

The test issues a run of statements, starts the batch, kills the worker once some PDFs exist and
starts a new worker. Huey hands a task out once, so the killed task is not re-run by itself: the
sweep `portal.rebates.jobs.requeue_stalled_runs` (scheduled every minute) queues the run again once
nothing of it was claimed for `CLAIM_TIMEOUT`. The test moves the run's times back by that much
instead of waiting, and queues the sweep at once instead of waiting for the minute. Then every
statement has exactly one PDF: none missing, none rendered twice, the ones rendered before the
kill untouched.
"""
from __future__ import annotations

import hashlib
import signal
import subprocess
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.test_production_support import (  # noqa: F401 - fixtures
    BIN,
    ROOT,
    demo_db,
    pg,
    processes,
    production_env,
    redis_space,
    wait_until,
)

pytestmark = pytest.mark.slow

STATEMENTS = 30  # enough that a kill after the third PDF lands mid-batch even on a loaded host
#: A period of its own, apart from the demo program's statements.
PERIOD = "2031Q1"


def _content(number: str, dealer_code: str, dealer_name: str, sales_fen: int) -> dict:
    """A statement snapshot as `portal.rebates.services.snapshot` freezes it at issue."""
    amount = sales_fen * 200 // 10_000
    return {
        "number": number, "vendor_name": "华辰信息技术有限公司",
        "dealer": {"code": dealer_code, "name": dealer_name, "tier": "gold"},
        "program": {"name": "2031 第一季度返利计划", "period_code": PERIOD,
                    "start": "2031-01-01", "end": "2031-03-31", "mode": "all_units",
                    "treatment": "include", "exception_rate_bp": None,
                    "bands": [[0, 100], [50_000_000, 200], [100_000_000, 300]]},
        "lines": [{"code": "server", "name_zh": "服务器", "name_en": "Servers", "sales_fen": sales_fen,
                   "rate_bp": 200, "amount_fen": amount, "override_sales_fen": 0,
                   "override_rate_bp": None}],
        "exclusions": [], "qualifying_sales_fen": sales_fen, "band_index": 1,
        "band_threshold_fen": 50_000_000, "rate_bp": 200,
        "gap_to_next_fen": 100_000_000 - sales_fen, "next_rate_bp": 300,
        "lines_total_fen": amount,
        "growth": {"met": False, "target_fen": None, "bonus_fen": 0, "last_year_fen": 0,
                   "bonus_bp": None, "pct_bp": None},
        "cap": {"applied": False, "cap_fen": None, "reduction_fen": 0},
        "entitlement_fen": amount, "adjustments": [], "adjustments_fen": 0, "priors": [],
        "prior_fen": 0, "net_payable_fen": amount, "amount_words": "壹万贰仟元整",
        "issued_on": "2031-04-03",
    }


def _issue_run(url: str) -> int:
    """A program and an issued run with `STATEMENTS` statements without PDFs; returns the run id."""
    from portal import create_app
    from portal.accounts.models import Dealer
    from portal.core import clock
    from portal.extensions import db
    from portal.rebates.models import RebateProgram, RebateRun, RebateStatement

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        dealers = list(db.session.scalars(sa.select(Dealer).order_by(Dealer.code)))
        program = RebateProgram(name="2031 第一季度返利计划", code=PERIOD, period_code=PERIOD,
                                period_start=date(2031, 1, 1), period_end=date(2031, 3, 31),
                                mode="all_units", bands=[[0, 100], [50_000_000, 200], [100_000_000, 300]])
        run = RebateRun(program=program, status="issued", statement_count=STATEMENTS, issued_at=clock.now())
        db.session.add_all([program, run])
        db.session.flush()
        for i in range(STATEMENTS):
            dealer, sequence = dealers[i % len(dealers)], i // len(dealers)
            number = f"RB-{PERIOD}-{dealer.code}" + (f"-S{sequence}" if sequence else "")
            sales = 60_000_000 + i * 1_000_000
            content = _content(number, dealer.code, dealer.name, sales)
            db.session.add(RebateStatement(
                number=number, program_id=program.id, run_id=run.id, dealer_id=dealer.id,
                region_id=dealer.region_id, sequence=sequence, status="issued",
                qualifying_sales_fen=sales, entitlement_fen=content["entitlement_fen"],
                net_payable_fen=content["net_payable_fen"], content=content))
        db.session.commit()
        run_id = run.id
        db.engine.dispose()
    return run_id


def _queue_run(env: dict, run_id: int) -> None:
    """Queue the batch from a process of the deployment (as `issue_run` does after commit)."""
    _enqueue(env, f"from portal.rebates.jobs import render_run_pdfs\nrender_run_pdfs({run_id})\n")


def _enqueue(env: dict, code: str) -> None:
    """Run `code` (which calls tasks, i.e. queues them) in a process of the deployment."""
    code = "from portal import create_app\napp = create_app()\n" + code
    done = subprocess.run([str(BIN / "python"), "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def _statements(engine, run_id: int) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "SELECT id, number, pdf_path, pdf_sha256, pdf_claim, pdf_error FROM rebate_statement "
            "WHERE run_id = :r ORDER BY id"), {"r": run_id}).all()


def test_worker_killed_mid_batch_every_statement_ends_with_exactly_one_pdf(
        demo_db, redis_space, processes, tmp_path):  # noqa: F811
    from portal.rebates.documents import CLAIM_TIMEOUT

    url = demo_db
    storage = tmp_path / "storage"
    env = production_env(url, redis_space, storage, HUEY_MAX_TASKS="0")
    sa_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(sa_url)
    try:
        run_id = _issue_run(sa_url)

        first = processes.worker("worker1", env)
        _queue_run(env, run_id)

        def some_rendered():  # and one being rendered right now, so the kill lands inside it
            statements = _statements(engine, run_id)
            done = [s for s in statements if s.pdf_sha256]
            rendering = [s for s in statements if s.pdf_claim and not s.pdf_sha256]
            return len(done) >= 3 and rendering and done

        wait_until(some_rendered, 120, "the first PDFs", [first], interval=0.02)
        processes.kill(first, signal.SIGKILL)
        before = _statements(engine, run_id)
        rendered_before = {s.id: s.pdf_sha256 for s in before if s.pdf_sha256}
        assert 3 <= len(rendered_before) < STATEMENTS, "the kill did not land mid-batch"
        assert any(s.pdf_sha256 is None for s in before)

        assert any(s.pdf_claim for s in before), "the statement being rendered keeps its claim"

        # Let CLAIM_TIMEOUT pass since the last sign of life of the batch.
        shift = {"s": CLAIM_TIMEOUT.total_seconds() + 60, "r": run_id}
        with engine.begin() as conn:
            conn.execute(sa.text(
                "UPDATE rebate_statement SET pdf_claimed_at = pdf_claimed_at - make_interval(secs => :s) "
                "WHERE run_id = :r AND pdf_claimed_at IS NOT NULL"), shift)
            conn.execute(sa.text(
                "UPDATE rebate_run SET issued_at = issued_at - make_interval(secs => :s) WHERE id = :r"),
                shift)

        second = processes.worker("worker2", env)
        _enqueue(env, "from portal.rebates.jobs import requeue_stalled_runs\nrequeue_stalled_runs()\n")
        wait_until(lambda: all(s.pdf_sha256 for s in _statements(engine, run_id)), 240,
                   "every statement's PDF", [second], interval=0.1)
        processes.stop(second)

        after = _statements(engine, run_id)
        assert len(after) == STATEMENTS
        assert [s.pdf_error for s in after] == [None] * STATEMENTS
        assert len({s.pdf_path for s in after}) == STATEMENTS
        for s in after:
            data = (storage / s.pdf_path).read_bytes()
            assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == s.pdf_sha256
            if s.id in rendered_before:  # rendered once, before the kill, and left alone
                assert s.pdf_sha256 == rendered_before[s.id]
        pdfs = sorted(p.relative_to(storage) for p in (storage / "statements" / PERIOD).rglob("*.pdf"))
        assert pdfs == sorted(Path(s.pdf_path) for s in after), "a PDF too many or missing on disk"
        with engine.connect() as conn:
            renders = dict(conn.execute(sa.text(
                "SELECT object_id, count(*) FROM audit_entry WHERE action = 'rebate_statement.pdf_rendered' "
                "AND object_id IN (SELECT id FROM rebate_statement WHERE run_id = :r) GROUP BY object_id"),
                {"r": run_id}).all())
        assert renders == {s.id: 1 for s in after}, "a statement was rendered twice or not at all"
        # Both workers did part of the batch; the second one because the sweep queued it.
        assert "Executing portal.rebates.jobs.render_statements" in first.output()
        assert "Executing portal.rebates.jobs.requeue_stalled_runs" in second.output()
        assert "Executing portal.rebates.jobs.render_statements" in second.output()
    finally:
        engine.dispose()


def test_worker_recycles_itself_after_max_tasks_and_goes_on(
        demo_db, redis_space, processes, tmp_path):  # noqa: F811
    """HUEY_MAX_TASKS: after that many tasks the worker re-executes itself (fresh memory) and
    takes the rest of the queue."""
    env = production_env(demo_db, redis_space, tmp_path / "storage", HUEY_MAX_TASKS="2")
    worker = processes.worker("recycling", env, workers=1)
    wait_until(lambda: "consumer started" in worker.output(), 90, "the worker", [worker])
    pid = worker.popen.pid
    mail = "from portal.notifications.jobs import send_notification_emails\n"
    _enqueue(env, mail + "send_notification_emails([])\nsend_notification_emails([])\n")
    sends = "Executing portal.notifications.jobs.send_notification_emails"
    # A periodic job due meanwhile (a slow host crosses a minute) counts towards the two tasks
    # as well: the restart may come before the second send, which the new life then runs.
    wait_until(lambda: worker.output().count("consumer started") >= 2
               and worker.output().count(sends) == 2, 120,
               "the worker to restart after 2 tasks and run both", [worker])
    out = worker.output()
    assert "restarting to release memory" in out and "Consumer will restart" in out
    assert worker.alive() and worker.popen.pid == pid  # the same supervised process, re-executed

    # The new life takes the queue as before.
    _enqueue(env, mail + "send_notification_emails([])\n")
    wait_until(lambda: worker.output().count(sends) == 3,
               90, "the restarted worker to run a task", [worker])
