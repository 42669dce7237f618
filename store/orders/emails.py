"""The emails an order sends: confirmation, status changes and the staff alert.

Everything here only queues messages in the outbox, inside the caller's transaction (the
checkout's or the status change's), so the email exists exactly when the change does. The
checkout's two (confirmation, staff alert) are rendered when delivered, not in the
checkout's transaction: they carry the order's id and its status at the event, and the
builders below (store.notifications.rendering) make their context.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from werkzeug.routing import BuildError

from store import payments
from store.errors import NotFound
from store.extensions import db
from store.i18n import country_name
from store.models import Order, OrderEvent
from store.notifications.outbox import (
    N_,
    queue_templated,
    queue_to_staff,
    send_templated,
    send_to_staff,
)
from store.notifications.rendering import renders
from store.orders.access import build_url, order_url
from store.orders.carriers import carrier_name, tracking_url
from store.orders.invoices import attachment, invoice_of
from store.orders.status import status_label
from store.pricing import shipping
from store.pricing.totals import order_price

SUBJECTS = {
    "placed": N_("Order %(number)s received"),
    "paid": N_("Payment received for order %(number)s"),
    "shipped": N_("Order %(number)s is on its way"),
    "delivered": N_("Order %(number)s was delivered"),
    "cancelled": N_("Order %(number)s was cancelled"),
    "refunded": N_("Order %(number)s was refunded"),
}
REFUND_SUBJECTS = {True: N_("Order %(number)s was refunded"),
                   False: N_("Partial refund for order %(number)s")}
STAFF_SUBJECT = N_("New order %(number)s")
DISPUTE_SUBJECT = N_("Payment dispute on order %(number)s")
REMINDER_SUBJECT = N_("Order %(number)s is waiting for your payment")


def order_link(order: Order) -> str:
    """The customer's link to the order page (signed for guests), on STORE_URL."""
    return order_url(order, _external=True)


def _locale(order: Order) -> str:
    locales = current_app.config["STORE_LOCALES"]
    return order.locale if order.locale in locales else current_app.config[
        "BABEL_DEFAULT_LOCALE"]


def _order_context(order: Order, locale: str, status: str | None = None) -> dict:
    """What every order template may show, with texts already in the recipient's language
    (`status`: the order's status at the event, when rendered later)."""
    provider = payments.provider_for(order)
    with force_locale(locale):
        instructions = ""
        if provider is not None and not provider.online:
            instructions = provider.instructions(order, current_app.config)
        payment_label = payments.payment_label(order)
        shipping_label = shipping.shipping_label(order.shipping_method)
        status_name = status_label(status or order.status)
    return {
        "order": order,
        "number": order.number,
        "order_url": order_link(order),
        "lines": list(order.lines),
        "price": order_price(order),
        "address": order.address_lines(country_name(order.country, locale)),
        "payment_label": payment_label,
        "payment_instructions": instructions,
        "shipping_label": shipping_label,
        "status_name": status_name,
        "tracking_url": tracking_url(order.carrier, order.tracking_number),
        "carrier_name": carrier_name(order.carrier),
    }


def order_placed(order: Order) -> None:
    """Queue the confirmation to the customer and the new-order alert to staff.

    Call it in the checkout's transaction, after the order is flushed; both are rendered
    when delivered. Does not commit; calling it twice for one order queues nothing more.
    """
    queue_templated("order_confirmation", order.email, "order_confirmation",
                    SUBJECTS["placed"], locale=_locale(order), order_id=order.id,
                    dedupe_key=f"order:{order.id}:placed:customer",
                    payload=_as_of(order), number=order.number)
    staff_new_order(order)


def staff_new_order(order: Order) -> None:
    """Queue the "new order" alert to staff who manage orders (and STORE_STAFF_EMAIL)."""
    queue_to_staff("staff_new_order", "orders-manage", "staff_new_order", STAFF_SUBJECT,
                   dedupe_key=f"order:{order.id}:placed:staff", order_id=order.id,
                   payload=_as_of(order), number=order.number)


