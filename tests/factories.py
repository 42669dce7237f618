"""Small helpers that make catalog objects for tests."""

import itertools
from decimal import Decimal

from store.extensions import db
from store.inventory import services as inventory
from store.models import Category, Product, Variant

_seq = itertools.count(1)


def make_category(**overrides) -> Category:
    n = next(_seq)
    data = {"slug": f"category-{n}", "name": f"Category {n}"}
    data.update(overrides)
    category = Category(**data)
    db.session.add(category)
    db.session.commit()
    return category


def make_product(*, variants=None, stock: int = 10, price="10.00", category=None,
                 **overrides) -> Product:
    """A product with variants: `variants` is a list of dicts (sku, options, stock, price)."""
    n = next(_seq)
    data = {"slug": f"product-{n}", "name": f"Product {n}", "price": Decimal(price),
            "description": "<p>A product.</p>", "category": category, "active": True}
    data.update(overrides)
    product = Product(**data)
    specs = variants or [{"sku": f"SKU-{n}", "options": {}, "stock": stock}]
    for position, spec in enumerate(specs):
        product.variants.append(Variant(
            sku=spec.get("sku", f"SKU-{n}-{position}"), options=spec.get("options", {}),
            price_override=Decimal(spec["price"]) if spec.get("price") else None, stock=0,
            low_stock_threshold=spec.get("low_stock_threshold", 3), position=position,
            active=spec.get("active", True)))
    db.session.add(product)
    db.session.flush()
    for variant, spec in zip(product.variants, specs, strict=True):
        inventory.set_initial_stock(variant, spec.get("stock", stock))
    db.session.commit()
    return product


def make_order(*, items=None, user=None, email: str | None = None, status: str = "pending",
               created_at=None, paid_at=None, shipping_cost: str = "4.90",
               payment_method: str = "manual", **overrides):
    """An order built directly, without checkout: `items` is a list of (variant, quantity).

    Stock for the lines is reserved through store.inventory. `status` is stored as given
    (with its timestamp) and records no event or email: tests of status changes go through
    store.orders.transition. Without items, a new 10.00 product is bought once.
    """
    from store.models import Order, OrderLine
    from store.models.base import utcnow
    from store.orders.services import STAMPS, new_order_number

    if items is None:
        items = [(make_product(price="10.00", stock=10).variants[0], 1)]
    now = utcnow()
    created_at = created_at or now
    order = Order(
        number=new_order_number(), user_id=user.id if user is not None else None,
        email=email or (user.email if user is not None else f"guest{next(_seq)}@example.com"),
        status=status, full_name="Ada Lovelace", address_line1="1 Analytical Row",
        city="London", postal_code="N1 1AA", country="GB", phone="+44 20 0000 0000",
        shipping_method="standard", payment_method=payment_method,
        subtotal=Decimal("0.00"), shipping_cost=Decimal(shipping_cost), total=Decimal("0.00"),
        created_at=created_at, updated_at=created_at)
    for variant, quantity in items:
        unit = variant.price
        order.lines.append(OrderLine(
            variant_id=variant.id, product_name=variant.product.name, sku=variant.sku,
            options=dict(variant.options or {}), unit_price=unit, quantity=quantity,
            line_total=unit * quantity))
    order.subtotal = sum((line.line_total for line in order.lines), Decimal("0.00"))
    order.total = order.subtotal + order.shipping_cost
    if status in ("paid", "shipped", "delivered", "refunded"):
        order.paid_at = paid_at or created_at
    if status in STAMPS and status != "paid":
        setattr(order, STAMPS[status], created_at)
    if status == "shipped":
        order.carrier, order.tracking_number = "dhl", "TRACK-1"
    for key, value in overrides.items():
        setattr(order, key, value)
    db.session.add(order)
    db.session.flush()
    if status != "cancelled":  # a cancelled order's stock is back on the shelf
        inventory.reserve(((variant.id, quantity) for variant, quantity in items),
                          order_id=order.id, user_id=None)
    db.session.commit()
    return order


def bulk_orders(count: int, *, user=None, status: str = "paid", total: str = "10.00") -> None:
    """Insert many small orders at once (for list and query-count tests; no stock taken)."""
    from store.models import Order, OrderLine
    from store.models.base import utcnow
    from store.orders.services import new_order_number

    now = utcnow()
    amount = Decimal(total)
    for _ in range(count):
        order = Order(
            number=new_order_number(), user_id=user.id if user is not None else None,
            email=user.email if user is not None else f"guest{next(_seq)}@example.com",
            status=status, full_name="Bulk Buyer", address_line1="2 Bulk Street",
            city="Leeds", postal_code="LS1 1AA", country="GB", shipping_method="standard",
            payment_method="manual", subtotal=amount, shipping_cost=Decimal("0.00"),
            total=amount, created_at=now, paid_at=now if status != "pending" else None)
        order.lines.append(OrderLine(product_name="Bulk item", sku="BULK-1", options={},
                                     unit_price=amount, quantity=1, line_total=amount))
        db.session.add(order)
    db.session.commit()
