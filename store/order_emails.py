"""The emails an order sends: confirmation and status changes (queued in the outbox)."""

from __future__ import annotations



from store.models import Order, OrderEvent
from store.notifications import send_templated

SUBJECTS = {
    "placed": "Order %(number)s received",
    "paid": "Payment received for order %(number)s",
    "shipped": "Order %(number)s is on its way",
    "delivered": "Order %(number)s was delivered",
    "cancelled": "Order %(number)s was cancelled",
    "refunded": "Order %(number)s was refunded",
}


def order_link(order: Order) -> str:
    """The customer's link to the order page (signed for guests)."""
    from store.orders_access import order_url

    return order_url(order, _external=True)


def order_placed(order: Order) -> None:
    """Queue the confirmation to the customer (and the staff alert). Does not commit."""
    send_templated("order_confirmation", order.email, "order_confirmation", SUBJECTS["placed"],
                   locale=order.locale, order_id=order.id,
                   dedupe_key=f"order:{order.id}:placed:customer", order=order,
                   number=order.number, order_url=order_link(order))


def status_changed(order: Order, event: OrderEvent) -> None:
    """Queue the customer's email for a status change. Does not commit."""
    status = event.to_status
    if status not in SUBJECTS:
        return
    send_templated(f"order_{status}", order.email, f"order_{status}", SUBJECTS[status],
                   locale=order.locale, order_id=order.id,
                   dedupe_key=f"order:{order.id}:{status}:customer", order=order, event=event,
                   number=order.number, order_url=order_link(order))



