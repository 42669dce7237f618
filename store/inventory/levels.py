"""Stock levels as the shop names them: in stock, low, out of stock.

A variant is out of stock at zero, low at or under its low-stock threshold, in stock above
it. The comparison itself is written once, on Variant (`is_low_at`, `is_low_stock`,
`is_out_of_stock`, `stock_status`: hybrids that work on a loaded variant and in SQL); the
low-stock alerts, the dashboard and the back-office stock list all go through this module.
"""

from __future__ import annotations

from sqlalchemy import and_

from store.models import Product, Variant

IN_STOCK, LOW, OUT = "in", "low", "out"
STATUS_LABELS = {IN_STOCK: "In stock", LOW: "Low", OUT: "Out of stock"}


def status_label(status: str) -> str:
    """The back office's name for a stock status ("In stock", "Low", "Out of stock")."""
    return STATUS_LABELS[status]


def has_status(status: str):
    """SQL condition: the variant's stock status is `status` ("in", "low" or "out")."""
    return Variant.stock_status == status


def needs_restock():
    """SQL condition: active variants of active products at or under their threshold.

    The query must join Variant.product.
    """
    return and_(Variant.active.is_(True), Product.active.is_(True), Variant.is_low_stock)


def crossed_into_low(stock_after, delta):
    """SQL condition: a change of `delta` took stock from above the threshold to at or under it.

    The query must select from Variant (the threshold is the variant's).
    """
    return and_(Variant.is_low_at(stock_after), ~Variant.is_low_at(stock_after - delta))
