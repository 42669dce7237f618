"""The back-office settings page: owners edit the shop's settings through a CSRF form."""

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from store.extensions import db
from store.models import AuditEvent, EmailMessage, Order
from store.notifications.delivery import flush_outbox
from store.settings.services import get_settings
from tests.conftest import Auth, csrf_from, make_app
from tests.factories import make_product
from tests.shopping import (
    IsolatedClient,
    add_to_cart,
    checkout,
    isolated_requests,  # noqa: F401  (fixture)
)

URL = "/admin/settings/"


@pytest.fixture
def app_config():
    return {"STORE_NAME": "Harbour Goods", "STORE_BANK_DETAILS": "IBAN ES11 2222",
            "STORE_DELIVER_AFTER_REQUEST": False}


def form_values(client) -> dict:
    """The settings form as the page shows it, with its CSRF token."""
    html = client.get(URL).get_data(as_text=True)
    values = {name: unescape(value) for name, value in re.findall(
        r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', html)}
    values.update({name: unescape(text) for name, text in re.findall(
        r'<textarea[^>]*name="([a-z_]+)"[^>]*>\s*([^<]*)</textarea>', html)})
    values["default_country"] = re.search(r'<option selected value="([A-Z]{2})"', html).group(1)
    checkbox = re.search(r'<input[^>]*name="prices_include_tax"[^>]*>', html).group(0)
    if "checked" not in checkbox:
        del values["prices_include_tax"]  # a browser sends no unticked box
    return values


def save(client, **changes):
    """Post the settings form with some fields changed."""
    return client.post(URL, data={**form_values(client), **changes})


def test_owner_changes_a_setting_through_the_form(client, auth):
    """An owner edits the bank details and hold time; they are saved and logged."""
    owner = auth.login("owner")
    page = client.get(URL).get_data(as_text=True)
    assert "IBAN ES11 2222" in page and "Harbour Goods" in page
    response = save(client, bank_details="IBAN ES22 3333\nBanco Ejemplo",
                    manual_hold_hours="24")
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:3000]
    settings = get_settings()
    assert settings.bank_details == "IBAN ES22 3333\nBanco Ejemplo"
    assert settings.manual_hold_hours == 24 and settings.shop_name == "Harbour Goods"
    assert settings.prices_include_tax is True and settings.default_country == "ES"
    db.session.rollback()
    [event] = db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "store_settings"))
    assert event.user_id == owner.id
    assert set(event.changes) == {"bank_details", "manual_hold_hours"}
    assert "Settings saved" in client.get(URL).get_data(as_text=True)
    values = form_values(client)
    del values["prices_include_tax"]  # untick "prices include tax"
    assert client.post(URL, data=values).status_code in (302, 303)
    assert get_settings().prices_include_tax is False


@pytest.mark.parametrize(("field", "value", "message"), [
    ("manual_hold_hours", "0", "at least 1"),
    ("manual_hold_hours", "three", "must be a whole number"),
    ("default_country", "XX", "choose a country"),
    ("contact_email", "shop@", "not a valid email"),
])
def test_a_bad_value_is_refused_with_a_message(client, auth, field, value, message):
    """A bad value is shown back with a message and nothing is saved."""
    auth.login("owner")
    before = get_settings()
    response = save(client, bank_details="IBAN CHANGED", **{field: value})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert get_settings() == before


def test_a_post_without_csrf_token_changes_nothing(client, auth):
    """The form refuses a post without its CSRF token."""
    auth.login("owner")
    before = get_settings()
    values = form_values(client)
    del values["csrf_token"]
    response = client.post(URL, data={**values, "bank_details": "IBAN FORGED"})
    assert response.status_code == 400
    assert get_settings() == before


def test_staff_get_403_and_visitors_go_to_login(client, auth):
    """Staff cannot open or post the settings page; visitors are sent to sign in."""
    response = client.get(URL)
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    auth.login("staff")
    token = csrf_from(client, "/")
    before = get_settings()
    assert client.get(URL).status_code == 403
    assert client.post(URL, data={"csrf_token": token, "bank_details": "X"}).status_code == 403
    assert get_settings() == before
    assert "/admin/settings/" not in client.get("/admin/").get_data(as_text=True)


@pytest.mark.sqlite_only
def test_a_save_in_one_worker_shows_in_the_other_on_its_next_request(app, client, auth,
                                                                     tmp_path):
    """Two workers on one database: the other shows the new value without a restart."""
    auth.login("owner")
    assert save(client, bank_details="IBAN FIRST 1111").status_code in (302, 303)
    worker_b = make_app(tmp_path, STORE_NAME="Harbour Goods", STORE_BANK_DETAILS="IBAN ES11 2222")
    worker_b.test_client_class = IsolatedClient
    client_b = worker_b.test_client()
    Auth(worker_b, client_b).login("owner")
    assert "IBAN FIRST 1111" in client_b.get(URL).get_data(as_text=True)  # B caches it
    assert save(client, bank_details="IBAN NEW 4444").status_code in (302, 303)
    assert "IBAN NEW 4444" in client_b.get(URL).get_data(as_text=True)
    with worker_b.app_context():
        db.engine.dispose()


def test_bank_details_and_hold_time_reach_the_next_order(client, auth, shop):
    """New bank details show in the next order's confirmation; a new hold time sets its
    payment deadline."""
    product = make_product(stock=5)
    auth.login("owner")
    assert save(client, bank_details="IBAN ES55 6666", manual_hold_hours="12").status_code \
        in (302, 303)
    add_to_cart(shop, product.variants[0].id, 1)
    assert checkout(shop).status_code == 303
    order = db.session.scalar(select(Order).order_by(Order.id.desc()))
    assert order.payment_due_at - order.created_at == timedelta(hours=12)
    flush_outbox()  # the confirmation is rendered when it is delivered
    email = db.session.scalar(select(EmailMessage).where(
        EmailMessage.order_id == order.id, EmailMessage.kind == "order_confirmation"))
    assert "IBAN ES55 6666" in email.body_text and "IBAN ES11 2222" not in email.body_text
    assert email.subject.startswith("Harbour Goods: ")


def test_a_new_shop_name_shows_on_pages_and_in_emails(client, auth, shop):
    """Renaming the shop in the back office renames the storefront and the emails at once."""
    product = make_product(stock=5)
    auth.login("owner")
    assert "Harbour Goods" in shop.get("/").get_data(as_text=True)
    assert save(client, shop_name="Lighthouse Store").status_code in (302, 303)
    home = shop.get("/").get_data(as_text=True)
    assert "Lighthouse Store" in home and "Harbour Goods" not in home
    add_to_cart(shop, product.variants[0].id, 1)
    assert checkout(shop).status_code == 303
    flush_outbox()  # the confirmation is rendered when it is delivered
    email = db.session.scalar(select(EmailMessage).where(
        EmailMessage.kind == "order_confirmation"))
    assert "Lighthouse Store" in email.body_text and "Harbour Goods" not in email.body_text
