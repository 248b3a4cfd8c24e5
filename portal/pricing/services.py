"""The one price function: what a dealer pays for a product on a date (DESIGN §3.2, §3.5).

Every page that shows a dealer price, and the orders domain, call `price_for` / `price_many`.
Net price = list price × (1 − tier discount), rounded half-up to the fen once, in
`portal.core.money.apply_discount`. An approved, valid exception line of the order's deal with
quantity left overrides the net price (`source="exception"`).

Errors: `NotFound` when no price list is in force on the date; `ValidationError` when the product
is not on the list in force (or is inactive).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm.util import identity_key

from portal.catalog.models import PriceList, PriceListItem, Product, TierDiscount
from portal.catalog.services import price_list_in_force
from portal.core import clock
from portal.core.errors import NotFound, ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.core.money import MoneyError, apply_discount, depth_bp, parse_yuan
from portal.core.parse import to_int
from portal.extensions import db
from portal.pricing.matrix import route_for
from portal.pricing.models import ExceptionStatus, PriceException, PriceExceptionLine


@dataclass(frozen=True)
class PriceQuote:
    product_id: int
    list_price_fen: int
    discount_bp: int            # the dealer's tier discount for the product's line
    net_price_fen: int          # list × (1 − discount), half-up to the fen
    unit_price_fen: int         # what the dealer pays: the exception price, else the net price
    source: str                 # "net" | "exception"
    exception_line_id: int | None
    remaining_qty: int | None   # approved quantity still available at the exception price


def tier_discounts(tier: str) -> dict[int, int]:
    """{product line id: discount bp} for a tier (lines without a row: 0 bp)."""
    rows = db.session.execute(select(TierDiscount.line_id, TierDiscount.discount_bp)
                              .where(TierDiscount.tier == tier))
    return dict(rows.all())


def _require_list(on_date: date, price_list: PriceList | None) -> PriceList:
    plist = price_list or price_list_in_force(on_date)
    if plist is None:
        raise NotFound(_l("No price list is in force on %(date)s.", date=on_date.isoformat()))
    return plist


def _quote(product: Product, list_price_fen: int, discount_bp: int,
           exception_line: PriceExceptionLine | None = None) -> PriceQuote:
    net = apply_discount(list_price_fen, discount_bp)
    if exception_line is not None:
        return PriceQuote(product.id, list_price_fen, discount_bp, net,
                          exception_line.approved_price_fen, "exception", exception_line.id,
                          exception_line.quantity - exception_line.used_qty)
    return PriceQuote(product.id, list_price_fen, discount_bp, net, net, "net", None, None)


def net_quote_of(quote: PriceQuote) -> PriceQuote:
    """The same product's quote at the dealer's net price (units beyond an exception's quantity)."""
    return PriceQuote(quote.product_id, quote.list_price_fen, quote.discount_bp,
                      quote.net_price_fen, quote.net_price_fen, "net", None, None)


def valid_exception_line(dealer_id: int, deal_id: int, product_id: int,
                         on_date: date) -> PriceExceptionLine | None:
    """The best approved exception line of `deal` for `product` valid on `on_date` with
    quantity left (lowest approved price first), or None."""
    stmt = (select(PriceExceptionLine)
            .join(PriceException, PriceException.id == PriceExceptionLine.exception_id)
            .where(PriceException.deal_id == deal_id, PriceException.dealer_id == dealer_id,
                   PriceException.status == ExceptionStatus.APPROVED,
                   PriceException.valid_until >= on_date,
                   PriceExceptionLine.product_id == product_id,
                   PriceExceptionLine.approved_price_fen.is_not(None),
                   PriceExceptionLine.used_qty < PriceExceptionLine.quantity)
            .order_by(PriceExceptionLine.approved_price_fen, PriceExceptionLine.id)
            .limit(1))
    return db.session.scalar(stmt)


def price_for(dealer, product, on_date: date, deal=None, *,
              price_list: PriceList | None = None) -> PriceQuote:
    """What `dealer` pays for `product` on `on_date`; with `deal`, its valid exception price.

    `dealer` needs `.id` and `.tier`. Raises NotFound (no list in force) or ValidationError
    (product not on the list in force, or inactive).
    """
    plist = _require_list(on_date, price_list)
    list_price = db.session.scalar(select(PriceListItem.list_price_fen).where(
        PriceListItem.price_list_id == plist.id, PriceListItem.product_id == product.id))
    if list_price is None or not product.active:
        raise ValidationError(_l("%(sku)s is not on the price list in force.", sku=product.sku),
                              {"product": _l("Not on the price list in force.")})
    discount = db.session.scalar(select(TierDiscount.discount_bp).where(
        TierDiscount.tier == dealer.tier, TierDiscount.line_id == product.line_id)) or 0
    line = None
    if deal is not None:
        line = valid_exception_line(dealer.id, deal.id, product.id, on_date)
    return _quote(product, list_price, discount, line)


def price_many(dealer, products, on_date: date, *, price_list: PriceList | None = None,
               discounts: dict[int, int] | None = None) -> dict[int, PriceQuote]:
    """Net prices of many products for list pages: {product id: quote}, in three queries at most
    (list in force, its items for these products, the tier's discounts); fewer when the caller
    already holds `price_list` or the tier's `discounts` (from `tier_discounts`). Products not on
    the list are left out of the result rather than raising."""
    products = list(products)
    plist = _require_list(on_date, price_list)
    if not products:
        return {}
    ids = [p.id for p in products]
    prices = dict(db.session.execute(
        select(PriceListItem.product_id, PriceListItem.list_price_fen).where(
            PriceListItem.price_list_id == plist.id, PriceListItem.product_id.in_(ids))).all())
    if discounts is None:
        discounts = tier_discounts(dealer.tier)
    return {p.id: _quote(p, prices[p.id], discounts.get(p.line_id, 0))
            for p in products if p.id in prices}


def reserve_exception_qty(line_id: int, qty: int) -> None:
    """Take `qty` of an exception line's approved quantity (an order at the exception price).

    One guarded UPDATE, so two orders racing for the last units cannot both get them.
    Raises ValidationError when not enough is left.
    """
    if qty <= 0:
        raise ValidationError(_l("Enter a quantity of at least 1."))
    result = db.session.execute(
        update(PriceExceptionLine)
        .where(PriceExceptionLine.id == line_id,
               PriceExceptionLine.used_qty + qty <= PriceExceptionLine.quantity)
        .values(used_qty=PriceExceptionLine.used_qty + qty)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise ValidationError(_l("Not enough quantity is left at the exception price."))
    _expire_line(line_id)


def release_exception_qty(line_id: int, qty: int) -> None:
    """Give back `qty` taken by `reserve_exception_qty` (order rejected or cancelled)."""
    if qty <= 0:
        raise ValidationError(_l("Enter a quantity of at least 1."))
    result = db.session.execute(
        update(PriceExceptionLine)
        .where(PriceExceptionLine.id == line_id, PriceExceptionLine.used_qty >= qty)
        .values(used_qty=PriceExceptionLine.used_qty - qty)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise ValidationError(_l("More quantity was released than had been used."))
    _expire_line(line_id)


def _expire_line(line_id: int) -> None:
    """The UPDATE bypassed the ORM: make a loaded copy of the line re-read its used quantity."""
    line = db.session.identity_map.get(identity_key(PriceExceptionLine, line_id))
    if line is not None:
        db.session.expire(line, ["used_qty"])


#: Most lines a price exception may carry.
MAX_LINES = 30


# --- evaluating lines: net price, extra depth, floor, totals -------------------------------------

@dataclass
class LineFigures:
    index: int
    sku: str = ""
    quantity_text: str = ""
    price_text: str = ""
    product: Product | None = None
    quantity: int | None = None
    requested_fen: int | None = None
    list_fen: int | None = None
    discount_bp: int | None = None
    net_fen: int | None = None
    depth_bp: int | None = None
    below_floor: bool = False

    @property
    def total_requested_fen(self) -> int | None:
        if self.quantity is None or self.requested_fen is None:
            return None
        return self.quantity * self.requested_fen

    @property
    def total_net_fen(self) -> int | None:
        if self.quantity is None or self.net_fen is None:
            return None
        return self.quantity * self.net_fen


@dataclass
class Evaluation:
    lines: list[LineFigures] = field(default_factory=list)
    errors: dict = field(default_factory=dict)
    total_requested_fen: int = 0
    total_net_fen: int = 0
    max_depth_bp: int = 0
    below_floor: bool = False
    route: list[str] = field(default_factory=list)


def evaluate(dealer, raw_lines: list[dict], on_date: date | None = None,
             deal_value_fen: int = 0) -> Evaluation:
    """Check and price the typed lines ({sku, quantity, price} as text) for `dealer`.

    Used while typing (htmx preview) and on save: errors are per field (`sku-0`, `price-2`, …).
    Blank rows are ignored. Nothing is written.
    """
    on_date = on_date or clock.today()
    result = Evaluation()
    plist = price_list_in_force(on_date)
    if plist is None:
        result.errors["lines"] = _l("No price list is in force today; special prices cannot be "
                                    "requested.")
        return result
    rows = [r for r in raw_lines if any((r.get(k) or "").strip() for k in ("sku", "quantity", "price"))]
    if not rows:
        result.errors["lines"] = _l("Add at least one line.")
        return result
    if len(rows) > MAX_LINES:
        result.errors["lines"] = _l("At most %(n)d lines per request.", n=MAX_LINES)
        return result
    skus = {(r.get("sku") or "").strip().upper() for r in rows}
    products = {p.sku: p for p in db.session.scalars(select(Product).where(Product.sku.in_(skus)))}
    prices = dict(db.session.execute(select(PriceListItem.product_id, PriceListItem.list_price_fen)
                                     .where(PriceListItem.price_list_id == plist.id,
                                            PriceListItem.product_id.in_([p.id for p in products.values()]))).all())
    discounts = tier_discounts(dealer.tier)
    seen: dict[str, int] = {}
    for raw in rows:
        i = raw["index"]
        fig = LineFigures(index=i, sku=(raw.get("sku") or "").strip().upper(),
                          quantity_text=(raw.get("quantity") or "").strip(),
                          price_text=(raw.get("price") or "").strip())
        result.lines.append(fig)
        product = products.get(fig.sku)
        if not fig.sku:
            result.errors[f"sku-{i}"] = _l("Enter a SKU.")
        elif product is None or not product.active or product.id not in prices:
            result.errors[f"sku-{i}"] = _l("Unknown SKU, or not on the price list in force.")
        elif fig.sku in seen:
            result.errors[f"sku-{i}"] = _l("This SKU is already on line %(n)d.", n=seen[fig.sku] + 1)
        else:
            seen[fig.sku] = i
            fig.product = product
            fig.list_fen = prices[product.id]
            fig.discount_bp = discounts.get(product.line_id, 0)
            fig.net_fen = apply_discount(fig.list_fen, fig.discount_bp)
        quantity = to_int(fig.quantity_text, 1, 1_000_000)
        if quantity is None:
            result.errors[f"quantity-{i}"] = _l("Enter a whole number from 1 to 1,000,000.")
        else:
            fig.quantity = quantity
        try:
            fig.requested_fen = parse_yuan(fig.price_text)
        except MoneyError:
            result.errors[f"price-{i}"] = _l("Enter a price in yuan, e.g. 12800.00.")
        else:
            if fig.requested_fen <= 0:
                result.errors[f"price-{i}"] = _l("The price must be more than zero.")
                fig.requested_fen = None
            elif fig.net_fen is not None and fig.requested_fen >= fig.net_fen:
                result.errors[f"price-{i}"] = _l("At or above your net price: no special price "
                                                 "is needed.")
        if fig.net_fen is not None and fig.requested_fen is not None:
            fig.depth_bp = depth_bp(fig.net_fen, fig.requested_fen, fig.list_fen)
            floor = product.floor_price_fen
            fig.below_floor = floor is not None and fig.requested_fen < floor
    for fig in result.lines:
        if fig.total_requested_fen is not None and fig.total_net_fen is not None:
            result.total_requested_fen += fig.total_requested_fen
            result.total_net_fen += fig.total_net_fen
        result.max_depth_bp = max(result.max_depth_bp, fig.depth_bp or 0)
        result.below_floor = result.below_floor or fig.below_floor
    result.route = route_for(result.max_depth_bp, max(deal_value_fen, result.total_requested_fen),
                             result.below_floor)[0]
    return result
