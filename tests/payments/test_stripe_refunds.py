"""Stripe refunds: sent to Stripe's refund API (a local stand-in), settled or recorded by
the signed `charge.refunded` webhook, failures giving the claim back, disputes flagged."""

import json
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from store.errors import PaymentError
from store.extensions import db
from store.models import EmailMessage, Order, OrderNote, ProcessedWebhook, Refund
from store.orders.refunds import LineChoice, refund_order
from tests.conftest import csrf_from
from tests.payments.stripe_standin import (  # noqa: F401  (fixtures)
    charge_refunded_event,
    dispute_event,
    event,
    fake_stripe_fixture,
    post_webhook,
    session_event,
    stripe_app_config,
    stripe_order,
)
from tests.shopping import isolated_requests  # noqa: F401  (fixture)


def fresh(order_id: int) -> Order:
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(Order, order_id)


def paid_stripe_order(client) -> Order:
    """2 tees at 25.00 + 4.90 shipping, paid by card: the paid webhook names pi_test_1."""
    order, _response = stripe_order(client)
    assert post_webhook(client, session_event(order)).get_json()["outcome"] == "paid"
    order = fresh(order.id)
    assert order.payment_intent == "pi_test_1"
    return order


def refund_emails(order_id: int) -> list[EmailMessage]:
    return list(db.session.scalars(select(EmailMessage).where(
        EmailMessage.order_id == order_id, EmailMessage.kind == "order_refunded")))


def test_refunding_shipping_alone_reaches_stripe_and_the_email_says_the_amount(
        client, auth, fake_stripe):
    """Staff refund only the shipping of a paid card order through the back office: Stripe's
    refund endpoint gets 490 cents on the order's PaymentIntent, the refund records Stripe's
    re_ id, and the customer's email says €4.90 is on its way back to the card."""
    order = paid_stripe_order(client)
    auth.login("staff")
    details = f"/admin/order/details/?id={order.id}"
    html = client.post(f"/admin/order/{order.id}/refund", data={
        "csrf_token": csrf_from(client, details), "shipping": "4.90", "reason": "Late"},
        follow_redirects=True).get_data(as_text=True)
    assert re.search(r'id="refund-amount">€4.90<', html) and "Stripe" in html
    assert fake_stripe.sent_to("/v1/refunds") == []  # nothing sent before confirming
    done = client.post(f"/admin/order/{order.id}/refund/confirm", data={
        "csrf_token": csrf_from(client, details), "shipping": "4.90", "reason": "Late"},
        follow_redirects=True).get_data(as_text=True)
    assert f"Refunded 4.90 EUR on order {order.number}" in done
    [sent] = fake_stripe.sent_to("/v1/refunds")
    refund = db.session.scalar(select(Refund))
    assert sent["amount"] == "490" and sent["payment_intent"] == "pi_test_1"
    assert sent["metadata[order_number]"] == order.number
    assert sent["metadata[refund_id]"] == str(refund.id)
    [request] = [r for r in fake_stripe.requests if r["path"] == "/v1/refunds"]
    assert request["headers"]["Idempotency-Key"] == f"refund-{refund.id}"
    assert refund.status == "succeeded" and refund.provider_reference.startswith("re_test_")
    assert refund.shipping_amount == Decimal("4.90") and refund.lines == []
    assert refund.tax_amount == Decimal("0.00")  # this test shop has no VAT rates
    order = fresh(order.id)
    assert order.refunded_total == Decimal("4.90") and order.status == "paid"
    [email] = refund_emails(order.id)
    assert "We refunded €4.90 for order" in email.body_text
    assert "Shipping: €4.90" in email.body_text and "5 to 10 days" in email.body_text
    assert "€4.90 of €54.90 refunded so far" in email.body_text


