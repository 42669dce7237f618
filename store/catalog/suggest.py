"""Search suggestions as a customer types: a few products and categories for a query."""

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from store.catalog.search import fold_accents, matching_products, search_terms
from store.extensions import db
from store.models import Category, Product

MIN_QUERY = 2
MAX_PRODUCTS = 6
MAX_CATEGORIES = 3


def suggested_products(q: str, limit: int = MAX_PRODUCTS) -> list[Product]:
    """The best matching active products for a partial query (a prefix of each word)."""
    if len((q or "").strip()) < MIN_QUERY:
        return []
    ranked = matching_products(q)
    if not ranked.terms:
        return []
    stmt = select(Product).where(Product.active.is_(True),
                                 Product.id.in_(ranked.subquery_ids()))
    stmt = ranked.order(stmt).limit(limit).options(
        selectinload(Product.variants), selectinload(Product.images))
    return list(db.session.scalars(stmt))


def _name_has(term: str):
    """A category name with a word beginning with the term ("ring" or "rings": "Rings")."""
    name = func.lower(Category.name)
    stem = term[:-1] if len(term) > 3 and term.endswith("s") else term
    return or_(name.like(f"{stem}%"), name.like(f"% {stem}%"))


def suggested_categories(q: str, limit: int = MAX_CATEGORIES) -> list[Category]:
    """Categories whose name has a word starting with each word of the query."""
    if len((q or "").strip()) < MIN_QUERY:
        return []
    terms = search_terms(q)
    if not terms:
        return []
    # Category names are few and short; accents are folded on the query side only, so
    # "jewelry" and "Jewelry" match, and an accented name matches its accented spelling.
    conditions = [or_(_name_has(t), _name_has(fold_accents(t))) for t in terms]
    stmt = (select(Category).where(and_(*conditions))
            .order_by(Category.position, Category.name).limit(limit))
    return list(db.session.scalars(stmt))
