"""A cheap stamp of everything the ranked list of scorecards is computed from (DESIGN §3.8).

The ranked list scores every dealer in one aggregate over the period's orders, returns,
registrations, customers, conflict cases, exceptions, targets and statements: hundreds of
milliseconds at full scale, too slow to repeat for every sort, filter and page. `ranked` keeps
the scored rows of a period in the process, keyed on this stamp, and reuses them only while the
stamp read at the start of the request is the one they were computed under.

The stamp is one row (`scorecard_stamp`) that every transaction changing a source table changes
too, in the same transaction, just before it commits: its `version` goes up by one and its
`token` becomes a fresh random number. The change and the new stamp therefore become visible
together; a reader that sees the old stamp computes from data at least as new as that stamp
(it reads the stamp first), so a list kept under a stamp is never older than the data the stamp
stands for. The random token keeps a stamp from ever being the same twice, even when a database
is restored from a backup or a test's transaction is rolled back.

What counts as a change: any row of a source table that a session flushes as new, changed or
deleted, and any INSERT, UPDATE or DELETE statement on a source table sent through a session
(`update(SalesOrder)…`, `Table.insert()`). Writes that bypass the portal's sessions — `COPY` in
`bench/generate.py`, psql — must call `bump()` (or run `flask scorecards bump-stamp`) afterwards;
until then a process may show the list computed before them.

The row is written only at the outermost commit, as its last statement (the lock on it lasts
from that UPDATE to the COMMIT), so concurrent writers of orders or registrations wait for each
other only for that moment, and no transaction holds it while it waits for another lock.
"""
from __future__ import annotations

import secrets
from itertools import chain

from sqlalchemy import BigInteger, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.db import Base

#: The tables the ranked list reads (`portal.scorecards.kpis.dealer_kpis`).
SOURCES = frozenset({
    "dealer", "sales_order", "order_return", "deal_registration", "customer", "conflict_case",
    "price_exception", "sales_target", "rebate_statement", "rebate_program",
})
_TOUCHED = "portal.scorecards.sources_touched"


class ScorecardStamp(Base):
    """The one row (id 1) whose version and token change with every change of a source."""

    __tablename__ = "scorecard_stamp"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    token: Mapped[int] = mapped_column(BigInteger, default=0)


def read(session) -> tuple[int, int] | None:
    """(version, token) as committed now; None without the row (nothing may be kept then)."""
    row = session.execute(select(ScorecardStamp.version, ScorecardStamp.token)
                          .where(ScorecardStamp.id == 1)).first()
    return None if row is None else (int(row[0]), int(row[1]))


def bump(session) -> None:
    """Change the stamp in the session's transaction (visible when it commits)."""
    session.execute(update(ScorecardStamp).where(ScorecardStamp.id == 1)
                    .values(version=ScorecardStamp.version + 1,
                            token=secrets.randbits(62)))


def _table_name(obj) -> str | None:
    table = getattr(type(obj), "__table__", None)
    return getattr(table, "name", None)


@event.listens_for(Session, "after_flush")
def _after_flush(session, _flush_context) -> None:
    # In after_flush, new/dirty/deleted still list what this flush wrote.
    if session.info.get(_TOUCHED):
        return
    for obj in chain(session.new, session.dirty, session.deleted):
        if _table_name(obj) in SOURCES:
            session.info[_TOUCHED] = True
            return


@event.listens_for(Session, "do_orm_execute")
def _statement(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in SOURCES:
        state.session.info[_TOUCHED] = True


@event.listens_for(Session, "before_commit")
def _before_commit(session) -> None:
    session.flush()  # what commit would flush next: it may touch a source
    if session.in_nested_transaction():
        # A savepoint released: the outermost commit bumps. Bumping here would hold the row's
        # lock through the rest of the transaction and could deadlock with a writer waiting
        # for a row this transaction locks later.
        return
    if session.info.pop(_TOUCHED, False) and not session.info.get("read_only"):
        bump(session)  # (a request that only reads cannot have touched a source)
    # A rollback leaves the flag for the next commit: a bump too many costs one recomputation
    # of the list, a bump too few (a savepoint rolled back after earlier changes) would not.
