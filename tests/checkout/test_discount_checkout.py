"""Discount codes through the real cart and checkout: the issue's numbers, a code used up
while in the cart, and a crowd racing for the last use (SQLite and PostgreSQL)."""

from decimal import Decimal

import pytest

from store.extensions import db
from store.models import DiscountCode, DiscountUse, EmailMessage, Order, Variant
from store.notifications.delivery import flush_outbox
from tests.factories import make_product
from tests.shopping import (
    ADDRESS,
    IsolatedClient,
    add_to_cart,
    checkout,
    checkout_form,
    flashes,
    hidden,
    money_on,
    post_checkouts_at_once,
)

D = Decimal


@pytest.fixture
def app_config():
    return {"STORE_DELIVER_AFTER_REQUEST": False}


def enter_code(client, code: str, **extra):
    """Type a code in the cart's discount form and press Apply."""
    token = hidden(client.get("/cart").get_data(as_text=True), "csrf_token")
    return client.post("/cart/discount", data={"csrf_token": token, "discount_code": code,
                                               **extra}, follow_redirects=True)


def test_welcome10_on_the_demo_tee_to_spain(client, auth, tee):
    """With WELCOME10 the €22.00 tee to Spain costs 24.70: discount 2.20, everywhere shown."""
    # given the tee in the cart and the code typed in lower case
    add_to_cart(client, tee.variants[0].id)
    cart = enter_code(client, " welcome10 ").get_data(as_text=True)
    # then the cart shows the discount line and the new total
    assert "The discount code WELCOME10 is applied." in flashes(cart)
    assert money_on(cart, "discount-amount") == D("2.20")
    assert money_on(cart, "cart-total") == D("24.70")
    # and the checkout form comes prefilled with it
    page = client.get("/checkout").get_data(as_text=True)
    assert 'value="WELCOME10"' in page and money_on(page, "checkout-total") == D("24.70")
    # when the guest places the order to Spain
    response = checkout(client, country="ES", discount_code="WELCOME10")
    assert response.status_code == 303
    # then the order keeps the code and the discount, and one use is counted
    order = db.session.scalar(db.select(Order))
    assert (order.discount_code, order.discount_total, order.shipping_cost, order.total) == (
        "WELCOME10", D("2.20"), D("4.90"), D("24.70"))
    code = db.session.scalar(db.select(DiscountCode).where(DiscountCode.code == "WELCOME10"))
    db.session.refresh(code)
    assert code.uses == 1
    [use] = db.session.scalars(db.select(DiscountUse))
    assert (use.order_id, use.email) == (order.id, ADDRESS["email"])
    # and the order page, the confirmation email and the back office show it
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert money_on(page, "discount-amount") == D("2.20") and "WELCOME10" in page
    flush_outbox()  # the confirmation is rendered when it is delivered
    mail = db.session.scalar(db.select(EmailMessage).where(
        EmailMessage.kind == "order_confirmation"))
    assert "Discount (WELCOME10): −€2.20" in mail.body_text
    assert "Total: €24.70" in mail.body_text
    assert "WELCOME10" in mail.body_html and "2.20" in mail.body_html
    auth.login("owner")
    admin = client.get(f"/admin/order/details/?id={order.id}").get_data(as_text=True)
    assert 'id="order-discount-code">WELCOME10<' in admin and "−€2.20" in admin


def test_unknown_code_in_the_cart_is_refused(client, tee):
    """A mistyped code is refused with a message and the cart keeps its price."""
    add_to_cart(client, tee.variants[0].id)
    cart = enter_code(client, "WELCOME11").get_data(as_text=True)
    assert "There is no discount code “WELCOME11”. Please check it." in flashes(cart)
    assert "discount-amount" not in cart and money_on(cart, "cart-total") == D("26.90")


def test_removing_the_code(client, tee):
    """The customer can take the code off again."""
    add_to_cart(client, tee.variants[0].id)
    enter_code(client, "WELCOME10")
    cart = enter_code(client, "WELCOME10", remove="1").get_data(as_text=True)
    assert "The discount code is removed." in flashes(cart)
    assert money_on(cart, "cart-total") == D("26.90")


