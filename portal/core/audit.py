"""The audit log: every state change and decision, with actor, object, before → after, time, IP.

Services call `record(...)` after they change state; it never commits. The client IP comes from a
context variable that the request hook sets, so services stay free of `flask.request`.
"""
from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, UTCDateTime, utcnow
from portal.extensions import db

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)
#: The API token a request acts through (`name (#id)`), set by `portal.api.auth`; None otherwise.
api_token: ContextVar[str | None] = ContextVar("api_token", default=None)


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_object", "object_type", "object_id", "id"),
        Index("ix_audit_entry_actor_at", "actor_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: Dotted verb, e.g. `deal.approved`, `exception.step_approved`, `user.deactivated`.
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column()
    #: The dealer the object belongs to, so a dealer sees the history of its own objects only.
    dealer_id: Mapped[int | None] = mapped_column(ForeignKey("dealer.id"), index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(45))
    #: The API token the change came through (`name (#id)`), if any.
    api_token: Mapped[str | None] = mapped_column(String(120))

    actor = relationship("User", lazy="joined")


def record(actor, action: str, obj=None, *, object_type: str | None = None,
           object_id: int | None = None, dealer_id: int | None = None,
           before: dict | None = None, after: dict | None = None,
           comment: str | None = None) -> AuditEntry:
    """Add an audit entry for `action` on `obj` by `actor` (None for the system)."""
    if obj is not None:
        object_type = object_type or obj.__tablename__
        if object_id is None:
            db.session.flush()
            object_id = obj.id
        if dealer_id is None:
            dealer_id = getattr(obj, "dealer_id", None)
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None), action=action, object_type=object_type or "",
        object_id=object_id, dealer_id=dealer_id, before=_plain(before), after=_plain(after),
        comment=comment, ip=client_ip.get(), api_token=api_token.get(),
    )
    db.session.add(entry)
    return entry


def history(object_type: str, object_id: int) -> list[AuditEntry]:
    """The audit entries of one object, oldest first (shown on its page)."""
    stmt = (select(AuditEntry)
            .where(AuditEntry.object_type == object_type, AuditEntry.object_id == object_id)
            .order_by(AuditEntry.id))
    return list(db.session.scalars(stmt))


def _plain(values: dict | None) -> dict | None:
    if values is None:
        return None
    return {k: (v if isinstance(v, (int, float, str, bool, type(None), list, dict)) else str(v))
            for k, v in values.items()}
