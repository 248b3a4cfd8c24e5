"""Price exceptions (特价申请), their approval steps, and the approval matrix kept as data.

Money in integer fen, depths in basis points of the list price (100 bp = 1 percentage point).
Rows that two approvers may decide at once (`price_exception`, `price_exception_step`) carry a
`version_id` column: the loser of a race gets a StaleDataError, turned into "already decided".
"""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core import labels
from portal.core.i18n import lazy_gettext as _l
from portal.db import Base, UTCDateTime, utcnow


class ExceptionStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    RETURNED = "returned"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


#: States in which the request is still being worked on (an approver or the dealer acts next).
OPEN_STATES = (ExceptionStatus.DRAFT, ExceptionStatus.PENDING, ExceptionStatus.RETURNED)


class StepStatus(StrEnum):
    WAITING = "waiting"      #: a later step, not yet reached
    PENDING = "pending"      #: the step whose approver acts now
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"
    SKIPPED = "skipped"      #: never reached (the request was rejected, returned or cancelled)


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"


STATUS_LABELS = {
    ExceptionStatus.DRAFT: _l("Draft"),
    ExceptionStatus.PENDING: _l("Pending approval"),
    ExceptionStatus.RETURNED: _l("Returned for changes"),
    ExceptionStatus.APPROVED: _l("Approved"),
    ExceptionStatus.REJECTED: _l("Rejected"),
    ExceptionStatus.EXPIRED: _l("Expired"),
    ExceptionStatus.CANCELLED: _l("Cancelled"),
    StepStatus.WAITING: _l("Waiting"),
    StepStatus.SKIPPED: _l("Not reached"),
}


class ApprovalRule(Base):
    """One row of the approval matrix (DESIGN §3.2), editable by admins.

    A request matches a rule when its deepest line goes more than `depth_above_bp` beyond the tier
    discount, or when the deal's value is at least `value_from_fen` (when set). Of the matching
    rules the one with the highest `level` routes the request.
    """

    __tablename__ = "approval_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[int] = mapped_column(Integer, unique=True)
    #: Extra depth (bp of list price) above which this rule applies; -1 = any request.
    depth_above_bp: Mapped[int] = mapped_column(Integer, default=-1)
    #: Deal value (fen) from which this rule applies regardless of depth; None = not by value.
    value_from_fen: Mapped[int | None] = mapped_column(BigInteger)
    #: Roles that approve, in order, e.g. ["channel_manager", "sales_director"].
    approvers: Mapped[list] = mapped_column(JSON)
    #: Target time of each step, in business days.
    target_business_days: Mapped[int] = mapped_column(Integer, default=1)


class PriceException(Base):
    """A dealer's request for prices below its net price on one approved deal registration."""

    __tablename__ = "price_exception"
    __table_args__ = (
        Index("ix_price_exception_dealer_status", "dealer_id", "status"),
        Index("ix_price_exception_region_status", "region_id", "status"),
        Index("ix_price_exception_deal_status", "deal_id", "status"),
        Index("ix_price_exception_queue", "status", "current_role", "region_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. `SP2026-00012`, derived from the id once flushed.
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealer.id"))
    #: The dealer's region, so regional approvers' queues filter on an indexed column.
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal_registration.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ExceptionStatus.DRAFT)
    #: The dealer's justification (competitor, customer budget …).
    reason: Mapped[str] = mapped_column(Text, default="")
    #: 1-based number of the step whose approver acts now; 0 when no step is open.
    current_step: Mapped[int] = mapped_column(Integer, default=0)
    #: The role of the open step (denormalised for the approver queue); None when none is open.
    current_role: Mapped[str | None] = mapped_column(String(30))
    #: Round of approval: 1 at first submission, +1 after each return for changes.
    round: Mapped[int] = mapped_column(Integer, default=0)
    #: Totals at requested prices and at net prices, and the deepest line's extra depth.
    total_requested_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    total_net_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    max_depth_bp: Mapped[int] = mapped_column(Integer, default=0)
    below_floor: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The director's written reason for approving prices below the floor.
    floor_reason: Mapped[str | None] = mapped_column(Text)
    #: Last day the approved prices apply (inclusive).
    valid_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version_id}

    dealer = relationship("Dealer", lazy="joined")
    deal = relationship("DealRegistration", lazy="select")
    created_by = relationship("User", foreign_keys=[created_by_id], lazy="select")
    lines: Mapped[list["PriceExceptionLine"]] = relationship(
        back_populates="exception", cascade="all, delete-orphan", lazy="selectin",
        order_by="PriceExceptionLine.id")
    steps: Mapped[list["PriceExceptionStep"]] = relationship(
        back_populates="exception", cascade="all, delete-orphan", lazy="selectin",
        order_by="(PriceExceptionStep.round, PriceExceptionStep.seq)")