def test_stripe_refusing_a_refund_gives_the_claim_back(client, auth, fake_stripe):
    """When Stripe refuses, the refund is kept as failed, nothing counts as refunded, no
    email goes out, and the whole amount can still be refunded."""
    order = paid_stripe_order(client)
    fake_stripe.fail_refunds = True
    with pytest.raises(PaymentError) as caught:
        refund_order(order.id, [LineChoice(order.lines[0].id, 1)], actor=auth.user("staff"))
    assert "Charge has been disputed" in caught.value.message
    refund = db.session.scalar(select(Refund))
    assert refund.status == "failed" and "disputed" in refund.failure
    order = fresh(order.id)
    assert order.refunded_total == Decimal("0.00") and order.status == "paid"
    assert refund_emails(order.id) == []
    fake_stripe.fail_refunds = False
    again = refund_order(order.id, [LineChoice(order.lines[0].id, 2)], shipping=Decimal("4.90"))
    assert again.status == "succeeded" and fresh(order.id).status == "refunded"


def test_admin_shows_stripe_failure_and_refunds_nothing(client, auth, fake_stripe):
    """In the back office, a refusal by Stripe comes back as a message, nothing refunded."""
    order = paid_stripe_order(client)
    fake_stripe.fail_refunds = True
    auth.login("staff")
    details = f"/admin/order/details/?id={order.id}"
    html = client.post(f"/admin/order/{order.id}/refund/confirm", data={
        "csrf_token": csrf_from(client, details), f"qty-{order.lines[0].id}": "1",
        "shipping": "0"}, follow_redirects=True).get_data(as_text=True)
    assert "Nothing refunded: the payment provider refused" in html
    assert fresh(order.id).refunded_total == Decimal("0.00")


def test_pending_refund_is_settled_by_charge_refunded_once(client, fake_stripe):
    """A refund Stripe answers "pending" waits; `charge.refunded` settles it (email, order
    refunded in full); the same event again changes nothing."""
    order = paid_stripe_order(client)
    fake_stripe.refund_status = "pending"
    refund = refund_order(order.id, [LineChoice(order.lines[0].id, 2)],
                          shipping=Decimal("4.90"))
    assert refund.status == "pending" and refund.provider_reference.startswith("re_test_")
    assert fresh(order.id).refunded_total == Decimal("54.90")  # claimed meanwhile
    assert refund_emails(order.id) == []
    payload = charge_refunded_event(order, [{"id": refund.provider_reference, "amount": 5490,
                                             "status": "succeeded"}])
    first = post_webhook(client, payload).get_json()["outcome"]
    second = post_webhook(client, payload).get_json()["outcome"]
    assert (first, second) == ("refund-settled", "duplicate")
    order = fresh(order.id)
    assert db.session.get(Refund, refund.id).status == "succeeded"
    assert order.status == "refunded" and len(refund_emails(order.id)) == 1


def test_a_dashboard_refund_is_recorded_so_the_books_match(client):
    """A refund made in Stripe's dashboard, unknown to the shop, is recorded without lines
    (amount only, with a note); replaying the event records nothing more; one that would go
    above the total is not recorded but noted for staff."""
    order = paid_stripe_order(client)
    payload = charge_refunded_event(order, [{"id": "re_dash_1", "amount": 1000,
                                             "status": "succeeded"}])
    assert post_webhook(client, payload).get_json()["outcome"] == "refund-recorded"
    assert post_webhook(client, payload).get_json()["outcome"] == "duplicate"
    [refund] = db.session.scalars(select(Refund))
    assert (refund.amount, refund.provider_reference, refund.lines) == (
        Decimal("10.00"), "re_dash_1", [])
    assert "dashboard" in refund.reason and refund.user_id is None
    assert fresh(order.id).refunded_total == Decimal("10.00")
    assert len(refund_emails(order.id)) == 1
    too_much = charge_refunded_event(order, [
        {"id": "re_dash_1", "amount": 1000, "status": "succeeded"},
        {"id": "re_dash_2", "amount": 5000, "status": "succeeded"}], event_id="evt_r2")
    assert post_webhook(client, too_much).get_json()["outcome"] == "refund-over-total"
    assert fresh(order.id).refunded_total == Decimal("10.00")
    assert db.session.scalar(select(func.count(Refund.id))) == 1
    assert "more than is left" in db.session.scalar(select(OrderNote.body).where(
        OrderNote.order_id == order.id).order_by(OrderNote.id.desc()))


