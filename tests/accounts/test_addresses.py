"""The address book at /account: add, edit, delete and choose a default, only one's own."""

import re

import pytest
from sqlalchemy import select

from store.accounts import addresses as address_book
from store.extensions import db
from store.models import Address, Order
from tests.conftest import PASSWORD, csrf_from
from tests.factories import make_product
from tests.shopping import ADDRESS, add_to_cart, checkout, checkout_form, flashes

HOME = {"full_name": "Ana García", "address_line1": "Calle Mayor 1", "address_line2": "",
        "city": "Madrid", "postal_code": "28013", "country": "ES", "phone": ""}
WORK = {"full_name": "Ana García", "address_line1": "Rua Augusta 10", "address_line2": "3º",
        "city": "Lisboa", "postal_code": "1100-053", "country": "PT", "phone": "+351 21 000 0000"}


def sign_in(client, auth, email="ana@example.com"):
    user = auth.user("customer", email)
    response = client.post("/login", data={"email": email, "password": PASSWORD,
                                           "csrf_token": csrf_from(client, "/login")})
    assert response.status_code in (302, 303)
    return user


def add(client, fields, **extra):
    data = {**fields, **extra, "csrf_token": csrf_from(client, "/account/addresses/new")}
    return client.post("/account/addresses/new", data=data)


def rows(user_id):
    db.session.rollback()
    return [(a.id, a.city, a.is_default) for a in db.session.scalars(
        select(Address).where(Address.user_id == user_id).order_by(Address.id))]


@pytest.fixture
def ana(shop, auth):
    return sign_in(shop, auth)


@pytest.mark.parametrize("path", ["/account", "/account/addresses/new",
                                  "/account/addresses/1/edit"])
def test_a_visitor_is_sent_to_sign_in(shop, path):
    """Someone not signed in who opens the account pages is sent to the login page."""
    response = shop.get(path)
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["Location"]


def test_a_customer_adds_addresses_and_the_first_is_the_default(shop, ana):
    """The first saved address is the default; the second is listed and can become it."""
    response = add(shop, HOME)
    assert response.status_code == 303
    assert add(shop, WORK).status_code == 303
    page = shop.get("/account").get_data(as_text=True)
    assert "Calle Mayor 1" in page and "Rua Augusta 10" in page
    assert "Portugal" in page  # the country's name, not its code
    home, work = rows(ana.id)
    assert home[2] is True and work[2] is False
    response = shop.post(f"/account/addresses/{work[0]}/default",
                         data={"csrf_token": csrf_from(shop, "/account")})
    assert response.status_code == 303
    assert [default for _id, _city, default in rows(ana.id)] == [False, True]


def test_country_names_follow_the_reader_language(shop, ana):
    """In Spanish the country list and the saved address name countries in Spanish."""
    shop.post("/locale", data={"locale": "es", "next": "/",
                               "csrf_token": csrf_from(shop, "/")})
    form = shop.get("/account/addresses/new").get_data(as_text=True)
    assert ">Alemania<" in form
    add(shop, WORK)
    assert "Portugal" in shop.get("/account").get_data(as_text=True)
    add(shop, {**HOME, "country": "DE", "postal_code": "10115", "city": "Berlin"})
    assert "Alemania" in shop.get("/account").get_data(as_text=True)


