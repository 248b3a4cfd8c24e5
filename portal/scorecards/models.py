"""Sales targets per dealer and quarter, and the scoring policy admin edits (DESIGN §3.8)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, SmallInteger, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core import labels
from portal.core.i18n import lazy_gettext as _l
from portal.db import Base, UTCDateTime, utcnow
from portal.deals.models import Customer, DealRegistration
from portal.orders.models import SalesOrder

# The monthly figures per dealer and the session hooks that keep them (DESIGN §3.8).
from portal.scorecards.figures import DealerMonth  # noqa: F401
from portal.scorecards.line_months import DealerLineMonth  # noqa: F401

# The stamp of the ranked list's sources: its table and the session hooks that change it.
from portal.scorecards.stamp import ScorecardStamp  # noqa: F401


class SalesTarget(Base):
    """Head office's sales target for one dealer in one quarter, for all lines (`line_id` None)
    or for one product line. The dealer's quarter target is its all-lines row when there is one,
    else the sum of its per-line rows (`portal.scorecards.kpis`)."""

    __tablename__ = "sales_target"
    __table_args__ = (
        UniqueConstraint("dealer_id", "year", "quarter", "line_id"),
        # The ranked list reads every dealer's targets of a year in one aggregate.
        Index("ix_sales_target_year_quarter_dealer", "year", "quarter", "dealer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealer.id"))
    year: Mapped[int] = mapped_column(SmallInteger)
    quarter: Mapped[int] = mapped_column(SmallInteger)
    #: None: the target over all product lines.
    line_id: Mapped[int | None] = mapped_column(ForeignKey("product_line.id"))
    target_fen: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    dealer = relationship("Dealer", lazy="joined")
    line = relationship("ProductLine", lazy="joined")


class ScorecardPolicy(Base):
    """The one row of scoring policy: KPI weights and the score thresholds of the tier advice.

    `weights` maps a KPI key of `portal.scorecards.scoring.WEIGHTED` to its weight (integers that
    need not add to 100: the score is normalised); `thresholds` maps promote/keep/watch to the
    lowest score of that advice (below `watch` is demote)."""

    __tablename__ = "scorecard_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    weights: Mapped[dict] = mapped_column(JSON)
    thresholds: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version_id}


def _indexes() -> None:
    """Indexes the scorecard aggregates need on other domains' tables, declared here with the
    migration that creates them (0005): the ranked list reads every dealer's quarter at once."""
    o = SalesOrder.__table__.c
    # Covering: the orders aggregate reads these columns only, from the index.
    Index("ix_sales_order_scorecard", o.status, o.order_date, o.dealer_id, o.total_fen,
          o.created_at, o.decided_at)
    # Covering, for one dealer (its scorecard, its dashboard's monthly sales): migration 0011.
    Index("ix_sales_order_dealer_scorecard", o.dealer_id, o.status, o.order_date, o.total_fen,
          o.created_at, o.decided_at)
    r = DealRegistration.__table__.c
    # The registrations aggregate (migration 0011): one index range per kind of date.
    Index("ix_deal_registration_submitted_dealer", r.submitted_at, r.dealer_id, r.customer_id)
    Index("ix_deal_registration_approved_dealer", r.approved_at, r.dealer_id)
    Index("ix_deal_registration_closed_dealer", r.closed_at, r.dealer_id, r.status)
    c = Customer.__table__.c
    Index("ix_customer_created_dealer", c.created_at, c.dealer_id)
    # One dealer's new customers (its scorecard), read from the index (migration 0011).
    Index("ix_customer_dealer_created", c.dealer_id, c.created_at)
    Index("ix_customer_key_account", c.id, postgresql_where=c.key_account,
          sqlite_where=c.key_account)


_indexes()


ACTION_LABELS = {
    "sales_target.set": _l("Sales target set"),
    "sales_target.imported": _l("Sales targets imported"),
    "scorecard_policy.changed": _l("Scoring weights and thresholds changed"),
    "dealer.tier_changed": _l("Dealer tier changed"),
}


def register_labels() -> None:
    labels.register(actions=ACTION_LABELS)
