"""Order rules: scope, pricing through the one price function, states and their transitions.

Services take the acting user, validate, change state, flush and audit; they never commit.
Unit prices come from `portal.pricing.services.price_for` only: the exception price when the
order is linked to a deal with a valid exception line that has quantity left, else the net price.
Exception quantity is reserved when the order is submitted and given back when it is rejected or
cancelled, so that two orders can never use the same approved units.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Dealer, User
from portal.catalog.models import Product
from portal.core import audit, clock
from portal.core.capabilities import check
from portal.core.errors import Conflict, InvalidState, NotFound, PermissionDenied, ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.core.parse import to_id, to_int
from portal.core.permissions import Role, first_or_404, is_dealer, scope_owned
from portal.deals.models import Customer, DealRegistration
from portal.deals.services import approved_deals_for, managers_of, mark_won
from portal.extensions import db
from portal.notifications.services import notify
from portal.orders.models import OrderLine, OrderReturn, OrderReturnLine, OrderStatus, PriceSource, SalesOrder
from portal.pricing.services import net_quote_of, price_for, release_exception_qty, reserve_exception_qty

MAX_LINES = 200
MAX_QTY = 1_000_000
#: The largest order total the `total_fen` column holds (¥21,474,836.47).
MAX_TOTAL_FEN = 2**31 - 1


def N_(s):  # noqa: N802 — marks notification msgids for extraction; translated when shown
    return s


# --- scope ---------------------------------------------------------------------------------------

def orders_query(actor):
    """Orders `actor` may see: a dealer admin its dealer's, a salesperson its own, a channel
    manager its regions', the other head-office roles all."""
    return scope_owned(select(SalesOrder), SalesOrder, actor)


def get_order_or_404(order_id, actor) -> SalesOrder:
    """The order if `actor` may see it; 404 otherwise (never 403: no hint that it exists)."""
    return first_or_404(orders_query(actor), SalesOrder, order_id)


# --- input ---------------------------------------------------------------------------------------

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


def dealer_deal(dealer_id: int, deal_id, on_date: date | None = None):
    """The dealer's approved, protected registration `deal_id`, or None."""
    deal_id = to_id(deal_id)
    if deal_id is None:
        return None
    return db.session.scalar(approved_deals_for(dealer_id, on_date)
                             .where(DealRegistration.id == deal_id))


def contract_taken(dealer_id: int, contract_no: str) -> bool:
    return db.session.scalar(select(SalesOrder.id).where(
        SalesOrder.dealer_id == dealer_id,
        func.lower(SalesOrder.contract_no) == contract_no.lower())) is not None


def clean_order(actor, data: dict, lines: list[dict], *, check_contract: bool = True) -> OrderDraft:
    """Validate and price an order typed by a dealer user (form or upload row group).

    `data`: contract_no, order_date (ISO), deal_id (optional), customer_id (optional, one of the
    dealer's customers), customer_name (when no customer record is chosen), notes.
    `lines`: [{sku, quantity}]. Lines with the same SKU are merged. Raises ValidationError whose
    `errors` maps field names (`contract_no`, `line-<i>`, …) to messages; nothing is changed.
    """
    if not is_dealer(actor):
        raise PermissionDenied(_l("Only dealer users register orders."))
    dealer = actor.dealer
    errors: dict[str, object] = {}
    contract_no = (data.get("contract_no") or "").strip()
    if not contract_no:
        errors["contract_no"] = _l("Enter the contract or invoice number.")
    elif len(contract_no) > 60:
        errors["contract_no"] = _l("At most 60 characters.")
    elif check_contract and contract_taken(dealer.id, contract_no):
        errors["contract_no"] = _l("Contract number %(no)s is already used by another of your "
                                   "orders.", no=contract_no)
    today = clock.today()
    order_date = parse_date(data.get("order_date"))
    if order_date is None:
        errors["order_date"] = _l("Enter the order date as YYYY-MM-DD.")
    elif order_date > today:
        errors["order_date"] = _l("The order date cannot be in the future.")
    deal = None
    if str(data.get("deal_id") or "").strip():
        deal = dealer_deal(dealer.id, data["deal_id"], today)
        if deal is None:
            errors["deal_id"] = _l("Choose one of your approved, protected registrations.")
    customer_id, customer_name = None, (data.get("customer_name") or "").strip()
    if deal is not None:
        customer = db.session.get(Customer, deal.customer_id)
        customer_id, customer_name = customer.id, customer.name
    elif str(data.get("customer_id") or "").strip():
        customer = db.session.scalar(select(Customer).where(
            Customer.id == parse_quantity(data["customer_id"]), Customer.dealer_id == dealer.id))
        if customer is None:
            errors["customer_id"] = _l("Choose one of your customers.")
        else:
            customer_id, customer_name = customer.id, customer.name
    if customer_id is None and not customer_name and "deal_id" not in errors:
        errors["customer_name"] = _l("Choose the end customer or type its name.")
    if len(customer_name) > 200:
        errors["customer_name"] = _l("At most 200 characters.")

    merged = _merge_lines(lines, errors)
    draft = OrderDraft(dealer=dealer, contract_no=contract_no, order_date=order_date or today,
                       customer_id=customer_id, customer_name=customer_name, deal=deal,
                       notes=(data.get("notes") or "").strip()[:2000])
    if merged and order_date is not None and "deal_id" not in errors:
        draft.lines = price_lines(dealer, deal, order_date, merged, errors)
        if draft.total_fen > MAX_TOTAL_FEN:  # the column is a 32-bit integer on PostgreSQL
            errors["lines"] = _l("The order total is too large for one order; split it.")
    if errors:
        raise ValidationError(_l("The order was not saved: please correct the marked fields."),
                              errors)
    return draft


