"""Catalogue administration: product lines, products, price lists and the tier discount matrix.

Services take the acting admin, validate, change state, flush and write the audit log; they never
commit. Exactly one price list is in force on any date: a list whose dates overlap another is
refused with a message naming the other list.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import delete, func, or_, select

from portal.accounts.models import Tier
from portal.catalog.models import PriceList, PriceListItem, Product, ProductLine, TierDiscount
from portal.core import audit
from portal.core.errors import ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.extensions import db

MAX_PRICE_FEN = 2_000_000_000  # ¥20,000,000.00: a single product above this is a typo


def in_force_clause(on_date: date):
    return (PriceList.effective_from <= on_date) & or_(PriceList.effective_to.is_(None),
                                                       PriceList.effective_to >= on_date)


def price_list_in_force(on_date: date) -> PriceList | None:
    """The list in force on `on_date` (at most one, enforced on save)."""
    return db.session.scalar(select(PriceList).where(in_force_clause(on_date))
                             .order_by(PriceList.effective_from.desc()).limit(1))


def next_price_list(on_date: date) -> PriceList | None:
    """The next list scheduled to take effect after `on_date`, if any."""
    return db.session.scalar(select(PriceList).where(PriceList.effective_from > on_date)
                             .order_by(PriceList.effective_from).limit(1))


def lines() -> list[ProductLine]:
    return list(db.session.scalars(select(ProductLine).order_by(ProductLine.sort, ProductLine.id)))


# --- product lines -------------------------------------------------------------------------------

def save_line(actor, line: ProductLine | None, *, code: str, name_zh: str, name_en: str,
              sort: int = 0) -> ProductLine:
    code = (code or "").strip().lower()
    errors = {}
    if not code or len(code) > 20 or not code.replace("_", "").isalnum():
        errors["code"] = _l("Use up to 20 letters, digits or underscores.")
    elif db.session.scalar(select(func.count()).select_from(ProductLine).where(
            ProductLine.code == code, ProductLine.id != (line.id if line else 0))):
        errors["code"] = _l("A product line with this code already exists.")
    if not (name_zh or "").strip():
        errors["name_zh"] = _l("Enter the Chinese name.")
    if not (name_en or "").strip():
        errors["name_en"] = _l("Enter the English name.")
    if errors:
        raise ValidationError(_l("Please correct the marked fields."), errors)
    if line is None:
        line = ProductLine(code=code)
        db.session.add(line)
    line.code, line.name_zh, line.name_en, line.sort = code, name_zh.strip(), name_en.strip(), sort
    db.session.flush()
    audit.record(actor, "product_line.saved", line, after={"code": code, "name_zh": line.name_zh})
    return line


# --- products ------------------------------------------------------------------------------------

def save_product(actor, product: Product | None, *, sku: str, name: str, line_id: int,
                 unit: str, active: bool, floor_price_fen: int | None, name_en: str = "",
                 unit_en: str = "") -> Product:
    sku = (sku or "").strip().upper()
    errors = {}
    if not sku or len(sku) > 40:
        errors["sku"] = _l("Enter a SKU of up to 40 characters.")
    elif db.session.scalar(select(func.count()).select_from(Product).where(
            Product.sku == sku, Product.id != (product.id if product else 0))):
        errors["sku"] = _l("A product with this SKU already exists.")
    if not (name or "").strip():
        errors["name"] = _l("Enter the product name.")
    if db.session.get(ProductLine, line_id or 0) is None:
        errors["line_id"] = _l("Choose a product line.")
    if floor_price_fen is not None and not 0 <= floor_price_fen <= MAX_PRICE_FEN:
        errors["floor_price"] = _l("Enter a price between ¥0 and ¥20,000,000.")
    if errors:
        raise ValidationError(_l("Please correct the marked fields."), errors)
    before = _product_dict(product) if product else None
    if product is None:
        product = Product(sku=sku)
        db.session.add(product)
    product.sku, product.name, product.line_id = sku, name.strip(), line_id
    product.unit, product.active = (unit or "").strip() or "台", bool(active)
    product.name_en, product.unit_en = (name_en or "").strip()[:200], (unit_en or "").strip()[:20]
    product.floor_price_fen = floor_price_fen
    db.session.flush()
    audit.record(actor, "product.updated" if before else "product.created", product,
                 before=before, after=_product_dict(product))
    return product


def _product_dict(p: Product) -> dict:
    return {"sku": p.sku, "name": p.name, "line_id": p.line_id, "unit": p.unit,
            "active": p.active, "floor_price_fen": p.floor_price_fen}


# --- price lists ---------------------------------------------------------------------------------

def check_dates(effective_from: date | None, effective_to: date | None,
                exclude_id: int | None = None) -> dict:
    """Errors for a list's dates: missing, reversed, or overlapping another list."""
    if effective_from is None:
        return {"effective_from": _l("Enter the first day the list is in force.")}
    if effective_to is not None and effective_to < effective_from:
        return {"effective_to": _l("The last day cannot be before the first day.")}
    stmt = select(PriceList).where(
        PriceList.id != (exclude_id or 0),
        or_(PriceList.effective_to.is_(None), PriceList.effective_to >= effective_from))
    if effective_to is not None:
        stmt = stmt.where(PriceList.effective_from <= effective_to)
    other = db.session.scalar(stmt.order_by(PriceList.effective_from).limit(1))
    if other is not None:
        until = other.effective_to.isoformat() if other.effective_to else _l("open-ended")
        return {"effective_from": _l(
            "These dates overlap the price list “%(name)s” (%(start)s – %(end)s): only one list "
            "may be in force on any date. Set that list's last day first, or choose other dates.",
            name=other.name, start=other.effective_from.isoformat(), end=until)}
    return {}


