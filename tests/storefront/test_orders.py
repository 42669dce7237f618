"""After the order: who may see it, the history, cancelling, and expiring unpaid orders."""

import re
from datetime import timedelta

import pytest

from store.cart import services as carts
from store.checkout import services as checkouts
from store.extensions import db
from store.models import EmailMessage, Order, StockMovement, Variant
from store.models.base import utcnow
from store.orders import services as order_service
from store.orders.access import access_token, order_url
from tests.conftest import Auth
from tests.factories import make_product
from tests.shopping import (
    ADDRESS,
    add_to_cart,
    checkout,
    flashes,
    hidden,
    isolated_requests,  # noqa: F401  (fixture)
)


@pytest.fixture
def app_config():
    return {"STORE_DELIVER_AFTER_REQUEST": False, "STRIPE_SECRET_KEY": "sk_test_123",
            "STRIPE_WEBHOOK_SECRET": "whsec_test"}


def stock(variant_id) -> int:
    return db.session.scalar(db.select(Variant.stock).where(Variant.id == variant_id))


def buy(client, variant_id, quantity=1, **fields) -> tuple[Order, str]:
    """Put a variant in the cart and check out; returns the order and its page's URL."""
    add_to_cart(client, variant_id, quantity)
    response = checkout(client, **fields)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    order = db.session.scalar(db.select(Order).order_by(Order.id.desc()))
    return order, response.headers["Location"]


def place_online_order(variant_id, quantity=1, token="a" * 24) -> Order:
    """An order paid by Stripe, placed through the services (nothing sent to Stripe)."""
    cart = carts.add_item(carts.CartOwner(), variant_id, quantity)
    details = checkouts.CheckoutDetails(**{**ADDRESS, "payment_method": "stripe"})
    return checkouts.place_order(carts.CartOwner(token=cart.token), details,
                                 checkout_token=token)


def test_another_customers_order_is_not_found(app, client, auth):
    """Another customer, a visitor, or a wrong token cannot open someone's order: 404."""
    product = make_product(stock=5)
    auth.login("customer")
    order, url = buy(client, product.variants[0].id)
    assert "token=" not in url
    assert client.get(url).status_code == 200
    stranger = app.test_client()
    Auth(app, stranger).login("customer", "stranger@example.com")
    assert stranger.get(url).status_code == 404
    visitor = app.test_client()
    assert visitor.get(url).status_code == 404
    assert visitor.get(f"{url}?token=forged").status_code == 404
    assert visitor.get("/orders/SS-NOPE-NOPE").status_code == 404
    # A valid guest token for another order opens nothing else.
    guest_order, guest_url = buy(visitor, product.variants[0].id)
    token = guest_url.split("token=")[1]
    assert visitor.get(f"/orders/{order.number}?token={token}").status_code == 404


def test_guest_opens_order_with_signed_link(app, client):
    """A guest's confirmation link opens the order on any browser; without it, 404."""
    product = make_product(name="Harbour Tee", stock=5)
    order, url = buy(client, product.variants[0].id)
    assert url == order_url(order)
    assert url.endswith(f"?token={access_token(order)}")
    elsewhere = app.test_client()
    html = elsewhere.get(url).get_data(as_text=True)
    assert order.number in html and "Harbour Tee" in html
    assert elsewhere.get(f"/orders/{order.number}").status_code == 404
    assert order_url(order, _external=True).startswith("http://127.0.0.1:5000/orders/")
    assert db.session.scalar(db.select(db.func.count(EmailMessage.id))
                             .where(EmailMessage.order_id == order.id)) == 1


def test_account_orders_lists_only_mine(app, client, auth):
    """"My orders" shows the customer's own orders with their status, newest first."""
    product = make_product(stock=10)
    auth.login("customer")
    first, _url = buy(client, product.variants[0].id)
    second, _url = buy(client, product.variants[0].id)
    other = app.test_client()
    Auth(app, other).login("customer", "other@example.com")
    theirs, _url = buy(other, product.variants[0].id)
    html = client.get("/account/orders").get_data(as_text=True)
    assert html.index(second.number) < html.index(first.number)
    assert theirs.number not in html
    assert "Awaiting payment" in html


def test_account_orders_needs_sign_in(client):
    """A visitor asking for "My orders" is sent to sign in."""
    response = client.get("/account/orders")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_customer_cancels_pending_order_and_stock_returns(client, auth):
    """Cancelling an order that awaits payment puts the items back on sale."""
    product = make_product(stock=5)
    auth.login("customer")
    order, url = buy(client, product.variants[0].id, 2)
    assert stock(product.variants[0].id) == 3
    page = client.get(url).get_data(as_text=True)
    response = client.post(f"/orders/{order.number}/cancel",
                           data={"csrf_token": hidden(page, "csrf_token")},
                           follow_redirects=True)
    assert f"Your order {order.number} is cancelled." in flashes(response.get_data(as_text=True))
    db.session.refresh(order)
    assert order.status == "cancelled"
    assert stock(product.variants[0].id) == 5
    assert db.session.scalar(db.select(StockMovement.reason).order_by(
        StockMovement.id.desc())) == "cancel"


