"""Sales orders and their lines.

The table is `sales_order` (ORDER is a reserved word). Lines keep the prices they were registered
at (list, net, unit and where the unit price came from) so that a later price list never changes
an order, and the product line denormalised so that the rebate aggregate groups without a join
to the catalogue.
"""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core import labels
from portal.core.i18n import lazy_gettext as _l
from portal.db import Base, UTCDateTime, bigram_indexes, trigram_indexes, utcnow


class OrderStatus(StrEnum):
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class PriceSource(StrEnum):
    NET = "net"
    EXCEPTION = "exception"


class SalesOrder(Base):
    """An order a dealer placed with the vendor for an end customer."""

    __tablename__ = "sales_order"
    __table_args__ = (
        # The rebate aggregate and the dealer's list filter on these.
        Index("ix_sales_order_status_date_dealer", "status", "order_date", "dealer_id"),
        Index("ix_sales_order_dealer_status_date", "dealer_id", "status", "order_date"),
        # The order lists, newest first, as each role opens them: all regions, one region, one
        # dealer, with or without a status; the channel manager's queue by submission time.
        Index("ix_sales_order_date", "order_date", "id"),
        Index("ix_sales_order_region_date", "region_id", "order_date", "id"),
        Index("ix_sales_order_region_status_date", "region_id", "status", "order_date", "id"),
        Index("ix_sales_order_dealer_date", "dealer_id", "order_date", "id"),
        Index("ix_sales_order_status_created", "status", "created_at", "id"),
        # Searching the list (`?q=`) for any part of a number, contract or customer name:
        # trigram indexes on PostgreSQL (pg_trgm); plain ones, unused by LIKE, on SQLite.
        *trigram_indexes("sales_order", "number", "contract_no", "customer_name"),
        # A number typed from its start (`SO2026-0001`) is a prefix: PostgreSQL serves
        # `LIKE 'SO2026-0001%'` from a pattern index (its plain index only under a C collation);
        # SQLite builds a plain one, so the models stay the same on both.
        Index("ix_sales_order_number_prefix", "number",
              postgresql_ops={"number": "varchar_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. `SO2026-00042`, derived from the id once flushed.
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealer.id"))
    #: The dealer's region when the order was registered (head-office scoping).
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    #: The end customer's name as shown on the order (copied from the customer record).
    customer_name: Mapped[str] = mapped_column(String(200))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal_registration.id"), index=True)
    #: Contract / invoice number, unique per dealer.
    contract_no: Mapped[str] = mapped_column(String(60))
    order_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=OrderStatus.SUBMITTED)
    total_fen: Mapped[int] = mapped_column(Integer, default=0)
    #: Sum of the returns recorded against the order; the net amount is total − returned.
    returned_fen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: Why the channel manager rejected it.
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version_id}

    dealer = relationship("Dealer", lazy="joined")
    created_by = relationship("User", foreign_keys=[created_by_id], lazy="joined")
    decided_by = relationship("User", foreign_keys=[decided_by_id], lazy="joined")
    deal = relationship("DealRegistration", lazy="raise")
    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", lazy="selectin",
        order_by="OrderLine.id")
    returns: Mapped[list["OrderReturn"]] = relationship(
        back_populates="order", lazy="raise", order_by="OrderReturn.id")

    @property
    def net_fen(self) -> int:
        return self.total_fen - (self.returned_fen or 0)


#: Contract numbers are unique per dealer whatever their case, as `services.contract_taken` checks
#: them: two submissions of `case-x` and `CASE-X` at once cannot both be saved.
Index("uq_sales_order_dealer_contract", SalesOrder.dealer_id, func.lower(SalesOrder.contract_no),
      unique=True)
