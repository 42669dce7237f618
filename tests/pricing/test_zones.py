"""Shipping zones: which countries the shop ships to, by which methods, at what price."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from store.errors import ValidationFailed
from store.extensions import db
from store.models import Order, ShippingBand, ShippingMethod, ShippingZone
from store.pricing import shipping
from tests.conftest import csrf_from
from tests.factories import make_product
from tests.shopping import add_to_cart, checkout

D = Decimal


def _zone(name, countries, *methods, world=False):
    zone = ShippingZone(name=name, countries=list(countries), rest_of_world=world)
    zone.methods.extend(methods)
    db.session.add(zone)
    db.session.commit()
    return zone


def _banded(kind, bands, code="standard", free_above=None):
    return ShippingMethod(code=code, name="Courier", price_kind=kind, flat_price=D("0"),
                          free_above=free_above, active=True, position=0,
                          bands=[ShippingBand(upper_bound=None if upper is None else D(upper),
                                              price=D(price)) for upper, price in bands])


def _drop_rest_of_the_world():
    db.session.delete(db.session.scalar(select(ShippingZone).where(ShippingZone.rest_of_world)))
    db.session.commit()


# -- prices ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("country", "method", "subtotal", "cost"), [
    ("ES", "standard", "22.00", "4.90"),
    ("ES", "standard", "60.00", "0.00"),   # free from 60
    ("ES", "express", "80.00", "9.90"),    # express is never free
    ("DE", "standard", "22.00", "12.00"),
    ("DE", "standard", "500.00", "12.00"),
    ("US", "standard", "22.00", "25.00"),
    ("JP", "standard", "22.00", "25.00"),
])
def test_seeded_flat_prices_per_zone(app, country, method, subtotal, cost):
    """Spain pays 4.90 (free from 60) or 9.90 express, the EU 12.00, everyone else 25.00."""
    assert shipping.shipping_cost(method, D(subtotal), country=country) == D(cost)


def test_value_bands_price_by_order_value(app):
    """A method priced by order value charges the band the subtotal falls in."""
    # given Norway: up to 50 costs 15, up to 100 costs 10, above that 5
    _zone("Norway", ["NO"], _banded("value_bands", [("50", "15"), ("100", "10"), (None, "5")]))
    # when carts of different values are priced, then each pays its band (bounds inclusive)
    assert [shipping.shipping_cost("standard", D(v), country="NO")
            for v in ("10.00", "50.00", "50.01", "100.00", "900.00")] == [
        D("15.00"), D("15.00"), D("10.00"), D("10.00"), D("5.00")]


def test_weight_bands_price_by_weight_and_refuse_too_heavy(app):
    """A method priced by weight charges the parcel's band, and is not offered beyond it."""
    # given Switzerland: up to 1 kg costs 8, up to 5 kg 14, nothing heavier
    _zone("Switzerland", ["CH"], _banded("weight_bands", [("1", "8"), ("5", "14")]))
    cost = lambda kg: shipping.shipping_cost("standard", D("30"), country="CH",  # noqa: E731
                                             weight=D(kg))
    assert (cost("0.5"), cost("1"), cost("1.001"), cost("5")) == (
        D("8.00"), D("8.00"), D("14.00"), D("14.00"))
    # when the parcel weighs 6 kg, then the method is refused and not offered
    with app.test_request_context(), pytest.raises(ValidationFailed) as refused:
        cost("6")
    assert refused.value.details == {"field": "shipping_method"}
    with app.test_request_context():
        assert shipping.options(D("30"), country="CH", weight=D("6")) == []


def test_free_above_applies_to_banded_methods(app):
    """A banded method with a free-above threshold ships free from that subtotal."""
    _zone("Norway", ["NO"], _banded("weight_bands", [(None, "20")], free_above=D("150")))
    assert shipping.shipping_cost("standard", D("149.99"), country="NO", weight=D("3")) == D("20")
    assert shipping.shipping_cost("standard", D("150.00"), country="NO", weight=D("3")) == D("0")


def test_options_are_the_zones_methods(app):
    """The checkout offers Spain standard and express, the United States standard only."""
    with app.test_request_context():
        spain = shipping.options(D("20"), country="ES")
        usa = shipping.options(D("20"), country="US")
    assert [(o.code, o.cost, o.free_above) for o in spain] == [
        ("standard", D("4.90"), D("60.00")), ("express", D("9.90"), None)]
    assert [(o.code, o.cost) for o in usa] == [("standard", D("25.00"))]


def test_a_new_methods_name_comes_from_the_data(app):
    """A method added in the back office is named as the owner named it."""
    _zone("Norway", ["NO"], ShippingMethod(code="pickup", name="Pick up at the post office",
                                           price_kind="flat", flat_price=D("3"), active=True))
    with app.test_request_context():
        assert shipping.shipping_label("pickup") == "Pick up at the post office"
        assert shipping.shipping_label("pickup", "total") == (
            "Total with Pick up at the post office")
    assert "pickup" in shipping.METHODS and "drone" not in shipping.METHODS


