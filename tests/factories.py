"""Small helpers that make catalog objects for tests."""

import itertools
from decimal import Decimal

from store import inventory
from store.extensions import db
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
