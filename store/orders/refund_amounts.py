"""What is left to refund on an order, and what a chosen part of it is worth.

The paid amount of a line is what the customer actually paid for it: its price less its share
of the order's discount, plus its VAT when prices exclude VAT. Refunding k of n units gives
k/n of that, rounded half up to the cent, the last units taking the remainder, so refunding a
whole line in several steps adds up exactly to what was paid for it. Shipping is refundable
up to what was paid for it (with its VAT when added on top). Lines and shipping add up to the
order total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from store.models import Order, OrderLine
from store.pricing.totals import ZERO, cents, order_price, spread, tax_in

# Only orders whose money was taken can give some back.
REFUNDABLE_STATUSES = ("paid", "shipped", "delivered")


@dataclass(frozen=True)
class LineLeft:
    """One order line: what was paid for it, and how much of it is left to refund."""

    line: OrderLine
    paid: Decimal            # the whole line, VAT included
    tax: Decimal | None      # the VAT inside `paid`; None when the order's tax is unknown
    refunded_quantity: int   # units in refunds that did not fail
    refunded_amount: Decimal  # and what they gave back
    refunded_tax: Decimal

    @property
    def quantity_left(self) -> int:
        return max(self.line.quantity - self.refunded_quantity, 0)

    def amount_for(self, quantity: int) -> tuple[Decimal, Decimal | None]:
        """The amount and VAT of refunding `quantity` more units of this line.

        k of n units give k/n of the line, rounded half up to the cent; the last units left
        take what remains, so a line refunded in steps adds up exactly to what was paid.
        """
        last = self.refunded_quantity + quantity >= self.line.quantity
        if last:
            amount = self.paid - self.refunded_amount
            tax = None if self.tax is None else self.tax - self.refunded_tax
        else:
            amount = cents(self.paid * quantity / self.line.quantity)
            tax = None if self.tax is None else cents(self.tax * quantity / self.line.quantity)
        return amount, tax

    @property
    def amount_left(self) -> Decimal:
        return self.amount_for(self.quantity_left)[0]


@dataclass(frozen=True)
class Refundable:
    """An order's refundable money: its lines, its shipping and the total left."""

    order: Order
    lines: tuple[LineLeft, ...]
    shipping_paid: Decimal
    shipping_refunded: Decimal
    shipping_tax_rate: Decimal | None   # None when the order's tax is unknown
    total_left: Decimal
    by_id: dict[int, LineLeft] = field(default_factory=dict)

    @property
    def shipping_left(self) -> Decimal:
        return max(self.shipping_paid - self.shipping_refunded, ZERO)

    @property
    def anything_left(self) -> bool:
        return self.order.status in REFUNDABLE_STATUSES and self.total_left > 0

    def shipping_tax(self, amount: Decimal) -> Decimal | None:
        """The VAT inside a refunded shipping amount (shipping is taxed at its own rate)."""
        if self.shipping_tax_rate is None:
            return None
        return tax_in(amount, self.shipping_tax_rate, True)


def refundable(order: Order) -> Refundable:
    """What is left to refund on an order, from its snapshot and its refunds so far."""
    price = order_price(order)
    tax_known = price.tax_known
    included = price.prices_include_tax
    order_lines = list(order.lines)
    shares = spread(price.discount, [line.line_total for line in order_lines])
    active = [r for r in order.refunds if r.status != "failed"]
    done: dict[int, list] = {}
    for refund in active:
        for part in refund.lines:
            entry = done.setdefault(part.order_line_id, [0, ZERO, ZERO])
            entry[0] += part.quantity
            entry[1] += part.amount
            entry[2] += part.tax_amount or ZERO
    lines = []
    for line, priced, share in zip(order_lines, price.lines, shares, strict=True):
        tax = priced.tax_amount if tax_known else None
        paid = line.line_total - share + (tax if tax is not None and not included else ZERO)
        lines.append(LineLeft(line, paid, tax, *done.get(line.id, (0, ZERO, ZERO))))
    shipping_paid = price.shipping + (price.shipping_tax if tax_known and not included
                                      else ZERO)
    shipping_refunded = sum((r.shipping_amount for r in active), ZERO)
    total_left = max(order.total - (order.refunded_total or ZERO), ZERO)
    return Refundable(order=order, lines=tuple(lines), shipping_paid=shipping_paid,
                      shipping_refunded=shipping_refunded,
                      shipping_tax_rate=price.shipping_tax_rate if tax_known else None,
                      total_left=total_left, by_id={ln.line.id: ln for ln in lines})
