"""Helpers for tests that shop through the storefront like a customer (CSRF on)."""

import re
import threading
from decimal import Decimal

import pytest
from flask import has_app_context
from flask.testing import FlaskClient

from store.extensions import db
from tests.conftest import csrf_from


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context, as in production.

    The `app` fixture keeps one app context open for the whole test, and Flask reuses it for
    requests: `g` (the CSRF token, the signed-in user) and the database session would then
    leak from one client or request to the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if has_app_context():
            # The test's own session starts a new read, so it sees what the request committed.
            db.session.rollback()
        return response


class ShopClient(IsolatedClient):
    """A browser against a real server: each request in its own app context, and closed as
    a real server closes it (which is when the app delivers the mail the request committed)."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


@pytest.fixture(autouse=True)
def isolated_requests(app):
    """Every test client of this test's app isolates its requests."""
    app.test_client_class = IsolatedClient
    yield

ADDRESS = {
    "email": "ana@example.com", "full_name": "Ana García", "address_line1": "Calle Mayor 1",
    "address_line2": "", "city": "Madrid", "postal_code": "28013", "country": "ES",
    "phone": "+34 600 000 000", "shipping_method": "standard", "payment_method": "manual",
}


def hidden(html: str, name: str) -> str:
    """The value of a hidden input on a page."""
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html) or re.search(
        rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


def add_to_cart(client, variant_id, quantity=1, **extra):
    """Post the product page's add-to-cart form."""
    data = {"csrf_token": csrf_from(client, "/cart"), "variant_id": variant_id,
            "quantity": quantity, **extra}
    return client.post("/cart/items", data=data)


def update_line(client, line_id, quantity):
    """Post a cart line's quantity form."""
    return client.post(f"/cart/items/{line_id}",
                       data={"csrf_token": csrf_from(client, "/cart"), "quantity": quantity})


def checkout_form(client) -> dict:
    """Open the checkout page and return its hidden fields (CSRF and checkout token)."""
    response = client.get("/checkout")
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    return {"csrf_token": hidden(html, "csrf_token"),
            "checkout_token": hidden(html, "checkout_token")}


def checkout(client, form: dict | None = None, follow_redirects: bool = False, **fields):
    """Fill in and post the checkout form; returns the response."""
    data = dict(form or checkout_form(client))
    data.update(ADDRESS)
    data.update(fields)
    return client.post("/checkout", data=data, follow_redirects=follow_redirects)


def money_on(html: str, css_class: str) -> Decimal:
    """A money amount shown in an element with a class, e.g. `cart-total`."""
    match = re.search(rf'class="{css_class}">[^0-9]*([0-9.,]+)', html)
    assert match, f"no {css_class} on the page"
    return Decimal(match.group(1).replace(",", ""))


def flashes(html: str) -> list[str]:
    """The flashed messages shown on a page."""
    import html as html_lib

    return [html_lib.unescape(m) for m in re.findall(r'class="flash[^"]*"[^>]*>([^<]*)<', html)]


def post_checkouts_at_once(buyers: list) -> list:
    """Post every buyer's checkout form at the same moment, one thread each.

    `buyers` holds (client, form) pairs; returns (status, Location, body) per buyer, in order.
    An exception is reported as its repr in place of the status, never hidden.
    """
    start = threading.Barrier(len(buyers))
    results: list = [None] * len(buyers)

    def buy(index: int) -> None:
        client, form = buyers[index]
        start.wait(timeout=60)
        try:
            response = client.post("/checkout", data=form)
            results[index] = (response.status_code, response.headers.get("Location", ""),
                              response.get_data(as_text=True))
        except Exception as exc:  # reported to the test as a failure
            results[index] = (repr(exc), "", "")

    threads = [threading.Thread(target=buy, args=(i,)) for i in range(len(buyers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a buyer hung (deadlock?)"
    return results
