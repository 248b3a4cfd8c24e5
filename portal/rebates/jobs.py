"""Background work of the rebates domain: rendering the PDFs of an issued run."""
from __future__ import annotations

from sqlalchemy import select

from portal.core.jobs import task


def pending_statement_ids(run_id: int) -> list[int]:
    from portal.extensions import db
    from portal.rebates.models import RebateStatement

    return list(db.session.scalars(select(RebateStatement.id).where(
        RebateStatement.run_id == run_id, RebateStatement.pdf_sha256.is_(None))
        .order_by(RebateStatement.id)))


def render_pending(run_id: int) -> dict:
    """Render every statement of the run that has no PDF yet, one by one, each committed on its
    own: a failure is recorded on its statement and the others go on."""
    from portal.rebates.documents import render_statement

    counts = {"rendered": 0, "skipped": 0, "failed": 0}
    for statement_id in pending_statement_ids(run_id):
        counts[render_statement(statement_id)] += 1
    return counts


@task(retries=2, retry_delay=30)
def render_run_pdfs(run_id: int) -> dict:
    return render_pending(run_id)
