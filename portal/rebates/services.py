"""Rebate runs: preview, adjustments, issue, statements and payment (DESIGN.md §3.6).

Sales are read with SQL aggregates only — `GROUP BY dealer, product line` over confirmed orders in
the period — never by looping over order lines in Python; the per-dealer arithmetic is the pure
`calc.Terms.entitlement` (the program's terms checked once; the same results as the reference
`calc.compute_entitlement`). A statement pays *cumulative entitlement + adjustments − already
issued*, so a re-run after a late change issues a supplementary statement and never edits one.
"""
from __future__ import annotations

from sqlalchemy import false, select

from portal.core.permissions import Role, first_or_404, is_dealer, sees_all_regions
from portal.rebates.models import RebateStatement

# What a program pays, its runs and a dealer's progress live in their own modules; their names
# stay importable from here.
from portal.rebates.progress import (  # noqa: F401
    PROGRESS_MEMO_SIZE,
    compute_progress,
    programs_for,
    progress_for,
    progress_stamp,
)
from portal.rebates.runs import (  # noqa: F401
    add_adjustment,
    issue_run,
    mark_paid,
    snapshot,
    start_run,
    statement_number,
)
from portal.rebates.sales import (  # noqa: F401
    DealerResult,
    Preview,
    _year_earlier,
    entitlement_for,
    last_year_totals,
    preview,
    sales_by_dealer_line,
    terms_of,
)

# --- scope ---------------------------------------------------------------------------------------


def sees_statements(actor) -> bool:
    """Whether `actor`'s role has statements to see: a dealer salesperson and a sales rep do
    not (the salesperson sees its dealer's rebate progress only)."""
    return actor.role not in (Role.DEALER_SALES, Role.SALES_REP)


def statements_query(actor):
    """Statements `actor` may see: the dealer admin its dealer's; a dealer salesperson none;
    a channel manager its regions'; finance, the director and admins all."""
    stmt = select(RebateStatement)
    if not sees_statements(actor):
        return stmt.where(false())
    if is_dealer(actor):
        return stmt.where(RebateStatement.dealer_id == actor.dealer_id)
    if sees_all_regions(actor):
        return stmt
    return stmt.where(RebateStatement.region_id.in_(actor.region_ids))


def get_statement_or_404(statement_id, actor) -> RebateStatement:
    return first_or_404(statements_query(actor), RebateStatement, statement_id)
