"""Conflict cases (撞单): two active records of different parties for the same customer and
overlapping product lines, held until a channel manager decides (DESIGN §3.4).

A party is either a dealer's registration or a rep's direct lead. `first_*` is the one registered
earlier (by UTC submission time), `second_*` the later one, whose submission opened the case.
Notices (same customer, other product lines) are kept as cases of kind `notice`: never held,
never decided, shown to head office only.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, UTCDateTime, utcnow


class CaseStatus(StrEnum):
    OPEN = "open"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"  #: closed without a decision: a party left in another case
    NOTICE = "notice"


class Decision(StrEnum):
    AWARD_EARLIER = "award_earlier"
    AWARD_LATER = "award_later"
    CO_SELL = "co_sell"
    NOT_A_CONFLICT = "not_a_conflict"


class ConflictCase(Base):
    __tablename__ = "conflict_case"
    __table_args__ = (
        Index("ix_conflict_case_region_status", "region_id", "status"),
        Index("ix_conflict_case_other_region_status", "other_region_id", "status"),
        Index("ix_conflict_case_status_opened", "status", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)  #: e.g. `C2026-00003`
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.OPEN)
    #: The region of the record whose submission opened the case, and of the other party.
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    other_region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    first_deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal_registration.id"), index=True)
    first_lead_id: Mapped[int | None] = mapped_column(ForeignKey("direct_lead.id"), index=True)
    second_deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal_registration.id"), index=True)
    second_lead_id: Mapped[int | None] = mapped_column(ForeignKey("direct_lead.id"), index=True)
    #: Signals and scores that made the two customers "the same", and the overlapping lines.
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The suggested default decision (a `Decision` value).
    suggestion: Mapped[str] = mapped_column(String(20))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The director who took the case over, if any.
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decision: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version_id}

    first_deal = relationship("DealRegistration", foreign_keys=[first_deal_id], lazy="joined")
    second_deal = relationship("DealRegistration", foreign_keys=[second_deal_id], lazy="joined")
    first_lead = relationship("DirectLead", foreign_keys=[first_lead_id], lazy="joined")
    second_lead = relationship("DirectLead", foreign_keys=[second_lead_id], lazy="joined")
    decided_by = relationship("User", foreign_keys=[decided_by_id], lazy="joined")
    assigned_to = relationship("User", foreign_keys=[assigned_to_id], lazy="joined")

    @property
    def first(self):
        return self.first_deal or self.first_lead

    @property
    def second(self):
        return self.second_deal or self.second_lead


class OverlapStatus(StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"
    ESCALATED = "escalated"  #: a conflict case was opened from it


class PossibleOverlap(Base):
    """A submission whose customer is possibly the same as another party's (the matcher said
    `possible`): the submission proceeds, and the channel managers of the region look, then open
    a case or dismiss it (DESIGN §3.4.1)."""

    __tablename__ = "possible_overlap"
    __table_args__ = (
        Index("ix_possible_overlap_region_status", "region_id", "status"),
        Index("ix_possible_overlap_other_region_status", "other_region_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default=OverlapStatus.OPEN)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    other_region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    #: The submitted record (a registration or a lead) and the customer it was compared with.
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal_registration.id"), index=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("direct_lead.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    other_customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    #: {"signals": [...], "score": 0.4}
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version_id}

    deal = relationship("DealRegistration", foreign_keys=[deal_id], lazy="joined")
    lead = relationship("DirectLead", foreign_keys=[lead_id], lazy="joined")
    customer = relationship("Customer", foreign_keys=[customer_id], lazy="joined")
    other_customer = relationship("Customer", foreign_keys=[other_customer_id], lazy="joined")
    decided_by = relationship("User", foreign_keys=[decided_by_id], lazy="joined")

    @property
    def record(self):
        return self.deal or self.lead
