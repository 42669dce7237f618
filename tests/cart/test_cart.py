"""The cart: adding, changing and removing lines, clear refusals, totals from the server."""

import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.cart.services import MAX_LINE_QUANTITY
from store.extensions import db
from store.models import CartLine, Product, Variant
from store.pricing.totals import price_order
from tests.factories import make_product
from tests.shopping import (
    add_to_cart,
    flashes,
    isolated_requests,  # noqa: F401  (fixture)
    money_on,
    update_line,
)


def cart_lines():
    return list(db.session.scalars(db.select(CartLine).order_by(CartLine.id)))


def test_cart_shows_line_totals_subtotal_shipping_and_total(client):
    """Two tees and a mug: each line, the subtotal, shipping and the total are shown."""
    tee = make_product(name="Harbour Tee", price="12.50")
    mug = make_product(name="Stone Mug", price="8.00")
    add_to_cart(client, tee.variants[0].id, 2)
    add_to_cart(client, mug.variants[0].id, 1)
    html = client.get("/cart").get_data(as_text=True)
    assert "Harbour Tee" in html and "Stone Mug" in html
    assert "€25.00" in html
    assert money_on(html, "subtotal") == Decimal("33.00")
    assert money_on(html, "shipping") == Decimal("4.90")
    assert money_on(html, "cart-total") == Decimal("37.90")
    assert '<span class="badge">3</span>' in html


def test_visitor_cart_lives_across_requests_and_is_private(app, client):
    """A visitor's cart is still there on the next page, and another visitor sees theirs."""
    product = make_product(name="Linen Scarf")
    add_to_cart(client, product.variants[0].id, 1)
    assert client.get("/").status_code == 200
    assert "Linen Scarf" in client.get("/cart").get_data(as_text=True)
    other = app.test_client()
    assert "Your cart is empty" in other.get("/cart").get_data(as_text=True)


def test_adding_again_adds_up(client):
    """Adding the same size twice gives one line with both quantities."""
    product = make_product(stock=10)
    add_to_cart(client, product.variants[0].id, 2)
    add_to_cart(client, product.variants[0].id, 3)
    lines = cart_lines()
    assert [line.quantity for line in lines] == [5]


@pytest.mark.parametrize("quantity", ["0", "-2", "abc", "", "1.5", "100", "99999999999999999"])
def test_bad_quantities_are_refused_and_change_nothing(client, quantity):
    """A zero, negative, fractional, huge or non-number quantity gets a clear message."""
    product = make_product(stock=500)
    add_to_cart(client, product.variants[0].id, 1)
    response = add_to_cart(client, product.variants[0].id, quantity)
    html = client.get("/cart").get_data(as_text=True) if response.status_code == 303 else ""
    assert "Please enter a quantity from 1 to 99." in " ".join(flashes(html))
    assert [line.quantity for line in cart_lines()] == [1]


def test_more_than_in_stock_is_refused(client):
    """Asking for more than is on the shelf names the item and how many are left."""
    product = make_product(name="Moonstone Ring", stock=2)
    response = add_to_cart(client, product.variants[0].id, 3)
    assert response.status_code == 303
    messages = flashes(client.get("/cart").get_data(as_text=True))
    assert any("Only 2 of “Moonstone Ring” in stock" in m for m in messages)
    assert cart_lines() == []
    add_to_cart(client, product.variants[0].id, 2)
    add_to_cart(client, product.variants[0].id, 1)
    messages = flashes(client.get("/cart").get_data(as_text=True))
    assert any("you already have 2 in your cart" in m for m in messages)
    assert [line.quantity for line in cart_lines()] == [2]


def test_unknown_or_withdrawn_variants_are_refused(client):
    """An unknown option, a withdrawn option or a withdrawn product cannot be added."""
    withdrawn = make_product(name="Old Tee", variants=[
        {"sku": "OLD-S", "options": {"size": "S"}, "stock": 5, "active": False}])
    hidden_product = make_product(name="Hidden", active=False)
    cases = ((999999, "That product option does not exist."),
             ("x", "That product option does not exist."),
             # beyond 64 bits: SQLite would raise instead of finding nothing
             ("99999999999999999999", "That product option does not exist."),
             ("-9223372036854775809", "That product option does not exist."),
             (withdrawn.variants[0].id, "“Old Tee (S)” is no longer for sale."),
             (hidden_product.variants[0].id, "“Hidden” is no longer for sale."))
    for variant_id, expected in cases:
        add_to_cart(client, variant_id, 1)
        messages = flashes(client.get("/cart").get_data(as_text=True))
        assert expected in messages
    assert cart_lines() == []


def test_add_without_csrf_token_is_refused(client):
    """A cross-site post to the cart is refused."""
    product = make_product()
    response = client.post("/cart/items", data={"variant_id": product.variants[0].id,
                                                "quantity": 1})
    assert response.status_code in (400, 303)
    assert cart_lines() == []


def test_change_quantity_and_remove(client):
    """The quantity can be changed, and 0 removes the line."""
    product = make_product(stock=10, price="3.00")
    add_to_cart(client, product.variants[0].id, 1)
    line = cart_lines()[0]
    update_line(client, line.id, 4)
    db.session.expire_all()
    assert cart_lines()[0].quantity == 4
    html = client.get("/cart").get_data(as_text=True)
    assert money_on(html, "subtotal") == Decimal("12.00")
    update_line(client, line.id, 11)
    assert "Only 10 of" in " ".join(flashes(client.get("/cart").get_data(as_text=True)))
    db.session.expire_all()
    assert cart_lines()[0].quantity == 4
    update_line(client, line.id, -1)
    db.session.expire_all()
    assert cart_lines()[0].quantity == 4
    update_line(client, line.id, 0)
    db.session.expire_all()
    assert cart_lines() == []


