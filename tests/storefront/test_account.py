"""The customer's own page at /account: profile, password, recent orders and the data file."""

import json
import re

from sqlalchemy import select

from store.accounts import addresses as address_book
from store.extensions import db
from store.models import AuditEvent, User
from store.support.services import open_ticket
from tests.conftest import PASSWORD, csrf_from
from tests.factories import make_order
from tests.shopping import flashes

HOME = {"full_name": "Ana García", "address_line1": "Calle Mayor 1", "city": "Madrid",
        "postal_code": "28013", "country": "ES"}


def sign_in(client, auth, email="ana@example.com", password=PASSWORD, role="customer"):
    user = auth.user(role, email)
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": csrf_from(client, "/login")})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:1000]
    return user


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_the_account_page_shows_the_customer_and_only_their_orders(shop, auth):
    """The nav leads to /account, which shows the email, a link to change the password, the
    customer's latest orders (not another's) and a link to the full history."""
    ana = sign_in(shop, auth)
    mine = make_order(user=ana, status="paid")
    theirs = make_order(user=auth.user("customer", "bea@example.com"))
    home = shop.get("/").get_data(as_text=True)
    assert 'href="/account">My account<' in home
    page = shop.get("/account")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "ana@example.com" in html
    assert 'href="/change"' in html
    assert mine.number in html and theirs.number not in html
    assert 'href="/account/orders"' in html
    assert "Download my data" in html and "Delete my account" in html


def test_the_account_page_in_spanish(shop, auth):
    """A Spanish reader gets the page in Spanish."""
    sign_in(shop, auth)
    shop.post("/locale", data={"locale": "es", "next": "/",
                               "csrf_token": csrf_from(shop, "/")})
    html = shop.get("/account").get_data(as_text=True)
    assert "Mi cuenta" in html and "Libreta de direcciones" in html
    assert "Descargar mis datos" in html and "Eliminar mi cuenta" in html


def test_a_customer_changes_their_name(shop, auth):
    """The full name is saved, trimmed, and checkout will prefill it; too long is refused."""
    ana = sign_in(shop, auth)
    response = shop.post("/account/profile", data={"full_name": "  Ana   María ",
                                                   "csrf_token": csrf_from(shop, "/account")})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, ana.id).full_name == "Ana María"
    assert "Your details are saved." in flashes(shop.get("/account").get_data(as_text=True))
    bad = shop.post("/account/profile", data={"full_name": "x" * 121,
                                              "csrf_token": csrf_from(shop, "/account")})
    assert bad.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, ana.id).full_name == "Ana María"


def test_a_customer_changes_their_password_and_signs_in_with_the_new_one(shop, auth):
    """/change (linked from /account) is a storefront page; after the change the old password
    no longer signs in and the new one does."""
    sign_in(shop, auth)
    page = shop.get("/change")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'class="site-header"' in html and "style=" not in html
    # Scripts only as files carrying the page's nonce (the search box's island), none inline.
    assert all(" src=" in tag and " nonce=" in tag for tag in re.findall(r"<script\b[^>]*>", html))
    assert 'href="/account"' in html
    # Every form on the page carries a CSRF token (the default menu's sign-out form did not).
    assert html.lower().count('method="post"') == html.count('name="csrf_token"')
    new = "violet tractor ninety sundial"
    response = shop.post("/change", data={"password": PASSWORD, "new_password": new,
                                          "new_password_confirm": new,
                                          "csrf_token": csrf_from(shop, "/change")})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[-1500:]
    shop.post("/logout", data={"csrf_token": csrf_from(shop, "/")})
    assert not signed_in(shop)
    old = shop.post("/login", data={"email": "ana@example.com", "password": PASSWORD,
                                    "csrf_token": csrf_from(shop, "/login")})
    assert old.status_code == 200 and not signed_in(shop)
    sign_in(shop, auth, password=new)
    assert signed_in(shop)


def test_the_data_download_holds_the_customers_data_and_nobody_elses(shop, auth):
    """"Download my data" returns a JSON file, not cached, with the customer's orders,
    addresses and messages and nothing of another customer; the download is audited."""
    ana = sign_in(shop, auth)
    bea = auth.user("customer", "bea@example.com")
    mine = make_order(user=ana, status="paid")
    theirs = make_order(user=bea, status="paid")
    address_book.add_address(ana, HOME)
    address_book.add_address(bea, {**HOME, "address_line1": "Bea's street 9"})
    open_ticket("Ana", "ana@example.com", "Where is my parcel?")
    open_ticket("Bea", "bea@example.com", "Bea's secret question")
    response = shop.post("/account/export", data={"csrf_token": csrf_from(shop, "/account")})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "ana@example.com"
    assert [o["number"] for o in data["orders"]] == [mine.number]
    assert [a["address_line1"] for a in data["addresses"]] == ["Calle Mayor 1"]
    assert [t["message"] for t in data["support_tickets"]] == ["Where is my parcel?"]
    body = response.get_data(as_text=True)
    assert theirs.number not in body and "bea@example.com" not in body
    assert "Bea's" not in body
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "export", AuditEvent.user_id == ana.id)) is not None


def test_the_data_download_is_a_post_for_signed_in_customers(shop, auth):
    """A visitor is sent to sign in; a GET downloads nothing."""
    assert shop.post("/account/export", data={"csrf_token": csrf_from(shop, "/")}) \
        .status_code in (302, 303)
    sign_in(shop, auth)
    assert shop.get("/account/export").status_code == 405
