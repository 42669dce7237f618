"""Back office discount codes: owners create and change them, bad values are refused, staff
see them with their uses and orders but cannot change them."""

from decimal import Decimal

import pytest

from store.extensions import db
from store.models import DiscountCode
from tests.conftest import csrf_from
from tests.factories import make_category, make_product
from tests.shopping import add_to_cart, checkout

D = Decimal
NEW = "/admin/discount_code/new/"


def code_form(client, **fields) -> dict:
    form = {"csrf_token": csrf_from(client, NEW), "code": "summer25", "kind": "percent",
            "value": "25", "min_subtotal": "0", "active": "y"}
    form.update(fields)
    return form


def test_owner_creates_a_code_for_a_category(client, auth):
    """The owner adds SUMMER25 for books; it is stored upper-case with its category."""
    # given the owner and a category
    auth.login("owner")
    books = make_category(name="Books")
    # when they save a code typed in lower case
    response = client.post(NEW, data=code_form(client, categories=str(books.id),
                                               max_uses="100", max_uses_per_customer="1"))
    # then it is saved as SUMMER25 with its limits
    assert response.status_code == 302
    code = db.session.scalar(db.select(DiscountCode).where(DiscountCode.code == "SUMMER25"))
    assert (code.value, code.max_uses, code.max_uses_per_customer) == (D("25.00"), 100, 1)
    assert [c.name for c in code.categories] == ["Books"]


@pytest.mark.parametrize(("fields", "message"), [
    ({"value": "120"}, "A percentage is from 0 to 100"),
    ({"kind": "fixed", "value": "-5"}, "Number must be at least 0"),
    ({"min_subtotal": "-1"}, "Number must be at least 0"),
    ({"starts_at": "2026-12-10 00:00:00", "ends_at": "2026-12-01 00:00:00"},
     "The end must be after the start."),
    ({"code": "welcome10"}, "There is already a code WELCOME10."),
    ({"max_uses": "0"}, "Number must be at least 1"),
])
def test_bad_codes_are_refused(client, auth, fields, message):
    """A percentage over 100, negative amounts, an end before the start, a second
    WELCOME10 or a limit of 0 uses are refused and nothing is saved."""
    auth.login("owner")
    response = client.post(NEW, data=code_form(client, **fields))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(DiscountCode.id))) == 1


def test_staff_see_uses_and_orders_but_cannot_change_codes(app, client, auth):
    """Staff see WELCOME10's uses and the order that used it; creating is the owner's."""
    # given an order placed with WELCOME10
    tee = make_product(name="Harbour Lights Tee", price="22.00")
    add_to_cart(client, tee.variants[0].id)
    assert checkout(client, country="ES", discount_code="WELCOME10").status_code == 303
    code = db.session.scalar(db.select(DiscountCode))
    # when staff open the codes and the code's details
    auth.login("staff")
    listing = client.get("/admin/discount_code/").get_data(as_text=True)
    details = client.get(f"/admin/discount_code/details/?id={code.id}").get_data(as_text=True)
    # then they see one use and the order, but may not create codes
    assert "WELCOME10" in listing and "10 %" in listing
    number = db.session.scalar(db.select(db.text("number FROM \"order\"")))
    assert number in details and "/admin/order/details/" in details
    assert client.get(NEW).status_code == 403
    token = csrf_from(client, "/admin/discount_code/")
    assert client.post(NEW, data={"csrf_token": token, "code": "X",
                                  "kind": "percent"}).status_code == 403


def test_compare_at_price_in_the_variant_form(client, auth):
    """The owner can set a variant's sale "was" price in the product form."""
    auth.login("owner")
    page = client.get("/admin/product/new/").get_data(as_text=True)
    assert "Compare-at price" in page
