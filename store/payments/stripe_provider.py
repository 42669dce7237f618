"""Stripe: a hosted Checkout Session per order and a signed webhook that marks it paid.

The customer types their card on Stripe's page; the shop only ever sees session ids.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

import stripe
from babel.numbers import get_currency_precision
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from store.database import write_transaction
from store.errors import PaymentError
from store.extensions import db
from store.models import Order
from store.models.base import utcnow
from store.orders.access import access_values, build_url
from store.payments.base import PaymentProvider, RefundResult

log = logging.getLogger(__name__)

# Stripe lets a Checkout Session live from 30 minutes to 24 hours.
SESSION_MIN = timedelta(minutes=30)
SESSION_MAX = timedelta(hours=23, minutes=55)


def minor_units(amount: Decimal, currency: str) -> int:
    """An amount in the currency's smallest unit (cents), as Stripe wants it."""
    digits = get_currency_precision(currency.upper())
    return int((amount * (Decimal(10) ** digits)).to_integral_value())


def client(config=None) -> stripe.StripeClient:
    """A Stripe client with this shop's key; STRIPE_API_BASE points it elsewhere (tests)."""
    cfg = config if config is not None else current_app.config
    base = cfg.get("STRIPE_API_BASE") or None
    return stripe.StripeClient(
        cfg["STRIPE_SECRET_KEY"],
        base_addresses={"api": base} if base else {},
        max_network_retries=1,
        http_client=stripe.RequestsClient(timeout=20),
    )


def _item(name: str, amount: Decimal, quantity: int, currency: str) -> dict:
    return {"quantity": quantity,
            "price_data": {"currency": currency, "unit_amount": minor_units(amount, currency),
                           "product_data": {"name": name[:250]}}}


def _line_items(order: Order) -> list[dict]:
    """What the customer sees on Stripe's page; the amounts always add up to the order total.

    Each line and the shipping when they add up to the total (prices with VAT included, no
    discount). Otherwise (VAT added on top, a discount) one line for the whole order: Stripe
    takes no negative lines, and an amount that differs from the order total would never
    mark the order paid.
    """
    currency = order.currency.lower()
    items = [_item(f"{line.product_name} ({line.options_label})" if line.options_label
                   else line.product_name, line.unit_price, line.quantity, currency)
             for line in order.lines]
    if order.shipping_cost > 0:
        items.append(_item(_("Shipping"), order.shipping_cost, 1, currency))
    itemized = sum((line.unit_price * line.quantity for line in order.lines), Decimal(0))
    if itemized + order.shipping_cost == order.total:
        return items
    return [_item(_("Order %(number)s", number=order.number), order.total, 1, currency)]


def _session_params(order: Order) -> dict:
    items = _line_items(order)
    values = {"order": order.number, **access_values(order)}
    success = build_url("storefront.stripe_return", _external=True, **values)
    cancel = build_url("storefront.stripe_return", _external=True, status="cancelled",
                       **values)
    now = utcnow()
    due = order.payment_due_at
    if due is not None and due.tzinfo is None:  # SQLite returns naive UTC
        due = due.replace(tzinfo=now.tzinfo)
    expires = min(max((due or now) - now, SESSION_MIN), SESSION_MAX)
    return {
        "mode": "payment",
        "line_items": items,
        "client_reference_id": order.number,
        "customer_email": order.email,
        "metadata": {"order_number": order.number},
        "payment_intent_data": {"metadata": {"order_number": order.number}},
        # Stripe replaces the placeholder with the session id on the way back.
        "success_url": success + "&session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": cancel,
        "expires_at": int((now + expires).timestamp()),
        "locale": order.locale if order.locale in ("en", "es") else "auto",
    }


class StripePayment(PaymentProvider):
    """Card and wallet payments on Stripe's hosted Checkout page."""

    code = "stripe"
    label = _l("Card (secure payment page by Stripe)")
    online = True

    def enabled(self, config) -> bool:
        return bool(config.get("STRIPE_SECRET_KEY") and config.get("STRIPE_WEBHOOK_SECRET"))

    def start_payment(self, order: Order) -> str:
        """Create a Checkout Session for the order and return its page's URL."""
        try:
            session = client().v1.checkout.sessions.create(params=_session_params(order))
        except stripe.StripeError as exc:
            log.warning("Stripe session for order %s failed: %s", order.number, exc)
            raise PaymentError(_("The payment service is not answering right now. Your "
                                 "order is saved; please try paying again in a moment.")
                               ) from exc
        with write_transaction():
            db.session.execute(update(Order).where(Order.id == order.id)
                               .values(payment_reference=session.id)
                               .execution_options(synchronize_session=False))
        return session.url

    def instructions(self, order, config) -> str:
        if order.status == "pending":
            return _("Your order is reserved until the payment is complete.")
        return ""

    def refund(self, order, refund, *, reference: str = "") -> RefundResult:
        """Ask Stripe to refund part of the order's PaymentIntent (idempotent per refund)."""
        if not order.payment_intent:
            raise PaymentError("Stripe never told us this order's payment id; refund it in "
                               "Stripe's dashboard (the webhook records it here).")
        params = {"payment_intent": order.payment_intent,
                  "amount": minor_units(refund.amount, order.currency),
                  "metadata": {"order_number": order.number, "refund_id": str(refund.id)}}
        try:
            result = client().v1.refunds.create(
                params=params, options={"idempotency_key": f"refund-{refund.id}"})
        except stripe.StripeError as exc:
            log.warning("Stripe refund %s of order %s failed: %s", refund.id, order.number, exc)
            message = getattr(exc, "user_message", None) or str(exc) or "no answer"
            raise PaymentError(f"Stripe did not refund: {message}") from exc
        if result.status in ("failed", "canceled"):
            reason = result.get("failure_reason") or result.status
            raise PaymentError(f"Stripe did not refund: {reason}")
        return RefundResult(reference=result.id, succeeded=result.status == "succeeded")
