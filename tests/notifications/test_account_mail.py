"""Account emails: once delivered, the outbox keeps no link or code that signs in."""

import re

from sqlalchemy import select

from store.extensions import db
from store.models import EmailMessage
from store.notifications.delivery import flush_outbox
from store.notifications.outbox import queue_email
from tests.conftest import csrf_from


def test_delivered_reset_email_keeps_no_live_link(app, shop, smtp, auth):
    """After a reset email is delivered, its stored copy no longer holds the reset link,
    while the customer's copy still works."""
    auth.user("customer", "olga@example.com")
    shop.post("/reset", data={"email": "olga@example.com",
                              "csrf_token": csrf_from(shop, "/reset")})
    [mail] = smtp.wait_for(1)
    path = re.search(r"https?://[^/\s]+(/reset/[^\s\"<]+)", smtp.text(mail)).group(1)
    db.session.expire_all()
    stored = db.session.scalars(select(EmailMessage)).one()
    assert stored.status == "sent"
    token = path.rsplit("/", 1)[-1]
    assert token not in stored.body_text and token not in stored.body_html
    assert "/reset/" not in stored.body_text + stored.body_html
    assert shop.get(path).status_code == 200  # the mailed link still opens the form


def test_delivered_order_email_keeps_its_body(app, shop, smtp, auth):
    """Order and other shop emails keep their stored text after delivery."""
    queue_email("order_paid", "ann@example.com", "Paid", "Thanks, see http://x.test/o/1")
    db.session.commit()
    assert flush_outbox() == (1, 0)
    stored = db.session.scalars(select(EmailMessage)).one()
    assert stored.body_text == "Thanks, see http://x.test/o/1"
