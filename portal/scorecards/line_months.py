"""Monthly sales and returns per dealer and product line, kept like `dealer_month` (DESIGN §3.8).

A scorecard with line targets compares each line's sales with its target: without these rows it
read every order line of the dealer's period (18,000 for the largest dealer's year). The part of
an order line (its `line_id`, `amount_fen`) counts in its order's dealer and month while the order
is confirmed; a return line's in its return's dealer and month. So a change of the order (its
status, dealer or date) moves all its lines, and a change of a line moves that line only:

- before the flush, the lines as they are in the database are read for each order (return) whose
  status, dealer or date is about to change or which is deleted (one small query each: a
  confirmation, not a registration);
- after it, those lines are taken away under the order's state before and added under its state
  after; each new, changed or deleted line of the flush is then added or taken away under its
  order's state after. Together: the lines after under the order after, less the lines before
  under the order before, whatever changed.

The rest is as for `dealer_month` (`portal.scorecards.figures`): the UPSERT at flush in dealer,
month and line order, `active_history`, statements on kept columns refused, `rebuild()`.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import BigInteger, Date, ForeignKey, event, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.db import Base
from portal.orders.models import (
    OrderLine,
    OrderReturn,
    OrderReturnLine,
    OrderStatus,
    SalesOrder,
)
from portal.scorecards import figures

FIELDS = ("sales_fen", "returned_fen")
_OLD_LINES = "portal.scorecards.line_months.old_lines"


class DealerLineMonth(Base):
    """One dealer's confirmed sales and returns of one product line in one calendar month."""

    __tablename__ = "dealer_line_month"

    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealer.id", ondelete="CASCADE"),
                                           primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("product_line.id"), primary_key=True)
    sales_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    returned_fen: Mapped[int] = mapped_column(BigInteger, default=0)


class _Kept:
    def __init__(self, parent, keys, counted, day, child, child_fk, relation, field):
        self.parent, self.keys, self.counted, self.day = parent, keys, counted, day
        self.child, self.child_fk, self.relation, self.field = child, child_fk, relation, field

    def key(self, state: dict | None):
        """(dealer_id, month) of a parent's state, or None when its lines do not count."""
        if state is None or not self.counted(state) or state["dealer_id"] is None \
                or state[self.day] is None:
            return None
        return state["dealer_id"], state[self.day].replace(day=1)


KEPT = [
    _Kept(SalesOrder, ("status", "dealer_id", "order_date"),
          lambda s: s["status"] == OrderStatus.CONFIRMED, "order_date",
          OrderLine, OrderLine.order_id, "order", "sales_fen"),
    _Kept(OrderReturn, ("dealer_id", "return_date"), lambda s: True, "return_date",
          OrderReturnLine, OrderReturnLine.return_id, "order_return", "returned_fen"),
]
_BY_PARENT = {k.parent: k for k in KEPT}
_BY_CHILD = {k.child: k for k in KEPT}
CHILD_COLUMNS = ("line_id", "amount_fen")


def _now(obj, columns) -> dict:
    return {c: getattr(obj, c) for c in columns}


def _changed(obj, columns) -> bool:
    state = sa_inspect(obj)
    return any(state.attrs[c].history.has_changes() for c in columns)


@event.listens_for(Session, "before_flush")
def _before_flush(session, _context, _instances) -> None:
    old = session.info.setdefault(_OLD_LINES, {})
    for obj in (*session.dirty, *session.deleted):
        kept = _BY_PARENT.get(type(obj))
        if kept is None or obj.id is None or not (obj in session.deleted
                                                  or _changed(obj, kept.keys)):
            continue
        rows = session.connection().execute(
            select(kept.child.line_id, func.sum(kept.child.amount_fen))
            .where(kept.child_fk == obj.id).group_by(kept.child.line_id))
        old[id(obj)] = (obj, kept.key(figures._before(obj, kept.keys)),
                        [(line_id, int(amount or 0)) for line_id, amount in rows])


@event.listens_for(Session, "after_flush")
def _after_flush(session, _context) -> None:
    deltas: dict = defaultdict(lambda: defaultdict(int))

    def add(key, line_id, field, amount):
        if key is not None and line_id is not None and amount:
            deltas[(*key, line_id)][field] += amount

    for obj, key_before, lines in session.info.pop(_OLD_LINES, {}).values():
        kept = _BY_PARENT[type(obj)]
        key_after = None if obj in session.deleted else kept.key(_now(obj, kept.keys))
        for line_id, amount in lines:
            add(key_before, line_id, kept.field, -amount)
            add(key_after, line_id, kept.field, amount)
    for group, sign in ((session.new, 1), (session.dirty, 0), (session.deleted, -1)):
        for line in group:
            kept = _BY_CHILD.get(type(line))
            if kept is None or (sign == 0 and not _changed(line, CHILD_COLUMNS)):
                continue
            # A line added by its order's id has no loaded order while the flush is on.
            parent = line.__dict__.get(kept.relation) or \
                session.get(kept.parent, getattr(line, kept.child_fk.key))
            key = None if parent is None or parent in session.deleted else \
                kept.key(_now(parent, kept.keys))
            before, after = figures._before(line, CHILD_COLUMNS), _now(line, CHILD_COLUMNS)
            if sign <= 0:
                add(key, before["line_id"], kept.field, -(before["amount_fen"] or 0))
            if sign >= 0:
                add(key, after["line_id"], kept.field, after["amount_fen"] or 0)
    rows = [{"dealer_id": k[0], "month": k[1], "line_id": k[2],
             **{f: part.get(f, 0) for f in FIELDS}}
            for k, part in sorted(deltas.items()) if any(part.values())]
    if rows:
        apply(session.connection(), rows)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session, _previous) -> None:
    session.info.pop(_OLD_LINES, None)


def apply(connection, rows: list[dict]) -> None:
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    table = DealerLineMonth.__table__
    stmt = upsert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.dealer_id, table.c.month, table.c.line_id],
        set_={f: table.c[f] + stmt.excluded[f] for f in FIELDS})
    for row in rows:
        connection.execute(stmt, row)


def _active_history() -> None:
    def noop(*_args):
        return None

    for kept in KEPT:
        for column in kept.keys:
            event.listen(getattr(kept.parent, column), "set", noop, active_history=True)
        for column in CHILD_COLUMNS:
            event.listen(getattr(kept.child, column), "set", noop, active_history=True)


_active_history()
figures.KEPT_TABLES.update({"order_line": CHILD_COLUMNS, "order_return_line": CHILD_COLUMNS})
