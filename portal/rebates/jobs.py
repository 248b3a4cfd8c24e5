"""Background work of the rebates domain: rendering the PDFs of an issued run, and the sweep that
picks a batch up again after a worker stopped in the middle of it.

Issuing queues `render_run_pdfs(run_id)`, which splits the statements still without a PDF into
tasks of `CHUNK` statements (`render_statements`). Several worker processes therefore share one
run's batch, and a worker can recycle itself between chunks (memory stays bounded). Each
statement is claimed with a guarded UPDATE before it is rendered (`documents.claim`), so however
often a run is queued, no statement is rendered twice.

A worker killed mid-batch loses the chunk it was running (huey hands a task out once), and the
statement it was rendering keeps its claim. `requeue_stalled_runs`, every minute, finds issued
runs with statements still waiting for a PDF and no rendering activity for `CLAIM_TIMEOUT`,
releases their dead claims and queues the run again.
"""
from __future__ import annotations

import logging
from datetime import datetime

from huey import crontab
from sqlalchemy import func, or_, select, update

from portal.core import clock
from portal.core.jobs import enqueue_after_commit, periodic, task
from portal.extensions import db
from portal.rebates.documents import CLAIM_TIMEOUT, claimable, render_statement
from portal.rebates.models import RebateRun, RebateStatement, RunStatus

log = logging.getLogger("portal.rebates")

#: Statements per task: small enough for workers to share a run and recycle between tasks,
#: large enough that queueing costs nothing next to rendering (~0.1 s a statement).
CHUNK = 50


def pending_statement_ids(run_id: int) -> list[int]:
    return list(db.session.scalars(select(RebateStatement.id).where(
        RebateStatement.run_id == run_id, RebateStatement.pdf_sha256.is_(None))
        .order_by(RebateStatement.id)))


def render_chunk(statement_ids: list[int]) -> dict:
    """Render each statement that still has no PDF, each committed on its own: a failure is
    recorded on its statement and the others go on."""
    from portal.core.pdf import ensure_fonts

    ensure_fonts()  # before any claim: a first-time font build must not hold a claim
    counts = {"rendered": 0, "skipped": 0, "failed": 0}
    for statement_id in statement_ids:
        counts[render_statement(statement_id)] += 1
    return counts


def render_pending(run_id: int) -> dict:
    """Render every statement of the run that has no PDF yet, in this process."""
    return render_chunk(pending_statement_ids(run_id))


@task(retries=2, retry_delay=30)
def render_statements(statement_ids: list[int]) -> dict:
    return render_chunk(statement_ids)


@task(retries=2, retry_delay=30)
def render_run_pdfs(run_id: int) -> int:
    """Queue the run's statements without a PDF in chunks of `CHUNK`; returns the chunk count."""
    ids = pending_statement_ids(run_id)
    # End the read before queueing: where jobs run inline (HUEY_IMMEDIATE) each chunk claims its
    # statements in a session of its own, and on SQLite an open transaction here holds the lock.
    db.session.commit()
    chunks = [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]
    for chunk in chunks:
        render_statements(chunk)
    return len(chunks)


# --- the sweep ------------------------------------------------------------------------------------

def stalled_run_ids(now: datetime) -> list[int]:
    """Issued runs with a statement waiting for its PDF and nothing claimed for `CLAIM_TIMEOUT`.

    A statement waits when it has no PDF and either no recorded failure (a failed one waits
    for finance's "Render missing PDFs") or a claim (a retry that was itself cut short). A run
    is active while any of its statements was claimed within the timeout: a live worker claims
    one every fraction of a second, so only a batch that nobody works on any more qualifies.
    """
    cutoff = now - CLAIM_TIMEOUT
    waiting = select(RebateStatement.run_id).where(
        RebateStatement.pdf_sha256.is_(None),
        or_(RebateStatement.pdf_error.is_(None), RebateStatement.pdf_claim.is_not(None)))
    rows = db.session.execute(
        select(RebateRun.id, RebateRun.issued_at, func.max(RebateStatement.pdf_claimed_at))
        .join(RebateStatement, RebateStatement.run_id == RebateRun.id)
        .where(RebateRun.status == RunStatus.ISSUED, RebateRun.id.in_(waiting.distinct()))
        .group_by(RebateRun.id, RebateRun.issued_at).order_by(RebateRun.id))
    stalled = []
    for run_id, issued_at, last_claim in rows:
        times = [t for t in (issued_at, last_claim) if t is not None]
        if not times or max(times) < cutoff:
            stalled.append(run_id)
    return stalled


def requeue_stalled(now: datetime | None = None) -> list[int]:
    """Release the dead claims of stalled runs and queue them again (after commit); returns them.

    Released statements get `pdf_claimed_at = now` without a claim: they can be claimed at
    once, and the run counts as active again, so the next sweep does not queue it a second time
    while the task waits for a worker. Does not commit.
    """
    now = now or clock.now()
    run_ids = stalled_run_ids(now)
    for run_id in run_ids:
        released = db.session.execute(
            update(RebateStatement)
            .where(RebateStatement.run_id == run_id, claimable(now))
            .values(pdf_claim=None, pdf_claimed_at=now)
            .execution_options(synchronize_session=False)).rowcount
        log.warning("rebate run %s: PDF batch stalled, %s statement(s) queued again", run_id, released)
        enqueue_after_commit(render_run_pdfs, run_id)
    return run_ids


@periodic(crontab(minute="*"))
def requeue_stalled_runs() -> None:
    requeue_stalled()
