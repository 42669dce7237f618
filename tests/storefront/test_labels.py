"""Customers read names, not codes: carrier, payment, delivery, country and dates in their
language, on the order page, the order history and the order emails."""

import html as html_lib
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_datetime
from sqlalchemy import select

from store.config import ConfigError, _timezone, load_config
from store.database import write_transaction
from store.extensions import db
from store.models import Address, EmailMessage, Order
from store.notifications.delivery import flush_outbox
from store.orders import emails as order_emails
from store.orders import services as orders
from store.orders.access import order_url
from tests.conftest import csrf_from
from tests.factories import make_order, make_product
from tests.shopping import add_to_cart, checkout, isolated_requests  # noqa: F401  (fixture)

READERS = {
    "es": {"country": "Alemania", "payment": "Transferencia bancaria o pago contra reembolso",
           "delivery": "Envío estándar", "shipped": "Enviado"},
    "en": {"country": "Germany", "payment": "Bank transfer or pay on delivery",
           "delivery": "Standard delivery", "shipped": "Shipped"},
}
# Codes stored on the order that a customer must never read where a name belongs.
RAW = [r"\bDE\b", r"\bdhl\b", r"\bmanual\b", r"\bstandard\b"]


def visible_text(markup: str) -> str:
    """What a reader sees: no tags, no attribute values (links keep their host names)."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", markup))


def assert_no_raw_codes(text: str, where: str) -> None:
    text = re.sub(r"https?://\S+", " ", text)  # a tracking link may name its host
    for pattern in RAW:
        match = re.search(pattern, text)
        assert match is None, f"{where} shows the raw code {match.group(0)!r}"


def shipped_order_to_germany(client, locale: str) -> Order:
    """A customer reading `locale` buys to Germany by bank transfer; staff ship it with DHL."""
    client.post("/locale", data={"locale": locale, "csrf_token": csrf_from(client, "/")})
    product = make_product(name="Harbour Tee", price="20.00", stock=5)
    add_to_cart(client, product.variants[0].id, 1)
    response = checkout(client, country="DE", postal_code="10115", city="Berlin",
                        shipping_method="standard", payment_method="manual")
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    order = db.session.scalar(select(Order).order_by(Order.id.desc()))
    assert (order.locale, order.country, order.payment_method) == (locale, "DE", "manual")
    orders.transition(order.id, "paid")
    orders.transition(order.id, "shipped", carrier="dhl", tracking_number="JD014600006")
    db.session.expire_all()
    return db.session.get(Order, order.id)


@pytest.mark.parametrize("locale", ["es", "en"])
def test_order_page_and_history_name_everything_in_the_readers_language(client, auth, locale):
    """The order page and "My orders" show country, carrier, payment, delivery and dates as
    names in the reader's language, and never the stored codes."""
    auth.login("customer")
    order = shipped_order_to_germany(client, locale)
    words = READERS[locale]

    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    text = visible_text(page)
    for name in ("country", "payment", "delivery", "shipped"):
        assert words[name] in text, (locale, name)
    assert "DHL" in text and "JD014600006" in text
    placed = format_datetime(order.created_at.replace(tzinfo=UTC), "short", locale=locale,
                             tzinfo=UTC)
    assert f"{placed} UTC" in text
    assert_no_raw_codes(text, f"the order page ({locale})")

    history = visible_text(client.get("/account/orders").get_data(as_text=True))
    assert format_date(order.created_at, "medium", locale=locale) in history
    assert words["shipped"] in history
    assert_no_raw_codes(history, f"the order history ({locale})")