# -- zones ----------------------------------------------------------------------------------

def test_zone_lookup(app):
    """Spain, an EU country and a far country each find their zone, whatever the case."""
    assert shipping.zone_for("es").name == "Spain"
    assert shipping.zone_for("DE").name == "European Union"
    assert shipping.zone_for("US").name == "Rest of the world"


def test_catch_all_ships_everywhere_and_without_it_a_country_is_refused(app):
    """With a rest-of-the-world zone every country is allowed; without it, only the zones'."""
    assert "US" in shipping.allowed_countries() and "JP" in shipping.allowed_countries()
    # given the shop stops shipping outside the EU
    _drop_rest_of_the_world()
    # then only the EU countries are allowed, and the United States is refused clearly
    assert shipping.allowed_countries() == sorted(shipping.EU_COUNTRIES)
    with app.test_request_context(), pytest.raises(ValidationFailed) as refused:
        shipping.shipping_cost("standard", D("20"), country="US")
    assert refused.value.message == "We do not ship to United States."
    assert refused.value.details == {"field": "country"}


def test_a_method_outside_the_zone_is_refused(app):
    """Express to the United States is refused, naming the method and the country."""
    with app.test_request_context(), pytest.raises(ValidationFailed) as refused:
        shipping.shipping_cost("express", D("20"), country="US")
    assert refused.value.message == ("Express delivery is not available to United States. "
                                     "Please choose another delivery.")
    assert refused.value.details == {"field": "shipping_method"}


def test_default_country_prices_when_none_is_given(app):
    """Before a country is chosen, carts are priced for the shop's default country."""
    app.config["STORE_DEFAULT_COUNTRY"] = "FR"
    assert shipping.shipping_cost("standard", D("20")) == D("12.00")


def test_seeding_twice_changes_nothing(app):
    """The demo zones are seeded into an empty shop only."""
    assert shipping.ensure_default_zones() is False
    assert db.session.scalar(select(func.count(ShippingZone.id))) == 3


# -- checks ---------------------------------------------------------------------------------

def test_overlapping_zones_are_refused(app):
    """A country already in a zone cannot be put in another one."""
    zone = ShippingZone(name="Iberia", countries=["PT", "ES"])
    with pytest.raises(ValidationFailed) as refused:
        shipping.check_zone(zone)
    assert refused.value.message == ("ES already in zone “Spain”: a country belongs to one zone "
                                     "only.")
    assert refused.value.details == {"field": "countries"}


def test_a_second_rest_of_the_world_is_refused(app):
    """Only one zone may catch every other country."""
    with pytest.raises(ValidationFailed) as refused:
        shipping.check_zone(ShippingZone(name="Far away", countries=[], rest_of_world=True))
    assert refused.value.details == {"field": "rest_of_world"}


@pytest.mark.parametrize(("change", "field"), [
    ({"code": "Next Day"}, "code"),
    ({"price_kind": "by_mood"}, "price_kind"),
    ({"flat_price": D("-1")}, "flat_price"),
    ({"free_above": D("-5")}, "free_above"),
])
def test_bad_method_input_is_refused(app, change, field):
    """A bad code or kind, a negative price or threshold is refused on its field."""
    method = ShippingMethod(**{"code": "standard", "name": "Standard", "price_kind": "flat",
                               "flat_price": D("5"), **change})
    with pytest.raises(ValidationFailed) as refused:
        shipping.check_method(method, [])
    assert refused.value.details == {"field": field}


@pytest.mark.parametrize(("bands", "message"), [
    ([("5", "-1")], "A band's price cannot be negative."),
    ([("-1", "3")], "A band's upper bound cannot be negative."),
    ([("5", "3"), ("5", "4")], "Band upper bounds must increase."),
    ([("5", "3"), ("2", "4")], "Band upper bounds must increase."),
    ([(None, "3"), ("2", "4")], "Only the last band may have no upper bound."),
    ([], "A banded price needs at least one band."),
])
def test_bad_bands_are_refused(app, bands, message):
    """Bands need non-negative prices and bounds that increase, with only the last open."""
    method = _banded("weight_bands", bands)
    with pytest.raises(ValidationFailed) as refused:
        shipping.check_method(method)
    assert refused.value.message == message


def test_unknown_country_codes_are_refused(app):
    """A zone of codes no country has is refused."""
    with pytest.raises(ValidationFailed) as refused:
        shipping.check_zone(ShippingZone(name="Atlantis", countries=["XX"]))
    assert refused.value.message == "Unknown country code: XX."


# -- back office ----------------------------------------------------------------------------

