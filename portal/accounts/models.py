"""Regions, dealers and users (DESIGN §3.1)."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Column, ForeignKey, Index, String, Table, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core import labels
from portal.core.i18n import lazy_gettext as _l
from portal.core.permissions import DEALER_ROLES, Role
from portal.db import Base, UTCDateTime, utcnow


class Tier(StrEnum):
    PLATINUM = "platinum"
    GOLD = "gold"
    SILVER = "silver"
    AUTHORIZED = "authorized"


TIER_LABELS = {
    Tier.PLATINUM: _l("Platinum"),
    Tier.GOLD: _l("Gold"),
    Tier.SILVER: _l("Silver"),
    Tier.AUTHORIZED: _l("Authorized"),
}


class DealerStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class Region(Base):
    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_zh: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(50))

    def label(self, locale: str | None = None) -> str:
        return self.name_en if (locale or "").startswith("en") else self.name_zh


user_region = Table(
    "user_region",
    Base.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("region.id", ondelete="CASCADE"), primary_key=True),
)


class Dealer(Base):
    __tablename__ = "dealer"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Unified social credit code (统一社会信用代码), optional.
    uscc: Mapped[str | None] = mapped_column(String(18))
    tier: Mapped[str] = mapped_column(String(20), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    city: Mapped[str] = mapped_column(String(50), default="")
    status: Mapped[str] = mapped_column(String(20), default=DealerStatus.ACTIVE, index=True)
    #: Two-tier distribution: the distributor this dealer buys through, if any.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("dealer.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    region: Mapped[Region] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.status == DealerStatus.ACTIVE


class User(Base):
    __tablename__ = "user"
    __table_args__ = (Index("ix_user_dealer_role", "dealer_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(30))
    dealer_id: Mapped[int | None] = mapped_column(ForeignKey("dealer.id"))
    locale: Mapped[str | None] = mapped_column(String(10))
    timezone: Mapped[str] = mapped_column(String(50), default="Asia/Shanghai")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    #: Changes whenever the user's sessions must end (deactivation, password change, logout
    #: everywhere); every session cookie carries it and is refused once it differs.
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Unread notifications when the session loaded this user (not a column: see
    #: `portal.accounts.auth`); None when not loaded that way or changed since.
    unread_at_load = None
    #: The user's region ids, read with the user by the session's load (`portal.accounts.auth`),
    #: so that a head-office page does not load its regions for their ids; None otherwise, or
    #: once the regions are changed or loaded.
    region_ids_at_load = None

    #: Loaded with one `IN` query per result (none when the session already holds those
    #: dealers), not joined: a User is joined into many list queries (creator, approver, rep,
    #: owner), and a dealer + region join behind each of them made those queries too big for
    #: the planner. The session's user is loaded with its dealer in one query (accounts.auth).
    dealer: Mapped[Dealer | None] = relationship(lazy="selectin")
    regions: Mapped[list[Region]] = relationship(secondary=user_region, lazy="selectin")

    # Flask-Login protocol ------------------------------------------------------------------
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        if not self.active:
            return False
        return self.dealer is None or self.dealer.is_active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    # Roles and scope -----------------------------------------------------------------------
    @property
    def is_dealer_user(self) -> bool:
        return self.role in DEALER_ROLES

    @property
    def region_ids(self) -> list[int]:
        if self.region_ids_at_load is not None and "regions" not in self.__dict__:
            return list(self.region_ids_at_load)
        return [r.id for r in self.regions]

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in {Role(r) for r in roles}

    def rotate_session_token(self) -> None:
        self.session_token = secrets.token_hex(16)


def _forget_loaded_region_ids(user, *_args, **_kwargs):
    """A change to a user's regions makes the ids read with the user stale: they are dropped."""
    user.__dict__.pop("region_ids_at_load", None)


for _change in ("set", "append", "remove"):
    event.listen(User.regions, _change, _forget_loaded_region_ids)


class UserSession(Base):
    """One login. The session cookie carries its id (signed); the server keeps only the id's
    digest, so a logout ends that session on every process at once and a stolen cookie replayed
    afterwards finds nothing. Deactivation and a password change still end all of a user's
    sessions through `User.session_token`."""

    __tablename__ = "user_session"

    #: SHA-256 of the id in the cookie.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @staticmethod
    def digest(cookie_id: str) -> str:
        return hashlib.sha256(cookie_id.encode()).hexdigest()


def register_labels() -> None:
    labels.register(statuses={t.value: label for t, label in TIER_LABELS.items()})