def _merge_lines(lines: list[dict], errors: dict) -> list[tuple[str, Product, int, int]]:
    """[(key, product, quantity, first index)] with unknown SKUs and bad quantities reported."""
    filled = [(i, ln) for i, ln in enumerate(lines)
              if (ln.get("sku") or "").strip() or str(ln.get("quantity") or "").strip()]
    if not filled:
        errors["lines"] = _l("Add at least one line with a SKU and a quantity.")
        return []
    if len(filled) > MAX_LINES:
        errors["lines"] = _l("At most %(n)d lines per order.", n=MAX_LINES)
        return []
    products = products_by_sku(ln.get("sku") or "" for _, ln in filled)
    merged: dict[int, list] = {}
    for i, ln in filled:
        sku = (ln.get("sku") or "").strip()
        qty = parse_quantity(ln.get("quantity"))
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


# --- state changes -------------------------------------------------------------------------------

def _contract_used(contract_no: str) -> ValidationError:
    return ValidationError(_l("Contract number %(no)s is already used by another of your orders.",
                              no=contract_no),
                           {"contract_no": _l("Already used by another of your orders.")})


def create_order(actor, draft: OrderDraft, *, notify_managers: bool = True) -> SalesOrder:
    """Save a validated draft as a submitted order and reserve its exception quantities."""
    dealer = draft.dealer
    if contract_taken(dealer.id, draft.contract_no):
        raise _contract_used(draft.contract_no)
    order = SalesOrder(dealer_id=dealer.id, region_id=dealer.region_id, created_by_id=actor.id,
                       customer_id=draft.customer_id, customer_name=draft.customer_name,
                       deal_id=draft.deal.id if draft.deal is not None else None,
                       contract_no=draft.contract_no, order_date=draft.order_date,
                       notes=draft.notes, status=OrderStatus.SUBMITTED, total_fen=draft.total_fen)
    for item in draft.lines:
        quote, product = item["quote"], item["product"]
        if quote.source == PriceSource.EXCEPTION:
            reserve_exception_qty(quote.exception_line_id, item["quantity"])
        order.lines.append(OrderLine(
            product_id=product.id, line_id=product.line_id, quantity=item["quantity"],
            list_price_fen=quote.list_price_fen, net_price_fen=quote.net_price_fen,
            unit_price_fen=quote.unit_price_fen, price_source=quote.source,
            exception_line_id=quote.exception_line_id, amount_fen=item["amount_fen"]))
    db.session.add(order)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        # Another submission of the same contract number committed between our check and our
        # insert (a double click on PostgreSQL): the unique index decides, the user is told.
        if "uq_sales_order_dealer_contract" not in str(exc.orig):
            raise
        raise _contract_used(draft.contract_no) from exc
    order.number = f"SO{order.created_at.year}-{order.id:05d}"
    db.session.flush()
    audit.record(actor, "order.submitted", order, after={
        "status": order.status, "contract_no": order.contract_no, "total_fen": order.total_fen})
    if notify_managers:
        _notify_managers(order, "order.submitted",
                         N_("Order %(number)s from %(dealer)s awaits your confirmation."))
    return order


def _require_submitted(order: SalesOrder) -> None:
    if order.status != OrderStatus.SUBMITTED:
        who = order.decided_by.name if order.decided_by is not None else None
        if who and order.status in (OrderStatus.CONFIRMED, OrderStatus.REJECTED):
            raise Conflict(_l("This order was already decided by %(name)s.", name=who))
        raise InvalidState(_l("This order is no longer open."))


