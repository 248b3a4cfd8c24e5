"""What the orders domain tells people: the managers of an order's region, the dealer's users."""
from __future__ import annotations

from portal.accounts.recipients import channel_managers_of, dealer_recipients
from portal.notifications.services import notify
from portal.orders.models import SalesOrder


def N_(s):  # noqa: N802 — marks notification msgids for extraction; translated when shown
    return s


def notify_managers(order: SalesOrder, kind: str, message: str) -> None:
    notify(channel_managers_of([order.region_id]), kind, message, f"/orders/{order.id}",
           number=order.number, dealer=order.dealer.name)


def notify_managers_of_upload(orders: list[SalesOrder]) -> None:
    """One notification for a whole uploaded file: the count, the first and last numbers, the queue."""
    first = orders[0]
    notify(channel_managers_of([first.region_id]), "order.submitted", N_(
        "%(count)s orders from %(dealer)s (%(first)s … %(last)s) await your confirmation."),
        "/orders/queue", count=len(orders), dealer=first.dealer.name, first=first.number,
        last=orders[-1].number)


def notify_dealer(order: SalesOrder, kind: str, message: str, **params) -> None:
    notify(dealer_recipients(order.dealer_id, order.created_by_id), kind, message, f"/orders/{order.id}", number=order.number, **params)
