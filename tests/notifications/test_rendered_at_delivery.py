"""Checkout's emails are rendered when they are delivered, not while the order is placed."""

from sqlalchemy import select, update

from store.database import write_transaction
from store.extensions import db
from store.models import EmailMessage, Order
from store.notifications.delivery import flush_outbox
from store.orders import emails as order_emails
from store.orders.status import status_label
from tests.factories import make_order, make_product
from tests.shopping import add_to_cart, checkout


def mails() -> dict[str, EmailMessage]:
    db.session.expire_all()
    return {m.kind: m for m in db.session.scalars(select(EmailMessage))}


def test_the_checkout_queues_what_to_send_and_delivery_renders_it(app, client, smtp):
    """An order's confirmation is stored unrendered, and arrives complete with its lines."""
    app.config.update(STORE_DELIVER_AFTER_REQUEST=False, STORE_STAFF_EMAIL="staff@example.com")
    product = make_product(name="Harbour Mug", price="12.50")
    # given a guest who places an order
    add_to_cart(client, product.variants[0].id, 2)
    assert checkout(client).status_code == 303
    order = db.session.scalar(select(Order))
    # then the outbox holds what to send, with its subject, but no rendered body yet
    queued = mails()
    confirmation, staff = queued["order_confirmation"], queued["staff_new_order"]
    assert (confirmation.template, confirmation.body_text) == ("order_confirmation", "")
    assert confirmation.payload == {"order_id": order.id, "status": "pending"}
    assert order.number in confirmation.subject and order.number in staff.subject
    # when the outbox is delivered
    assert flush_outbox() == (2, 0)
    # then both emails arrive rendered, and the rows keep what was sent
    [customer] = smtp.to(order.email)
    [alert] = smtp.to("staff@example.com")
    assert "2 x Harbour Mug" in customer.get_body(("plain",)).get_content()
    assert "/admin/" in alert.get_body(("plain",)).get_content()
    sent = mails()["order_confirmation"]
    assert sent.status == "sent" and "2 x Harbour Mug" in sent.body_text
    assert "Harbour Mug" in sent.body_html


def test_a_new_order_alert_says_pending_even_when_paid_before_it_is_sent(app, smtp):
    """The status an email shows is the one at the event, not at delivery."""
    app.config["STORE_STAFF_EMAIL"] = "staff@example.com"
    order = make_order()
    with write_transaction():
        order_emails.order_placed(order)
    with write_transaction():
        db.session.execute(update(Order).where(Order.id == order.id).values(status="paid"))
    flush_outbox()
    body = mails()["staff_new_order"].body_text
    assert f"Status: {status_label('pending')}\n" in body
    assert f"Status: {status_label('paid')}\n" not in body


def test_an_email_that_cannot_be_rendered_fails_with_its_error_and_is_retried(app, smtp):
    """A rendering failure loses no email: the row waits for a retry, with the error."""
    order = make_order()
    with write_transaction():
        order_emails.order_placed(order)
    with write_transaction():  # the builder cannot find the order it names
        db.session.execute(update(EmailMessage).values(payload={"order_id": 999999}))
    # when the outbox is delivered
    assert flush_outbox() == (0, 1)
    # then nothing was sent, and the message waits with its error
    message = mails()["order_confirmation"]
    assert message.status == "pending" and message.attempts == 1
    assert "999999" in message.last_error and message.body_text == ""
    assert smtp.messages == []
    # and once the problem is fixed, the retry sends it
    with write_transaction():
        db.session.execute(update(EmailMessage).values(
            payload={"order_id": order.id, "status": "pending"}, next_attempt_at=order.created_at))
    assert flush_outbox() == (1, 0)
    assert mails()["order_confirmation"].status == "sent"
