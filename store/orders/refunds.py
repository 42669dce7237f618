"""Refunds: money going back to a customer. The only code that creates Refund records.

A refund is claimed against the order first: one conditional UPDATE adds its amount to
`order.refunded_total` only while that stays within the order total, in the transaction that
records the refund (pending) with the order locked, so no number of concurrent refunds can
give back more than was paid. The provider is asked after that commit, outside any
transaction; a second transaction then marks the refund succeeded, or failed (and takes the
claim back). A Stripe refund whose answer never came is settled by Stripe's webhook.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select, update

from store import payments
from store.audit import services as audit
from store.database import write_transaction
from store.errors import InvalidTransition, NotFound, PaymentError, ValidationFailed
from store.extensions import db
from store.inventory import services as inventory
from store.models import Order, Refund, RefundLine, rollups
from store.models.base import utcnow
from store.orders import emails as order_emails
from store.orders import invoices
from store.orders.refund_amounts import (
    REFUNDABLE_STATUSES,
    LineLeft,
    Refundable,
    refundable,
)
from store.orders.services import apply_transition
from store.pricing.totals import ZERO, cents

# SQLite adds Numeric columns as floats: half a cent of slack keeps exact sums from failing
# the claim, and is still less than the smallest real excess (one cent).
_SLACK = Decimal("0.005")


@dataclass(frozen=True)
class LineChoice:
    """Staff's choice for one order line: how many units to refund, and restock them?"""

    line_id: int
    quantity: int
    restock: bool = False


def parse_amount(raw) -> Decimal:
    """A money amount typed by staff ("" is zero); ValidationFailed when it is not one."""
    text = str(raw if raw is not None else "").strip().replace(",", ".")
    if not text:
        return ZERO
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed(f"{raw!r} is not an amount of money.") from None
    if not value.is_finite() or value < 0:
        raise ValidationFailed("A refund amount cannot be negative.")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationFailed("Amounts have at most two decimals.")
    return value


@dataclass(frozen=True)
class RefundPlan:
    """What a refund will give back, checked against what is left; nothing saved yet."""

    order: Order
    # (line, quantity, restock, amount, VAT) for each line refunded
    parts: tuple[tuple[LineLeft, int, bool, Decimal, Decimal | None], ...]
    shipping: Decimal
    shipping_tax: Decimal | None
    amount: Decimal
    tax: Decimal | None


def plan_refund(order: Order, choices: list[LineChoice], shipping: Decimal) -> RefundPlan:
    """Check staff's choice against what is left to refund; ValidationFailed if it does not fit.

    Used for the confirmation page and again, with the order locked, when the refund is made.
    """
    if order.status not in REFUNDABLE_STATUSES:
        raise InvalidTransition(f"Order {order.number} is {order.status}: only paid, shipped "
                                "or delivered orders can be refunded.",
                                current=order.status, target="refunded")
    left: Refundable = refundable(order)
    parts, seen = [], set()
    for choice in choices:
        entry = left.by_id.get(choice.line_id)
        if entry is None or choice.line_id in seen:
            raise ValidationFailed("One of the lines is not a line of this order.")
        seen.add(choice.line_id)
        if choice.quantity < 0:
            raise ValidationFailed("A quantity cannot be negative.")
        if choice.quantity > entry.quantity_left:
            raise ValidationFailed(
                f"{entry.line.sku}: only {entry.quantity_left} unit(s) are left to refund.")
        if choice.quantity:
            amount, tax = entry.amount_for(choice.quantity)
            parts.append((entry, choice.quantity, choice.restock, amount, tax))
    if shipping < 0:
        raise ValidationFailed("A refund amount cannot be negative.")
    if shipping > left.shipping_left:
        raise ValidationFailed(f"Only {left.shipping_left} of shipping is left to refund.")
    amount = sum((p[3] for p in parts), ZERO) + shipping
    if amount <= 0:
        raise ValidationFailed("Choose at least one unit or some shipping to refund.")
    if amount > left.total_left:
        raise ValidationFailed(f"Only {left.total_left} is left to refund on this order.")
    ship_tax = left.shipping_tax(shipping) if shipping else (
        None if left.shipping_tax_rate is None else ZERO)
    taxes = [p[4] for p in parts] + ([ship_tax] if shipping else [])
    tax = None if any(t is None for t in taxes) or (not taxes) else cents(sum(taxes, ZERO))
    return RefundPlan(order=order, parts=tuple(parts), shipping=shipping,
                      shipping_tax=ship_tax if shipping else None, amount=amount, tax=tax)


def _locked_order(order_id: int) -> Order:
    order = db.session.scalar(select(Order).where(Order.id == order_id).with_for_update())
    if order is None:
        raise NotFound("There is no such order.")
    return order


