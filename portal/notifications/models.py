"""Notifications are stored as a message id plus parameters and translated when shown, so each
recipient reads them in its own language."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, UTCDateTime, utcnow


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),
                      Index("ix_notification_user_id", "user_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: `approval_needed`, `decision_made`, `conflict_opened`, `conflict_decided`,
    #: `protection_expiring`, `statement_issued`, …
    kind: Mapped[str] = mapped_column(String(40))
    #: English msgid with %(name)s placeholders; translated at display time.
    message: Mapped[str] = mapped_column(String(300))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str | None] = mapped_column(String(300))

    #: The recipient (named, not imported: the accounts domain builds on notifications).
    user: Mapped[User] = relationship("User", viewonly=True)  # noqa: F821
