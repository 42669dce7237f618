"""The caller's own things: an auth token, their orders and their cart."""

from __future__ import annotations

from flask import current_app

from store.api.auth import account_key, address_key, caller, issue_token, token_header
from store.api.base import api_blueprint, decode_cursor, next_link
from store.api.schemas import (
    CartSchema,
    CursorQuerySchema,
    OrderPageSchema,
    OrderSchema,
    TokenRequestSchema,
    TokenSchema,
)
from store.cart import services as carts
from store.extensions import limiter
from store.models import Order
from store.orders.access import find_order_for_viewer, orders_of

bp = api_blueprint("account", "Auth tokens, and the signed-in customer's orders and cart")


def _auth_limit_per_address() -> str:
    return current_app.config["STORE_AUTH_LIMIT_PER_ADDRESS"]


def _auth_limit_per_account() -> str:
    return current_app.config["STORE_AUTH_LIMIT_PER_ACCOUNT"]


@bp.post("/auth/token")
@limiter.limit(_auth_limit_per_address, key_func=address_key)
@limiter.limit(_auth_limit_per_account, key_func=account_key)
@bp.arguments(TokenRequestSchema)
@bp.response(200, TokenSchema)
def token(args):
    """Exchange an email and password (and two-factor code) for an auth token."""
    max_age = current_app.config["SECURITY_TOKEN_MAX_AGE"]
    return {"token": issue_token(args["email"], args["password"], args.get("code")),
            "header": token_header(), "expires_in": int(max_age.total_seconds())}


def order_data(order: Order) -> dict:
    """An order as its customer sees it (and staff after an action)."""
    return {
        "number": order.number, "status": order.status, "created_at": order.created_at,
        "currency": order.currency, "subtotal": order.subtotal,
        "discount_total": order.discount_total, "shipping_cost": order.shipping_cost,
        "tax_total": order.tax_total, "total": order.total,
        "refunded_total": order.refunded_total, "carrier": order.carrier,
        "tracking_number": order.tracking_number,
        "lines": [{"id": line.id, "sku": line.sku, "product_name": line.product_name,
                   "options": {str(k): str(v) for k, v in (line.options or {}).items()},
                   "unit_price": line.unit_price, "quantity": line.quantity,
                   "line_total": line.line_total} for line in order.lines],
    }


@bp.get("/orders")
@bp.arguments(CursorQuerySchema, location="query")
@bp.response(200, OrderPageSchema)
def my_orders(args):
    """The signed-in customer's orders, newest first, by cursor."""
    user = caller()
    limit = args["limit"]
    rows = orders_of(user, before=decode_cursor(args.get("cursor")), limit=limit + 1)
    return {"items": [order_data(order) for order in rows[:limit]],
            "next": next_link("account.my_orders", rows, limit)}


@bp.get("/orders/<string(maxlength=40):number>")
@bp.response(200, OrderSchema)
def my_order(number):
    """One of the signed-in customer's orders by number; anyone else's is a 404."""
    return order_data(find_order_for_viewer(number, user=caller()))


@bp.get("/cart")
@bp.response(200, CartSchema)
def my_cart():
    """The signed-in customer's cart, priced now (as the cart page shows it)."""
    user = caller()
    summary = carts.summarize(carts.find_cart(carts.CartOwner(user_id=user.id)))
    return {
        "currency": current_app.config["STORE_CURRENCY"],
        "lines": [{"id": view.id, "variant_id": view.variant.id, "sku": view.variant.sku,
                   "name": view.name, "quantity": view.quantity,
                   "unit_price": view.unit_price, "line_total": view.line_total,
                   "unavailable": view.unavailable, "short_of_stock": view.short_of_stock}
                  for view in summary.lines],
        "item_count": summary.item_count, "subtotal": summary.subtotal,
        "shipping": summary.shipping, "total": summary.total,
    }