@pytest.mark.parametrize("field, value, message", [
    ("city", "  ", "Please fill in this field."),
    ("postal_code", "28013!", "Please enter a valid postal code."),
    ("country", "XX", "Not a valid choice."),
    ("phone", "call me", "Please enter a valid phone number."),
    ("address_line1", "x" * 201, "Field cannot be longer than 200 characters."),
])
def test_a_wrong_field_is_named_and_nothing_is_saved(shop, ana, field, value, message):
    """Checkout's rules apply: a bad field is reported on the form and nothing is saved."""
    response = add(shop, {**HOME, field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert rows(ana.id) == []


def test_a_customer_edits_an_address(shop, ana):
    """Editing changes the saved address; a bad edit changes nothing."""
    add(shop, HOME)
    (address_id, _city, _default), = rows(ana.id)
    path = f"/account/addresses/{address_id}/edit"
    page = shop.get(path).get_data(as_text=True)
    assert 'value="Calle Mayor 1"' in page
    bad = shop.post(path, data={**HOME, "city": "", "csrf_token": csrf_from(shop, path)})
    assert bad.status_code == 400
    assert rows(ana.id) == [(address_id, "Madrid", True)]
    response = shop.post(path, data={**HOME, "city": "Toledo", "postal_code": "45001",
                                     "is_default": "y", "csrf_token": csrf_from(shop, path)})
    assert response.status_code == 303
    assert rows(ana.id) == [(address_id, "Toledo", True)]
    assert re.search(r'<input checked id="is_default"', shop.get(path).get_data(as_text=True))
    # Unticking "use by default" makes it an ordinary address again.
    shop.post(path, data={**HOME, "city": "Toledo", "postal_code": "45001",
                          "csrf_token": csrf_from(shop, path)})
    assert rows(ana.id) == [(address_id, "Toledo", False)]


def test_another_customers_address_is_not_found_and_unchanged(shop, auth):
    """Bea cannot see, edit, delete or pick as default an address of Ana's: 404 each time."""
    ana = auth.user("customer", "ana@example.com")
    mine = address_book.add_address(ana, HOME)
    address_book.add_address(ana, WORK)
    before = rows(ana.id)
    sign_in(shop, auth, "bea@example.com")
    token = csrf_from(shop, "/account")
    assert shop.get(f"/account/addresses/{mine.id}/edit").status_code == 404
    assert shop.post(f"/account/addresses/{mine.id}/edit",
                     data={**WORK, "csrf_token": token}).status_code == 404
    assert shop.post(f"/account/addresses/{mine.id}/delete",
                     data={"csrf_token": token}).status_code == 404
    assert shop.post(f"/account/addresses/{before[1][0]}/default",
                     data={"csrf_token": token}).status_code == 404
    assert rows(ana.id) == before
    assert "Calle Mayor" not in shop.get("/account").get_data(as_text=True)


def test_deleting_an_address_leaves_the_order_shipped_there(shop, ana):
    """An order keeps the address it was sent to after the saved address is deleted."""
    variant = make_product(stock=5).variants[0]
    add_to_cart(shop, variant.id)
    response = checkout(shop, save_address="y", email=ana.email)
    assert response.status_code == 303
    (address_id, _city, _default), = rows(ana.id)
    response = shop.post(f"/account/addresses/{address_id}/delete",
                         data={"csrf_token": csrf_from(shop, "/account")})
    assert response.status_code == 303
    assert "The address is deleted." in flashes(shop.get("/account").get_data(as_text=True))
    assert rows(ana.id) == []
    order = db.session.scalar(select(Order).where(Order.user_id == ana.id))
    assert (order.address_line1, order.city) == (ADDRESS["address_line1"], ADDRESS["city"])


def _preselected(shop) -> str:
    html = shop.get("/checkout").get_data(as_text=True)
    match = re.search(r'name="address_id" value="(\d+)" checked', html)
    return match and match.group(1)


def test_checkout_preselects_the_default_address_else_the_newest(shop, ana):
    """Checkout offers the saved addresses with the default one chosen; without a default,
    the newest."""
    add_to_cart(shop, make_product(stock=5).variants[0].id)
    add(shop, HOME)
    add(shop, WORK)
    home, work = rows(ana.id)
    assert _preselected(shop) == str(home[0])  # the first saved became the default
    shop.post(f"/account/addresses/{work[0]}/default",
              data={"csrf_token": csrf_from(shop, "/account")})
    assert _preselected(shop) == str(work[0])
    # The delivery options are priced for the default address's country (Portugal: EU).
    assert "Portugal" in shop.get("/checkout").get_data(as_text=True)
    shop.post(f"/account/addresses/{work[0]}/delete",
              data={"csrf_token": csrf_from(shop, "/account")})
    add(shop, {**HOME, "city": "Toledo", "postal_code": "45001"})
    newest = rows(ana.id)[-1][0]
    assert [default for *_rest, default in rows(ana.id)] == [False, False]
    assert _preselected(shop) == str(newest)
    # The saved address has no phone: what the form's phone box held does not matter.
    form = checkout_form(shop)
    response = checkout(shop, form, address_id=str(newest), email=ana.email)
    assert response.status_code == 303
    order = db.session.scalar(select(Order).where(Order.user_id == ana.id))
    assert order.city == "Toledo"
