"""Sale prices: a variant's compare-at ("was") price struck through on the product page and
the product cards, only when it is above the price."""

from decimal import Decimal

from store.extensions import db
from tests.factories import make_product


def test_was_price_struck_through_on_page_and_card(client):
    """A tee at 22.00 that was 30.00 shows €30.00 struck through next to €22.00."""
    # given the tee on sale
    tee = make_product(name="Harbour Lights Tee", price="22.00")
    tee.variants[0].compare_at_price = Decimal("30.00")
    db.session.commit()
    # when a visitor opens its page and the catalog
    page = client.get(f"/products/{tee.slug}").get_data(as_text=True)
    listing = client.get("/products/").get_data(as_text=True)
    # then both show the old price struck through and the price paid
    assert '<s class="was-price">€30.00</s> €22.00' in page
    assert '<s class="was-price">€30.00</s> €22.00' in listing


def test_no_was_price_when_not_above_the_price(client):
    """A compare-at price equal to or under the price is not shown (it is no sale)."""
    tee = make_product(name="Harbour Lights Tee", price="22.00")
    mug = make_product(name="Mug", price="9.00")
    tee.variants[0].compare_at_price = Decimal("22.00")
    mug.variants[0].compare_at_price = Decimal("5.00")
    db.session.commit()
    for product in (tee, mug):
        assert "<s " not in client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert "was-price" not in client.get("/products/").get_data(as_text=True)
