"""Checkout: one order per form, server prices, atomic stock, clear refusals."""

from datetime import timedelta
from decimal import Decimal

import pytest

from store.extensions import db
from store.models import Address, EmailMessage, Order, OrderEvent, Product, StockMovement, Variant
from tests.factories import make_product
from tests.shopping import (
    add_to_cart,
    checkout,
    checkout_form,
    flashes,
    isolated_requests,  # noqa: F401  (fixture)
    money_on,
)


@pytest.fixture
def app_config():
    return {"STORE_DELIVER_AFTER_REQUEST": False}


def stock(variant_id) -> int:
    return db.session.scalar(db.select(Variant.stock).where(Variant.id == variant_id))


def orders() -> list[Order]:
    return list(db.session.scalars(db.select(Order).order_by(Order.id)))


def sale_movements() -> int:
    return db.session.scalar(db.select(db.func.count(StockMovement.id))
                             .where(StockMovement.reason == "sale"))


def test_guest_checkout_places_the_order(client):
    """A visitor checks out: the order page shows the right total and the stock goes down."""
    tee = make_product(name="Harbour Tee", price="20.00", variants=[
        {"sku": "HT-M", "options": {"size": "M"}, "stock": 5},
        {"sku": "HT-L", "options": {"size": "L"}, "stock": 5, "price": "22.00"}])
    add_to_cart(client, tee.variants[1].id, 2)
    response = checkout(client)
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    [order] = orders()
    assert order.number in html and "Awaiting payment" in html
    assert money_on(html, "order-total") == Decimal("48.90")
    assert order.total == Decimal("48.90") and order.subtotal == Decimal("44.00")
    assert order.email == "ana@example.com" and order.country == "ES"
    [line] = order.lines
    assert (line.product_name, line.sku, line.options, line.unit_price, line.quantity) == (
        "Harbour Tee", "HT-L", {"size": "L"}, Decimal("22.00"), 2)
    assert stock(tee.variants[1].id) == 3 and stock(tee.variants[0].id) == 5
    assert [(e.from_status, e.to_status) for e in order.events] == [(None, "pending")]
    assert db.session.scalar(db.select(EmailMessage.id).where(
        EmailMessage.order_id == order.id, EmailMessage.kind == "order_confirmation"))
    # Manual payment: the stock is held for the hold time (72 h by default), then expires.
    assert order.payment_due_at - order.created_at == timedelta(hours=72)
    assert "Your cart is empty." in client.get("/cart").get_data(as_text=True)


def test_posted_prices_and_totals_are_ignored(client):
    """Whatever price or total the browser sends, the order uses the shop's prices."""
    product = make_product(price="35.00", stock=4)
    add_to_cart(client, product.variants[0].id, 1, price="0.01", unit_price="0.01")
    checkout(client, price="0.01", total="0.01", subtotal="0.01", shipping_cost="0",
             unit_price="0.01")
    [order] = orders()
    assert order.subtotal == Decimal("35.00")
    assert order.shipping_cost == Decimal("4.90")
    assert order.total == Decimal("39.90")
    assert order.lines[0].unit_price == Decimal("35.00")


def test_posted_quantities_are_ignored_at_checkout(client):
    """A quantity posted with the checkout form does not change what is bought."""
    product = make_product(price="5.00", stock=50)
    add_to_cart(client, product.variants[0].id, 2)
    checkout(client, quantity="40", **{"lines-0-quantity": "40"})
    [order] = orders()
    assert order.lines[0].quantity == 2
    assert stock(product.variants[0].id) == 48


def test_price_changed_after_adding_uses_todays_price(client):
    """If the price changed after adding, the order is at the current price."""
    product = make_product(price="10.00", stock=5)
    add_to_cart(client, product.variants[0].id, 1)
    db.session.get(Product, product.id).price = Decimal("12.00")
    db.session.commit()
    checkout(client)
    assert orders()[0].lines[0].unit_price == Decimal("12.00")


def test_double_submit_creates_one_order(client):
    """Clicking "Place order" twice places one order and shows it both times."""
    product = make_product(stock=5)
    add_to_cart(client, product.variants[0].id, 1)
    form = checkout_form(client)
    first = checkout(client, form)
    second = checkout(client, form)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(orders()) == 1
    assert stock(product.variants[0].id) == 4


