"""The API's marshmallow schemas: what each endpoint accepts and answers (and the spec says)."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal

import marshmallow as ma
from marshmallow import fields, validate

from store.database import MAX_ROW_ID
from store.inventory.services import MANUAL_REASONS

CENT = Decimal("0.01")
STOCK_STATUSES = ("in", "low", "out")
# `refunded` is reached only through refunds, as in the back office.
STAFF_TRANSITIONS = ("paid", "shipped", "delivered", "cancelled")
_ROW_ID = validate.Range(min=1, max=MAX_ROW_ID)


class Money(fields.Field):
    """An amount of the shop currency as a decimal string with two places ("12.50")."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return str(Decimal(str(value)).quantize(CENT))


class UtcDateTime(fields.DateTime):
    """A moment in ISO 8601 with its offset: stored times are UTC (SQLite returns them naive)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class Schema(ma.Schema):
    """Unknown fields are an error (422), so a typo is never silently ignored."""

    class Meta:
        unknown = ma.RAISE


# -- catalog -----------------------------------------------------------------------------------


class CategorySchema(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)


class VariantSchema(Schema):
    id = fields.Integer(required=True)
    sku = fields.String(required=True)
    options = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    price = Money(required=True)
    was_price = Money(required=True, allow_none=True,
                      metadata={"description": "The sale's struck-through price, if any"})
    stock_status = fields.String(required=True, validate=validate.OneOf(STOCK_STATUSES),
                                 metadata={"description": "in, low or out (never a count)"})


class ProductSchema(Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True, metadata={"description": "Sanitized HTML"})
    url = fields.String(required=True, metadata={"description": "The storefront page"})
    category = fields.Nested(CategorySchema, required=True, allow_none=True)
    currency = fields.String(required=True)
    price_from = Money(required=True)
    price_to = Money(required=True)
    stock_status = fields.String(required=True, validate=validate.OneOf(STOCK_STATUSES))
    variants = fields.List(fields.Nested(VariantSchema), required=True)
    images = fields.List(fields.String(), required=True)


class ProductPageSchema(Schema):
    items = fields.List(fields.Nested(ProductSchema), required=True)
    next = fields.String(required=True, allow_none=True,
                         metadata={"description": "The next page's URL; null on the last"})


class CategoryListSchema(Schema):
    items = fields.List(fields.Nested(CategorySchema), required=True)


class ProductQuerySchema(Schema):
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "Search"})
    category = fields.String(validate=validate.Length(max=80),
                             metadata={"description": "A category's slug"})
    cursor = fields.String(validate=validate.Length(max=200),
                           metadata={"description": "From a previous page's `next`"})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class CursorQuerySchema(Schema):
    cursor = fields.String(validate=validate.Length(max=200))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


# -- the customer's orders and cart ------------------------------------------------------------


class OrderLineSchema(Schema):
    id = fields.Integer(required=True)
    sku = fields.String(required=True)
    product_name = fields.String(required=True)
    options = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    unit_price = Money(required=True)
    quantity = fields.Integer(required=True)
    line_total = Money(required=True)


class OrderSchema(Schema):
    number = fields.String(required=True)
    status = fields.String(required=True)
    created_at = UtcDateTime(required=True)
    currency = fields.String(required=True)
    subtotal = Money(required=True)
    discount_total = Money(required=True)
    shipping_cost = Money(required=True)
    tax_total = Money(required=True, allow_none=True)
    total = Money(required=True)
    refunded_total = Money(required=True)
    carrier = fields.String(required=True, allow_none=True)
    tracking_number = fields.String(required=True, allow_none=True)
    lines = fields.List(fields.Nested(OrderLineSchema), required=True)


class OrderPageSchema(Schema):
    items = fields.List(fields.Nested(OrderSchema), required=True)
    next = fields.String(required=True, allow_none=True)


class CartLineSchema(Schema):
    id = fields.Integer(required=True)
    variant_id = fields.Integer(required=True)
    sku = fields.String(required=True)
    name = fields.String(required=True)
    quantity = fields.Integer(required=True)
    unit_price = Money(required=True)
    line_total = Money(required=True)
    unavailable = fields.Boolean(required=True)
    short_of_stock = fields.Boolean(required=True)


class CartSchema(Schema):
    currency = fields.String(required=True)
    lines = fields.List(fields.Nested(CartLineSchema), required=True)
    item_count = fields.Integer(required=True)
    subtotal = Money(required=True)
    shipping = Money(required=True)
    total = Money(required=True)


# -- tokens ------------------------------------------------------------------------------------


class TokenRequestSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=320))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    code = fields.String(validate=validate.Length(max=12),
                         metadata={"description": "Authenticator code, for two-factor accounts"})


class TokenSchema(Schema):
    token = fields.String(required=True)
    header = fields.String(required=True, metadata={"description": "Send the token in it"})
    expires_in = fields.Integer(required=True, metadata={"description": "Seconds"})


# -- staff actions -----------------------------------------------------------------------------


class StockAdjustmentSchema(Schema):
    delta = fields.Integer(validate=validate.Range(min=-1_000_000, max=1_000_000),
                           metadata={"description": "Change by this much (or give count)"})
    count = fields.Integer(validate=validate.Range(min=0, max=1_000_000),
                           metadata={"description": "Set the count on hand (or give delta)"})
    reason = fields.String(required=True, validate=validate.OneOf(MANUAL_REASONS))
    note = fields.String(load_default="", validate=validate.Length(max=255))

    @ma.validates_schema
    def _one_of_delta_or_count(self, data, **_kwargs):
        if ("delta" in data) == ("count" in data):
            raise ma.ValidationError("Give either delta or count, not both.", "delta")


class MovementSchema(Schema):
    id = fields.Integer(required=True)
    variant_id = fields.Integer(required=True)
    delta = fields.Integer(required=True)
    stock_after = fields.Integer(required=True)
    reason = fields.String(required=True)
    note = fields.String(required=True)
    created_at = UtcDateTime(required=True)


class TransitionSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(STAFF_TRANSITIONS))
    note = fields.String(load_default="", validate=validate.Length(max=500))
    carrier = fields.String(validate=validate.Length(max=40))
    tracking_number = fields.String(validate=validate.Length(max=80))


class RefundLineRequestSchema(Schema):
    line_id = fields.Integer(required=True, validate=_ROW_ID)
    quantity = fields.Integer(required=True, validate=validate.Range(min=0, max=1_000_000))
    restock = fields.Boolean(load_default=False)


class RefundRequestSchema(Schema):
    lines = fields.List(fields.Nested(RefundLineRequestSchema), load_default=list,
                        validate=validate.Length(max=500))
    shipping = fields.String(load_default="", validate=validate.Length(max=20),
                             metadata={"description": "Shipping to refund, e.g. \"4.90\""})
    reason = fields.String(load_default="", validate=validate.Length(max=2000))
    reference = fields.String(load_default="", validate=validate.Length(max=255),
                              metadata={"description": "The transfer's reference (manual)"})


class RefundSchema(Schema):
    id = fields.Integer(required=True)
    order_number = fields.String(required=True)
    amount = Money(required=True)
    shipping_amount = Money(required=True)
    status = fields.String(required=True)
    provider = fields.String(required=True)
    provider_reference = fields.String(required=True, allow_none=True)
    created_at = UtcDateTime(required=True)
