"""Personal API tokens and the stored results of idempotent POSTs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, UTCDateTime, utcnow


class ApiToken(Base):
    """A user's personal API token. Only the SHA-256 of the secret is stored: the secret has
    256 bits of entropy, so a fast hash is enough (a slow password hash would cost every request
    tens of milliseconds for nothing)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    #: Hex SHA-256 of the secret the client sends as `Authorization: Bearer <secret>`.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters of the secret, shown in the list so a user can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Written by POST requests and by the job that records GET requests' use (never by a GET).
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", lazy="joined")

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None

    @property
    def label(self) -> str:
        """How audit entries name the token."""
        return f"{self.name} (#{self.id})"


class IdempotentRequest(Base):
    """The first result of a POST sent with an `Idempotency-Key`: a retry with the same key gets
    it back instead of doing the work again. The unique constraint makes two racing retries
    meet: the second waits for the first's row, then reads its stored response."""

    __tablename__ = "api_idempotent_request"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    #: `POST /api/v1/orders`: the same key on another operation is refused.
    operation: Mapped[str] = mapped_column(String(100))
    #: SHA-256 of the request body: the same key with another body is refused.
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