#: Two-character searches of the order list (`portal.db.contains`), on PostgreSQL.
bigram_indexes(SalesOrder.__table__, "number", "contract_no", "customer_name")
#: The list's sort by net total (`?sort=-total`), for all regions and for one.
_NET = SalesOrder.total_fen - SalesOrder.returned_fen
Index("ix_sales_order_net", _NET, SalesOrder.id)
Index("ix_sales_order_status_net", SalesOrder.status, _NET, SalesOrder.id)
Index("ix_sales_order_region_status_net", SalesOrder.region_id, SalesOrder.status, _NET, SalesOrder.id)


class OrderLine(Base):
    __tablename__ = "order_line"
    __table_args__ = (
        # Covering index for the rebate aggregate: join on order, group by product line.
        Index("ix_order_line_order_line", "order_id", "line_id", "price_source", "amount_fen"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    #: The product's line, denormalised for the rebate aggregate (GROUP BY dealer, line).
    line_id: Mapped[int] = mapped_column(ForeignKey("product_line.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    list_price_fen: Mapped[int] = mapped_column(Integer)
    net_price_fen: Mapped[int] = mapped_column(Integer)
    #: What the dealer pays per unit: the net price or the approved exception price.
    unit_price_fen: Mapped[int] = mapped_column(Integer)
    #: `net` or `exception`.
    price_source: Mapped[str] = mapped_column(String(12), default=PriceSource.NET)
    exception_line_id: Mapped[int | None] = mapped_column(ForeignKey("price_exception_line.id"))
    amount_fen: Mapped[int] = mapped_column(Integer)
    #: Units returned so far; a guarded UPDATE keeps it ≤ quantity (two returns at once).
    returned_qty: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    order: Mapped[SalesOrder] = relationship(back_populates="lines")
    product = relationship("Product", lazy="joined")

    @property
    def returnable_qty(self) -> int:
        return self.quantity - (self.returned_qty or 0)


class OrderReturn(Base):
    """A return (退货 / 红字冲销) of some units of a confirmed order's lines: a credit note.

    It lowers the dealer's qualifying sales in the rebate period of `return_date`, not of the
    order's date; an issued statement is corrected by the next run's supplementary statement.
    """

    __tablename__ = "order_return"
    __table_args__ = (
        # The rebate aggregate: returns of a period, by dealer.
        Index("ix_order_return_date_dealer", "return_date", "dealer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. `RT2026-00012`, derived from the id once flushed.
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealer.id"))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    return_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    #: Σ line amounts (positive: what is credited back to the dealer).
    amount_fen: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    order: Mapped[SalesOrder] = relationship(back_populates="returns")
    created_by = relationship("User", lazy="joined")
    lines: Mapped[list["OrderReturnLine"]] = relationship(
        back_populates="order_return", cascade="all, delete-orphan", lazy="selectin",
        order_by="OrderReturnLine.id")


class OrderReturnLine(Base):
    __tablename__ = "order_return_line"
    __table_args__ = (
        Index("ix_order_return_line_return_line", "return_id", "line_id", "price_source",
              "amount_fen"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("order_return.id", ondelete="CASCADE"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"), index=True)
    #: The product line and price source of the original line (the rebate aggregate).
    line_id: Mapped[int] = mapped_column(ForeignKey("product_line.id"))
    price_source: Mapped[str] = mapped_column(String(12))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_fen: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(Integer)

    order_return: Mapped[OrderReturn] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship(lazy="joined")


STATUS_LABELS = {
    OrderStatus.SUBMITTED: _l("Submitted"),
    OrderStatus.CONFIRMED: _l("Confirmed"),
    OrderStatus.REJECTED: _l("Rejected"),
    OrderStatus.CANCELLED: _l("Cancelled"),
}

ACTION_LABELS = {
    "order.submitted": _l("Order submitted"),
    "order.confirmed": _l("Order confirmed"),
    "order.rejected": _l("Order rejected"),
    "order.cancelled": _l("Order cancelled"),
    "order.imported": _l("Orders imported"),
    "order.returned": _l("Return recorded"),
}


def register_labels() -> None:
    labels.register(statuses={k.value: v for k, v in STATUS_LABELS.items()},
                    actions=ACTION_LABELS)