@pytest.mark.parametrize("locale", ["es", "en"])
def test_order_emails_name_everything_in_the_customers_language(client, locale):
    """Confirmation, payment and shipping emails name the country, payment method, delivery
    method and carrier in the customer's language, in text and HTML alike."""
    order = shipped_order_to_germany(client, locale)
    flush_outbox()  # the confirmation is rendered when it is delivered
    words = READERS[locale]
    messages = {m.kind: m for m in db.session.scalars(
        select(EmailMessage).where(EmailMessage.order_id == order.id,
                                   EmailMessage.recipients.contains(order.email)))}
    assert {"order_confirmation", "order_paid", "order_shipped"} <= set(messages)
    for kind in ("order_confirmation", "order_paid"):
        for body in (messages[kind].body_text, visible_text(messages[kind].body_html)):
            assert words["country"] in body and words["payment"] in body, (kind, locale)
            assert words["delivery"] in body, (kind, locale)
            assert_no_raw_codes(body, f"{kind} ({locale})")
    for body in (messages["order_shipped"].body_text,
                 visible_text(messages["order_shipped"].body_html)):
        assert "DHL" in body and "JD014600006" in body
        assert_no_raw_codes(body, f"order_shipped ({locale})")


@pytest.fixture
def app_config(request):
    """The shop's time zone, when a test names one (STORE_TIMEZONE)."""
    return getattr(request, "param", {})


@pytest.mark.parametrize(("app_config", "timezone", "day"), [
    ({}, None, "1/15/26"),
    ({"BABEL_DEFAULT_TIMEZONE": "Europe/Madrid"}, "Europe/Madrid", "1/16/26"),
], indirect=["app_config"])
def test_times_are_shown_in_the_shops_time_zone_or_say_utc(client, timezone, day):
    """With STORE_TIMEZONE set, times are local to the shop; without it they say "UTC"."""
    placed = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)
    order = make_order(created_at=placed)
    text = visible_text(client.get(order_url(order)).get_data(as_text=True))
    shown = format_datetime(placed, "short", locale="en", tzinfo=ZoneInfo(timezone or "UTC"))
    assert shown.startswith(day)
    if timezone:
        assert f"Placed on {shown}" in text and "UTC" not in text
    else:
        assert f"Placed on {shown} UTC" in text


def test_an_unknown_time_zone_stops_the_start():
    """A mistyped STORE_TIMEZONE is refused with a clear message instead of failing later."""
    assert load_config({})["BABEL_DEFAULT_TIMEZONE"] == "UTC"
    with pytest.raises(ConfigError, match="Europe/Madird"):
        _timezone("Europe/Madird")
    assert _timezone("Europe/Madrid") == "Europe/Madrid"


def test_saved_addresses_at_checkout_name_the_country(client, auth):
    """A saved address offered at checkout names its country in the reader's language."""
    user = auth.login("customer")
    db.session.add(Address(user_id=user.id, full_name="Ana García", address_line1="Hauptstr. 1",
                           city="Berlin", postal_code="10115", country="DE"))
    db.session.commit()
    make_product(stock=5)
    product = make_product(name="Harbour Tee", stock=5)
    add_to_cart(client, product.variants[0].id, 1)
    client.post("/locale", data={"locale": "es", "csrf_token": csrf_from(client, "/")})
    page = client.get("/checkout").get_data(as_text=True)
    assert "Hauptstr. 1, 10115, Berlin, Alemania" in html_lib.unescape(page)


def test_the_payment_reminder_states_its_deadline_in_the_customers_format(app):
    """The reminder of a Spanish customer gives the deadline in Spanish format, saying UTC."""
    due = datetime(2026, 3, 2, 17, 5, tzinfo=UTC)
    order = make_order(country="DE", locale="es", payment_due_at=due)
    with write_transaction():
        assert order_emails.payment_reminder(db.session.get(Order, order.id))
    reminder = db.session.scalar(select(EmailMessage).where(
        EmailMessage.order_id == order.id, EmailMessage.kind == "order_payment_reminder"))
    deadline = format_datetime(due, "short", locale="es", tzinfo=UTC)
    assert deadline.startswith("2/3/26")
    for body in (reminder.body_text, visible_text(reminder.body_html)):
        assert f"{deadline} UTC" in body and "Alemania" in body
        assert_no_raw_codes(body, "order_payment_reminder (es)")
