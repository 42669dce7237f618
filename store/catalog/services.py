"""Catalog queries for the storefront: listing, featured products, a product page."""

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from store.catalog.search import matching_products  # also builds the index on db.create_all()
from store.errors import NotFound, ValidationFailed
from store.extensions import db
from store.models import Category, Product, Variant

PAGE_SIZE = 12
SORTS = ("relevance", "newest", "price_asc", "price_desc", "name")


@dataclass
class Page:
    """One page of results."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def parse_page(raw: str | None) -> int:
    """A page number from the query string; a clear error for anything else."""
    if raw in (None, ""):
        return 1
    try:
        page = int(raw)
    except ValueError:
        raise ValidationFailed(_("The page must be a whole number.")) from None
    if page < 1 or page > 100_000:
        raise ValidationFailed(_("The page must be a number from 1."))
    return page


def _with_listing_data(stmt):
    return stmt.options(selectinload(Product.variants), selectinload(Product.images),
                        selectinload(Product.category))


def _with_card_data(stmt):
    # A product card shows the price, stock and first image: not the category.
    return stmt.options(selectinload(Product.variants), selectinload(Product.images))


def categories() -> list[Category]:
    """All categories in shelf order."""
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.name)))


def featured_products(limit: int = 8) -> list[Product]:
    """Active featured products for the home page, newest first."""
    stmt = (select(Product).where(Product.active.is_(True), Product.featured.is_(True))
            .order_by(Product.created_at.desc(), Product.id.desc()).limit(limit))
    return list(db.session.scalars(_with_card_data(stmt)))


def list_products(*, category: str | None = None, sort: str = "newest", page: int = 1,
                  per_page: int = PAGE_SIZE, q: str | None = None) -> tuple[Page, Category | None]:
    """A page of active products, optionally in one category and matching a search."""
    stmt = select(Product).where(Product.active.is_(True))
    current = None
    if category:
        current = db.session.scalar(select(Category).where(Category.slug == category))
        if current is None:
            raise NotFound(_("There is no such category."))
        stmt = stmt.where(Product.category_id == current.id)
    ranked = None
    if q and q.strip():
        ranked = matching_products(q)
        stmt = stmt.where(Product.id.in_(ranked.subquery_ids()))
    if sort not in SORTS:
        sort = "relevance" if ranked is not None else "newest"
    if sort == "relevance" and ranked is None:
        sort = "newest"
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    if sort == "relevance":
        stmt = ranked.order(stmt)
    elif sort == "price_asc":
        stmt = stmt.order_by(Product.price.asc(), Product.id)
    elif sort == "price_desc":
        stmt = stmt.order_by(Product.price.desc(), Product.id)
    elif sort == "name":
        stmt = stmt.order_by(Product.name, Product.id)
    else:
        stmt = stmt.order_by(Product.created_at.desc(), Product.id.desc())
    stmt = _with_card_data(stmt.limit(per_page).offset((page - 1) * per_page))
    items = list(db.session.scalars(stmt))
    result = Page(items=items, page=page, per_page=per_page, total=total)
    if page > result.pages:
        raise NotFound(_("That page is past the end of the list."))
    return result, current


def products_after(*, after: int = 0, limit: int = 20, category: str | None = None,
                   q: str | None = None) -> list[Product]:
    """Up to `limit` active products with ids above `after`, in id order (cursor pages).

    Pages of the JSON API: a product added or removed between two requests never shifts
    the next page. Unknown category: NotFound.
    """
    stmt = select(Product).where(Product.active.is_(True), Product.id > after)
    if category:
        current = db.session.scalar(select(Category).where(Category.slug == category))
        if current is None:
            raise NotFound("There is no such category.")
        stmt = stmt.where(Product.category_id == current.id)
    if q and q.strip():
        stmt = stmt.where(Product.id.in_(matching_products(q).subquery_ids()))
    return list(db.session.scalars(_with_listing_data(stmt.order_by(Product.id).limit(limit))))


def get_product(slug: str) -> Product:
    """An active product by slug, with variants and images; NotFound otherwise."""
    stmt = _with_listing_data(
        select(Product).where(Product.slug == slug, Product.active.is_(True))
    )
    product = db.session.scalar(stmt)
    if product is None:
        raise NotFound(_("There is no such product."))
    return product


class PriceRange(NamedTuple):
    """What a product sells for: the lowest and highest price of its active variants."""

    low: Decimal
    high: Decimal
    #: The sale's "was" price of the lowest-priced variant, when above its price.
    was: Decimal | None = None

    @property
    def varies(self) -> bool:
        """Whether the variants differ in price (shown as a range, or "from" the lowest)."""
        return self.low != self.high


def price_range(product: Product) -> PriceRange:
    """The one definition of a product's price for display; its own price without variants."""
    active = [v for v in product.variants if v.active]
    prices = [v.price for v in active] or [product.price]
    cheapest = min(active, key=lambda v: v.price, default=None)
    return PriceRange(min(prices), max(prices), cheapest.was_price if cheapest else None)


def buyable_variants(product: Product) -> list[Variant]:
    return [v for v in product.variants if v.active]