def confirm_order(actor, order: SalesOrder) -> SalesOrder:
    """Confirm a submitted order; a linked registration becomes won."""
    check(actor, "order.confirm", order)
    _require_submitted(order)
    order.status = OrderStatus.CONFIRMED
    order.decided_at = clock.now()
    order.decided_by_id = actor.id
    db.session.flush()  # the version check: of two managers deciding at once, one wins
    if order.deal_id is not None:
        deal = db.session.get(DealRegistration, order.deal_id)
        mark_won(actor, deal)
    audit.record(actor, "order.confirmed", order, before={"status": "submitted"},
                 after={"status": order.status})
    _notify_dealer(order, "order.confirmed", N_("Order %(number)s was confirmed."))
    return order


def reject_order(actor, order: SalesOrder, reason: str) -> SalesOrder:
    reason = (reason or "").strip()
    check(actor, "order.confirm", order)
    _require_submitted(order)
    if not reason:
        raise ValidationError(_l("Give a reason for the rejection."),
                              {"reason": _l("Give a reason for the rejection.")})
    order.status = OrderStatus.REJECTED
    order.decided_at = clock.now()
    order.decided_by_id = actor.id
    order.rejection_reason = reason
    db.session.flush()
    _release(order)
    audit.record(actor, "order.rejected", order, before={"status": "submitted"},
                 after={"status": order.status}, comment=reason)
    _notify_dealer(order, "order.rejected", N_("Order %(number)s was rejected."))
    return order


def cancel_order(actor, order: SalesOrder) -> SalesOrder:
    """The dealer withdraws an order it submitted, before it is decided."""
    if not is_dealer(actor) or actor.dealer_id != order.dealer_id:
        raise PermissionDenied(_l("Only the dealer cancels its orders."))
    if actor.role == Role.DEALER_SALES and order.created_by_id != actor.id:
        raise PermissionDenied(_l("Only the dealer cancels its orders."))
    _require_submitted(order)
    order.status = OrderStatus.CANCELLED
    order.decided_at = clock.now()
    db.session.flush()
    _release(order)
    audit.record(actor, "order.cancelled", order, before={"status": "submitted"},
                 after={"status": order.status})
    return order


def _release(order: SalesOrder) -> None:
    for line in order.lines:
        if line.exception_line_id is not None:
            release_exception_qty(line.exception_line_id, line.quantity)


def _notify_managers(order: SalesOrder, kind: str, message: str) -> None:
    notify(managers_of([order.region_id]), kind, message, f"/orders/{order.id}",
           number=order.number, dealer=order.dealer.name)


def notify_managers_of_upload(orders: list[SalesOrder]) -> None:
    """One notification for a whole uploaded file: the count, the first and last numbers, the queue."""
    first = orders[0]
    notify(managers_of([first.region_id]), "order.submitted", N_(
        "%(count)s orders from %(dealer)s (%(first)s … %(last)s) await your confirmation."),
        "/orders/queue", count=len(orders), dealer=first.dealer.name, first=first.number,
        last=orders[-1].number)


def _notify_dealer(order: SalesOrder, kind: str, message: str, **params) -> None:
    users = db.session.scalars(select(User).where(
        User.dealer_id == order.dealer_id,
        (User.role == Role.DEALER_ADMIN) | (User.id == order.created_by_id)))
    notify(users, kind, message, f"/orders/{order.id}", number=order.number, **params)


# --- returns (credit notes) ---------------------------------------------------------------------

RETURNERS = (Role.CHANNEL_MANAGER, Role.FINANCE)


def can_return(actor, order: SalesOrder) -> bool:
    """Whether `actor` may record a return of `order` (the loader already scoped it)."""
    if order.status != OrderStatus.CONFIRMED or actor.role not in RETURNERS:
        return False
    if actor.role == Role.CHANNEL_MANAGER and order.region_id not in actor.region_ids:
        return False
    return any(line.returnable_qty > 0 for line in order.lines)


