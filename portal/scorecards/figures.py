"""Monthly figures per dealer, kept in the transactions that change their rows (DESIGN §3.8).

The KPIs of a period read millions of order lines, hundreds of thousands of registrations and
customers. `dealer_month` holds, per dealer and calendar month, the sums and counts the KPIs add
up (`FIELDS`): confirmed sales and orders by order date, their lead time and on-time count,
returns by return date, new customers, registrations submitted, approved, and closed won, lost or
expired by the month of those timestamps (UTC, as the periods' bounds). A period's KPIs add up
its whole months here and read only the days of a cut month from the rows
(`portal.scorecards.sources`).

How the figures stay equal to their rows:

- each source row's part is one function of its own columns (`contributions`, next to the SQL
  that computes the same from the rows in `sources.figure_rows`); at every flush, the part of
  each new, changed or deleted row before and after the flush is added to the month's figures
  (`after_flush`: an UPSERT adding the difference, in the flush's transaction — a savepoint or a
  transaction rolled back takes its figures with it);
- the columns read are loaded before they change (`active_history`), so the part "before" is the
  committed one even when the object had been expired;
- INSERT, UPDATE or DELETE statements that change those columns outside the ORM's unit of work
  are refused (`UnkeptWrite`): they would change rows without their figures — unless sent with
  `execution_options(figures="unchanged")` (a submitted order becoming rejected, say) or
  `figures="rebuilt"` (a bulk load that calls `sources.rebuild()` before it commits);
- writes that bypass the portal's sessions (COPY, psql) must be followed by `sources.rebuild()`
  (`flask scorecards rebuild-figures`), which recomputes every month from the rows.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.db import Base
from portal.deals.models import Customer, DealRegistration, DealStatus
from portal.orders.models import OrderReturn, OrderStatus, SalesOrder

#: An order registered within this many days of its order date counts as reported on time.
ON_TIME_DAYS = 7

FIELDS = ("sales_fen", "orders", "lead_s", "lead_orders", "on_time", "returned_fen",
          "new_customers", "deals_submitted", "deals_approved", "deals_won", "deals_lost",
          "deals_expired")
CLOSED = {DealStatus.WON: "deals_won", DealStatus.LOST: "deals_lost",
          DealStatus.EXPIRED: "deals_expired"}


class DealerMonth(Base):
    """One dealer's figures of one calendar month (`month`: its first day)."""

    __tablename__ = "dealer_month"

    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealer.id", ondelete="CASCADE"),
                                           primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    #: confirmed orders dated in the month: Σ total_fen, count, Σ lead time (s) and how many
    #: have one, how many were registered within ON_TIME_DAYS of their order date
    sales_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    orders: Mapped[int] = mapped_column(Integer, default=0)
    lead_s: Mapped[int] = mapped_column(BigInteger, default=0)
    lead_orders: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    #: returns dated in the month: Σ amount_fen
    returned_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    #: customer records the dealer created in the month
    new_customers: Mapped[int] = mapped_column(Integer, default=0)
    #: registrations submitted, approved, closed won / lost / expired in the month
    deals_submitted: Mapped[int] = mapped_column(Integer, default=0)
    deals_approved: Mapped[int] = mapped_column(Integer, default=0)
    deals_won: Mapped[int] = mapped_column(Integer, default=0)
    deals_lost: Mapped[int] = mapped_column(Integer, default=0)
    deals_expired: Mapped[int] = mapped_column(Integer, default=0)


# --- each row's part ------------------------------------------------------------------------------

