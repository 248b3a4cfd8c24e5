"""Order rules: scope, states and their transitions, the order list.

Services take the acting user, validate, change state, flush and audit; they never commit.
An order is checked and priced before it is saved by `portal.orders.drafts.clean_order`; returns
are in `portal.orders.returns`. Exception quantity is reserved when the order is submitted and
given back when it is rejected or cancelled, so that two orders can never use the same approved
units.
"""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Dealer
from portal.core import audit, clock
from portal.core.capabilities import check
from portal.core.errors import Conflict, InvalidState, PermissionDenied, ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.core.permissions import Role, first_or_404, is_dealer, scope_owned
from portal.db import contains
from portal.deals.models import DealRegistration
from portal.deals.services import mark_won
from portal.extensions import db
from portal.orders import notices

# The draft, notices and returns live in their own modules; their names stay importable from here.
from portal.orders.drafts import (  # noqa: F401
    MAX_QTY,
    MAX_TOTAL_FEN,
    OrderDraft,
    clean_order,
    contract_taken,
    dealer_deal,
    parse_date,
    parse_quantity,
    price_lines,
    products_by_sku,
)
from portal.orders.forms import MAX_LINES  # noqa: F401
from portal.orders.models import OrderLine, OrderStatus, PriceSource, SalesOrder
from portal.orders.notices import N_, notify_dealer, notify_managers_of_upload  # noqa: F401
from portal.orders.returns import can_return, record_return  # noqa: F401
from portal.pricing.services import release_exception_qty, reserve_exception_qty

# --- scope ---------------------------------------------------------------------------------------

def orders_query(actor):
    """Orders `actor` may see: a dealer admin its dealer's, a salesperson its own, a channel
    manager its regions', the other head-office roles all."""
    return scope_owned(select(SalesOrder), SalesOrder, actor)


def get_order_or_404(order_id, actor) -> SalesOrder:
    """The order if `actor` may see it; 404 otherwise (never 403: no hint that it exists)."""
    return first_or_404(orders_query(actor), SalesOrder, order_id)


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
        notices.notify_managers(order, "order.submitted",
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
    notify_dealer(order, "order.confirmed", N_("Order %(number)s was confirmed."))
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
    notify_dealer(order, "order.rejected", N_("Order %(number)s was rejected."))
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


# --- lists ---------------------------------------------------------------------------------------

def filtered_orders(actor, args) -> tuple:
    """The order list statement for the query string `args` (status, from, to, dealer); the
    list's search is the view's (`portal.orders.views.index`)."""
    stmt = orders_query(actor)
    status = args.get("status")
    if status in {s.value for s in OrderStatus}:
        stmt = stmt.where(SalesOrder.status == status)
    start, end = parse_date(args.get("from")), parse_date(args.get("to"))
    if start:
        stmt = stmt.where(SalesOrder.order_date >= start)
    if end:
        stmt = stmt.where(SalesOrder.order_date <= end)
    dealer = (args.get("dealer") or "").strip()
    if dealer and not is_dealer(actor):
        stmt = stmt.where(SalesOrder.dealer_id.in_(
            select(Dealer.id).where(or_(Dealer.code == dealer.upper(),
                                        contains(Dealer.name, dealer)))))
    return stmt
