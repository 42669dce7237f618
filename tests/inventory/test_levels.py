"""Stock levels: in stock, low and out of stock mean the same on every screen and in every list."""

from sqlalchemy import select

from store.extensions import db
from store.inventory import levels
from store.models import Variant
from tests.factories import make_product

# (stock on hand, low-stock threshold, expected status)
CASES = [(0, 3, "out"), (1, 3, "low"), (3, 3, "low"), (4, 3, "in"), (20, 3, "in"),
         (0, 0, "out"), (1, 0, "in"), (5, 5, "low")]


def test_status_of_a_variant_and_of_a_query_agree(app):
    """A variant reads out at zero, low at or under its threshold, in stock above it."""
    # given variants at and around their thresholds
    ids = {}
    for stock, threshold, expected in CASES:
        variant = make_product(variants=[{"stock": stock, "low_stock_threshold": threshold}]
                               ).variants[0]
        ids[variant.id] = expected
    # when the status is read on each variant and filtered for in SQL
    by_object = {v.id: v.stock_status for v in db.session.scalars(select(Variant))}
    by_query = {status: set(db.session.scalars(select(Variant.id)
                                               .where(levels.has_status(status))))
                for status in levels.STATUS_LABELS}
    # then both give the expected level
    assert by_object == ids
    assert by_query == {status: {i for i, s in ids.items() if s == status}
                        for status in levels.STATUS_LABELS}


def test_restock_list_takes_low_and_out_of_active_variants_only(app):
    """Variants to restock are active ones of active products at or under their threshold."""
    # given stock at, under and above the threshold, and low variants that are inactive
    wanted = {make_product(stock=3).variants[0].id, make_product(stock=0).variants[0].id}
    make_product(stock=4)
    make_product(variants=[{"stock": 1, "active": False}])
    make_product(stock=1, active=False)
    # when the restock list is queried
    found = set(db.session.scalars(select(Variant.id).join(Variant.product)
                                   .where(levels.needs_restock())))
    # then only the active low and empty ones are on it
    assert found == wanted


def test_labels_name_each_level():
    """The back office calls the levels "In stock", "Low" and "Out of stock"."""
    assert [levels.status_label(s) for s in ("in", "low", "out")] == [
        "In stock", "Low", "Out of stock"]
