"""VAT through the real checkout: the demo tee to Spain, stored on the order and shown."""

from decimal import Decimal

import pytest

from store.extensions import db
from store.models import EmailMessage, Order
from store.notifications.delivery import flush_outbox
from tests.factories import make_order
from tests.shopping import (
    add_to_cart,
    checkout,
    isolated_requests,  # noqa: F401  (fixture)
    money_on,
)

D = Decimal


@pytest.fixture
def app_config():
    return {"STORE_DELIVER_AFTER_REQUEST": False}


def test_demo_tee_to_spain(client, auth, tee):
    """A guest buying the €22.00 tee for Spain pays 26.90, VAT included 4.67, everywhere."""
    # given the tee in the cart
    add_to_cart(client, tee.variants[0].id)
    cart = client.get("/cart").get_data(as_text=True)
    assert money_on(cart, "cart-total") == D("26.90")
    assert money_on(cart, "vat-included") == D("4.67") and "VAT 21 %" in cart
    # when the guest checks out to Spain
    response = checkout(client, country="ES")
    assert response.status_code == 303
    # then the order keeps the VAT snapshot
    order = db.session.scalar(db.select(Order))
    assert (order.subtotal, order.shipping_cost, order.total) == (D("22.00"), D("4.90"),
                                                                  D("26.90"))
    assert (order.tax_total, order.shipping_tax_rate, order.prices_include_tax) == (
        D("4.67"), D("21"), True)
    [line] = order.lines
    assert (line.unit_price_net, line.tax_rate, line.tax_amount) == (D("18.18"), D("21"),
                                                                     D("3.82"))
    # and the order page, the confirmation email and the back office say so
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert money_on(page, "order-total") == D("26.90")
    assert money_on(page, "vat-included") == D("4.67")
    flush_outbox()  # the confirmation is rendered when it is delivered
    mail = db.session.scalar(db.select(EmailMessage).where(
        EmailMessage.kind == "order_confirmation"))
    assert "VAT included · VAT 21 %: €4.67" in mail.body_text
    assert "VAT 21 %" in mail.body_html and "4.67" in mail.body_html
    auth.login("owner")
    admin = client.get(f"/admin/order/details/?id={order.id}").get_data(as_text=True)
    assert "VAT included: VAT 21 %" in admin and "4.67" in admin


def test_germany_and_the_rest_of_the_world(client, tee):
    """Shipped to Germany the VAT in the price is Germany's 19 % and shipping is the EU's
    12.00; to the US shipping is 25.00 and there is no VAT."""
    add_to_cart(client, tee.variants[0].id)
    checkout(client, country="DE")
    add_to_cart(client, tee.variants[0].id)
    checkout(client, country="US")
    de, us = db.session.scalars(db.select(Order).order_by(Order.id))
    assert de.lines[0].tax_rate == D("19") and de.lines[0].tax_amount == D("3.51")
    assert de.shipping_cost == D("12.00") and de.total == D("34.00")
    assert de.tax_total == D("3.51") + D("1.92")  # 12.00 shipping holds 1.92 at 19 %
    assert us.shipping_cost == D("25.00") and us.total == D("47.00")
    assert us.tax_total == D("0.00") and us.lines[0].unit_price_net == D("22.00")


def test_prices_without_vat_add_it(app, client, tee):
    """When catalog prices exclude VAT, the checkout shows "plus VAT" and charges it."""
    app.config["STORE_PRICES_INCLUDE_TAX"] = False
    add_to_cart(client, tee.variants[0].id)
    html = client.get("/checkout").get_data(as_text=True)
    assert "plus VAT" in html and money_on(html, "checkout-total") == D("32.55")
    checkout(client, country="ES")
    order = db.session.scalar(db.select(Order))
    assert (order.total, order.tax_total, order.prices_include_tax) == (D("32.55"),
                                                                       D("5.65"), False)


def test_orders_from_before_taxes_keep_their_totals(client, auth):
    """An order placed before taxes shows its old total and no made-up VAT."""
    order = make_order()
    assert order.tax_total is None
    auth.login("owner")
    admin = client.get(f"/admin/order/details/?id={order.id}").get_data(as_text=True)
    assert "unknown (placed before taxes)" in admin
    assert "VAT 21" not in admin


def test_vat_is_named_in_spanish(client, tee):
    """A Spanish visitor's cart says "IVA incluido" and "IVA 21 %"."""
    add_to_cart(client, tee.variants[0].id)
    html = client.get("/cart", headers={"Accept-Language": "es-ES,es;q=0.9"}).get_data(
        as_text=True)
    assert "IVA incluido" in html and "IVA 21 %" in html