def test_out_of_stock_line_is_named_and_nothing_is_reserved(client):
    """If one line lacks stock, the customer is told which, and no stock is taken at all."""
    mug = make_product(name="Stone Mug", stock=5)
    ring = make_product(name="Moonstone Ring", stock=3)
    add_to_cart(client, mug.variants[0].id, 2)
    add_to_cart(client, ring.variants[0].id, 3)
    # Someone else bought two rings meanwhile.
    db.session.execute(db.update(Variant).where(Variant.id == ring.variants[0].id)
                       .values(stock=1))
    db.session.commit()
    response = checkout(client, follow_redirects=True)
    messages = flashes(response.get_data(as_text=True))
    assert any("Only 1 of “Moonstone Ring” left" in m for m in messages), messages
    assert orders() == []
    assert stock(mug.variants[0].id) == 5 and stock(ring.variants[0].id) == 1
    assert sale_movements() == 0


def test_sold_out_line_is_named(client):
    """A line sold out since adding says so by name."""
    product = make_product(name="Last Scarf", stock=1)
    add_to_cart(client, product.variants[0].id, 1)
    db.session.execute(db.update(Variant).where(Variant.id == product.variants[0].id)
                       .values(stock=0))
    db.session.commit()
    html = checkout(client, follow_redirects=True).get_data(as_text=True)
    assert any("“Last Scarf” is sold out" in m for m in flashes(html))
    assert orders() == []


def test_withdrawn_variant_at_checkout_is_refused(client):
    """An item withdrawn from sale after adding stops checkout, naming it; nothing is taken."""
    product = make_product(name="Old Tee", stock=5)
    keep = make_product(name="Good Mug", stock=5)
    add_to_cart(client, keep.variants[0].id, 1)
    add_to_cart(client, product.variants[0].id, 1)
    db.session.get(Variant, product.variants[0].id).active = False
    db.session.commit()
    response = checkout(client)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "“Old Tee” is no longer for sale" in html
    assert orders() == [] and stock(keep.variants[0].id) == 5


