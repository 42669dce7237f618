"""Stock hoarding: unpaid manual orders expire (with a reminder first), unpaid orders are
capped per email and per address, and dropping the cookie does not reset the checkout limit."""

from datetime import timedelta

import pytest

from store.checkout.services import expire_unpaid
from store.checkout.unpaid import remind_unpaid
from store.extensions import db
from store.models import EmailMessage, Order, StockMovement, Variant
from store.models.base import utcnow
from store.notifications.delivery import flush_outbox
from tests.factories import make_product
from tests.shopping import (
    add_to_cart,
    checkout,
    flashes,
    isolated_requests,  # noqa: F401  (fixture)
)


@pytest.fixture
def app_config():
    return {"STORE_DELIVER_AFTER_REQUEST": False}


def stock(variant_id) -> int:
    return db.session.scalar(db.select(Variant.stock).where(Variant.id == variant_id))


def order_count() -> int:
    return db.session.scalar(db.select(db.func.count(Order.id)))


def buy(app, variant_id, quantity=1, address="127.0.0.1", **fields):
    """A new visitor (fresh cookies) from `address` buys by bank transfer; the response."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    assert add_to_cart(client, variant_id, quantity).status_code == 303
    return client, checkout(client, **fields)


def emails(kind: str) -> list[EmailMessage]:
    return list(db.session.scalars(db.select(EmailMessage).where(EmailMessage.kind == kind)))


def test_unpaid_manual_order_expires_and_its_stock_returns(app):
    """A bank-transfer order left unpaid past the hold time is cancelled, the customer is
    told, and its items are on sale again."""
    product = make_product(stock=5)
    variant_id = product.variants[0].id
    _client, response = buy(app, variant_id, 3)
    assert response.status_code == 303
    assert stock(variant_id) == 2
    order = db.session.scalar(db.select(Order))
    assert expire_unpaid(utcnow() + timedelta(hours=71)) == 0
    assert expire_unpaid(utcnow() + timedelta(hours=73)) == 1
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "cancelled"
    assert stock(variant_id) == 5
    assert db.session.scalar(db.select(db.func.sum(StockMovement.delta))
                             .where(StockMovement.variant_id == variant_id)) == 5
    [cancelled] = emails("order_cancelled")
    assert "ana@example.com" in cancelled.recipients and order.number in cancelled.subject


def test_the_payment_reminder_goes_once_before_expiry(app, runner, smtp):
    """A day before the hold runs out the customer gets one reminder with how to pay."""
    product = make_product(stock=5)
    _client, response = buy(app, product.variants[0].id)
    assert response.status_code == 303
    order = db.session.scalar(db.select(Order))
    assert remind_unpaid() == 0  # 72 h left: too early
    later = utcnow() + timedelta(hours=50)
    assert remind_unpaid(later) == 1
    assert remind_unpaid(later) == 0
    assert remind_unpaid(later + timedelta(hours=10)) == 0
    result = runner.invoke(args=["orders", "expire-unpaid"])
    assert "0 payment reminder(s) queued." in result.output
    assert "0 unpaid order(s) expired." in result.output
    [reminder] = emails("order_payment_reminder")
    assert reminder.order_id == order.id
    flush_outbox()
    [mail] = [m for m in smtp.wait_for(3) if "waiting for your payment" in m["Subject"]]
    assert mail.envelope_rcpt == ["ana@example.com"] and order.number in mail["Subject"]
    text = smtp.text(mail)
    assert "If the payment does not arrive by" in text and order.number in text
    assert "/orders/" in text


def test_reminders_skip_paid_and_online_orders(app):
    """Only orders still awaiting a manual payment are reminded."""
    product = make_product(stock=5)
    buy(app, product.variants[0].id)
    db.session.execute(db.update(Order).values(status="paid", payment_due_at=None))
    db.session.commit()
    assert remind_unpaid(utcnow() + timedelta(hours=50)) == 0
    assert emails("order_payment_reminder") == []


def test_unpaid_orders_per_email_are_capped(app):
    """One email may hold five unpaid orders; the sixth is refused with a clear message,
    whatever cookies the client brings, and nothing changes."""
    product = make_product(stock=50)
    variant_id = product.variants[0].id
    for _ in range(5):
        assert buy(app, variant_id)[1].status_code == 303
    client, response = buy(app, variant_id, address="10.9.9.9", email="ANA@example.com")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "You already have 5 orders awaiting payment." in html
    assert order_count() == 5 and stock(variant_id) == 45
    assert "Your cart is empty." not in client.get("/cart").get_data(as_text=True)
    # Paying one frees a place.
    db.session.execute(db.update(Order).where(Order.id == 1).values(status="paid"))
    db.session.commit()
    assert checkout(client, email="ana@example.com").status_code == 303
    assert order_count() == 6


def test_unpaid_orders_per_address_are_capped(app):
    """One connection may hold only so many unpaid orders, even under many emails."""
    app.config["STORE_UNPAID_ORDERS_PER_ADDRESS"] = 3
    product = make_product(stock=50)
    variant_id = product.variants[0].id
    for index in range(3):
        assert buy(app, variant_id, email=f"buyer{index}@example.com")[1].status_code == 303
    _client, response = buy(app, variant_id, email="another@example.com")
    assert response.status_code == 400
    assert "Too many orders awaiting payment" in " ".join(
        flashes(response.get_data(as_text=True)))
    assert order_count() == 3 and stock(variant_id) == 47
    # Another connection (another office) is not affected.
    assert buy(app, variant_id, address="10.1.1.1", email="z@example.com")[1].status_code == 303


class TestCheckoutLimit:
    """The checkout rate limit, on."""

    @pytest.fixture
    def app_config(self):
        return {"STORE_DELIVER_AFTER_REQUEST": False, "RATELIMIT_ENABLED": True,
                "STORE_CHECKOUT_LIMIT": "100/minute",
                "STORE_CHECKOUT_LIMIT_PER_ADDRESS": "3/minute",
                "STORE_UNPAID_ORDERS_PER_EMAIL": 100, "STORE_UNPAID_ORDERS_PER_ADDRESS": 100}

    def test_dropping_cookies_does_not_reset_the_checkout_limit(self, app):
        """A client that starts a new session for every checkout still hits the limit."""
        product = make_product(stock=50)
        variant_id = product.variants[0].id
        statuses = [buy(app, variant_id, address="10.2.2.2")[1].status_code for _ in range(4)]
        assert statuses == [303, 303, 303, 429]
        assert order_count() == 3 and stock(variant_id) == 47
        assert buy(app, variant_id, address="10.3.3.3")[1].status_code == 303
