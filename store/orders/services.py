"""Orders: the status machine. transition() is the only way an order's status changes."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from store.audit import services as audit
from store.database import write_transaction
from store.errors import InvalidTransition, NotFound, ValidationFailed
from store.extensions import db
from store.inventory import services as inventory
from store.models import Order, OrderEvent, OrderNote
from store.models.base import utcnow
from store.orders import emails as order_emails
from store.orders import invoices
from store.orders.access import may_view
from store.orders.status import (  # noqa: F401  (re-exported: seeds and reports read them)
    STAMPS,
    STATUSES,
    TRANSITIONS,
    allowed_transitions,
    can_cancel_by_customer,
    can_transition,
)

# No 0/O or 1/I/L: numbers are read aloud on the phone.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_order_number() -> str:
    """A short random order number like "SS-7K3F-9Q2M" (about 40 bits: not guessable)."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"SS-{raw[:4]}-{raw[4:]}"


def apply_transition(order: Order, target: str, *, user_id: int | None = None, note: str = "",
                     carrier: str | None = None, tracking_number: str | None = None,
                     notify: bool = True, stock_reason: str = "cancel") -> OrderEvent:
    """Move a locked order to `target` inside the caller's transaction. Does not commit.

    Records the event, returns stock on cancel, sets the status timestamp, issues the
    invoice when the order becomes paid and queues the customer's email.
    """
    if not can_transition(order.status, target):
        raise InvalidTransition(
            f"Order {order.number} is {order.status} and cannot become {target}.",
            current=order.status, target=target)
    if target == "shipped":
        carrier = (carrier or "").strip()
        tracking_number = (tracking_number or "").strip()
        if not carrier or not tracking_number:
            raise ValidationFailed("Shipping needs a carrier and a tracking number.")
        order.carrier = carrier[:40]
        order.tracking_number = tracking_number[:80]
    if target == "cancelled":
        inventory.release(((line.variant_id, line.quantity) for line in order.lines),
                          order_id=order.id, user_id=user_id, reason=stock_reason)
    previous = order.status
    order.status = target
    setattr(order, STAMPS[target], utcnow())
    if target != "pending":
        order.payment_due_at = None
    event = OrderEvent(order=order, from_status=previous, to_status=target, note=note or "",
                       user_id=user_id)
    db.session.add(event)
    db.session.flush()
    if target == "paid":
        # In this transaction, so a rolled-back payment uses no invoice number.
        invoices.issue_invoice(order)
    if notify:
        order_emails.status_changed(order, event)
    return event


def _locked_order(order_id: int) -> Order:
    order = db.session.scalar(select(Order).where(Order.id == order_id).with_for_update())
    if order is None:
        raise NotFound("There is no such order.")
    return order


def _audit_transition(actor, order: Order, previous: str) -> None:
    """Log a status change in the audit log, in the transaction that made it."""
    changes = {"status": [previous, order.status]}
    if order.status == "shipped":
        changes.update(carrier=[None, order.carrier],
                       tracking_number=[None, order.tracking_number])
    audit.record(actor, "status", order, changes,
                 summary=f"Order {order.number}: {previous} -> {order.status}")


def transition(order_id: int, target: str, *, actor=None, note: str = "",
               carrier: str | None = None, tracking_number: str | None = None) -> Order:
    """Change an order's status (the storefront, admin and webhooks all call this). Commits.

    With an `actor` (the member of staff acting), the change is also written to the audit
    log in the same transaction, so the log has it exactly when the change happened.
    """
    if target not in STATUSES:
        raise ValidationFailed(f"Unknown status: {target}.")
    with write_transaction():
        order = _locked_order(order_id)
        previous = order.status
        apply_transition(order, target, user_id=getattr(actor, "id", None), note=note,
                         carrier=carrier, tracking_number=tracking_number)
        if actor is not None:
            _audit_transition(actor, order, previous)
    return order


def cancel_by_customer(number: str, viewer=None, *, token: str | None = None) -> Order:
    """A customer cancels their own order while it awaits payment; stock goes back. Commits.

    `viewer` is the signed-in user (or None) and `token` the guest's signed link: whoever
    may not see the order (store.orders.access.may_view) gets NotFound.
    """
    with write_transaction():
        order = db.session.scalar(select(Order).where(Order.number == number).with_for_update())
        if order is None or not may_view(order, viewer, token=token):
            raise NotFound("There is no such order.")
        if not can_cancel_by_customer(order):
            raise InvalidTransition("Only an order awaiting payment can be cancelled here; "
                                    "please contact us.")
        user_id = viewer.id if getattr(viewer, "is_authenticated", False) else None
        apply_transition(order, "cancelled", user_id=user_id, note="Cancelled by the customer")
    return order


def add_note(order_id: int, body: str, *, user_id: int | None) -> OrderNote:
    """An internal note on an order (never shown to the customer). Commits."""
    body = (body or "").strip()
    if not body:
        raise ValidationFailed("A note cannot be empty.")
    with write_transaction():
        order = db.session.get(Order, order_id)
        if order is None:
            raise NotFound("There is no such order.")
        note = OrderNote(order_id=order.id, user_id=user_id, body=body[:5000])
        db.session.add(note)
    return note
