"""Product search behind one function (matching_products)."""

from dataclasses import dataclass

from sqlalchemy import or_, select

from store.models import Category, Product, Variant


@dataclass
class Matches:
    """Products matching a query: a subquery of ids and how to order by relevance."""

    terms: list[str]

    def _conditions(self):
        conds = []
        for term in self.terms:
            like = f"%{term}%"
            conds.append(or_(
                Product.name.ilike(like),
                Product.description.ilike(like),
                Product.category.has(Category.name.ilike(like)),
                Product.variants.any(Variant.sku.ilike(like)),
            ))
        return conds

    def subquery_ids(self):
        return select(Product.id).where(*self._conditions())

    def order(self, stmt):
        return stmt.order_by(Product.name, Product.id)


def matching_products(query: str) -> Matches:
    """The products matching every word of a query."""
    return Matches(terms=[t for t in query.lower().split() if t][:8])
