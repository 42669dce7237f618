"""Storefront forms fed generated input: never a 500, and a refused request changes nothing."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import csrf_from
from tests.factories import make_product
from tests.shopping import ADDRESS, add_to_cart, checkout_form
from tests.test_csrf_walk import database_rows

FUZZ = settings(max_examples=30, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

NASTY = ["", " ", "0", "-1", "1.5", "1e9", "99999999999999999999", "NaN", "null", "\x00",
         "\r\n", "../../etc/passwd", "<script>alert(1)</script>", "' OR 1=1 --", "%00",
         "\u202e", "é" * 300, "a@b", "a@example.com", "ES", "standard", "manual", "/", "//x"]

text = st.one_of(st.text(max_size=120), st.sampled_from(NASTY),
                 st.integers(min_value=-10**20, max_value=10**20).map(str))


def send(client, path: str, data: dict):
    """Post a form; the shop may refuse it, but never with a 500 or half a change."""
    before = database_rows()
    response = client.post(path, data=data)
    assert response.status_code < 500, (path, data, response.get_data(as_text=True)[:500])
    if response.status_code >= 400:
        assert database_rows() == before, (path, data)
    return response


@pytest.fixture
def variant(app):
    """A product in stock, for forms that name one."""
    return make_product(stock=100_000).variants[0]


@FUZZ
@given(variant_id=text, quantity=text)
def test_cart_add_survives_any_input(shop, variant, variant_id, quantity):
    """Adding anything to the cart is a cart line or a message, never an error page."""
    send(shop, "/cart/items", {"csrf_token": csrf_from(shop, "/cart"),
                               "variant_id": variant_id, "quantity": quantity})


@FUZZ
@given(quantity=text, line=st.one_of(st.just(None), st.integers(min_value=0, max_value=10**9)))
def test_cart_update_survives_any_input(shop, variant, quantity, line):
    """Changing a cart line to anything (or someone else's line) is handled."""
    add_to_cart(shop, variant.id)
    line_id = line if line is not None else variant.id
    send(shop, f"/cart/items/{line_id}", {"csrf_token": csrf_from(shop, "/cart"),
                                          "quantity": quantity})


checkout_fields = st.fixed_dictionaries(
    {}, optional={name: text for name in (*ADDRESS, "discount_code", "address_id",
                                          "save_address", "checkout_token")})


@FUZZ
@given(fields=checkout_fields)
def test_checkout_survives_any_input(shop, variant, fields):
    """Checkout with any mix of fields places an order or explains what is wrong."""
    add_to_cart(shop, variant.id)
    data = checkout_form(shop) | dict(ADDRESS) | fields
    before = database_rows()
    response = send(shop, "/checkout", data)
    if "/orders/" not in response.headers.get("Location", ""):
        assert database_rows() == before, data  # not placed: no order, no stock taken


@FUZZ
@given(fields=st.fixed_dictionaries({}, optional={"name": text, "email": text,
                                                  "message": text, "order_number": text}))
def test_support_form_survives_any_input(shop, fields):
    """The contact form with anything in it is sent or refused with a message."""
    send(shop, "/support", {"csrf_token": csrf_from(shop, "/support")} | fields)


@FUZZ
@given(locale=text, target=st.one_of(text, st.sampled_from(["/products/", "/cart\r\nX: 1",
                                                           "/%09/evil.example/", "/\\x"]),
                                     st.text(max_size=40).map(lambda rest: "/" + rest)))
def test_language_switch_survives_any_input(shop, locale, target):
    """Any language or return address switches, or is refused with a 400."""
    send(shop, "/locale", {"csrf_token": csrf_from(shop, "/"), "locale": locale,
                           "next": target})


@pytest.mark.parametrize("path, names", [
    ("/login", ("email", "password", "remember")),
    ("/register", ("email", "password", "password_confirm")),
    ("/reset", ("email",)),
])
def test_account_forms_survive_any_input(shop, path, names):
    """Sign-in, registration and reset requests with any input answer without a 500."""

    @FUZZ
    @given(fields=st.fixed_dictionaries({}, optional={name: text for name in names}))
    def attempt(fields):
        send(shop, path, {"csrf_token": csrf_from(shop, path)} | fields)

    attempt()
