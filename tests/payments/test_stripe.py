"""Stripe: hosted Checkout sessions (against a local stand-in for Stripe's API) and the
signed webhook that marks an order paid exactly once."""

import time
from decimal import Decimal

import pytest

from store.extensions import db
from store.models import EmailMessage, OrderEvent, OrderNote, ProcessedWebhook
from store.pricing.taxes import seed_tax_rates
from store.settings.services import update_settings
from tests.factories import make_product
from tests.payments.stripe_standin import (  # noqa: F401  (fixtures)
    SECRET_KEY,
    fake_stripe_fixture,
    post_webhook,
    session_event,
    sign,
    stripe_app_config,
    stripe_order,
)
from tests.shopping import (
    add_to_cart,
    checkout,
    flashes,
    hidden,
    isolated_requests,  # noqa: F401  (fixture)
)


def paid_events(order) -> int:
    return db.session.scalar(db.select(db.func.count(OrderEvent.id)).where(
        OrderEvent.order_id == order.id, OrderEvent.to_status == "paid"))


def test_checkout_sends_customer_to_stripe_with_the_order(client, fake_stripe):
    """Paying by card creates a Checkout Session for the order and sends the customer there."""
    order, response = stripe_order(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "https://checkout.stripe.com/c/pay/cs_test_1"
    [sent] = fake_stripe.requests
    assert sent["path"] == "/v1/checkout/sessions"
    assert sent["headers"]["Authorization"] == f"Bearer {SECRET_KEY}"
    form = {key: values[0] for key, values in sent["form"].items()}
    assert form["mode"] == "payment"
    assert form["client_reference_id"] == order.number
    assert form["metadata[order_number]"] == order.number
    assert form["customer_email"] == "ana@example.com"
    assert form["line_items[0][quantity]"] == "2"
    assert form["line_items[0][price_data][unit_amount]"] == "2500"
    assert form["line_items[0][price_data][currency]"] == "eur"
    assert form["line_items[0][price_data][product_data][name]"] == "Harbour Tee (M / Navy)"
    assert form["line_items[1][price_data][unit_amount]"] == "490"  # standard shipping
    assert form["success_url"].startswith("http://127.0.0.1:5000/payments/stripe/return?")
    assert form["success_url"].endswith("session_id={CHECKOUT_SESSION_ID}")
    assert f"order={order.number}" in form["success_url"] and "token=" in form["success_url"]
    assert "status=cancelled" in form["cancel_url"]
    assert int(form["expires_at"]) > time.time() + 29 * 60
    assert not any("card" in key and "number" in key for key in form)
    db.session.refresh(order)
    assert order.payment_reference == "cs_test_1"
    assert order.status == "pending" and order.payment_due_at is not None
    assert order.total == Decimal("54.90")


def test_express_shipping_is_a_line_on_stripe(client, fake_stripe):
    """The amount Stripe charges includes shipping, so it equals the order total."""
    order, _response = stripe_order(client, shipping_method="express")
    form = {key: values[0] for key, values in fake_stripe.requests[0]["form"].items()}
    assert form["line_items[1][price_data][unit_amount]"] == "990"
    assert form["line_items[1][price_data][product_data][name]"] == "Shipping"
    assert order.total == Decimal("59.90")


def test_with_vat_added_on_top_stripe_charges_the_order_total(app, client, fake_stripe):
    """When catalog prices exclude VAT, Stripe is asked for exactly the order's total
    (one line for the order), so the paid webhook can match it."""
    seed_tax_rates()
    update_settings({"prices_include_tax": False}, actor=None)
    order, _response = stripe_order(client)
    assert order.tax_total > 0
    assert order.total == Decimal("50.00") + Decimal("4.90") + order.tax_total
    form = {key: values[0] for key, values in fake_stripe.requests[0]["form"].items()}
    assert form["line_items[0][quantity]"] == "1"
    assert form["line_items[0][price_data][unit_amount]"] == str(int(order.total * 100))
    assert form["line_items[0][price_data][product_data][name]"] == f"Order {order.number}"
    assert "line_items[1][quantity]" not in form


def test_a_discounted_order_is_charged_its_discounted_total(client, fake_stripe):
    """With a discount code, Stripe is asked for the discounted total, never the full price."""
    order, _response = stripe_order(client, discount_code="WELCOME10")
    assert order.discount_total == Decimal("5.00") and order.total == Decimal("49.90")
    form = {key: values[0] for key, values in fake_stripe.requests[0]["form"].items()}
    assert form["line_items[0][price_data][unit_amount]"] == "4990"
    assert "line_items[1][quantity]" not in form


def test_coming_back_from_stripe_shows_the_order(client, fake_stripe):
    """Back from Stripe, the customer lands on their order page with a message."""
    order, _response = stripe_order(client)
    success = fake_stripe.requests[0]["form"]["success_url"][0]
    path = success.replace("http://127.0.0.1:5000", "").replace(
        "{CHECKOUT_SESSION_ID}", "cs_test_1")
    response = client.get(path, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and order.number in html
    assert any("confirming your payment" in m for m in flashes(html))


def test_stripe_down_keeps_the_order_and_offers_to_pay_again(client, fake_stripe):
    """If Stripe does not answer, the order is kept and the customer can pay again later."""
    fake_stripe.fail = True
    order, response = stripe_order(client)
    assert response.status_code == 303 and f"/orders/{order.number}" in response.headers[
        "Location"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert any("payment service is not answering" in m for m in flashes(html))
    assert "Pay now" in html
    fake_stripe.fail = False
    again = client.post(f"/orders/{order.number}/pay",
                        data={"csrf_token": hidden(html, "csrf_token"),
                              "token": hidden(html, "token")})
    assert again.status_code == 303
    assert again.headers["Location"].startswith("https://checkout.stripe.com/")


def test_signed_webhook_marks_order_paid(client):
    """Stripe's signed "session completed" event marks the order paid and emails the customer."""
    order, _response = stripe_order(client)
    response = post_webhook(client, session_event(order))
    assert response.status_code == 200
    db.session.refresh(order)
    assert order.status == "paid" and order.paid_at is not None
    assert order.payment_due_at is None
    assert paid_events(order) == 1
    assert db.session.scalar(db.select(EmailMessage.id).where(
        EmailMessage.order_id == order.id, EmailMessage.kind == "order_paid"))


@pytest.mark.parametrize("kind", ["missing", "garbage", "other-body", "other-secret"])
def test_bad_signature_is_refused(client, kind):
    """A webhook whose signature does not match its body is refused with 400."""
    order, _response = stripe_order(client)
    payload = session_event(order)
    signature = {"missing": "", "garbage": "t=1,v1=deadbeef",
                 "other-body": sign(payload.replace("paid", "paid ")),
                 "other-secret": sign(payload, secret="whsec_wrong")}[kind]
    response = post_webhook(client, payload, signature=signature)
    assert response.status_code == 400
    db.session.refresh(order)
    assert order.status == "pending"
    assert db.session.scalar(db.select(db.func.count(ProcessedWebhook.id))) == 0


def test_old_signed_event_replayed_later_is_refused(client):
    """A captured event replayed after Stripe's five-minute tolerance is refused."""
    order, _response = stripe_order(client)
    payload = session_event(order)
    response = post_webhook(client, payload, signature=sign(payload,
                                                            timestamp=int(time.time()) - 600))
    assert response.status_code == 400
    db.session.refresh(order)
    assert order.status == "pending"


def test_replayed_event_is_ignored_and_order_paid_once(client):
    """The same event delivered twice, and a second event for the same payment, pay once."""
    order, _response = stripe_order(client)
    payload = session_event(order)
    first = post_webhook(client, payload)
    second = post_webhook(client, payload)
    third = post_webhook(client, session_event(
        order, event_id="evt_2", kind="checkout.session.async_payment_succeeded"))
    assert [r.status_code for r in (first, second, third)] == [200, 200, 200]
    assert [r.get_json()["outcome"] for r in (first, second, third)] == [
        "paid", "duplicate", "already-paid"]
    assert paid_events(order) == 1
    assert db.session.scalar(db.select(db.func.count(EmailMessage.id)).where(
        EmailMessage.order_id == order.id, EmailMessage.kind == "order_paid")) == 1


def test_unpaid_or_wrong_amount_does_not_mark_paid(client):
    """A session still awaiting payment, or paying a different amount, leaves the order pending."""
    order, _response = stripe_order(client)
    waiting = post_webhook(client, session_event(order, payment_status="unpaid"))
    wrong = post_webhook(client, session_event(order, event_id="evt_2", amount=100))
    assert waiting.get_json()["outcome"] == "awaiting-payment"
    assert wrong.get_json()["outcome"] == "amount-mismatch"
    db.session.refresh(order)
    assert order.status == "pending"
    assert db.session.scalar(db.select(OrderNote.body).where(OrderNote.order_id == order.id))


def test_other_event_types_are_acknowledged_and_ignored(client):
    """Events the shop does not use get a 200 and change nothing."""
    order, _response = stripe_order(client)
    response = post_webhook(client, session_event(order, kind="customer.created"))
    assert response.status_code == 200 and response.get_json()["outcome"] == "ignored"
    db.session.refresh(order)
    assert order.status == "pending"


@pytest.mark.parametrize("app_config", [{"STORE_DELIVER_AFTER_REQUEST": False}])
def test_stripe_is_off_without_keys(client):
    """Without Stripe keys, checkout offers only manual payment and the webhook refuses."""
    product = make_product(stock=5)
    add_to_cart(client, product.variants[0].id, 1)
    html = client.get("/checkout").get_data(as_text=True)
    assert 'value="manual"' in html and 'value="stripe"' not in html
    response = checkout(client, payment_method="stripe")
    assert response.status_code == 400
    assert post_webhook(client, "{}", signature=sign("{}")).status_code == 400
