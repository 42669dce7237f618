"""Public catalog reads: categories, products with variants, search and cursor pages."""

from __future__ import annotations

from flask import current_app, url_for

from store.api.base import api_blueprint, decode_cursor, next_link, public
from store.api.schemas import (
    CategoryListSchema,
    ProductPageSchema,
    ProductQuerySchema,
    ProductSchema,
)
from store.catalog import services as catalog
from store.catalog.page_cache import cached
from store.models import Product

bp = api_blueprint("catalog", "Products, variants and categories (public, cacheable)")


def _stock_status(statuses: list[str]) -> str:
    """A product is in stock if any variant is, low if the best one is low, else out."""
    for status in ("in", "low"):
        if status in statuses:
            return status
    return "out"


def product_data(product: Product) -> dict:
    """A product as the API shows it to anyone: prices and stock status, never stock counts."""
    variants = catalog.buyable_variants(product)
    prices = catalog.price_range(product)
    return {
        "id": product.id, "slug": product.slug, "name": product.name,
        "description": product.description or "",
        "url": url_for("storefront.product_detail", slug=product.slug),
        "category": product.category, "currency": current_app.config["STORE_CURRENCY"],
        "price_from": prices.low, "price_to": prices.high,
        "stock_status": _stock_status([v.stock_status for v in variants]),
        "variants": [{"id": v.id, "sku": v.sku,
                      "options": {str(k): str(val) for k, val in (v.options or {}).items()},
                      "price": v.price, "was_price": v.was_price,
                      "stock_status": v.stock_status} for v in variants],
        "images": [url_for("storefront.upload", filename=image.path)
                   for image in product.images],
    }


@bp.get("/categories")
@bp.response(200, CategoryListSchema)
@bp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
def categories():
    """All categories in shelf order."""
    public()
    return {"items": catalog.categories()}


@bp.get("/products")
@bp.arguments(ProductQuerySchema, location="query")
@bp.response(200, ProductPageSchema)
@bp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
def products(args):
    """Active products in id order, optionally searched (`q`) or in one category, by cursor."""
    public()
    after = decode_cursor(args.get("cursor")) or 0
    limit, category, q = args["limit"], args.get("category"), args.get("q")

    def page() -> dict:
        rows = catalog.products_after(after=after, limit=limit + 1, category=category, q=q)
        return {"items": [product_data(p) for p in rows[:limit]],
                "next": next_link("catalog.products", rows, limit, q=q, category=category)}

    # The same for every caller until the catalog changes (store.catalog.page_cache).
    return cached("api-products", (after, limit, category, q), page)


@bp.get("/products/<string(maxlength=160):slug>")
@bp.response(200, ProductSchema)
@bp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
def product(slug):
    """One active product by its slug."""
    public()
    return cached("api-product", (slug,), lambda: product_data(catalog.get_product(slug)))