def test_guest_cancels_with_link_but_a_stranger_cannot(app, client):
    """A guest can cancel from their link; someone without it gets 404 and nothing changes."""
    product = make_product(stock=5)
    order, url = buy(client, product.variants[0].id)
    stranger = app.test_client()
    html = stranger.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = stranger.post(f"/orders/{order.number}/cancel", data={"csrf_token": token})
    assert response.status_code == 404
    db.session.refresh(order)
    assert order.status == "pending"
    token = url.split("token=")[1]
    page = client.get(f"/orders/{order.number}/cancel?token={token}").get_data(as_text=True)
    client.post(f"/orders/{order.number}/cancel",
                data={"csrf_token": hidden(page, "csrf_token"), "token": hidden(page, "token")})
    db.session.refresh(order)
    assert order.status == "cancelled" and stock(product.variants[0].id) == 5


def test_paid_order_cannot_be_cancelled_by_customer(client, auth):
    """Once paid, the customer is asked to contact the shop instead."""
    product = make_product(stock=5)
    auth.login("customer")
    order, url = buy(client, product.variants[0].id)
    order_service.transition(order.id, "paid")
    page = client.get(url).get_data(as_text=True)
    assert "Cancel this order" not in page
    response = client.post(f"/orders/{order.number}/cancel",
                           data={"csrf_token": hidden(page, "csrf_token")},
                           follow_redirects=True)
    assert any("please contact us" in m for m in flashes(response.get_data(as_text=True)))
    db.session.refresh(order)
    assert order.status == "paid" and stock(product.variants[0].id) == 4


def test_manual_order_page_shows_payment_instructions(client):
    """A bank-transfer order tells the customer how to pay, quoting the order number."""
    product = make_product(stock=5)
    order, url = buy(client, product.variants[0].id)
    html = client.get(url).get_data(as_text=True)
    assert f"quoting order {order.number}" in html
    assert "Pay now" not in html


def test_expire_unpaid_releases_stock_and_is_safe_to_rerun(app, runner):
    """Online orders left unpaid past their time are cancelled and their stock returns."""
    product = make_product(stock=5)
    variant_id = product.variants[0].id
    late = place_online_order(variant_id, 2, token="late" * 6)
    fresh = place_online_order(variant_id, 1, token="fresh" * 5)
    assert late.payment_due_at is not None and stock(variant_id) == 2
    db.session.execute(db.update(Order).where(Order.id == late.id)
                       .values(payment_due_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    result = runner.invoke(args=["orders", "expire-unpaid"])
    assert result.exit_code == 0, result.output
    assert "1 unpaid order(s) expired." in result.output
    db.session.expire_all()
    assert db.session.get(Order, late.id).status == "cancelled"
    assert db.session.get(Order, fresh.id).status == "pending"
    assert stock(variant_id) == 4
    reasons = list(db.session.scalars(db.select(StockMovement.reason)
                                      .where(StockMovement.order_id == late.id)))
    assert sorted(reasons) == ["expired", "sale"]
    again = runner.invoke(args=["orders", "expire-unpaid"])
    assert "0 unpaid order(s) expired." in again.output
    assert stock(variant_id) == 4


def test_manual_orders_expire_after_the_hold_time(app, client):
    """Bank-transfer orders hold their stock for the hold time, then go back on sale."""
    product = make_product(stock=5)
    variant_id = product.variants[0].id
    order, url = buy(client, variant_id)
    assert order.payment_due_at - order.created_at == timedelta(hours=72)
    assert "We hold the items for you until" in client.get(url).get_data(as_text=True)
    assert checkouts.expire_unpaid(utcnow() + timedelta(hours=71)) == 0
    assert checkouts.expire_unpaid(utcnow() + timedelta(hours=73)) == 1
    db.session.refresh(order)
    assert order.status == "cancelled" and stock(variant_id) == 5


def test_order_page_query_count_does_not_grow_with_lines(client, count_queries):
    """The order page runs the same number of SQL statements for 1 line as for 10."""
    products = [make_product(stock=5) for _ in range(10)]
    _order, one_url = buy(client, products[0].variants[0].id)
    for product in products[1:]:
        add_to_cart(client, product.variants[0].id, 1)
    _order, ten_url = buy(client, products[0].variants[0].id)
    with count_queries() as one:
        assert client.get(one_url).status_code == 200
    with count_queries() as ten:
        assert client.get(ten_url).status_code == 200
    assert len(one) == len(ten) <= 6