def _as_of(order: Order) -> dict:
    """What an order email rendered later must show as it was now."""
    return {"order_id": order.id, "status": order.status}


def _order_in(payload: dict) -> Order:
    order = db.session.get(Order, int(payload["order_id"]))
    if order is None:
        raise NotFound(f"Order {payload['order_id']} is gone.")
    return order


@renders("order_confirmation")
def confirmation_context(payload: dict, locale: str) -> dict:
    """The confirmation's context, at delivery."""
    return _order_context(_order_in(payload), locale, payload.get("status"))


@renders("staff_new_order")
def staff_new_order_context(payload: dict, locale: str) -> dict:
    """The staff alert's context, at delivery."""
    order = _order_in(payload)
    return {**_order_context(order, locale, payload.get("status")),
            "admin_url": admin_order_url(order)}


def admin_order_url(order: Order) -> str:
    """The order's page in the back office, on STORE_URL."""
    try:
        return build_url("order.details_view", _external=True, id=order.id)
    except BuildError:  # the order view is not registered (a trimmed-down app)
        return current_app.config["STORE_URL"].rstrip("/") + "/admin/"


def status_changed(order: Order, event: OrderEvent) -> None:
    """Queue the customer's email for a status change. Does not commit."""
    status = event.to_status
    # "placed" is not a status; each refund sends its own email (refund_made).
    if status not in SUBJECTS or status in ("placed", "refunded"):
        return
    locale = _locale(order)
    # The "payment received" email carries the invoice (issued in the same transaction).
    invoice = invoice_of(order) if status == "paid" else None
    send_templated(f"order_{status}", order.email, f"order_{status}", SUBJECTS[status],
                   locale=locale, order_id=order.id,
                   dedupe_key=f"order:{order.id}:{status}:customer", event=event,
                   attachments=[attachment(invoice)] if invoice is not None else None,
                   invoice=invoice, **_order_context(order, locale))


def payment_reminder(order: Order) -> bool:
    """Queue, once, the reminder that an unpaid manual order is about to expire.

    Online payments expire within the hour and get none. Does not commit; returns True
    when a reminder was queued now.
    """
    provider = payments.provider_for(order)
    if provider is None or provider.online or order.payment_due_at is None:
        return False
    locale = _locale(order)
    queued = send_templated("order_payment_reminder", order.email, "order_payment_reminder",
                            REMINDER_SUBJECT, locale=locale, order_id=order.id,
                            dedupe_key=f"order:{order.id}:payment_reminder:customer",
                            due_at=order.payment_due_at, **_order_context(order, locale))
    return queued is not None


def refund_made(order: Order, refund, *, full: bool, credit_note=None) -> None:
    """Queue the customer's email for one refund: what went back, and how, with its credit
    note attached. Does not commit."""
    locale = _locale(order)
    send_templated("order_refunded", order.email, "order_refunded", REFUND_SUBJECTS[full],
                   locale=locale, order_id=order.id, dedupe_key=f"refund:{refund.id}:customer",
                   attachments=[attachment(credit_note)] if credit_note else None,
                   credit_note=credit_note,
                   refund=refund, refund_lines=list(refund.lines), full_refund=full,
                   by_hand=refund.provider == "manual", **_order_context(order, locale))


def dispute_opened(order: Order, dispute_id: str, amount, reason: str) -> None:
    """Queue the alert to staff who manage orders that a customer disputed a payment."""
    admin_url = admin_order_url(order)
    send_to_staff("staff_dispute", "orders-manage", "staff_dispute", DISPUTE_SUBJECT,
                  dedupe_key=f"dispute:{dispute_id}:created:staff", order_id=order.id,
                  context=lambda locale: {"order": order, "number": order.number,
                                          "admin_url": admin_url, "amount": amount,
                                          "dispute_id": dispute_id, "reason": reason})
