"""Nobody learns from sign-in, registration or reset whether an account exists."""

import re

from sqlalchemy import func, select

from store.extensions import db
from store.models import User
from tests.conftest import PASSWORD, csrf_from


def _visible(response) -> str:
    """What the visitor sees: status and the page's text with tokens and nonces removed."""
    html = response.get_data(as_text=True)
    html = re.sub(r'(value|nonce|content)="[^"]*"', "", html)
    return f"{response.status_code} {html}"


def test_login_answers_alike_for_a_wrong_password_and_an_unknown_account(client, auth):
    """A wrong password and an unknown address get the same answer."""
    auth.user("customer")
    wrong = client.post("/login", data={"email": "customer@example.com", "password": "nope",
                                        "csrf_token": csrf_from(client, "/login")})
    unknown = client.post("/login", data={"email": "nobody@example.com", "password": "nope",
                                          "csrf_token": csrf_from(client, "/login")})
    assert wrong.status_code == unknown.status_code == 200
    assert _visible(wrong).replace("customer@example.com", "X") == \
        _visible(unknown).replace("nobody@example.com", "X")


def test_reset_answers_alike_and_mails_only_the_real_account(app, client, auth, smtp):
    """Reset says the same for a known and an unknown address; only the known one gets mail."""
    auth.user("customer")
    known = client.post("/reset", data={"email": "customer@example.com",
                                        "csrf_token": csrf_from(client, "/reset")})
    unknown = client.post("/reset", data={"email": "nobody@example.com",
                                          "csrf_token": csrf_from(client, "/reset")})
    assert known.status_code == unknown.status_code
    assert known.headers.get("Location") == unknown.headers.get("Location")
    messages = smtp.wait_for(1)
    assert [m.envelope_rcpt for m in messages] == [["customer@example.com"]]


def test_registering_a_taken_address_looks_new_and_mails_its_owner(app, client, auth, smtp):
    """Registration of an existing address answers like a new one and tells the owner."""
    auth.user("customer")

    def register(email):
        return client.post("/register", data={
            "email": email, "password": PASSWORD, "password_confirm": PASSWORD,
            "csrf_token": csrf_from(client, "/register")})

    taken = register("customer@example.com")
    fresh = register("newcomer@example.com")
    assert taken.status_code == fresh.status_code
    assert taken.headers.get("Location") == fresh.headers.get("Location")
    assert db.session.scalar(select(func.count()).select_from(User).where(
        User.email == "customer@example.com")) == 1
    messages = smtp.wait_for(2)
    to_owner = [m for m in messages if m.envelope_rcpt == ["customer@example.com"]]
    assert len(to_owner) == 1
    assert "already" in smtp.text(to_owner[0])