@pytest.mark.parametrize("field,value,message", [
    ("email", "", "Please fill in this field."),
    ("email", "not-an-email", "Please enter a valid email address."),
    ("full_name", "  ", "Please fill in this field."),
    ("postal_code", "<script>", "Please enter a valid postal code."),
    ("country", "XX", "Not a valid choice"),
    ("phone", "call me", "Please enter a valid phone number."),
    ("shipping_method", "drone", "Not a valid choice"),
    ("payment_method", "bitcoin", "Not a valid choice"),
    ("address_line1", "x" * 201, "Field cannot be longer than 200 characters."),
])
def test_bad_checkout_fields_get_clear_messages(client, field, value, message):
    """Each wrong field is marked with its own message and no order is placed."""
    product = make_product(stock=5)
    add_to_cart(client, product.variants[0].id, 1)
    response = checkout(client, **{field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert "Please correct the fields marked below." in html
    assert orders() == [] and stock(product.variants[0].id) == 5


def test_checkout_without_csrf_token_is_refused(client):
    """A forged checkout post from another site places nothing."""
    product = make_product(stock=5)
    add_to_cart(client, product.variants[0].id, 1)
    form = checkout_form(client)
    form["csrf_token"] = "forged"
    response = checkout(client, form)
    assert response.status_code == 400
    assert orders() == []


def test_empty_cart_cannot_check_out(client):
    """With nothing in the cart, checkout sends the visitor back to the cart."""
    response = client.get("/checkout", follow_redirects=True)
    assert "Your cart is empty." in flashes(response.get_data(as_text=True))


def test_express_and_free_shipping(client):
    """Express costs its rate; standard is free from the threshold up."""
    product = make_product(price="30.00", stock=10)
    add_to_cart(client, product.variants[0].id, 1)
    checkout(client, shipping_method="express")
    add_to_cart(client, product.variants[0].id, 2)
    checkout(client, shipping_method="standard")
    express, free = orders()
    assert (express.shipping_method, express.shipping_cost, express.total) == (
        "express", Decimal("9.90"), Decimal("39.90"))
    assert (free.shipping_cost, free.total) == (Decimal("0.00"), Decimal("60.00"))


def test_customer_checkout_fills_email_and_saves_address(client, auth):
    """A signed-in customer sees their email filled in, and can save and reuse the address."""
    user = auth.login("customer")
    product = make_product(stock=10)
    add_to_cart(client, product.variants[0].id, 1)
    html = client.get("/checkout").get_data(as_text=True)
    assert f'value="{user.email}"' in html
    checkout(client, email=user.email, save_address="y")
    [address] = db.session.scalars(db.select(Address).where(Address.user_id == user.id))
    assert address.city == "Madrid"
    add_to_cart(client, product.variants[0].id, 1)
    html = client.get("/checkout").get_data(as_text=True)
    assert "Calle Mayor 1" in html
    form = checkout_form(client)
    blank = {name: "" for name in ("full_name", "address_line1", "city", "postal_code",
                                   "country", "phone")}
    response = checkout(client, form, email=user.email, address_id=address.id, **blank)
    assert response.status_code == 303
    second = orders()[-1]
    assert (second.user_id, second.city, second.address_line1) == (user.id, "Madrid",
                                                                   "Calle Mayor 1")
    assert db.session.scalar(db.select(db.func.count(Address.id))) == 1


def test_someone_elses_saved_address_is_refused(app, client, auth):
    """Choosing another customer's saved address is refused."""
    other = auth.user("customer", "other@example.com")
    db.session.add(Address(user_id=other.id, full_name="Other", address_line1="Elsewhere 2",
                           city="Lyon", postal_code="69001", country="FR"))
    db.session.commit()
    theirs = db.session.scalar(db.select(Address.id))
    auth.login("customer")
    product = make_product(stock=5)
    add_to_cart(client, product.variants[0].id, 1)
    response = checkout(client, address_id=theirs)
    assert response.status_code == 400
    assert "That address is not one of yours." in response.get_data(as_text=True)
    assert orders() == []


def test_guest_cart_merges_into_customer_cart_on_login(app, client, auth):
    """Items a visitor put in the cart are still there after signing in, added to the saved cart."""
    mug = make_product(name="Stone Mug", stock=10)
    tee = make_product(name="Harbour Tee", stock=10)
    ring = make_product(name="Moonstone Ring", stock=10)
    # The customer saved a cart earlier, on another device.
    device = app.test_client()
    from tests.conftest import Auth

    Auth(app, device).login("customer")
    add_to_cart(device, mug.variants[0].id, 1)
    add_to_cart(device, tee.variants[0].id, 1)
    # Now, as a visitor on this device:
    add_to_cart(client, mug.variants[0].id, 2)
    add_to_cart(client, ring.variants[0].id, 1)
    auth.login("customer")
    html = client.get("/cart").get_data(as_text=True)
    for name in ("Stone Mug", "Harbour Tee", "Moonstone Ring"):
        assert name in html
    assert 'value="3"' in html  # 1 + 2 mugs
    assert '<span class="badge">5</span>' in html
    auth.logout()
    assert "Your cart is empty." in client.get("/cart").get_data(as_text=True)


def test_checkout_page_query_count_does_not_grow_with_lines(client, count_queries):
    """The checkout page runs the same number of SQL statements for 1 line as for 10."""
    # Plenty of stock: no line crosses its low-stock threshold (that alert is extra work).
    products = [make_product(stock=50) for _ in range(10)]
    add_to_cart(client, products[0].variants[0].id, 1)
    client.get("/checkout")
    with count_queries() as one:
        assert client.get("/checkout").status_code == 200
    for product in products[1:]:
        add_to_cart(client, product.variants[0].id, 1)
    with count_queries() as ten:
        assert client.get("/checkout").status_code == 200
    assert len(one) == len(ten) <= 9  # 8 + the store settings' version check


def test_placing_query_count_grows_only_by_the_stock_work_per_line(client, count_queries):
    """Placing 10 lines costs at most three more statements per extra line than placing 1."""
    # Plenty of stock: no line crosses its low-stock threshold (that alert is extra work).
    products = [make_product(stock=50) for _ in range(10)]
    add_to_cart(client, products[0].variants[0].id, 1)
    form = checkout_form(client)
    with count_queries() as one:
        assert checkout(client, form).status_code == 303
    for product in products:
        add_to_cart(client, product.variants[0].id, 1)
    form = checkout_form(client)
    with count_queries() as ten:
        assert checkout(client, form).status_code == 303
    # Per line: the conditional stock UPDATE, its movement INSERT, and at most one more.
    assert len(ten) - len(one) <= 3 * 9


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                         "STORE_CHECKOUT_LIMIT": "3/minute",
                                         "STORE_DELIVER_AFTER_REQUEST": False}])
def test_checkout_is_rate_limited_per_session_not_per_address(app, client):
    """One browser hammering checkout is slowed down; another buyer on the same address is not."""
    product = make_product(stock=50)
    add_to_cart(client, product.variants[0].id, 1)
    codes = [checkout(client, email="").status_code for _ in range(4)]
    assert codes[:3] == [400, 400, 400] and codes[3] == 429
    neighbour = app.test_client()
    add_to_cart(neighbour, product.variants[0].id, 1)
    assert checkout(neighbour).status_code == 303


def test_order_event_and_email_are_written_with_the_order(client):
    """The first event and the confirmation email are stored with the order."""
    product = make_product(stock=5)
    add_to_cart(client, product.variants[0].id, 1)
    checkout(client)
    [order] = orders()
    assert db.session.scalar(db.select(db.func.count(OrderEvent.id))
                             .where(OrderEvent.order_id == order.id)) == 1
    message = db.session.scalar(db.select(EmailMessage).where(EmailMessage.order_id == order.id))
    assert message.recipients == "ana@example.com"
    assert order.number in message.subject
