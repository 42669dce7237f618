"""Forms a browser can fill in and a screen reader can follow: autocomplete on every address
field, errors tied to their fields, and the first invalid field focused without scripts."""

import re

import pytest

from tests.factories import make_product
from tests.shopping import (
    add_to_cart,
    checkout,
    isolated_requests,  # noqa: F401  (fixture)
)

ADDRESS_FIELDS = {"full_name": "name", "address_line1": "address-line1",
                  "address_line2": "address-line2", "city": "address-level2",
                  "postal_code": "postal-code", "country": "country", "phone": "tel"}


@pytest.fixture
def app_config():
    return {"STORE_DELIVER_AFTER_REQUEST": False}


def tag(html: str, name: str) -> str:
    """The opening tag of the (first) form control with this name."""
    match = re.search(rf'<(?:input|select|textarea)\b[^>]*\bname="{name}"[^>]*>', html)
    assert match, f"no control named {name}"
    return match.group(0)


def test_checkout_fields_tell_the_browser_what_to_fill(client):
    """Every contact and address field of checkout names its autofill kind."""
    add_to_cart(client, make_product(stock=3).variants[0].id)
    html = client.get("/checkout").get_data(as_text=True)
    for name, token in {**ADDRESS_FIELDS, "email": "email", "discount_code": "off"}.items():
        assert f'autocomplete="{token}"' in tag(html, name), name


def test_checkout_errors_are_tied_to_their_fields_and_the_first_is_focused(client):
    """A checkout with a bad email and postal code says so next to each field; the email box,
    first in the form, is the one focused."""
    add_to_cart(client, make_product(stock=3).variants[0].id)
    response = checkout(client, email="not-an-email", postal_code="!!")
    assert response.status_code in (200, 400)
    html = response.get_data(as_text=True)
    email, postal = tag(html, "email"), tag(html, "postal_code")
    for control, field_id in ((email, "email"), (postal, "postal_code")):
        assert 'aria-invalid="true"' in control
        assert f'aria-describedby="{field_id}-error"' in control
    assert re.search(r'id="email-error">[^<]*valid email', html)
    assert re.search(r'id="postal_code-error">[^<]*valid postal code', html)
    assert "autofocus" in email and "data-first-error" in email
    assert html.count("autofocus") == 1 and html.count("data-first-error") == 1
    assert "aria-invalid" not in tag(html, "city")


def test_a_missing_delivery_choice_is_tied_to_the_radio_group(client):
    """No shipping method chosen: the radios name the error and the first one is focused."""
    add_to_cart(client, make_product(stock=3).variants[0].id)
    html = checkout(client, shipping_method="").get_data(as_text=True)
    first = tag(html, "shipping_method")
    assert 'aria-describedby="shipping_method-error"' in first and "autofocus" in first
    assert 'id="shipping_method-error"' in html


def test_address_book_and_profile_fields_autofill(client, auth):
    """The address book form, the profile name and the deletion password autofill."""
    auth.login("customer")
    html = client.get("/account/addresses/new").get_data(as_text=True)
    for name, token in ADDRESS_FIELDS.items():
        assert f'autocomplete="{token}"' in tag(html, name), name
    account = client.get("/account").get_data(as_text=True)
    assert 'autocomplete="name"' in tag(account, "full_name")
    assert 'autocomplete="current-password"' in tag(account, "password")


def test_address_errors_focus_the_first_invalid_field(client, auth):
    """An address without a name and city: the name box says why and is focused."""
    auth.login("customer")
    page = client.get("/account/addresses/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    html = client.post("/account/addresses/new", data={
        "csrf_token": token, "full_name": "", "address_line1": "Calle Mayor 1", "city": "",
        "postal_code": "28013", "country": "ES"}).get_data(as_text=True)
    name, city = tag(html, "full_name"), tag(html, "city")
    assert 'aria-describedby="full_name-error"' in name and "autofocus" in name
    assert 'aria-describedby="city-error"' in city and "autofocus" not in city
    assert 'id="city-error"' in html


def test_sign_in_and_register_errors_are_tied_to_their_fields(client, auth):
    """Registering with a short password names the field the error is about; a wrong
    sign-in is announced as an alert (without saying which part was wrong)."""
    user = auth.user("customer")
    page = client.get("/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    html = client.post("/register", data={"csrf_token": token, "email": "new@example.com",
                                          "password": "short", "password_confirm": "short"}
                       ).get_data(as_text=True)
    invalid = re.findall(r'<input\b[^>]*aria-invalid="true"[^>]*>', html)
    assert invalid, "no field is marked invalid"
    for control in invalid:
        field_id = re.search(r'\bid="([^"]+)"', control).group(1)
        assert f'aria-describedby="{field_id}-error"' in control
        assert re.search(rf'<ul id="{field_id}-error">\s*<li class="fs-error-msg">', html)
    wrong = client.post("/login", data={"csrf_token": token, "email": user.email,
                                        "password": "not the password at all"}
                        ).get_data(as_text=True)
    assert re.search(r'id="fs-form-errors" role="alert">\s*<ul>\s*<li', wrong)