def _claim(order: Order, amount: Decimal) -> None:
    """Add `amount` to what was refunded, only while that stays within the total."""
    result = db.session.execute(
        update(Order).where(Order.id == order.id,
                            Order.refunded_total + amount <= Order.total + _SLACK)
        .values(refunded_total=func.round(Order.refunded_total + amount, 2))
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise ValidationFailed("That is more than is left to refund on this order: another "
                               "refund was made meanwhile. Nothing was refunded.")
    rollups.shift_refunded(db.session, order.id, amount)
    db.session.refresh(order, ["refunded_total"])


def _unclaim(order_id: int, amount: Decimal) -> None:
    db.session.execute(
        update(Order).where(Order.id == order_id)
        .values(refunded_total=func.round(Order.refunded_total - amount, 2))
        .execution_options(synchronize_session=False))
    rollups.shift_refunded(db.session, order_id, -amount)


def refund_order(order_id: int, choices: list[LineChoice], *, shipping: Decimal = ZERO,
                 reason: str = "", reference: str = "", actor=None) -> Refund:
    """Refund lines and/or shipping of an order through its payment provider. Commits.

    Raises ValidationFailed / InvalidTransition (nothing changed) or PaymentError (the
    provider refused: the refund is recorded as failed and its claim given back).
    """
    user_id = getattr(actor, "id", None)
    with write_transaction():
        order = _locked_order(order_id)
        provider = payments.provider_for(order)
        if provider is None:
            raise ValidationFailed("This order's payment method cannot refund.")
        plan = plan_refund(order, choices, shipping)
        if provider.refunds_by_hand and not (reference or "").strip():
            raise ValidationFailed("Type the reference of the bank transfer you made.")
        _claim(order, plan.amount)
        refund = Refund(order_id=order.id, amount=plan.amount, shipping_amount=plan.shipping,
                        tax_amount=plan.tax, reason=(reason or "").strip()[:2000],
                        status="pending", provider=provider.code, user_id=user_id)
        for entry, quantity, restock, amount, tax in plan.parts:
            refund.lines.append(RefundLine(order_line_id=entry.line.id, quantity=quantity,
                                           amount=amount, tax_amount=tax, restock=restock))
        db.session.add(refund)
        db.session.flush()
        if provider.refunds_by_hand:
            result = provider.refund(order, refund, reference=reference)
            _succeed(order, refund, result.reference, actor=actor)
            return refund
    try:
        result = provider.refund(order, refund, reference=reference)
    except PaymentError as exc:
        fail_refund(refund.id, exc.message)
        raise
    if result.succeeded:
        settle_refund(refund.id, result.reference, actor=actor)
    else:
        with write_transaction():
            db.session.execute(update(Refund).where(Refund.id == refund.id)
                               .values(provider_reference=result.reference))
    db.session.refresh(refund)
    return refund


def _locked_refund(refund_id: int) -> Refund | None:
    return db.session.scalar(select(Refund).where(Refund.id == refund_id).with_for_update())


def settle_refund(refund_id: int, reference: str | None = None, *, actor=None) -> bool:
    """A pending refund's money went back: mark it succeeded. Commits; False if not pending."""
    with write_transaction():
        refund = _locked_refund(refund_id)
        if refund is None or refund.status != "pending":
            return False
        order = _locked_order(refund.order_id)
        _succeed(order, refund, reference or refund.provider_reference,
                 actor=actor if actor is not None else refund.user)
    return True


def fail_refund(refund_id: int, failure: str) -> bool:
    """The provider refused a refund: mark it failed and give its claim back. Commits."""
    with write_transaction():
        return fail_refund_here(refund_id, failure)


def fail_refund_here(refund_id: int, failure: str) -> bool:
    """fail_refund inside the caller's transaction (webhooks). Does not commit."""
    refund = _locked_refund(refund_id)
    if refund is None or refund.status == "failed":
        return False
    _locked_order(refund.order_id)
    refund.status = "failed"
    refund.failure = (failure or "refused")[:500]
    refund.completed_at = utcnow()
    _unclaim(refund.order_id, refund.amount)
    return True


def settle_here(refund: Refund, reference: str | None) -> bool:
    """settle_refund inside the caller's transaction, the refund's row already read."""
    if refund.status != "pending":
        return False
    order = _locked_order(refund.order_id)
    _succeed(order, refund, reference or refund.provider_reference, actor=refund.user)
    return True


def record_provider_refund(order: Order, amount: Decimal, reference: str, *, provider: str,
                           note: str) -> Refund | None:
    """A refund made at the provider (Stripe's dashboard) that the shop did not start.

    Recorded without lines, claimed like any other and never above the total, so the books
    match. The order must be locked by the caller; does not commit. None when it does not fit.
    """
    try:
        _claim(order, amount)
    except ValidationFailed:
        return None
    refund = Refund(order_id=order.id, amount=amount, shipping_amount=ZERO, tax_amount=None,
                    reason=note, status="pending", provider=provider)
    db.session.add(refund)
    db.session.flush()
    _succeed(order, refund, reference, actor=None)
    return refund


def _succeed(order: Order, refund: Refund, reference: str | None, *, actor) -> None:
    refund.status = "succeeded"
    refund.provider_reference = reference
    refund.completed_at = utcnow()
    db.session.flush()
    after_refund_succeeded(refund, actor=actor)


def after_refund_succeeded(refund: Refund, *, actor=None) -> None:
    """Everything a succeeded refund brings, in its transaction. Does not commit.

    Issues the credit note, restocks the ticked lines, emails the customer (the credit
    note attached), writes the audit row, and moves a fully refunded order to `refunded`
    (without a second email).
    """
    order = refund.order
    db.session.refresh(order, ["refunded_total"])
    user_id = getattr(actor, "id", None)
    inventory.release(((part.order_line.variant_id, part.quantity)
                       for part in refund.lines if part.restock),
                      order_id=order.id, user_id=user_id, reason="refund")
    full = order.refunded_total >= order.total
    credit_note = invoices.issue_credit_note(refund)
    order_emails.refund_made(order, refund, full=full, credit_note=credit_note)
    audit.record(actor, "refund", order, {
        "refunded_total": [str(order.refunded_total - refund.amount),
                           str(order.refunded_total)],
        "refund": [None, f"{refund.amount} via {refund.provider} "
                         f"({refund.provider_reference or 'no reference'})"]},
        summary=f"Order {order.number}: refunded {refund.amount} {order.currency}")
    if full and order.status in REFUNDABLE_STATUSES:
        apply_transition(order, "refunded", user_id=user_id, notify=False,
                         note=f"Refunded in full ({order.refunded_total} {order.currency})")