def _month(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.astimezone(UTC).date()
    return value.replace(day=1)


def lead_s(decided_at: datetime, created_at: datetime) -> int:
    """Whole seconds from registering an order to its decision, rounded half up."""
    return ((decided_at - created_at) // timedelta(microseconds=1) + 500_000) // 1_000_000


def on_time(created_at: datetime, order_date: date) -> bool:
    return (created_at.astimezone(UTC).date() - order_date).days <= ON_TIME_DAYS


def _order(v):
    if v["status"] != OrderStatus.CONFIRMED or v["dealer_id"] is None or v["order_date"] is None:
        return
    part = {"sales_fen": v["total_fen"] or 0, "orders": 1}
    if v["created_at"] is not None:
        part["on_time"] = int(on_time(v["created_at"], v["order_date"]))
        if v["decided_at"] is not None:
            part["lead_s"] = lead_s(v["decided_at"], v["created_at"])
            part["lead_orders"] = 1
    yield (v["dealer_id"], _month(v["order_date"])), part


def _return(v):
    if v["dealer_id"] is not None and v["return_date"] is not None:
        yield (v["dealer_id"], _month(v["return_date"])), {"returned_fen": v["amount_fen"] or 0}


def _customer(v):
    if v["dealer_id"] is not None and v["created_at"] is not None:
        yield (v["dealer_id"], _month(v["created_at"])), {"new_customers": 1}


def _deal(v):
    if v["dealer_id"] is None:
        return
    if v["submitted_at"] is not None:
        yield (v["dealer_id"], _month(v["submitted_at"])), {"deals_submitted": 1}
    if v["approved_at"] is not None:
        yield (v["dealer_id"], _month(v["approved_at"])), {"deals_approved": 1}
    if v["closed_at"] is not None and v["status"] in CLOSED:
        yield (v["dealer_id"], _month(v["closed_at"])), {CLOSED[v["status"]]: 1}


#: model → (the columns its part reads, the part of one row)
KEPT = {
    SalesOrder: (("status", "dealer_id", "order_date", "total_fen", "created_at", "decided_at"),
                 _order),
    OrderReturn: (("dealer_id", "return_date", "amount_fen"), _return),
    Customer: (("dealer_id", "created_at"), _customer),
    DealRegistration: (("dealer_id", "status", "submitted_at", "approved_at", "closed_at"), _deal),
}
KEPT_TABLES = {model.__table__.name: columns for model, (columns, _f) in KEPT.items()}


def contributions(obj) -> list:
    """[((dealer_id, month), {field: amount})] of one row as it is now."""
    columns, part = KEPT[type(obj)]
    return list(part({c: getattr(obj, c) for c in columns}))


def _before(obj, columns) -> dict:
    state = sa_inspect(obj)
    values = {}
    for column in columns:
        history = state.attrs[column].history
        if history.deleted:
            values[column] = history.deleted[0]
        elif history.unchanged:
            values[column] = history.unchanged[0]
        else:  # unchanged and not loaded: what the row holds
            values[column] = getattr(obj, column)
    return values


def _changed(obj, columns) -> bool:
    state = sa_inspect(obj)
    return any(state.attrs[c].history.has_changes() for c in columns)


def _add(deltas, parts, sign) -> None:
    for key, part in parts:
        for name, amount in part.items():
            deltas[key][name] += sign * amount


@event.listens_for(Session, "after_flush")
def _after_flush(session, _flush_context) -> None:
    deltas: dict = defaultdict(lambda: defaultdict(int))
    for obj in session.new:
        if type(obj) in KEPT:
            _add(deltas, contributions(obj), 1)
    for obj in session.dirty:
        kept = KEPT.get(type(obj))
        if kept and _changed(obj, kept[0]):
            _add(deltas, kept[1](_before(obj, kept[0])), -1)
            _add(deltas, contributions(obj), 1)
    for obj in session.deleted:
        kept = KEPT.get(type(obj))
        if kept:
            _add(deltas, kept[1](_before(obj, kept[0])), -1)
    rows = [{"dealer_id": key[0], "month": key[1], **{f: part.get(f, 0) for f in FIELDS}}
            for key, part in sorted(deltas.items()) if any(part.values())]
    if rows:
        apply(session.connection(), rows)


def apply(connection, rows: list[dict]) -> None:
    """Add each row's amounts to its dealer and month (created at zero when missing), in the
    order given (sorted by dealer and month: two writers lock shared months in the same order)."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    table = DealerMonth.__table__
    stmt = upsert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.dealer_id, table.c.month],
        set_={f: table.c[f] + stmt.excluded[f] for f in FIELDS})
    for row in rows:  # one statement per month: executemany would not keep the lock order
        connection.execute(stmt, row)


# The columns a part reads are loaded before they are set, so that "before" is the committed
# value even on an expired object.
def _active_history() -> None:
    def noop(*_args):
        return None

    for model, (columns, _part) in KEPT.items():
        for column in columns:
            event.listen(getattr(model, column), "set", noop, active_history=True)


_active_history()


class UnkeptWrite(RuntimeError):
    """A statement would change the rows of the monthly figures without changing them."""


@event.listens_for(Session, "do_orm_execute")
def _statement(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    columns = KEPT_TABLES.get(getattr(table, "name", None))
    if columns is None or state.execution_options.get("figures") in ("unchanged", "rebuilt"):
        return  # the caller vouches that no kept figure changes, or rebuilds them after
    if state.is_update:
        values = getattr(state.statement, "_values", None) or {}
        names = {getattr(k, "key", k) for k in values}
        params = state.parameters
        for p in (params if isinstance(params, list) else [params or {}]):
            names |= set(p)
        if not names & set(columns):
            return
    raise UnkeptWrite(f"{table.name}: change these rows through the session's objects, or "
                      "rebuild the monthly figures (portal.scorecards.sources.rebuild)")
