"""Unpaid orders hold stock: how long they hold it, the reminder before it goes back, and
how many unpaid orders one email or client address may hold at once."""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from store.database import write_transaction
from store.errors import StoreError
from store.extensions import db
from store.models import Order
from store.models.base import utcnow
from store.orders import emails as order_emails
from store.payments.base import PaymentProvider
from store.settings.services import get_settings

log = logging.getLogger(__name__)


class TooManyUnpaidOrders(StoreError):
    """One email or client address already holds as many unpaid orders as allowed."""


def payment_due(provider: PaymentProvider, now: datetime) -> datetime:
    """When an order placed now with `provider` expires if still unpaid."""
    if provider.online:
        minutes = int(current_app.config["STORE_ORDER_PAYMENT_TIMEOUT_MINUTES"])
        return now + timedelta(minutes=minutes)
    return now + timedelta(hours=get_settings().manual_hold_hours)


def client_key(address: str | None) -> str | None:
    """A keyed hash of a client address (the address itself is not stored)."""
    if not address:
        return None
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"client:{address}".encode(), hashlib.sha256).hexdigest()


def check_unpaid_caps(email: str, key: str | None) -> None:
    """Refuse another order while this email or address already holds the most unpaid ones.

    Counted from the database over pending orders, so no cookie or session resets it.
    """
    pending = Order.status == "pending"
    per_email = int(current_app.config["STORE_UNPAID_ORDERS_PER_EMAIL"])
    count = db.session.scalar(select(func.count(Order.id)).where(
        pending, func.lower(Order.email) == email.lower()))
    if count >= per_email:
        raise TooManyUnpaidOrders(_(
            "You already have %(count)d orders awaiting payment. Please pay or cancel one of "
            "them before placing another.", count=count), field="email")
    if key is None:
        return
    per_address = int(current_app.config["STORE_UNPAID_ORDERS_PER_ADDRESS"])
    count = db.session.scalar(select(func.count(Order.id)).where(
        pending, Order.client_key == key))
    if count >= per_address:
        raise TooManyUnpaidOrders(_(
            "Too many orders awaiting payment were placed from your connection. Please pay "
            "for them or try again later."))


def remind_unpaid(now: datetime | None = None) -> int:
    """Email a reminder for unpaid manual orders that expire within the reminder window.

    Each order gets one reminder (the outbox's dedupe key), each in its own transaction.
    Returns how many reminders were queued.
    """
    now = now or utcnow()
    window = timedelta(hours=int(current_app.config["STORE_PAYMENT_REMINDER_HOURS"]))
    due = (Order.status == "pending") & Order.payment_due_at.is_not(None) \
        & (Order.payment_due_at > now) & (Order.payment_due_at <= now + window)
    ids = list(db.session.scalars(select(Order.id).where(due).order_by(Order.id)))
    db.session.rollback()  # end the read; each reminder gets its own write transaction
    queued = 0
    for order_id in ids:
        with write_transaction():
            order = db.session.scalar(select(Order).where(Order.id == order_id, due))
            if order is not None and order_emails.payment_reminder(order):
                queued += 1
    return queued
