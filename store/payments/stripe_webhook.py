"""Stripe's signed webhook: a paid Checkout Session marks its order paid, exactly once.

Refund and dispute events are handled in store.payments.stripe_refund_events.
"""

from __future__ import annotations

import logging

import stripe
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from store.database import write_transaction
from store.errors import PaymentError
from store.extensions import db
from store.models import Order, OrderNote, ProcessedWebhook
from store.orders.services import apply_transition
from store.payments import stripe_refund_events
from store.payments.stripe_provider import minor_units

log = logging.getLogger(__name__)

PAID_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")


def verify_event(payload: bytes, signature: str | None, config=None) -> stripe.Event:
    """Check a webhook's Stripe-Signature on the raw body; PaymentError if it is wrong."""
    cfg = config if config is not None else current_app.config
    secret = cfg.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise PaymentError("Stripe webhooks are not configured.")
    try:
        return stripe.Webhook.construct_event(payload, signature or "", secret)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise PaymentError("Invalid Stripe webhook signature or payload.") from exc


def handle_event(event: stripe.Event) -> str:
    """Act on a verified event once; returns what happened (for logs and tests).

    The event id is recorded in the same transaction as its effect, so a replayed or
    duplicated delivery changes nothing; the order is locked and only a pending order
    becomes paid, so two different events for one payment mark it paid once.
    """
    try:
        with write_transaction():
            seen = db.session.scalar(
                select(ProcessedWebhook.id).where(ProcessedWebhook.event_id == event.id))
            if seen is not None:
                return "duplicate"
            db.session.add(ProcessedWebhook(provider="stripe", event_id=event.id))
            db.session.flush()
            if event.type in PAID_EVENTS:
                return _mark_paid(event.data.object.to_dict())
            handler = stripe_refund_events.HANDLERS.get(event.type)
            if handler is None:
                return "ignored"
            return handler(event.data.object.to_dict())
    except IntegrityError:  # the same event delivered twice at once: the other one won
        db.session.rollback()
        return "duplicate"


def _mark_paid(session: dict) -> str:
    if session.get("payment_status") not in ("paid", "no_payment_required"):
        return "awaiting-payment"  # a delayed method: async_payment_succeeded follows
    number = (session.get("metadata") or {}).get("order_number") \
        or session.get("client_reference_id")
    order = db.session.scalar(select(Order).where(Order.number == number).with_for_update())
    if order is None:
        log.warning("Stripe session %s names unknown order %r", session.get("id"), number)
        return "unknown-order"
    expected = minor_units(order.total, order.currency)
    paid = session.get("amount_total")
    currency = (session.get("currency") or "").lower()
    if paid != expected or currency != order.currency.lower():
        db.session.add(OrderNote(order_id=order.id, body=(
            f"Stripe session {session.get('id')} paid {paid} {currency.upper()} but the "
            f"order total is {expected} {order.currency}: check it before shipping.")))
        return "amount-mismatch"
    if session.get("payment_intent") and not order.payment_intent:
        order.payment_intent = str(session["payment_intent"])[:255]  # refunds name it
    if order.status == "pending":
        apply_transition(order, "paid", note=f"Paid with Stripe ({session.get('id')})")
        return "paid"
    if order.status == "cancelled":
        db.session.add(OrderNote(order_id=order.id, body=(
            f"Stripe session {session.get('id')} was paid after the order was cancelled: "
            "refund the payment or contact the customer.")))
        return "paid-after-cancel"
    return "already-paid"
