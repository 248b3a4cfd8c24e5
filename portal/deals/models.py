"""Customers, deal registrations and direct leads (DESIGN §3.3).

A customer record belongs to whoever created it (`dealer_id`, None = head office). Records of
different owners that are the same company are *linked* (`CustomerLink`), never merged. Every
customer keeps its blocking keys in `customer_key`, indexed on the key, so the conflict check finds
candidates without scanning all customers.
"""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.i18n import lazy_gettext as _l
from portal.db import Base, UTCDateTime, bigram_indexes, trigram_indexes, utcnow


class DealStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    WON = "won"
    LOST = "lost"
    EXPIRED = "expired"
    REJECTED = "rejected"
    IN_CONFLICT = "in_conflict"


class LeadStatus(StrEnum):
    SUBMITTED = "submitted"      #: active: the rep works the account
    IN_CONFLICT = "in_conflict"  #: held for a conflict decision
    ASSISTING = "assisting"      #: co-sell: the rep assists a dealer's registration
    REJECTED = "rejected"        #: lost a conflict decision
    CLOSED = "closed"            #: closed by the rep


class DealStage(StrEnum):
    QUALIFYING = "qualifying"
    SOLUTION = "solution"
    QUOTING = "quoting"
    NEGOTIATION = "negotiation"


STAGE_LABELS = {
    DealStage.QUALIFYING: _l("Qualifying"),
    DealStage.SOLUTION: _l("Solution design"),
    DealStage.QUOTING: _l("Quoting"),
    DealStage.NEGOTIATION: _l("Negotiation"),
}

#: Registration states that take part in conflict detection (approved ones only while protected).
ACTIVE_DEAL_STATES = (DealStatus.SUBMITTED, DealStatus.IN_CONFLICT, DealStatus.APPROVED)
ACTIVE_LEAD_STATES = (LeadStatus.SUBMITTED, LeadStatus.IN_CONFLICT)


