"""Staff alerts about stock: a sale that takes a variant to or below its threshold.

The alert fires once per *crossing*: the sale that moves stock from above the threshold to
at or below it. Later sales while stock stays low say nothing; a restock above the
threshold re-arms the alert for the next crossing. The dedupe key names the stock movement
of the crossing, so calling twice for the same sale still queues one message.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from store.extensions import db
from store.models import StockMovement, Variant
from store.notifications import N_, external_url, send_to_staff

SUBJECT = N_("Low stock: %(sku)s (%(stock)s left)")


def crossed(threshold: int, stock_before: int, stock_after: int) -> bool:
    """True when a change took stock from above the threshold to at or below it."""
    return stock_before > threshold >= stock_after


def low_stock_after_sale(variant_id: int, stock_before: int, stock_after: int, *,
                         movement_id: int | None = None) -> bool:
    """Queue the low-stock alert if this sale crossed the variant's threshold. Does not commit.

    Call it in the sale's transaction with the stock before and after the sale (as returned
    by the stock update). Returns True when an alert was queued.
    """
    variant = db.session.get(Variant, variant_id)
    if variant is None or not crossed(variant.low_stock_threshold, stock_before, stock_after):
        return False
    if movement_id is None:
        movement_id = _crossing_movement(variant_id, stock_before, stock_after)
    # Without the movement (a caller passing its own figures), the crossing is still unique
    # per stock level reached from above since the last restock: name it by that restock.
    key = (f"low_stock:{variant_id}:m{movement_id}" if movement_id is not None
           else f"low_stock:{variant_id}:r{_last_rise(variant_id)}:{stock_after}")
    return send_to_staff(
        "staff_low_stock", "inventory-manage", "staff_low_stock", SUBJECT, dedupe_key=key,
        variant=variant, product_name=variant.product.name, option_label=variant.label,
        sku=variant.sku, stock=stock_after, threshold=variant.low_stock_threshold,
        admin_url=_admin_url(),
    ) > 0


def low_stock_after_reserve(items: Iterable[tuple[int, int]],
                            stocks_after: dict[int, int]) -> int:
    """Check every line of a sale: `items` as given to inventory.reserve(), and its result.

    Returns how many alerts were queued. Does not commit.
    """
    taken: dict[int, int] = {}
    for variant_id, quantity in items:
        taken[variant_id] = taken.get(variant_id, 0) + quantity
    return sum(
        low_stock_after_sale(variant_id, stocks_after[variant_id] + quantity,
                             stocks_after[variant_id])
        for variant_id, quantity in sorted(taken.items()) if variant_id in stocks_after
    )


def low_stock_for_order(order_id: int) -> int:
    """Check every sale movement of a just-placed order (its stock is already taken).

    The one call checkout makes, in its transaction after inventory.reserve(). Returns how
    many alerts were queued. Does not commit.
    """
    movements = db.session.execute(
        select(StockMovement.id, StockMovement.variant_id, StockMovement.delta,
               StockMovement.stock_after)
        .where(StockMovement.order_id == order_id, StockMovement.reason == "sale",
               StockMovement.delta < 0)
        .order_by(StockMovement.variant_id, StockMovement.id)
    ).all()
    return sum(
        low_stock_after_sale(variant_id, stock_after - delta, stock_after, movement_id=mid)
        for mid, variant_id, delta, stock_after in movements
    )


def _crossing_movement(variant_id: int, stock_before: int, stock_after: int) -> int | None:
    """The ledger row of this sale: the latest movement from `stock_before` to `stock_after`."""
    return db.session.scalar(
        select(StockMovement.id)
        .where(StockMovement.variant_id == variant_id,
               StockMovement.stock_after == stock_after,
               StockMovement.delta == stock_after - stock_before)
        .order_by(StockMovement.id.desc())
        .limit(1)
    )


def _last_rise(variant_id: int) -> int:
    """The id of the latest movement that added stock (0 if none)."""
    return db.session.scalar(
        select(StockMovement.id)
        .where(StockMovement.variant_id == variant_id, StockMovement.delta > 0)
        .order_by(StockMovement.id.desc())
        .limit(1)
    ) or 0


def _admin_url() -> str:
    """The stock list in the back office (the dashboard if that view is missing)."""
    from werkzeug.routing import BuildError

    try:
        return external_url("variant.index_view")
    except BuildError:
        return external_url("admin.index")
