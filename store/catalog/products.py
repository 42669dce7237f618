"""Product save rules, in one place for the back office and the CSV import.

A product's description is stored as sanitized HTML; a product or category without a slug
gets a unique one made from its name; a product has at least one variant; a variant that
appears on an order is never deleted (it is deactivated instead). These functions check and
fill in the objects of the caller's transaction and never commit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from sqlalchemy import exists, select

from store.catalog.html import sanitize_description
from store.errors import ValidationFailed
from store.extensions import db
from store.models import Category, OrderLine, Product, Variant
from store.settings.services import get_settings

PRODUCT_SLUG_LENGTH = 160
CATEGORY_SLUG_LENGTH = 80


def slugify(text: str, max_length: int = 80) -> str:
    """A URL slug: lowercase ASCII words joined by hyphens ("Café Noir" -> "cafe-noir")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].strip("-")


def unique_slug(model, text: str, *, exclude_id: int | None = None, taken=(),
                max_length: int = 80) -> str:
    """A slug for `text` not yet used by another row of `model` (adds -2, -3, ...)."""
    base = slugify(text, max_length - 6) or model.__tablename__
    candidate, n = base, 1
    # Objects still being built (a new product without its slug yet) must not be flushed by
    # the look-up; slugs handed out but not yet written are in `taken`.
    with db.session.no_autoflush:
        while True:
            stmt = select(model.id).where(model.slug == candidate)
            if exclude_id is not None:
                stmt = stmt.where(model.id != exclude_id)
            if candidate not in taken and db.session.scalar(stmt) is None:
                return candidate
            n += 1
            candidate = f"{base}-{n}"


def clean_description(text: str | None) -> str:
    """A description as it is stored: Markdown or a little HTML, made safe to render."""
    return sanitize_description(text or "")


def prepare_product(product: Product, *, removed_variants: Iterable[Variant] = (),
                    taken=()) -> None:
    """Apply the save rules to a product about to be written; ValidationFailed if one fails.

    `removed_variants` are the product's variants being deleted in the same save; `taken`
    holds slugs already given to other new rows of the same transaction.
    """
    product.description = clean_description(product.description)
    if not product.slug:
        product.slug = unique_slug(Product, product.name, exclude_id=product.id, taken=taken,
                                   max_length=PRODUCT_SLUG_LENGTH)
    for variant in product.variants:
        if variant.low_stock_threshold is None:  # left empty: the shop's default
            variant.low_stock_threshold = get_settings().low_stock_threshold
    removed_variants = list(removed_variants)
    refuse_if_ordered(removed_variants)
    removed = {id(variant) for variant in removed_variants}
    if not [v for v in product.variants if id(v) not in removed]:
        raise ValidationFailed("A product needs at least one variant with a SKU.")


def prepare_category(category: Category, *, taken=()) -> None:
    """Give a category without a slug a unique one made from its name."""
    if not category.slug:
        category.slug = unique_slug(Category, category.name, exclude_id=category.id,
                                    taken=taken, max_length=CATEGORY_SLUG_LENGTH)


def check_product_deletable(product: Product) -> None:
    """A product whose variants were ordered cannot be deleted (ValidationFailed)."""
    refuse_if_ordered(product.variants)


def refuse_if_ordered(variants: Iterable[Variant]) -> None:
    """Variants that were ordered stay for the books: deactivate them instead."""
    ids = [v.id for v in variants if v.id is not None]
    if not ids:
        return
    with db.session.no_autoflush:  # ask before the pending deletes reach the database
        sold = db.session.scalars(
            select(Variant.sku).where(Variant.id.in_(ids),
                                      exists().where(OrderLine.variant_id == Variant.id))
        ).all()
    if sold:
        raise ValidationFailed(
            f"{', '.join(sold)} was ordered before, so it cannot be deleted; "
            "untick Active instead.")
