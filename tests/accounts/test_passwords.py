"""Weak passwords are turned down at registration and at password change."""

import pytest
from sqlalchemy import select

from store.extensions import db
from store.models import User
from tests.conftest import PASSWORD, csrf_from
from tests.shopping import isolated_requests  # noqa: F401  (fixture: a fresh context per request)


def register(client, email, password):
    return client.post("/register", data={
        "email": email, "password": password, "password_confirm": password,
        "csrf_token": csrf_from(client, "/register")})


@pytest.mark.parametrize("weak", ["password", "12345678", "password1234", "qwertyuiop12",
                                  "aaaaaaaaaaaaaaaa"])
def test_registration_refuses_short_or_common_passwords(client, weak):
    """A short, common or patterned password is refused with a message; no account is made."""
    response = register(client, "weak@example.com", weak)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    reasons = ("Password must be at least 12 characters", "common password",
               "commonly used password", "easy to guess")
    assert any(reason in html for reason in reasons), html[-3000:]
    assert db.session.scalar(select(User).where(User.email == "weak@example.com")) is None


def test_registration_accepts_a_long_uncommon_password(client):
    """A long passphrase is accepted."""
    response = register(client, "strong@example.com", PASSWORD)
    assert response.status_code in (302, 303)
    assert db.session.scalar(select(User).where(User.email == "strong@example.com"))


def test_password_change_refuses_a_weak_new_password(client, auth):
    """Changing to a weak password is refused and the old one keeps working."""
    auth.login("customer")
    response = client.post("/change", data={
        "password": PASSWORD, "new_password": "password1234",
        "new_password_confirm": "password1234", "csrf_token": csrf_from(client, "/change")})
    assert response.status_code == 200
    assert "This is a very common password." in response.get_data(as_text=True)
    auth.logout()
    auth.login("customer")  # the old password still signs in


def test_users_created_from_the_command_line_follow_the_same_rules(app, runner):
    """`flask users create` refuses a weak password and creates nobody."""
    result = runner.invoke(args=["users", "create", "boss@example.com", "--role", "owner",
                                 "--password", "password1234"])
    assert result.exit_code != 0
    assert "common password" in result.output
    assert db.session.scalar(select(User).where(User.email == "boss@example.com")) is None
    result = runner.invoke(args=["users", "create", "boss@example.com", "--role", "owner",
                                 "--password", PASSWORD])
    assert result.exit_code == 0, result.output