def create_price_list(actor, *, name: str, effective_from: date | None,
                      effective_to: date | None, items: dict[int, int]) -> PriceList:
    """A new list with `items` {product id: list price fen}; refused when dates overlap."""
    errors = {}
    if not (name or "").strip():
        errors["name"] = _l("Enter a name for the price list.")
    errors.update(check_dates(effective_from, effective_to))
    if not items:
        errors["file"] = _l("The price list has no items.")
    if errors:
        raise ValidationError(_l("The price list was not created."), errors)
    plist = PriceList(name=name.strip(), effective_from=effective_from, effective_to=effective_to,
                      created_by_id=actor.id)
    db.session.add(plist)
    db.session.flush()
    db.session.execute(PriceListItem.__table__.insert(), [
        {"price_list_id": plist.id, "product_id": pid, "list_price_fen": fen}
        for pid, fen in items.items()])
    audit.record(actor, "price_list.created", plist, after={
        "name": plist.name, "effective_from": effective_from.isoformat(),
        "effective_to": effective_to.isoformat() if effective_to else None, "items": len(items)})
    return plist


def update_price_list(actor, plist: PriceList, *, name: str, effective_from: date | None,
                      effective_to: date | None) -> PriceList:
    errors = {}
    if not (name or "").strip():
        errors["name"] = _l("Enter a name for the price list.")
    errors.update(check_dates(effective_from, effective_to, exclude_id=plist.id))
    if errors:
        raise ValidationError(_l("The price list was not changed."), errors)
    before = {"name": plist.name, "effective_from": plist.effective_from.isoformat(),
              "effective_to": plist.effective_to.isoformat() if plist.effective_to else None}
    plist.name, plist.effective_from, plist.effective_to = name.strip(), effective_from, effective_to
    db.session.flush()
    audit.record(actor, "price_list.updated", plist, before=before, after={
        "name": plist.name, "effective_from": effective_from.isoformat(),
        "effective_to": effective_to.isoformat() if effective_to else None})
    return plist


# --- tier discounts ------------------------------------------------------------------------------

def discount_matrix() -> dict[tuple[str, int], int]:
    """{(tier, line id): discount bp}."""
    return {(t.tier, t.line_id): t.discount_bp for t in db.session.scalars(select(TierDiscount))}


def save_discounts(actor, values: dict[tuple[str, int], int]) -> None:
    """Replace the matrix with `values` (bp, 0 … 9,999); audit the cells that changed."""
    bad = {f"{tier}-{line}": _l("Enter a discount from 0% to 99.99%.")
           for (tier, line), bp in values.items() if not 0 <= bp < 10_000}
    unknown = {f"{tier}-{line}": _l("Unknown tier.") for (tier, line) in values
               if tier not in {t.value for t in Tier}}
    if bad or unknown:
        raise ValidationError(_l("Please correct the marked fields."), {**bad, **unknown})
    old = discount_matrix()
    changed = {f"{t}/{ln}": [old.get((t, ln)), bp] for (t, ln), bp in values.items()
               if old.get((t, ln)) != bp}
    if not changed:
        return
    db.session.execute(delete(TierDiscount))
    db.session.add_all(TierDiscount(tier=t, line_id=ln, discount_bp=bp)
                       for (t, ln), bp in values.items())
    db.session.flush()
    audit.record(actor, "tier_discount.changed", object_type="tier_discount",
                 before={k: v[0] for k, v in changed.items()},
                 after={k: v[1] for k, v in changed.items()})
