"""Account emails: once delivered, the outbox keeps no link or code that signs in."""

import re

from flask_migrate import upgrade
from sqlalchemy import select, text

from store import create_app
from store.extensions import db
from store.models import EmailMessage
from store.notifications.delivery import flush_outbox
from store.notifications.outbox import queue_email
from tests.conftest import base_config, csrf_from


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


def test_upgrade_forgets_links_of_account_mail_sent_before_it(tmp_path):
    """Migration 0009 clears the bodies of account emails already delivered, and only those."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app(base_config(tmp_path, SQLALCHEMY_DATABASE_URI=url))
    insert = text(
        "INSERT INTO email_message (kind, recipients, sender, subject, body_text, body_html, "
        "locale, status, attempts, last_error, next_attempt_at, created_at) VALUES (:kind, "
        "'a@example.com', 'shop', 's', 'http://127.0.0.1:5000/reset/SECRET', '<a>SECRET</a>', "
        "'en', :status, 0, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
    with app.app_context():
        upgrade(revision="0008")
        with db.engine.begin() as conn:
            for kind, status in (("account_reset_instructions", "sent"),
                                 ("account_reset_instructions", "pending"),
                                 ("order_confirmation", "sent")):
                conn.execute(insert, {"kind": kind, "status": status})
        upgrade(revision="0009")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT body_text, body_html FROM email_message "
                                     "ORDER BY id")).all()
        db.engine.dispose()
    sent_account, pending_account, order_mail = rows
    assert "SECRET" not in sent_account.body_text + sent_account.body_html
    assert "SECRET" in pending_account.body_text  # still to be delivered
    assert "SECRET" in order_mail.body_text
