"""What the orders domain tells people: the managers of an order's region, the dealer's users."""
from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import User
from portal.core.permissions import Role
from portal.deals.services import managers_of
from portal.extensions import db
from portal.notifications.services import notify
from portal.orders.models import SalesOrder


def N_(s):  # noqa: N802 — marks notification msgids for extraction; translated when shown
    return s


def notify_managers(order: SalesOrder, kind: str, message: str) -> None:
    notify(managers_of([order.region_id]), kind, message, f"/orders/{order.id}",
           number=order.number, dealer=order.dealer.name)


def notify_managers_of_upload(orders: list[SalesOrder]) -> None:
    """One notification for a whole uploaded file: the count, the first and last numbers, the queue."""
    first = orders[0]
    notify(managers_of([first.region_id]), "order.submitted", N_(
        "%(count)s orders from %(dealer)s (%(first)s … %(last)s) await your confirmation."),
        "/orders/queue", count=len(orders), dealer=first.dealer.name, first=first.number,
        last=orders[-1].number)


def notify_dealer(order: SalesOrder, kind: str, message: str, **params) -> None:
    users = db.session.scalars(select(User).where(
        User.dealer_id == order.dealer_id,
        (User.role == Role.DEALER_ADMIN) | (User.id == order.created_by_id)))
    notify(users, kind, message, f"/orders/{order.id}", number=order.number, **params)