class PriceExceptionLine(Base):
    __tablename__ = "price_exception_line"
    __table_args__ = (
        CheckConstraint("used_qty >= 0 AND used_qty <= quantity", name="used_within_quantity"),
        Index("ix_price_exception_line_product", "product_id", "exception_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exception_id: Mapped[int] = mapped_column(
        ForeignKey("price_exception.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    requested_price_fen: Mapped[int] = mapped_column(Integer)
    #: Set by the approvers (the requested price, or a higher counter-offer); read-only once approved.
    approved_price_fen: Mapped[int | None] = mapped_column(Integer)
    #: Quantity already ordered at the approved price (reserve/release by the orders domain).
    used_qty: Mapped[int] = mapped_column(Integer, default=0)
    #: Snapshot at submission: list price, tier discount and net price the request was judged on.
    list_price_fen: Mapped[int] = mapped_column(Integer, default=0)
    discount_bp: Mapped[int] = mapped_column(Integer, default=0)
    net_price_fen: Mapped[int] = mapped_column(Integer, default=0)

    exception: Mapped[PriceException] = relationship(back_populates="lines")
    product = relationship("Product", lazy="joined")


class PriceExceptionStep(Base):
    """One approver's step of one round; `seq` 1, 2, 3 in the order of the approval rule."""

    __tablename__ = "price_exception_step"
    __table_args__ = (Index("ix_price_exception_step_exception", "exception_id", "round", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exception_id: Mapped[int] = mapped_column(ForeignKey("price_exception.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(Integer, default=1)
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default=StepStatus.WAITING)
    target_business_days: Mapped[int] = mapped_column(Integer, default=1)
    #: When the step became the one to act on (ageing counts from here).
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    #: Prices approved at this step, {line_id: fen}, for the history of counter-offers.
    prices: Mapped[dict | None] = mapped_column(JSON)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version_id}

    exception: Mapped[PriceException] = relationship(back_populates="steps")
    decided_by = relationship("User", lazy="joined")


def register_labels() -> None:
    labels.register(
        statuses={str(k): v for k, v in STATUS_LABELS.items()},
        actions={
            "exception.created": _l("Exception request created"),
            "exception.updated": _l("Exception request changed"),
            "exception.submitted": _l("Submitted for approval"),
            "exception.step_approved": _l("Step approved"),
            "exception.approved": _l("Exception approved"),
            "exception.rejected": _l("Exception rejected"),
            "exception.returned": _l("Returned for changes"),
            "exception.cancelled": _l("Exception cancelled"),
            "exception.expired": _l("Exception expired"),
            "approval_rule.changed": _l("Approval matrix changed"),
            "price_list.created": _l("Price list created"),
            "price_list.updated": _l("Price list changed"),
            "product.created": _l("Product created"),
            "product.updated": _l("Product changed"),
            "product_line.saved": _l("Product line saved"),
            "products.imported": _l("Products imported"),
            "tier_discount.changed": _l("Tier discounts changed"),
        })