def test_someone_elses_cart_line_cannot_be_touched(app, client):
    """Changing a line id from another visitor's cart changes nothing."""
    product = make_product(stock=10)
    other = app.test_client()
    add_to_cart(other, product.variants[0].id, 2)
    their_line = cart_lines()[0]
    update_line(client, their_line.id, 0)
    messages = flashes(client.get("/cart").get_data(as_text=True))
    assert "That item is not in your cart." in messages
    db.session.expire_all()
    assert [line.quantity for line in cart_lines()] == [2]


def test_cart_says_when_price_or_stock_changed(client):
    """If the price went up or the stock went down since adding, the cart says so."""
    product = make_product(name="Amber Pendant", price="20.00", stock=5)
    add_to_cart(client, product.variants[0].id, 3)
    db.session.get(Product, product.id).price = Decimal("24.00")
    db.session.execute(db.update(Variant).where(Variant.id == product.variants[0].id)
                       .values(stock=1))
    db.session.commit()
    html = client.get("/cart").get_data(as_text=True)
    assert "The price changed from €20.00 to €24.00 since you added it." in html
    assert "Only 1 left: please lower the quantity." in html
    assert money_on(html, "subtotal") == Decimal("72.00")
    assert "Please fix the items marked above to check out." in html


def test_withdrawn_item_is_flagged_and_not_counted(client):
    """An item withdrawn after adding is shown as unavailable and left out of the total."""
    keep = make_product(price="10.00")
    gone = make_product(name="Gone Soon", price="50.00")
    add_to_cart(client, keep.variants[0].id, 1)
    add_to_cart(client, gone.variants[0].id, 1)
    db.session.get(Product, gone.id).active = False
    db.session.commit()
    html = client.get("/cart").get_data(as_text=True)
    assert "This item is no longer for sale." in html
    assert money_on(html, "subtotal") == Decimal("10.00")


def test_standard_shipping_free_above_threshold(client):
    """From the configured amount up, standard delivery is free."""
    product = make_product(price="30.00", stock=10)
    add_to_cart(client, product.variants[0].id, 2)
    html = client.get("/cart").get_data(as_text=True)
    assert "Free" in html
    assert money_on(html, "cart-total") == Decimal("60.00")


def test_empty_cart_has_a_way_back(client):
    """An empty cart says so and links to the catalog."""
    html = client.get("/cart").get_data(as_text=True)
    assert "Your cart is empty." in html and "/products/" in html


_prices = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("9999.99"), places=2)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.tuples(_prices, st.integers(min_value=1, max_value=99)),
                      max_size=20),
       method=st.sampled_from(["standard", "express"]),
       rates=st.tuples(_prices, _prices, _prices))
def test_totals_are_lines_plus_shipping_and_never_negative(app, lines, method, rates):
    """Whatever is in the cart, total = sum of lines + shipping, and nothing is negative."""
    # given any shipping rates, with catalog prices including VAT (the demo shop)
    app.config.update(SHIPPING_STANDARD=rates[0], SHIPPING_EXPRESS=rates[1],
                      SHIPPING_FREE_THRESHOLD=rates[2], STORE_PRICES_INCLUDE_TAX=True)
    # when the lines are priced
    totals = price_order([("standard", price, quantity) for price, quantity in lines],
                         country="ES", shipping_method=method)
    # then
    expected = sum((price * quantity for price, quantity in lines), Decimal("0"))
    assert totals.subtotal == expected
    assert totals.total == totals.subtotal + totals.shipping
    assert totals.subtotal >= 0 and totals.shipping >= 0 and totals.total >= 0
    if not lines:
        assert totals.total == 0
    assert totals.total.as_tuple().exponent == -2


def test_cart_page_query_count_does_not_grow_with_lines(app, client, count_queries):
    """The cart page runs the same number of SQL statements for 1 line as for 10."""
    products = [make_product(stock=5) for _ in range(10)]
    add_to_cart(client, products[0].variants[0].id, 1)
    client.get("/cart")
    with count_queries() as one:
        assert client.get("/cart").status_code == 200
    for product in products[1:]:
        add_to_cart(client, product.variants[0].id, 1)
    with count_queries() as ten:
        assert client.get("/cart").status_code == 200
    assert len(one) == len(ten)
    assert len(ten) <= 8


def test_quantity_inputs_offer_the_cap_the_cart_enforces(client):
    """The product page and the cart let a shopper pick up to the cart's cap, and no more."""
    # given a well-stocked product in the cart
    product = make_product(slug="deep-stock", stock=500)
    add_to_cart(client, product.variants[0].id, 1)
    # when the product page and the cart are shown
    pages = [client.get("/products/deep-stock").get_data(as_text=True),
             client.get("/cart").get_data(as_text=True)]
    # then each quantity input's maximum is the cap, and one more is refused
    for html in pages:
        assert re.findall(r'name="quantity" value="\d+" min="[01]" max="([^"]*)"', html) == [
            str(MAX_LINE_QUANTITY)]
    add_to_cart(client, product.variants[0].id, MAX_LINE_QUANTITY + 1)
    assert [line.quantity for line in cart_lines()] == [1]
