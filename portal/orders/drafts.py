"""An order before it is saved: its parsed values checked against the database and priced.

`clean_order` takes an `OrderInput` (`portal.orders.forms`: the form's values parsed by the shared
field types) and gives an `OrderDraft` ready for `services.create_order`, or raises ValidationError
with every field's message. The page, the upload and the API share it. Unit prices come from
`portal.pricing.services.price_for` only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from portal.accounts.models import Dealer
from portal.catalog.models import Product
from portal.core import clock
from portal.core.errors import NotFound, PermissionDenied, ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.core.parse import to_int
from portal.core.permissions import is_dealer
from portal.deals.models import Customer, DealRegistration
from portal.deals.services import approved_deals_for
from portal.extensions import db
from portal.orders.forms import MAX_LINES, LineInput, OrderInput, order_input
from portal.orders.models import PriceSource, SalesOrder
from portal.pricing.services import net_quote_of, price_for

MAX_QTY = 1_000_000
#: The largest order total the `total_fen` column holds (¥21,474,836.47).
MAX_TOTAL_FEN = 2**31 - 1


@dataclass
class OrderDraft:
    """A validated order, priced, ready to be saved (or shown back on the form)."""

    dealer: Dealer
    contract_no: str
    order_date: date
    customer_id: int | None
    customer_name: str
    deal: object | None
    notes: str = ""
    lines: list[dict] = field(default_factory=list)

    @property
    def total_fen(self) -> int:
        return sum(line["amount_fen"] for line in self.lines)


def parse_date(text) -> date | None:
    if isinstance(text, date):
        return text
    try:
        return date.fromisoformat(str(text or "").strip()[:10])
    except ValueError:
        return None


def parse_quantity(text) -> int | None:
    """A typed quantity as a whole number (bounds are the caller's), or None."""
    return to_int(text, -10**9, 10**9)


def products_by_sku(skus) -> dict[str, Product]:
    skus = {s.strip().upper() for s in skus if s and s.strip()}
    if not skus:
        return {}
    rows = db.session.scalars(select(Product).where(func.upper(Product.sku).in_(skus)))
    return {p.sku.upper(): p for p in rows}


def dealer_deal(dealer_id: int, deal_id: int | None, on_date: date | None = None):
    """The dealer's approved, protected registration `deal_id`, or None."""
    if deal_id is None:
        return None
    return db.session.scalar(approved_deals_for(dealer_id, on_date)
                             .where(DealRegistration.id == deal_id))


def contract_taken(dealer_id: int, contract_no: str) -> bool:
    return db.session.scalar(select(SalesOrder.id).where(
        SalesOrder.dealer_id == dealer_id,
        func.lower(SalesOrder.contract_no) == contract_no.lower())) is not None


def clean_order(actor, data: OrderInput | dict, lines: list[dict] | None = None, *,
                check_contract: bool = True) -> OrderDraft:
    """Validate and price an order of a dealer user (form, upload row group or API call).

    `data` is an `OrderInput` (its `lines` included); values that come as a mapping of text with
    `lines` [{sku, quantity}] are parsed first by the form's field types (`forms.order_input`).
    Lines with the same SKU are merged. Raises ValidationError whose `errors` maps field names
    (`contract_no`, `line-<i>`, …) to messages; nothing is changed.
    """
    if not isinstance(data, OrderInput):
        data = order_input(data, lines or [])
    if not is_dealer(actor):
        raise PermissionDenied(_l("Only dealer users register orders."))
    dealer = actor.dealer
    errors: dict[str, object] = dict(data.errors)
    contract_no = data.contract_no
    if not contract_no:
        errors["contract_no"] = _l("Enter the contract or invoice number.")
    elif len(contract_no) > 60:
        errors["contract_no"] = _l("At most 60 characters.")
    elif check_contract and contract_taken(dealer.id, contract_no):
        errors["contract_no"] = _l("Contract number %(no)s is already used by another of your "
                                   "orders.", no=contract_no)
    today = clock.today()
    order_date = data.order_date
    if order_date is None:
        errors.setdefault("order_date", _l("Enter the order date as YYYY-MM-DD."))
    elif order_date > today:
        errors["order_date"] = _l("The order date cannot be in the future.")
    deal = None
    if data.deal_id is not None:
        deal = dealer_deal(dealer.id, data.deal_id, today)
        if deal is None:
            errors["deal_id"] = _l("Choose one of your approved, protected registrations.")
    customer_id, customer_name = None, data.customer_name
    if deal is not None:
        customer = db.session.get(Customer, deal.customer_id)
        customer_id, customer_name = customer.id, customer.name
    elif data.customer_id is not None:
        customer = db.session.scalar(select(Customer).where(
            Customer.id == data.customer_id, Customer.dealer_id == dealer.id))
        if customer is None:
            errors["customer_id"] = _l("Choose one of your customers.")
        else:
            customer_id, customer_name = customer.id, customer.name
    if customer_id is None and not customer_name and not {"deal_id", "customer_id"} & set(errors):
        errors["customer_name"] = _l("Choose the end customer or type its name.")
    if len(customer_name) > 200:
        errors["customer_name"] = _l("At most 200 characters.")

    merged = _merge_lines(data.lines, errors)
    draft = OrderDraft(dealer=dealer, contract_no=contract_no, order_date=order_date or today,
                       customer_id=customer_id, customer_name=customer_name, deal=deal,
                       notes=data.notes)
    if merged and order_date is not None and "deal_id" not in errors:
        draft.lines = price_lines(dealer, deal, order_date, merged, errors)
        if draft.total_fen > MAX_TOTAL_FEN:  # the column is a 32-bit integer on PostgreSQL
            errors["lines"] = _l("The order total is too large for one order; split it.")
    if errors:
        raise ValidationError(_l("The order was not saved: please correct the marked fields."),
                              errors)
    return draft


def _merge_lines(lines: list[LineInput], errors: dict) -> list[tuple[str, Product, int]]:
    """[(key, product, quantity)] with unknown SKUs and bad quantities reported."""
    if "lines" in errors:  # too many to read
        return []
    filled = [(i, ln) for i, ln in enumerate(lines) if ln.sku or ln.quantity is not None]
    if not filled:
        errors["lines"] = _l("Add at least one line with a SKU and a quantity.")
        return []
    if len(filled) > MAX_LINES:
        errors["lines"] = _l("At most %(n)d lines per order: split it into several orders.",
                             n=MAX_LINES)
        return []
    products = products_by_sku(ln.sku for _, ln in filled)
    merged: dict[int, list] = {}
    for i, ln in filled:
        sku, qty = ln.sku, ln.quantity
        product = products.get(sku.upper())
        if not sku:
            errors[f"line-{i}"] = _l("Enter a SKU.")
        elif product is None:
            errors[f"line-{i}"] = _l("Unknown SKU %(sku)s.", sku=sku)
        elif not product.active:
            errors[f"line-{i}"] = _l("%(sku)s is no longer sold.", sku=product.sku)
        elif qty is None or qty < 1:
            errors[f"line-{i}"] = _l("Enter a quantity of at least 1 for %(sku)s.", sku=product.sku)
        elif qty > MAX_QTY:
            errors[f"line-{i}"] = _l("The quantity of %(sku)s is too large.", sku=product.sku)
        else:
            entry = merged.setdefault(product.id, [f"line-{i}", product, 0])
            entry[2] += qty
    return [tuple(v) for v in merged.values()]


def price_lines(dealer, deal, on_date: date, merged, errors: dict) -> list[dict]:
    """Price each (key, product, quantity) with `price_for`. A quantity above what is left at the
    exception price is split (DESIGN §3.5): the units left at the exception price, the rest at the
    dealer's net price, as two lines the form shows before submission."""
    priced = []
    for key, product, qty in merged:
        try:
            quote = price_for(dealer, product, on_date, deal)
        except NotFound as exc:
            errors["order_date"] = exc.message
            return []
        except ValidationError as exc:
            errors[key] = exc.message
            continue
        left = quote.remaining_qty or 0
        if quote.source == PriceSource.EXCEPTION and qty > left:
            priced.append({"product": product, "quantity": left, "quote": quote,
                           "amount_fen": quote.unit_price_fen * left, "split": True})
            net = net_quote_of(quote)
            priced.append({"product": product, "quantity": qty - left, "quote": net,
                           "amount_fen": net.unit_price_fen * (qty - left), "split": True})
            continue
        priced.append({"product": product, "quantity": qty, "quote": quote,
                       "amount_fen": quote.unit_price_fen * qty})
    return priced