def test_refund_failing_later_at_stripe_gives_the_claim_back(client, fake_stripe):
    """`charge.refund.updated` with status failed marks a pending refund failed and the
    amount becomes refundable again."""
    order = paid_stripe_order(client)
    fake_stripe.refund_status = "pending"
    refund = refund_order(order.id, [LineChoice(order.lines[0].id, 1)])
    payload = event("charge.refund.updated", {
        "id": refund.provider_reference, "object": "refund", "amount": 2500,
        "status": "failed", "failure_reason": "expired_or_canceled_card",
        "payment_intent": "pi_test_1", "metadata": {"refund_id": str(refund.id)}}, "evt_u1")
    assert post_webhook(client, payload).get_json()["outcome"] == "refund-failed"
    assert db.session.get(Refund, refund.id).status == "failed"
    assert fresh(order.id).refunded_total == Decimal("0.00")
    assert refund_emails(order.id) == []


def test_a_dispute_flags_the_order_and_tells_staff(client, auth):
    """`charge.dispute.created` sets the order's dispute status, notes it, emails staff who
    manage orders, and the back office shows a red "Disputed" badge; closing it updates it."""
    auth.user("staff")
    order = paid_stripe_order(client)
    created = dispute_event("charge.dispute.created", "needs_response", 5490)
    assert post_webhook(client, created).get_json()["outcome"] == "dispute-opened"
    assert post_webhook(client, created).get_json()["outcome"] == "duplicate"
    order = fresh(order.id)
    assert order.dispute_status == "needs_response"
    assert "dispute dp_test_1 opened" in db.session.scalar(select(OrderNote.body).where(
        OrderNote.order_id == order.id))
    [alert] = db.session.scalars(select(EmailMessage).where(
        EmailMessage.kind == "staff_dispute"))
    assert "staff@example.com" in alert.recipients and order.number in alert.subject
    assert "€54.90" in alert.body_text
    auth.login("staff")
    page = client.get(f"/admin/order/details/?id={order.id}").get_data(as_text=True)
    assert re.search(r'badge-danger badge-dispute[^>]*>Disputed<', page)
    closed = dispute_event("charge.dispute.closed", "won", 5490, event_id="evt_d2")
    assert post_webhook(client, closed).get_json()["outcome"] == "dispute-closed"
    assert fresh(order.id).dispute_status == "won"
    assert db.session.scalar(select(func.count(ProcessedWebhook.id))) == 3


def test_charge_refunded_without_its_list_of_refunds_uses_the_refunded_total(
        client, fake_stripe):
    """Newer Stripe API versions leave the refunds out of the Charge: a pending refund is
    settled when the refunded total covers it, and any amount beyond is recorded once."""
    order = paid_stripe_order(client)
    fake_stripe.refund_status = "pending"
    refund = refund_order(order.id, [LineChoice(order.lines[0].id, 1)])
    charge = json.loads(charge_refunded_event(order, []))
    charge["data"]["object"].pop("refunds")
    charge["data"]["object"]["amount_refunded"] = 2500 + 490
    payload = json.dumps(charge)
    assert post_webhook(client, payload).get_json()["outcome"] == (
        "refund-settled,refund-recorded")
    assert db.session.get(Refund, refund.id).status == "succeeded"
    assert fresh(order.id).refunded_total == Decimal("29.90")
    charge["id"] = "evt_r9"
    assert post_webhook(client, json.dumps(charge)).get_json()["outcome"] == "refund-known"
    assert fresh(order.id).refunded_total == Decimal("29.90")