def record_return(actor, order: SalesOrder, data: dict, quantities: dict) -> OrderReturn:
    """Record a return of some units of some lines of a confirmed order (DESIGN §3.5).

    `data`: return_date (ISO), reason. `quantities`: {order line id: text typed}. Each line's
    quantity is at most ordered − returned so far; the guarded UPDATE on `returned_qty` makes that
    hold when two returns are recorded at once (the second is refused, nothing of it is kept).
    Lowers the order's net amount, is numbered `RT<year>-<id>`, audited and notified to the dealer.
    """
    if actor.role not in RETURNERS:
        raise PermissionDenied(_l("Only the channel manager of the order's region or finance "
                                  "records returns."))
    if actor.role == Role.CHANNEL_MANAGER and order.region_id not in actor.region_ids:
        raise PermissionDenied(_l("This order is outside your regions."))
    if order.status != OrderStatus.CONFIRMED:
        raise InvalidState(_l("Only a confirmed order can be returned."))
    errors: dict[str, object] = {}
    day = parse_date(data.get("return_date"))
    if day is None:
        errors["return_date"] = _l("Enter the return date as YYYY-MM-DD.")
    elif day > clock.today():
        errors["return_date"] = _l("The return date cannot be in the future.")
    elif day < order.order_date:
        errors["return_date"] = _l("The return date cannot be before the order date.")
    reason = (data.get("reason") or "").strip()
    if not reason:
        errors["reason"] = _l("Give the reason for the return.")
    elif len(reason) > 1000:
        errors["reason"] = _l("At most 1000 characters.")
    wanted = []
    for line in order.lines:
        text = str(quantities.get(line.id) or "").strip()
        if not text:
            continue
        qty = parse_quantity(text) if text.isascii() and len(text) <= 9 else None
        if qty is None or qty < 0:
            errors[f"qty-{line.id}"] = _l("Enter a whole number of units.")
        elif qty > line.returnable_qty:
            errors[f"qty-{line.id}"] = _l("At most %(n)d units of %(sku)s can be returned.",
                                          n=line.returnable_qty, sku=line.product.sku)
        elif qty:
            wanted.append((line, qty))
    if not wanted and not any(k.startswith("qty-") for k in errors):
        errors["lines"] = _l("Enter the number of units returned on at least one line.")
    if errors:
        raise ValidationError(_l("The return was not recorded: please correct the marked fields."),
                              errors)
    record = OrderReturn(order_id=order.id, dealer_id=order.dealer_id, region_id=order.region_id,
                         return_date=day, reason=reason, amount_fen=0, created_by_id=actor.id)
    for line, qty in wanted:
        taken = db.session.execute(
            update(OrderLine)
            .where(OrderLine.id == line.id, OrderLine.returned_qty + qty <= OrderLine.quantity)
            .values(returned_qty=OrderLine.returned_qty + qty)
            .execution_options(synchronize_session=False)).rowcount
        if taken != 1:
            raise Conflict(_l("Some of these units were returned meanwhile by someone else; "
                              "reload the order and try again."))
        db.session.expire(line, ["returned_qty"])
        amount = line.unit_price_fen * qty
        record.lines.append(OrderReturnLine(
            order_line_id=line.id, line_id=line.line_id, price_source=line.price_source,
            quantity=qty, unit_price_fen=line.unit_price_fen, amount_fen=amount))
        record.amount_fen += amount
    db.session.add(record)
    db.session.execute(update(SalesOrder).where(SalesOrder.id == order.id)
                       .values(returned_fen=SalesOrder.returned_fen + record.amount_fen)
                       .execution_options(synchronize_session=False))
    db.session.flush()
    db.session.expire(order, ["returned_fen"])
    record.number = f"RT{record.created_at.year}-{record.id:05d}"
    db.session.flush()
    audit.record(actor, "order.returned", order, after={
        "return": record.number, "date": day.isoformat(), "amount_fen": record.amount_fen,
        "lines": {line.product.sku: qty for line, qty in wanted}}, comment=reason)
    _notify_dealer(order, "order.returned", N_(
        "A return %(return_no)s was recorded on order %(number)s."), return_no=record.number)
    return record


# --- lists ---------------------------------------------------------------------------------------

def filtered_orders(actor, args) -> tuple:
    """The order list statement for the query string `args` (status, q, from, to, dealer)."""
    from sqlalchemy import or_

    stmt = orders_query(actor)
    status = args.get("status")
    if status in {s.value for s in OrderStatus}:
        stmt = stmt.where(SalesOrder.status == status)
    q = (args.get("q") or "").strip()
    if q:
        stmt = stmt.where(or_(SalesOrder.number.ilike(f"%{q}%"),
                              SalesOrder.contract_no.ilike(f"%{q}%"),
                              SalesOrder.customer_name.ilike(f"%{q}%")))
    start, end = parse_date(args.get("from")), parse_date(args.get("to"))
    if start:
        stmt = stmt.where(SalesOrder.order_date >= start)
    if end:
        stmt = stmt.where(SalesOrder.order_date <= end)
    dealer = (args.get("dealer") or "").strip()
    if dealer and not is_dealer(actor):
        stmt = stmt.where(SalesOrder.dealer_id.in_(
            select(Dealer.id).where(or_(Dealer.code == dealer.upper(),
                                        Dealer.name.ilike(f"%{dealer}%")))))
    return stmt
