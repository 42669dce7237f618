"""What search engines read about the catalog: sitemap entries, summaries, Product data."""

from __future__ import annotations

import html
import re

from flask import current_app
from sqlalchemy import select

from store.extensions import db
from store.models import Category, Page, Product

SUMMARY_LENGTH = 160
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def summary(description_html: str, length: int = SUMMARY_LENGTH) -> str:
    """Plain text of a (sanitized) description, cut at a word to about `length` chars."""
    text = _SPACE.sub(" ", html.unescape(_TAG.sub(" ", description_html or ""))).strip()
    if len(text) <= length:
        return text
    return text[:length - 1].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def sitemap_entries() -> dict[str, list]:
    """Slugs of what the sitemap lists: active products, categories, published pages.

    Three queries, whatever the size of the catalog.
    """
    products = db.session.scalars(select(Product.slug).where(Product.active.is_(True))
                                  .order_by(Product.id))
    categories = db.session.scalars(select(Category.slug).order_by(Category.position,
                                                                   Category.name))
    pages = db.session.execute(select(Page.slug, Page.updated_at)
                               .where(Page.published.is_(True)).order_by(Page.slug))
    return {"products": list(products), "categories": list(categories), "pages": list(pages)}


def product_data(product: Product, url: str, image_urls: list[str]) -> dict:
    """schema.org Product with one Offer per variant on sale (price, currency, stock)."""
    currency = current_app.config["STORE_CURRENCY"]
    offers = [{
        "@type": "Offer",
        "sku": variant.sku,
        "price": f"{variant.price:.2f}",
        "priceCurrency": currency,
        "availability": "https://schema.org/" + ("InStock" if variant.stock > 0
                                                 else "OutOfStock"),
        "url": url,
    } for variant in product.variants if variant.active]
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "description": summary(product.description, 5000),
        "url": url,
        "offers": offers,
    }
    if image_urls:
        data["image"] = image_urls
    if product.category:
        data["category"] = product.category.name
    if len(offers) == 1:
        data["sku"] = offers[0]["sku"]
    return data