def test_owner_adds_a_zone_and_an_overlapping_one_is_refused(client, auth):
    """The owner adds Norway; a zone repeating Germany is refused and nothing is saved."""
    auth.login("owner")
    token = csrf_from(client, "/admin/shipping_zone/new/")
    added = client.post("/admin/shipping_zone/new/", data={
        "csrf_token": token, "name": "Nordics", "countries": "no, is", "position": "3"})
    assert added.status_code == 302
    refused = client.post("/admin/shipping_zone/new/", data={
        "csrf_token": token, "name": "Central", "countries": "CH DE", "position": "4"})
    assert "DE already in zone “European Union”" in refused.get_data(as_text=True)
    assert db.session.scalars(select(ShippingZone.name).order_by(ShippingZone.id)).all() == [
        "Spain", "European Union", "Rest of the world", "Nordics"]
    assert shipping.zone_for("IS").name == "Nordics"


def test_owner_adds_a_weight_banded_method_and_decreasing_bands_are_refused(client, auth):
    """Bands are entered with the method; bounds that go down are refused."""
    auth.login("owner")
    zone = _zone("Norway", ["NO"])
    token = csrf_from(client, "/admin/shipping_method/new/")
    form = {"csrf_token": token, "zone": str(zone.id), "code": "parcel", "name": "Parcel",
            "price_kind": "weight_bands", "flat_price": "0", "active": "y", "position": "0",
            "bands-0-upper_bound": "2", "bands-0-price": "7.50",
            "bands-1-upper_bound": "", "bands-1-price": "15"}
    bad = client.post("/admin/shipping_method/new/",
                      data={**form, "bands-0-upper_bound": "20", "bands-1-upper_bound": "10"})
    assert "Band upper bounds must increase." in bad.get_data(as_text=True)
    assert client.post("/admin/shipping_method/new/", data=form).status_code == 302
    assert shipping.shipping_cost("parcel", D("30"), country="NO", weight=D("3")) == D("15.00")


def test_staff_cannot_edit_shipping(client, auth):
    """Shipping prices are the owner's: staff get 403."""
    auth.login("staff")
    assert client.get("/admin/shipping_method/").status_code == 403


# -- checkout -------------------------------------------------------------------------------

def _order_shipping():
    return db.session.scalar(select(Order.shipping_cost))


@pytest.mark.parametrize(("country", "cost"), [("DE", "12.00"), ("US", "25.00"),
                                               ("ES", "4.90")])
def test_checkout_charges_the_countrys_zone(client, country, cost):
    """A €22.00 tee costs 12.00 to ship to Germany, 25.00 to the United States, 4.90 in Spain."""
    add_to_cart(client, make_product(price="22.00").variants[0].id, 1)
    assert checkout(client, country=country).status_code == 303
    assert _order_shipping() == D(cost)


def test_checkout_in_spain_ships_free_above_60(client):
    """Spanish orders of 60 or more ship free by standard delivery."""
    add_to_cart(client, make_product(price="30.00").variants[0].id, 2)
    assert checkout(client, country="ES").status_code == 303
    assert _order_shipping() == D("0.00")


def test_express_to_the_united_states_is_refused_with_its_methods(client):
    """Without JavaScript, express to the US re-renders the form with the US's methods only."""
    add_to_cart(client, make_product(price="22.00").variants[0].id, 1)
    response = checkout(client, country="US", shipping_method="express")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert ("Express delivery is not available to United States. Please choose another "
            "delivery.") in html
    assert 'value="express"' not in html and 'value="standard"' in html
    assert "€25.00" in html
    assert db.session.scalar(select(func.count(Order.id))) == 0


def test_checkout_form_shows_the_default_countrys_methods(client):
    """Before a country is chosen the form offers Spain's standard and express."""
    add_to_cart(client, make_product(price="22.00").variants[0].id, 1)
    html = client.get("/checkout").get_data(as_text=True)
    assert 'value="standard"' in html and 'value="express"' in html
    assert "Delivery options and prices to Spain." in html


def test_checkout_lists_only_countries_the_shop_ships_to(client):
    """Without a rest-of-the-world zone, a far country is neither listed nor accepted."""
    _drop_rest_of_the_world()
    add_to_cart(client, make_product(price="22.00").variants[0].id, 1)
    html = client.get("/checkout").get_data(as_text=True)
    assert '<option value="DE">' in html and '<option value="US">' not in html
    refused = checkout(client, country="US").get_data(as_text=True)
    assert "We do not ship to United States." in refused
    assert db.session.scalar(select(func.count(Order.id))) == 0


def test_checkout_prices_a_weight_banded_method_by_the_cart_weight(client):
    """Heavy carts pay the heavier band: the variants' weights times their quantities."""
    _zone("Norway", ["NO"], _banded("weight_bands", [("2", "10"), (None, "30")]))
    product = make_product(price="10.00")
    product.variants[0].weight = D("0.750")
    db.session.commit()
    add_to_cart(client, product.variants[0].id, 3)   # 2.25 kg
    assert checkout(client, country="NO").status_code == 303
    assert _order_shipping() == D("30.00")



def test_the_catch_all_zone_lists_countries_only(app, client):
    """"Rest of the world" means countries: no European Union, United Nations or unknown
    region in the checkout's country list."""
    allowed = shipping.allowed_countries()
    assert {"US", "JP", "ES"} <= set(allowed)
    assert not {"EU", "EZ", "UN", "ZZ"} & set(allowed)
