"""Rebate programs, runs, adjustments and statements (DESIGN.md §3.6).

A *program* is finance's policy for one period. A *run* is one pass of finance over a program:
a preview (computed, never stored), manual adjustments, then issue. Issue writes one *statement*
per dealer whose cumulative entitlement differs from what was already issued to it; the first is
`RB-<period>-<dealer>`, later ones are supplementary (`-S1`, `-S2`, …). A statement row is never
edited after issue except for its PDF bookkeeping (rendered once) and its payment.
"""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core import labels
from portal.core.i18n import lazy_gettext as _l
from portal.db import Base, UTCDateTime, utcnow


class RunStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"


class StatementStatus(StrEnum):
    ISSUED = "issued"
    PAID = "paid"


class RebateProgram(Base):
    __tablename__ = "rebate_program"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    #: The program's own code, printed in statement numbers (`RB-<code>-D0001`), e.g. `2026Q4`
    #: or `2026Q4-STO`: several programs may run over the same period.
    code: Mapped[str] = mapped_column(String(20), unique=True)
    #: The period, e.g. `2026Q4` (statements are filtered by it).
    period_code: Mapped[str] = mapped_column(String(20), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    #: Last day of the period (inclusive).
    period_end: Mapped[date] = mapped_column(Date, index=True)
    #: `all_units` or `incremental`.
    mode: Mapped[str] = mapped_column(String(20), default="all_units")
    #: The band table: [[threshold_fen, rate_bp], …], validated by `calc.validate_bands`.
    bands: Mapped[list] = mapped_column(JSON, default=list)
    #: `include`, `exclude` or `rate_bp` (then `exception_rate_bp` applies).
    exception_treatment: Mapped[str] = mapped_column(String(12), default="include")
    exception_rate_bp: Mapped[int | None] = mapped_column(Integer)
    #: Growth bonus: `growth_bonus_bp` extra when sales ≥ (1 + growth_pct_bp) × last year's.
    growth_pct_bp: Mapped[int | None] = mapped_column(Integer)
    growth_bonus_bp: Mapped[int | None] = mapped_column(Integer)
    cap_fen: Mapped[int | None] = mapped_column(Integer)
    #: Dealer tiers (codes) and product line ids that take part; empty = all.
    eligible_tiers: Mapped[list] = mapped_column(JSON, default=list)
    eligible_line_ids: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version_id}


class RebateRun(Base):
    __tablename__ = "rebate_run"
    __table_args__ = (Index("ix_rebate_run_program_status", "program_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("rebate_program.id"))
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    statement_count: Mapped[int] = mapped_column(Integer, default=0)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version_id}

    program: Mapped[RebateProgram] = relationship(lazy="joined")
    adjustments: Mapped[list["RebateAdjustment"]] = relationship(
        back_populates="run", lazy="selectin", order_by="RebateAdjustment.id")


class RebateAdjustment(Base):
    """A manual correction finance adds to one dealer's entitlement in a run, with its reason."""

    __tablename__ = "rebate_adjustment"
    __table_args__ = (Index("ix_rebate_adjustment_program_dealer", "program_id", "dealer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("rebate_run.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("rebate_program.id"))
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealer.id"))
    amount_fen: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    run: Mapped[RebateRun] = relationship(back_populates="adjustments")
    dealer = relationship("Dealer", lazy="joined")


class RebateStatement(Base):
    """An issued statement: immutable figures plus the snapshot its PDF is rendered from."""

    __tablename__ = "rebate_statement"
    __table_args__ = (
        UniqueConstraint("program_id", "dealer_id", "sequence"),
        Index("ix_rebate_statement_dealer_issued", "dealer_id", "issued_at"),
        Index("ix_rebate_statement_run_pdf", "run_id", "pdf_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: `RB-<program code>-D0001`, supplementary ones `RB-<program code>-D0001-S1`.
    number: Mapped[str] = mapped_column(String(40), unique=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("rebate_program.id"))
    run_id: Mapped[int] = mapped_column(ForeignKey("rebate_run.id"))
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealer.id"))
    #: The dealer's region at issue (head-office scoping).
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    #: 0 for the first statement of a dealer in a program, 1.. for supplementary ones.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default=StatementStatus.ISSUED, index=True)
    qualifying_sales_fen: Mapped[int] = mapped_column(Integer)
    #: Computed entitlement (lines + growth bonus − cap), cumulative for the period.
    entitlement_fen: Mapped[int] = mapped_column(Integer)
    #: Sum of all manual adjustments for the dealer in this program so far.
    adjustments_fen: Mapped[int] = mapped_column(Integer, default=0)
    #: Net payable of the earlier statements of this dealer in this program.
    prior_fen: Mapped[int] = mapped_column(Integer, default=0)
    #: entitlement + adjustments − prior: what this statement pays (negative = claw-back).
    net_payable_fen: Mapped[int] = mapped_column(Integer)
    #: Everything the statement page and the PDF show, as plain data frozen at issue.
    content: Mapped[dict] = mapped_column(JSON)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: The stored PDF, relative to STORAGE_DIR; set once, with its SHA-256.
    pdf_path: Mapped[str | None] = mapped_column(String(200))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    #: A renderer's claim (token and time) so two workers never render the same statement.
    pdf_claim: Mapped[str | None] = mapped_column(String(40))
    pdf_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pdf_error: Mapped[str | None] = mapped_column(Text)
    paid_on: Mapped[date | None] = mapped_column(Date)
    payment_reference: Mapped[str | None] = mapped_column(String(100))
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version_id}

    program: Mapped[RebateProgram] = relationship(lazy="joined")
    dealer = relationship("Dealer", lazy="joined")

    @property
    def has_pdf(self) -> bool:
        return self.pdf_sha256 is not None

    @property
    def to_offset(self) -> bool:
        """A negative net payable not yet settled: carried as "to be offset"."""
        return self.net_payable_fen < 0 and self.status == StatementStatus.ISSUED


STATUS_LABELS = {
    "draft": _l("Draft"),
    StatementStatus.ISSUED: _l("Issued"),
    StatementStatus.PAID: _l("Paid"),
}
ACTION_LABELS = {
    "rebate_program.created": _l("Rebate program created"),
    "rebate_program.updated": _l("Rebate program changed"),
    "rebate_run.started": _l("Rebate run started"),
    "rebate_run.adjusted": _l("Manual adjustment added"),
    "rebate_run.issued": _l("Statements issued"),
    "rebate_run.pdf_retry": _l("PDF rendering retried"),
    "rebate_statement.issued": _l("Statement issued"),
    "rebate_statement.pdf_rendered": _l("Statement PDF stored"),
    "rebate_statement.paid": _l("Payment recorded"),
    "rebate_statement.settled": _l("Settlement recorded"),
}


def register_labels() -> None:
    labels.register(statuses={str(k): v for k, v in STATUS_LABELS.items()}, actions=ACTION_LABELS)
