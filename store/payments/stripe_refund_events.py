"""Stripe's refund and dispute webhooks: they settle, record or fail refunds, flag disputes.

`charge.refunded` settles a refund the shop started and still has pending, and records one
made in Stripe's dashboard that the shop does not know (without lines, claimed like any
other, never above the total), so the books match. `charge.refund.updated` with status
failed marks the refund failed and gives its claim back. `charge.dispute.*` keeps the
order's dispute status, notes it on the order and tells staff when one opens.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from babel.numbers import get_currency_precision
from sqlalchemy import or_, select

from store.extensions import db
from store.models import Order, OrderNote, Refund
from store.orders import emails as order_emails
from store.orders import refunds as refund_service

log = logging.getLogger(__name__)


def _order_for(obj: dict) -> Order | None:
    """The order a charge, refund or dispute belongs to, locked."""
    intent = obj.get("payment_intent")
    number = (obj.get("metadata") or {}).get("order_number")
    clauses = [Order.payment_intent == intent] if intent else []
    if number:
        clauses.append(Order.number == number)
    if not clauses:
        return None
    return db.session.scalar(select(Order).where(or_(*clauses)).with_for_update().limit(1))


def _amount(minor: int | None, order: Order) -> Decimal:
    """Stripe's minor units back to an amount in the order's currency."""
    digits = get_currency_precision(order.currency.upper())
    return (Decimal(int(minor or 0)) / (10 ** digits)).quantize(Decimal("0.01"))


def _known(order: Order, stripe_refund: dict) -> Refund | None:
    """The shop's record of a Stripe refund: by its re_ id or by the id the shop gave it."""
    clauses = [Refund.provider_reference == stripe_refund.get("id")]
    own = (stripe_refund.get("metadata") or {}).get("refund_id")
    if own and str(own).isdigit():
        clauses.append(Refund.id == int(own))
    return db.session.scalar(select(Refund).where(Refund.order_id == order.id, or_(*clauses))
                             .with_for_update())


def charge_refunded(charge: dict) -> str:
    """A charge was refunded (in part): settle what the shop started, record the rest."""
    order = _order_for(charge)
    if order is None:
        log.warning("Stripe charge %s refunded for an unknown order", charge.get("id"))
        return "unknown-order"
    listed = ((charge.get("refunds") or {}).get("data")) or []
    if not listed:  # API versions that leave the refunds list out of the Charge
        return _charge_refunded_by_total(order, charge)
    outcomes = []
    for item in listed:
        known = _known(order, item)
        if item.get("status") == "failed":
            if known is not None and refund_service.fail_refund_here(
                    known.id, item.get("failure_reason") or "failed at Stripe"):
                outcomes.append("refund-failed")
            continue
        if known is not None:
            if item.get("status") == "succeeded" and refund_service.settle_here(
                    known, item.get("id")):
                outcomes.append("refund-settled")
            continue
        recorded = refund_service.record_provider_refund(
            order, _amount(item.get("amount"), order), item.get("id") or "",
            provider="stripe", note="Refunded in Stripe's dashboard")
        if recorded is None:
            db.session.add(OrderNote(order_id=order.id, body=(
                f"Stripe refund {item.get('id')} of {item.get('amount')} minor units is more "
                "than is left on this order: check it in Stripe's dashboard.")))
            outcomes.append("refund-over-total")
        else:
            outcomes.append("refund-recorded")
    return ",".join(outcomes) or "refund-known"


def _charge_refunded_by_total(order: Order, charge: dict) -> str:
    """Without the list of refunds: settle what the shop has pending when Stripe's refunded
    total covers it, and record any amount beyond what the shop knows."""
    refunded = _amount(charge.get("amount_refunded"), order)
    active = [r for r in order.refunds if r.status != "failed" and r.provider == "stripe"]
    known = sum((r.amount for r in active), Decimal("0.00"))
    outcomes = []
    if refunded >= known:
        outcomes += ["refund-settled" for r in active
                     if r.status == "pending" and refund_service.settle_here(r, None)]
    if refunded > known:
        recorded = refund_service.record_provider_refund(
            order, refunded - known, charge.get("id") or "", provider="stripe",
            note="Refunded in Stripe's dashboard")
        outcomes.append("refund-recorded" if recorded is not None else "refund-over-total")
    return ",".join(outcomes) or "refund-known"


def refund_updated(stripe_refund: dict) -> str:
    """A refund changed at Stripe: a failed one gives its claim back."""
    order = _order_for(stripe_refund)
    if order is None:
        return "unknown-order"
    known = _known(order, stripe_refund)
    if known is None:
        return "unknown-refund"
    status = stripe_refund.get("status")
    if status in ("failed", "canceled"):
        reason = stripe_refund.get("failure_reason") or status
        return "refund-failed" if refund_service.fail_refund_here(
            known.id, f"Stripe: {reason}") else "refund-known"
    if status == "succeeded" and refund_service.settle_here(known, stripe_refund.get("id")):
        return "refund-settled"
    return "refund-known"


def dispute_changed(dispute: dict, kind: str) -> str:
    """A dispute opened, changed or closed: flag the order and tell staff when it opens."""
    order = _order_for(dispute)
    if order is None:
        return "unknown-order"
    status = (dispute.get("status") or "open")[:32]
    order.dispute_status = status
    what = {"created": "opened", "updated": "updated", "closed": "closed"}[kind]
    amount = _amount(dispute.get("amount"), order)
    db.session.add(OrderNote(order_id=order.id, body=(
        f"Stripe dispute {dispute.get('id')} {what}: {status} "
        f"({amount} {order.currency}, reason: {dispute.get('reason') or 'not given'}).")))
    if kind == "created":
        order_emails.dispute_opened(order, dispute.get("id") or "", amount,
                                    dispute.get("reason") or "")
    return f"dispute-{what}"


HANDLERS = {
    "charge.refunded": charge_refunded,
    "charge.refund.updated": refund_updated,
    "charge.dispute.created": lambda obj: dispute_changed(obj, "created"),
    "charge.dispute.updated": lambda obj: dispute_changed(obj, "updated"),
    "charge.dispute.closed": lambda obj: dispute_changed(obj, "closed"),
}