def test_code_no_longer_valid_in_the_cart_says_why(client, tee):
    """A remembered code that stops applying (the shop switched it off) is explained."""
    add_to_cart(client, tee.variants[0].id)
    enter_code(client, "WELCOME10")
    db.session.execute(db.update(DiscountCode).values(active=False))
    db.session.commit()
    cart = client.get("/cart").get_data(as_text=True)
    assert "There is no discount code “WELCOME10”" in cart
    assert money_on(cart, "cart-total") == D("26.90")


def test_code_used_up_while_in_the_cart_refuses_the_order(client, tee):
    """A code whose last use went to someone else meanwhile refuses the order, changing
    nothing: no order, no stock taken, the use count unchanged."""
    # given a code with one use, in this customer's cart
    db.session.add(DiscountCode(code="LAST1", kind="fixed", value=D("5.00"), max_uses=1))
    db.session.commit()
    add_to_cart(client, tee.variants[0].id)
    enter_code(client, "LAST1")
    form = checkout_form(client)
    # when someone else takes the last use before this customer places the order
    db.session.execute(db.update(DiscountCode).where(DiscountCode.code == "LAST1")
                       .values(uses=1))
    db.session.commit()
    response = checkout(client, form, country="ES", discount_code="LAST1")
    # then the order is refused at the code's field and nothing changed
    assert response.status_code == 400
    assert "The discount code “LAST1” has been used up." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Order.id))) == 0
    assert db.session.scalar(db.select(Variant.stock)
                             .where(Variant.id == tee.variants[0].id)) == 10
    assert db.session.scalar(db.select(DiscountCode.uses)
                             .where(DiscountCode.code == "LAST1")) == 1
    # and without the code the same customer can order
    assert checkout(client, form, country="ES", discount_code="").status_code == 303


BUYERS = 20


def crowd_on_last_use(app) -> None:
    """BUYERS shoppers each with the code in their checkout form, one use left: all press
    "Place order" at once. Exactly one gets the discounted order; the others are refused
    at the code's field (400) and can order without it."""
    app.test_client_class = IsolatedClient
    product = make_product(name="Harbour Lights Tee", price="22.00", stock=BUYERS)
    db.session.add(DiscountCode(code="ONELEFT", kind="percent", value=D("50"), max_uses=5,
                                uses=4))
    db.session.commit()
    buyers = []
    for index in range(BUYERS):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.1.0.{index + 1}"
        assert add_to_cart(client, product.variants[0].id, 1).status_code == 303
        buyers.append((client, {**checkout_form(client), **ADDRESS, "country": "ES",
                                "discount_code": "ONELEFT",
                                "email": f"buyer{index}@example.com"}))
    results = post_checkouts_at_once(buyers)
    statuses = sorted(str(status) for status, _location, _body in results)
    assert statuses == ["303"] + ["400"] * (BUYERS - 1), statuses
    for status, _location, body in results:
        if status == 400:
            assert "“ONELEFT” has" in body and "used up" in body
    db.session.expire_all()
    [order] = db.session.scalars(db.select(Order))
    assert (order.discount_code, order.discount_total) == ("ONELEFT", D("11.00"))
    assert db.session.scalar(db.select(DiscountCode.uses)
                             .where(DiscountCode.code == "ONELEFT")) == 5
    assert db.session.scalar(db.select(db.func.count(DiscountUse.id))) == 1
    assert db.session.scalar(db.select(Variant.stock)
                             .where(Variant.id == product.variants[0].id)) == BUYERS - 1
    # a refused buyer still has the cart and can order without the code
    client, form = buyers[next(i for i, (s, _l, _b) in enumerate(results) if s == 400)]
    assert client.post("/checkout", data={**form, "discount_code": ""}).status_code == 303


def test_twenty_buyers_one_use_left_sqlite(app):
    """20 buyers at once on a code with 1 use left: exactly 1 discounted order (SQLite)."""
    crowd_on_last_use(app)


@pytest.mark.postgres
def test_twenty_buyers_one_use_left_postgres(pg_app):
    """The same crowd on PostgreSQL: exactly 1 discounted order, no deadlock."""
    crowd_on_last_use(pg_app)
