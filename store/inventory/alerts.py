"""Staff alerts about stock: a sale that takes a variant to or below its threshold.

The alert fires once per *crossing*: the sale that moves stock from above the threshold to
at or below it. Later sales while stock stays low say nothing; a restock above the
threshold re-arms the alert for the next crossing. The dedupe key names the stock movement
of the crossing, so calling twice for the same sale still queues one message.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from store.extensions import db
from store.inventory import levels
from store.models import StockMovement, Variant
from store.notifications.outbox import N_, external_url, queue_to_staff
from store.notifications.rendering import renders

SUBJECT = N_("Low stock: %(sku)s (%(stock)s left)")


def low_stock_for_order(order_id: int) -> int:
    """Alert staff about every variant this order's sale took to or below its threshold.

    The one call checkout makes, in its transaction after inventory.reserve(). Crossings are
    found in one query over the order's sale movements, so an order whose lines stay well
    stocked costs a single statement. Returns how many alerts were queued. Does not commit.
    """
    crossings = db.session.execute(
        select(StockMovement.id, StockMovement.stock_after, Variant)
        .join(Variant, Variant.id == StockMovement.variant_id)
        .where(StockMovement.order_id == order_id, StockMovement.reason == "sale",
               StockMovement.delta < 0,
               levels.crossed_into_low(StockMovement.stock_after, StockMovement.delta))
        .options(joinedload(Variant.product))
        .order_by(StockMovement.variant_id, StockMovement.id)
    ).all()
    return sum(_alert(variant, movement_id, stock_after)
               for movement_id, stock_after, variant in crossings)


def low_stock_after_sale(sold: dict[int, tuple[Variant, int]],
                         taken: dict[int, tuple[int, int]]) -> int:
    """The alerts low_stock_for_order() would queue, from what inventory.reserve() returned:
    no query unless a line crossed. `sold` maps variant ids to (loaded variant, quantity);
    `taken` to (stock after the sale, id of its movement). Does not commit."""
    queued = 0
    for variant_id, (stock_after, movement_id) in sorted(taken.items()):
        variant, quantity = sold[variant_id]
        if variant.is_low_at(stock_after) and not variant.is_low_at(stock_after + quantity):
            queued += _alert(variant, movement_id, stock_after)
    return queued


def _alert(variant: Variant, movement_id: int, stock_after: int) -> bool:
    # The key names the movement of the crossing: checking the same sale again is a no-op.
    # Rendered at delivery, with the stock as it was at the sale.
    return queue_to_staff(
        "staff_low_stock", "inventory-manage", "staff_low_stock", SUBJECT,
        dedupe_key=f"low_stock:{variant.id}:m{movement_id}",
        payload={"variant_id": variant.id, "product_name": variant.product.name,
                 "option_label": variant.label, "sku": variant.sku, "stock": stock_after,
                 "threshold": variant.low_stock_threshold},
        sku=variant.sku, stock=stock_after,
    ) > 0


@renders("staff_low_stock")
def low_stock_context(payload: dict, _locale: str) -> dict:
    """The low-stock alert's context, at delivery: the values as they were at the sale."""
    return {**payload, "admin_url": _admin_url()}


def _admin_url() -> str:
    """The stock list in the back office (the dashboard if that view is missing)."""
    from werkzeug.routing import BuildError

    try:
        return external_url("variant.index_view")
    except BuildError:
        return external_url("admin.index")
