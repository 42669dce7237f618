"""The order status table: the statuses, their labels, the allowed moves and the cancel rule.

Every face reads these from here: the back office's badges and filters, the storefront's
order page and history, and the order service that moves an order from one to the next.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from store.models import Order

STATUSES = ("pending", "paid", "shipped", "delivered", "cancelled", "refunded")

# What a person reads for each status, in the back office, the storefront and its emails.
LABELS = {
    "pending": _l("Awaiting payment"),
    "paid": _l("Paid"),
    "shipped": _l("Shipped"),
    "delivered": _l("Delivered"),
    "cancelled": _l("Cancelled"),
    "refunded": _l("Refunded"),
}

# from-status -> statuses it may move to
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "pending": ("paid", "cancelled"),
    "paid": ("shipped", "cancelled", "refunded"),
    "shipped": ("delivered", "refunded"),
    "delivered": ("refunded",),
    "cancelled": (),
    "refunded": (),
}

# Which timestamp each status sets.
STAMPS = {"paid": "paid_at", "shipped": "shipped_at", "delivered": "delivered_at",
          "cancelled": "cancelled_at", "refunded": "refunded_at"}

# Customers may cancel only before any money moved; after that, staff decide.
CUSTOMER_CANCELLABLE = ("pending",)


def status_label(status: str) -> str:
    """The label of a status in the active language (the status itself if unknown)."""
    label = LABELS.get(status)
    return str(label) if label is not None else status


def can_transition(current: str, target: str) -> bool:
    """Whether the status table allows moving from `current` to `target`."""
    return target in TRANSITIONS.get(current, ())


def allowed_transitions(order: Order) -> tuple[str, ...]:
    """The statuses this order may move to next."""
    return TRANSITIONS.get(order.status, ())


def can_cancel_by_customer(order: Order) -> bool:
    """Whether the customer may still cancel this order themselves (it awaits payment)."""
    return order.status in CUSTOMER_CANCELLABLE and can_transition(order.status, "cancelled")
