"""Staff actions over the API: the same services and permissions as the back office."""

from __future__ import annotations

from store.api.account import order_data
from store.api.auth import require_permission
from store.api.base import api_blueprint
from store.api.schemas import (
    MovementSchema,
    OrderSchema,
    RefundRequestSchema,
    RefundSchema,
    StockAdjustmentSchema,
    TransitionSchema,
)
from store.database import MAX_ROW_ID
from store.inventory import services as inventory
from store.orders import refunds
from store.orders import services as orders
from store.orders.access import order_by_number

bp = api_blueprint("staff", "Stock adjustments, order status and refunds (staff tokens)")


@bp.post(f"/variants/<int(max={MAX_ROW_ID}):variant_id>/stock-adjustments")
@bp.arguments(StockAdjustmentSchema)
@bp.response(201, MovementSchema)
def adjust_stock(args, variant_id):
    """Change a variant's stock by `delta` or to `count`, with a reason (inventory-manage)."""
    user = require_permission("inventory-manage")
    return inventory.adjust_stock(variant_id, reason=args["reason"], note=args["note"].strip(),
                                  delta=args.get("delta"), new_count=args.get("count"),
                                  actor=user)


@bp.post("/orders/<string(maxlength=40):number>/status")
@bp.arguments(TransitionSchema)
@bp.response(200, OrderSchema)
def change_status(args, number):
    """Move an order to paid, shipped (carrier and tracking), delivered or cancelled."""
    user = require_permission("orders-manage")
    order = order_by_number(number)
    order = orders.transition(order.id, args["status"], actor=user, note=args["note"],
                              carrier=args.get("carrier"),
                              tracking_number=args.get("tracking_number"))
    return order_data(order)


@bp.post("/orders/<string(maxlength=40):number>/refunds")
@bp.arguments(RefundRequestSchema)
@bp.response(201, RefundSchema)
def refund(args, number):
    """Refund lines (optionally restocking them) and/or shipping through the order's provider."""
    user = require_permission("orders-manage")
    order = order_by_number(number)
    choices = [refunds.LineChoice(line["line_id"], line["quantity"], line["restock"])
               for line in args["lines"]]
    made = refunds.refund_order(order.id, choices, shipping=refunds.parse_amount(args["shipping"]),
                                reason=args["reason"], reference=args["reference"], actor=user)
    return {"id": made.id, "order_number": order.number, "amount": made.amount,
            "shipping_amount": made.shipping_amount, "status": made.status,
            "provider": made.provider, "provider_reference": made.provider_reference,
            "created_at": made.created_at}
