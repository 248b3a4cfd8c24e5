"""Returns (credit notes) of confirmed orders (DESIGN §3.5)."""
from __future__ import annotations

from sqlalchemy import update

from portal.core import audit, clock
from portal.core.capabilities import can, check
from portal.core.errors import Conflict, InvalidState, ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.extensions import db
from portal.orders.forms import ReturnInput
from portal.orders.models import OrderLine, OrderReturn, OrderReturnLine, OrderStatus, SalesOrder
from portal.orders.notices import N_, notify_dealer


def can_return(actor, order: SalesOrder) -> bool:
    """Whether `actor` may record a return of `order` now (the loader already scoped it)."""
    if order.status != OrderStatus.CONFIRMED or not can(actor, "order.return", order):
        return False
    return any(line.returnable_qty > 0 for line in order.lines)


def record_return(actor, order: SalesOrder, given: ReturnInput) -> OrderReturn:
    """Record a return of some units of some lines of a confirmed order (DESIGN §3.5).

    `given`: the return date, the reason and the units per order line, as parsed by the return
    form. Each line's quantity is at most ordered − returned so far; the guarded UPDATE on
    `returned_qty` makes that hold when two returns are recorded at once (the second is refused,
    nothing of it is kept). Lowers the order's net amount, is numbered `RT<year>-<id>`, audited
    and notified to the dealer.
    """
    check(actor, "order.return", order)
    if order.status != OrderStatus.CONFIRMED:
        raise InvalidState(_l("Only a confirmed order can be returned."))
    errors: dict[str, object] = dict(given.errors)
    day = given.return_date
    if "return_date" in errors:
        pass
    elif day is None:
        errors["return_date"] = _l("Enter the return date as YYYY-MM-DD.")
    elif day > clock.today():
        errors["return_date"] = _l("The return date cannot be in the future.")
    elif day < order.order_date:
        errors["return_date"] = _l("The return date cannot be before the order date.")
    reason = given.reason
    if not reason:
        errors["reason"] = _l("Give the reason for the return.")
    elif len(reason) > 1000:
        errors["reason"] = _l("At most 1000 characters.")
    wanted = []
    for line in order.lines:
        qty = given.quantities.get(line.id)
        if f"qty-{line.id}" in errors or not qty:
            continue
        if qty > line.returnable_qty:
            errors[f"qty-{line.id}"] = _l("At most %(n)d units of %(sku)s can be returned.",
                                          n=line.returnable_qty, sku=line.product.sku)
        else:
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
    notify_dealer(order, "order.returned", N_(
        "A return %(return_no)s was recorded on order %(number)s."), return_no=record.number)
    return record
