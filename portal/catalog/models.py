"""Catalogue and list prices. Money in integer fen, discounts in basis points."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, UTCDateTime, utcnow


class ProductLine(Base):
    __tablename__ = "product_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_zh: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(50))
    sort: Mapped[int] = mapped_column(Integer, default=0)

    def label(self, locale: str | None = None) -> str:
        return self.name_en if (locale or "").startswith("en") else self.name_zh


class Product(Base):
    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The English name and unit shown on English pages ("" until filled: the Chinese one shows).
    name_en: Mapped[str] = mapped_column(String(200), default="", server_default="")
    line_id: Mapped[int] = mapped_column(ForeignKey("product_line.id"), index=True)
    unit: Mapped[str] = mapped_column(String(20), default="台")
    unit_en: Mapped[str] = mapped_column(String(20), default="", server_default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    #: 最低限价 — head office only, never shown to dealers. None = no floor.
    floor_price_fen: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    line: Mapped[ProductLine] = relationship(lazy="joined")

    def label(self, locale: str | None = None) -> str:
        """The product's name in the page's language (Chinese when no English name is kept)."""
        return self.name_en if (locale or "").startswith("en") and self.name_en else self.name

    def unit_label(self, locale: str | None = None) -> str:
        return self.unit_en if (locale or "").startswith("en") and self.unit_en else self.unit


class PriceList(Base):
    """A versioned list; exactly one is in force on any date (checked by the catalogue service)."""

    __tablename__ = "price_list"
    __table_args__ = (Index("ix_price_list_effective", "effective_from", "effective_to"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    effective_from: Mapped[date] = mapped_column(Date)
    #: Last day in force (inclusive); None = open-ended.
    effective_to: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class PriceListItem(Base):
    __tablename__ = "price_list_item"
    __table_args__ = (UniqueConstraint("price_list_id", "product_id"),
                      Index("ix_price_list_item_product", "product_id", "price_list_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    price_list_id: Mapped[int] = mapped_column(ForeignKey("price_list.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    list_price_fen: Mapped[int] = mapped_column(Integer)

    product: Mapped[Product] = relationship(lazy="joined")


class TierDiscount(Base):
    """(tier, product line) → discount in basis points."""

    __tablename__ = "tier_discount"
    __table_args__ = (UniqueConstraint("tier", "line_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tier: Mapped[str] = mapped_column(String(20))
    line_id: Mapped[int] = mapped_column(ForeignKey("product_line.id"))
    discount_bp: Mapped[int] = mapped_column(Integer)
