"""Account emails (register, confirm, reset) go through the outbox and arrive, branded."""

import re

from sqlalchemy import select

from store.extensions import db
from store.models import EmailMessage, User
from tests.conftest import csrf_from


def link_in(text: str) -> str:
    """The path of the first link to this shop in an email (always on STORE_URL)."""
    return re.search(r"http://127\.0\.0\.1:5000(/[^\s\"<]+)", text).group(1)


def register(shop, email: str):
    return shop.post("/register", data={
        "email": email, "password": "a long new password 1", "password_confirm":
        "a long new password 1", "csrf_token": csrf_from(shop, "/register")})


def test_registration_mail_goes_through_the_outbox_and_the_link_confirms(app, shop, smtp):
    """A new customer gets a branded welcome email whose link confirms the address."""
    response = register(shop, "nora@example.com")
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]
    [message] = db.session.scalars(select(EmailMessage))
    assert message.kind == "account_welcome" and message.status == "sent"
    [mail] = smtp.wait_for(1)
    assert mail.envelope_rcpt == ["nora@example.com"]
    assert mail["Subject"].startswith("SimpleStore: ")
    text, html = smtp.text(mail), smtp.html(mail)
    assert "Welcome to SimpleStore" in text and "Welcome to SimpleStore" in html
    assert "Confirm my email address" in html

    user = db.session.scalar(select(User).where(User.email == "nora@example.com"))
    assert user.confirmed_at is None
    confirm = shop.get(link_in(text))
    assert confirm.status_code in (302, 303)
    db.session.expire_all()
    assert db.session.get(User, user.id).confirmed_at is not None


def test_password_reset_mail_arrives_and_its_link_resets(app, shop, smtp, auth):
    """Forgot password: the reset email arrives, its link sets a new password, a notice
    follows."""
    auth.user("customer", "olga@example.com")
    response = shop.post("/reset", data={
        "email": "olga@example.com", "csrf_token": csrf_from(shop, "/reset")})
    assert response.status_code in (200, 302)
    [mail] = smtp.wait_for(1)
    assert mail.envelope_rcpt == ["olga@example.com"]
    assert mail["Subject"].startswith("SimpleStore: ")
    assert "Choose a new password" in smtp.html(mail)
    path = link_in(smtp.text(mail))
    page = shop.get(path)
    assert page.status_code == 200
    done = shop.post(path, data={
        "password": "another long password 2", "password_confirm": "another long password 2",
        "csrf_token": csrf_from(shop, path)})
    assert done.status_code in (200, 302)
    notice = smtp.wait_for(2)[1]
    assert "Your password has been reset" in smtp.text(notice)
    kinds = [m.kind for m in db.session.scalars(select(EmailMessage).order_by(EmailMessage.id))]
    assert kinds == ["account_reset_instructions", "account_reset_notice"]


def test_account_mail_waits_in_the_outbox_when_the_server_is_down(app, shop, smtp):
    """With the mail server down, registering still works and the welcome mail waits."""
    smtp.controller.stop()
    response = register(shop, "pia@example.com")
    assert response.status_code in (200, 302)
    [message] = db.session.scalars(select(EmailMessage))
    assert message.status == "pending" and message.attempts == 1 and message.last_error
    assert db.session.scalar(select(User).where(User.email == "pia@example.com"))
