"""GET /search/suggest?q=: a few products and categories for the search box, as JSON.

A minimal version for the search island (frontend/search.js); the contract is
{"products": [{"name", "url", "price", "image"}], "categories": [{"name", "url"}]}.
"""

from flask import jsonify, request, url_for
from sqlalchemy import func, select

from store.catalog import services as catalog
from store.extensions import db
from store.i18n import money
from store.models import Category
from store.storefront.blueprint import bp

LIMIT = 6


def _categories(q: str) -> list[Category]:
    pattern = "%" + q.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
    stmt = (select(Category).where(func.lower(Category.name).like(pattern))
            .order_by(Category.position, Category.name).limit(3))
    return list(db.session.scalars(stmt))


@bp.get("/search/suggest")
def search_suggest():
    """Products (best match first) and categories for what the customer has typed so far."""
    q = (request.args.get("q") or "").strip()[:100]
    if len(q) < 2:
        return jsonify(products=[], categories=[])
    results, _current = catalog.list_products(q=q, sort="relevance", per_page=LIMIT)
    products = []
    for product in results.items:
        prices = catalog.price_range(product)
        image = product.images[0] if product.images else None
        products.append({
            "name": product.name,
            "url": url_for("storefront.product_detail", slug=product.slug),
            "price": money(prices.low),
            "image": url_for("storefront.upload", filename=image.thumb_path) if image else None,
        })
    categories = [{"name": c.name,
                   "url": url_for("storefront.product_list", category=c.slug)}
                  for c in _categories(q)]
    return jsonify(products=products, categories=categories)
