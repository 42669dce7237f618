"""Shipping: the demo shop's rates, free standard delivery above the threshold, method names."""

from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from store.errors import ValidationFailed
from store.extensions import db
from store.models import ShippingMethod, ShippingZone
from store.pricing import shipping
from tests.factories import make_product
from tests.shopping import add_to_cart, checkout_form

DEMO = {"SHIPPING_STANDARD": Decimal("4.90"), "SHIPPING_EXPRESS": Decimal("9.90"),
        "SHIPPING_FREE_THRESHOLD": Decimal("60.00")}


@pytest.mark.parametrize(("method", "subtotal", "cost"), [
    ("standard", "12.50", "4.90"),
    ("express", "12.50", "9.90"),
    ("standard", "59.99", "4.90"),   # just under the threshold
    ("standard", "60.00", "0.00"),   # at the threshold: free
    ("standard", "250.00", "0.00"),
    ("express", "250.00", "9.90"),   # express is never free
    ("standard", "0.00", "0.00"),    # nothing to ship
    ("express", "0.00", "0.00"),
])
def test_demo_rates(app, method, subtotal, cost):
    """Standard costs 4.90 and is free from 60, express always costs 9.90, as Decimal."""
    # given the demo zones (Spain's seeded from this configuration); when a cart is priced
    result = shipping.shipping_cost(method, Decimal(subtotal), DEMO)
    # then the cost is exact money
    assert result == Decimal(cost)
    assert isinstance(result, Decimal) and result.as_tuple().exponent == -2


def test_the_threshold_is_the_configured_one(app):
    """A shop that moves its free-shipping threshold gets it honoured."""
    # given a shop with free standard delivery from 100 (edited in the back office)
    standard = db.session.scalar(select(ShippingMethod).join(ShippingZone).where(
        ShippingZone.name == "Spain", ShippingMethod.code == "standard"))
    standard.free_above = Decimal("100.00")
    db.session.commit()
    # when carts of 60 and 100 are priced
    # then 60 pays the rate and 100 ships free
    assert shipping.shipping_cost("standard", Decimal("60.00")) == Decimal("4.90")
    assert shipping.shipping_cost("standard", Decimal("100.00")) == Decimal("0.00")


@pytest.mark.parametrize("method", ["pigeon", "", "STANDARD"])
def test_an_unknown_method_is_refused_clearly(app, method):
    """Asking for a delivery method the shop does not offer says to choose one."""
    with app.test_request_context(), pytest.raises(ValidationFailed) as refused:
        shipping.shipping_cost(method, Decimal("20.00"))
    assert refused.value.message == "Please choose a shipping method."
    assert refused.value.details == {"field": "shipping_method"}


def test_options_list_every_method_with_its_name_and_cost(app):
    """The checkout offers each method with its name and its price for this cart."""
    with app.test_request_context():
        offered = shipping.options(Decimal("70.00"))
    assert [(o.code, o.label, o.cost, o.free_above) for o in offered] == [
        ("standard", "Standard delivery (3–5 working days)", Decimal("0.00"), Decimal("60.00")),
        ("express", "Express delivery (1–2 working days)", Decimal("9.90"), None)]


def test_method_names_in_each_wording_and_language(app):
    """A method is named the same way everywhere, in English and in Spanish."""
    with app.test_request_context():
        assert [shipping.shipping_label("express", style) for style in ("full", "short", "total")
                ] == ["Express delivery (1–2 working days)", "Express delivery",
                      "Total with express delivery"]
        english = shipping.shipping_label("standard")
        with force_locale("es"):
            spanish = shipping.shipping_label("standard")
        # An old order's method that the shop no longer offers is shown as stored.
        unknown = shipping.shipping_label("pigeon")
    assert english == "Standard delivery (3–5 working days)"
    assert spanish == "Envío estándar (3–5 días laborables)"
    assert unknown == "pigeon"


def test_checkout_total_names_the_chosen_method(client):
    """The checkout's total line says which delivery it includes."""
    # given a cart
    add_to_cart(client, make_product(price="20.00").variants[0].id, 1)
    # when the checkout is shown, then posted incomplete with express chosen
    first = client.get("/checkout").get_data(as_text=True)
    again = client.post("/checkout", data={**checkout_form(client), "shipping_method": "express"}
                        ).get_data(as_text=True)
    # then the total line follows the method
    assert "Total with standard delivery" in first
    assert "Total with express delivery" in again
