"""Search suggestions as JSON for the search box's island: products and categories."""

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from store.catalog import suggest
from store.catalog.services import price_range
from store.i18n import money
from store.storefront.blueprint import bp


def _price(product) -> str:
    prices = price_range(product)
    if prices.varies:
        return _("from %(price)s", price=money(prices.low))
    return money(prices.low)


def _image(product) -> str | None:
    if not product.images:
        return None
    return url_for("storefront.upload", filename=product.images[0].thumb_path)


@bp.get("/search/suggest")
def search_suggest():
    """At most six products and three categories matching what has been typed so far."""
    q = (request.args.get("q") or "").strip()[:100]
    products = [{"name": p.name, "url": url_for("storefront.product_detail", slug=p.slug),
                 "price": _price(p), "image": _image(p)}
                for p in suggest.suggested_products(q)]
    categories = [{"name": c.name, "url": url_for("storefront.product_list", category=c.slug)}
                  for c in suggest.suggested_categories(q)]
    response = jsonify(products=products, categories=categories)
    response.headers["Cache-Control"] = "public, max-age=60"
    # Prices are formatted in the reader's language, chosen by header or session.
    response.vary.update(("Accept-Language", "Cookie"))
    return response