class Customer(Base):
    """An end customer (最终用户) as one owner (a dealer, or head office) recorded it."""

    __tablename__ = "customer"
    __table_args__ = (
        Index("ix_customer_dealer_name", "dealer_id", "name_norm"),
        # The customer list sorts by name within each scope.
        Index("ix_customer_name", "name"),
        Index("ix_customer_region_name", "region_id", "name"),
        Index("ix_customer_dealer_display_name", "dealer_id", "name"),
        *trigram_indexes("customer", "name", "name_norm"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The dealer that owns this record; None = a head-office record (key accounts of reps).
    dealer_id: Mapped[int | None] = mapped_column(ForeignKey("dealer.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: Region for head-office scoping: the dealer's region, or the account's region.
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: `matching.normalize_name(name)`, maintained on every save.
    name_norm: Mapped[str] = mapped_column(String(200), default="", index=True)
    uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    #: Website or e-mail domain, normalised.
    domain: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(30))
    province: Mapped[str] = mapped_column(String(30), default="")
    city: Mapped[str] = mapped_column(String(50), default="")
    industry: Mapped[str] = mapped_column(String(50), default="")
    #: 大客户: a key account worked by a direct rep.
    key_account: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_rep_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    dealer = relationship("Dealer", lazy="joined")
    owner_rep = relationship("User", foreign_keys=[owner_rep_id], lazy="joined")

    def as_match_record(self) -> dict:
        """The mapping `matching.compare` takes."""
        return {"name": self.name, "uscc": self.uscc, "domain": self.domain, "phone": self.phone}


#: Two-character searches of the customer list and the registration list's customer column
#: (`portal.db.contains`), on PostgreSQL.
bigram_indexes(Customer.__table__, "name", "name_norm")


class CustomerKey(Base):
    """One blocking key of one customer (`n:` name key, `u:` USCC, `d:` domain, `p:` phone)."""

    __tablename__ = "customer_key"
    __table_args__ = (Index("ix_customer_key_key", "key", "customer_id"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"),
                                             primary_key=True)
    key: Mapped[str] = mapped_column(String(120), primary_key=True)


class CustomerLink(Base):
    """Two customer records of different owners that are (or, unlinked, are not) the same company."""

    __tablename__ = "customer_link"
    __table_args__ = (UniqueConstraint("a_id", "b_id"), Index("ix_customer_link_b", "b_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Always a_id < b_id.
    a_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    b_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    #: `matcher` or `manual`.
    source: Mapped[str] = mapped_column(String(20), default="matcher")
    #: False = head office unlinked them: the matcher must not link them again.
    linked: Mapped[bool] = mapped_column(Boolean, default=True)
    score: Mapped[int] = mapped_column(Integer, default=0)  #: matcher score × 1000
    signals: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class DealRegistration(Base):
    """A dealer's registration (报备) of a project at an end customer."""

    __tablename__ = "deal_registration"
    __table_args__ = (
        Index("ix_deal_registration_customer_status", "customer_id", "status"),
        Index("ix_deal_registration_status_until", "status", "protected_until"),
        # The registration list, newest first, per scope and with a status filter.
        Index("ix_deal_registration_dealer_status", "dealer_id", "status", "id"),
        Index("ix_deal_registration_region_status", "region_id", "status", "id"),
        Index("ix_deal_registration_dealer_id", "dealer_id", "id"),
        Index("ix_deal_registration_region_id", "region_id", "id"),
        Index("ix_deal_registration_status_id", "status", "id"),
        # The list sorted by expected close or by value, for every region and for one region
        # (`?sort=close`, `?sort=-value`): the page's rows in index order (migration 0011).
        Index("ix_deal_registration_close", "expected_close_date", "id"),
        Index("ix_deal_registration_region_close", "region_id", "expected_close_date", "id"),
        Index("ix_deal_registration_value", "estimated_value_fen", "id"),
        # One status by value (`?status=submitted&sort=-value`, migration 0018): SQLite's planner
        # took the status index and sorted the director's 62,000 submitted registrations.
        Index("ix_deal_registration_status_value", "status", "estimated_value_fen", "id"),
        Index("ix_deal_registration_region_value", "region_id", "estimated_value_fen", "id"),
        *trigram_indexes("deal_registration", "number", "project_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. `R2026-00042`, derived from the id once flushed.
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealer.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    #: The dealer's region, for head-office scoping.
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    project_name: Mapped[str] = mapped_column(String(200))
    estimated_value_fen: Mapped[int] = mapped_column(Integer, default=0)
    expected_close_date: Mapped[date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(20), default=DealStage.QUALIFYING)
    competitors: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=DealStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When it was (last) submitted: "first to register" compares these, in UTC.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: Last protected day (inclusive), business date in Asia/Shanghai.
    protected_until: Mapped[date | None] = mapped_column(Date)
    #: Why it was rejected: `conflict`, or the channel manager's reason.
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The day the 7-day expiry reminder went out (so it goes out once).
    reminded_on: Mapped[date | None] = mapped_column(Date)
    #: Co-sell: the direct rep assisting the dealer.
    assisting_rep_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version_id}

    dealer = relationship("Dealer", lazy="joined")
    customer: Mapped[Customer] = relationship(lazy="joined")
    created_by = relationship("User", foreign_keys=[created_by_id], lazy="joined")
    assisting_rep = relationship("User", foreign_keys=[assisting_rep_id], lazy="joined")
    lines: Mapped[list["DealLine"]] = relationship(
        back_populates="deal", cascade="all, delete-orphan", lazy="selectin",
        order_by="DealLine.id")
    extension: Mapped["DealExtension | None"] = relationship(
        back_populates="deal", lazy="selectin", uselist=False)

    @property
    def line_ids(self) -> set[int]:
        return {ln.line_id for ln in self.lines}


bigram_indexes(DealRegistration.__table__, "number", "project_name")


class DealLine(Base):
    """A product line, optionally a SKU, with a quantity, on a registration."""

    __tablename__ = "deal_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal_registration.id", ondelete="CASCADE"),
                                         index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("product_line.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    quantity: Mapped[int] = mapped_column(Integer, default=1)

    deal: Mapped[DealRegistration] = relationship(back_populates="lines")
    line = relationship("ProductLine", lazy="joined")
    product = relationship("Product", lazy="joined")


class DealExtension(Base):
    """The one extension request a registration may make (unique per registration)."""

    __tablename__ = "deal_extension"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal_registration.id", ondelete="CASCADE"),
                                         unique=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    days: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    #: pending / approved / rejected
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comment: Mapped[str | None] = mapped_column(Text)

    deal: Mapped[DealRegistration] = relationship(back_populates="extension")
    decided_by = relationship("User", foreign_keys=[decided_by_id], lazy="joined")


class DirectLead(Base):
    """A direct rep's lead (直销线索): it works an account for some product lines."""

    __tablename__ = "direct_lead"
    __table_args__ = (
        Index("ix_direct_lead_customer_status", "customer_id", "status"),
        Index("ix_direct_lead_region_status", "region_id", "status", "id"),
        Index("ix_direct_lead_region_id", "region_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)  #: e.g. `L2026-00007`
    rep_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    project_name: Mapped[str] = mapped_column(String(200))
    estimated_value_fen: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=LeadStatus.SUBMITTED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The registration this lead assists after a co-sell decision.
    assists_deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal_registration.id"))
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version_id}

    rep = relationship("User", foreign_keys=[rep_id], lazy="joined")
    customer: Mapped[Customer] = relationship(lazy="joined")
    lines: Mapped[list["LeadLine"]] = relationship(
        back_populates="lead", cascade="all, delete-orphan", lazy="selectin")

    @property
    def line_ids(self) -> set[int]:
        return {ln.line_id for ln in self.lines}


class LeadLine(Base):
    __tablename__ = "lead_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("direct_lead.id", ondelete="CASCADE"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("product_line.id"), index=True)

    lead: Mapped[DirectLead] = relationship(back_populates="lines")
    line = relationship("ProductLine", lazy="joined")


class CustomerAlias(Base):
    """Another name of a customer (a former name, a short name, an English name) that the
    conflict check matches on like its name (DESIGN §3.4.1)."""

    __tablename__ = "customer_alias"
    __table_args__ = (UniqueConstraint("customer_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    #: `former` (written in brackets in the name), `manual`, `link` (records linked on the
    #: desk) or `case` (a case decided on the same customer).
    source: Mapped[str] = mapped_column(String(20), default="manual")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
