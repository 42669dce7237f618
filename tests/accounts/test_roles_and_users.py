"""Accounts: register, confirm by email, log in and out, reset a password, roles."""

import re

from flask_security import verify_password

from store.extensions import db
from store.models import User
from tests.conftest import PASSWORD, csrf_from


def _link(mailbox, path: str) -> str:
    message = mailbox.wait_for(1)[-1]
    body = mailbox.text(message)
    match = re.search(r"http://[^/\s]+(" + path + r"/[^\s\"<>]+)", body)
    assert match, body
    return match.group(1)


def test_register_confirm_login_logout(client, smtp):
    """A visitor registers, confirms from the real email, logs in and logs out (POST)."""
    response = client.post("/register", data={
        "email": "new@example.com", "password": PASSWORD, "password_confirm": PASSWORD,
        "csrf_token": csrf_from(client, "/register")})
    assert response.status_code in (302, 303)
    user = db.session.scalar(db.select(User).where(User.email == "new@example.com"))
    assert [r.name for r in user.roles] == ["customer"]
    assert user.confirmed_at is None

    messages = smtp.wait_for(1)
    assert messages[0].envelope_rcpt == ["new@example.com"]
    confirm_path = _link(smtp, "/confirm")
    assert client.get(confirm_path).status_code in (302, 303)
    db.session.expire_all()
    assert db.session.get(User, user.id).confirmed_at is not None
    # The confirmation link signed them in: sign out to sign in with the password.
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})

    response = client.post("/login", data={"email": "new@example.com", "password": PASSWORD,
                                           "csrf_token": csrf_from(client, "/login")})
    assert response.status_code in (302, 303)
    assert "Log out" in client.get("/").get_data(as_text=True)

    assert client.get("/logout").status_code == 405
    response = client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    assert response.status_code in (302, 303)
    assert "Log in" in client.get("/").get_data(as_text=True)


def test_unconfirmed_user_cannot_log_in(client, auth):
    """Until the email is confirmed, the password alone does not sign in."""
    client.post("/register", data={
        "email": "late@example.com", "password": PASSWORD, "password_confirm": PASSWORD,
        "csrf_token": csrf_from(client, "/register")})
    response = client.post("/login", data={"email": "late@example.com", "password": PASSWORD,
                                           "csrf_token": csrf_from(client, "/login")})
    assert response.status_code == 200
    # The answer is the generic one, so it tells nobody whether the account exists.
    assert "Authentication failed" in response.get_data(as_text=True)
    assert "Log out" not in client.get("/").get_data(as_text=True)


def test_password_reset_by_email(client, auth, smtp):
    """A customer who forgot the password gets a reset link by email and sets a new one."""
    auth.user("customer", "forgetful@example.com")
    response = client.post("/reset", data={"email": "forgetful@example.com",
                                           "csrf_token": csrf_from(client, "/reset")})
    assert response.status_code in (200, 302, 303)
    reset_path = _link(smtp, "/reset")
    new_password = "a brand new secret 42"
    response = client.post(reset_path, data={
        "password": new_password, "password_confirm": new_password,
        "csrf_token": csrf_from(client, reset_path)})
    assert response.status_code in (302, 303)
    user = db.session.scalar(db.select(User).where(User.email == "forgetful@example.com"))
    db.session.refresh(user)
    assert verify_password(new_password, user.password)


def test_login_without_csrf_token_is_rejected(client, auth):
    """A login POST without its CSRF token is refused and signs nobody in."""
    auth.user("customer")
    response = client.post("/login", data={"email": "customer@example.com",
                                           "password": PASSWORD})
    assert response.status_code == 400
    assert "Log in" in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused(client, auth):
    """A wrong password shows an error and does not sign in."""
    auth.user("customer")
    response = client.post("/login", data={"email": "customer@example.com",
                                           "password": "not it at all",
                                           "csrf_token": csrf_from(client, "/login")})
    assert response.status_code == 200
    assert "Log out" not in client.get("/").get_data(as_text=True)


def test_configured_password_hash_is_bcrypt(tmp_path):
    """The real configuration hashes passwords with bcrypt."""
    from tests.conftest import make_app

    app = make_app(tmp_path, SECURITY_PASSWORD_HASH="bcrypt",
                   SECURITY_PASSWORD_SCHEMES=["bcrypt"])
    with app.app_context():
        from store.accounts.services import create_user

        user = create_user("hashed@example.com", PASSWORD, ["customer"])
        assert user.password.startswith("$2b$")
        assert verify_password(PASSWORD, user.password)
        assert user.fs_uniquifier


def test_cli_creates_owner(runner, app):
    """`flask users create EMAIL --role owner` creates a confirmed owner."""
    result = runner.invoke(args=["users", "create", "boss@example.com", "--role", "owner",
                                 "--password", "s3cret-passw0rd"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.email == "boss@example.com"))
    assert user.has_role("owner") and user.confirmed_at is not None
    assert user.has_permission("users-manage")
    result = runner.invoke(args=["users", "create", "boss@example.com", "--role", "owner",
                                 "--password", "s3cret-passw0rd"])
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_cli_prompts_for_password(runner, app):
    """Without --password the command asks for it twice."""
    result = runner.invoke(args=["users", "create", "asked@example.com", "--role", "staff"],
                           input="typed-password-1\ntyped-password-1\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.email == "asked@example.com"))
    assert verify_password("typed-password-1", user.password)


def test_login_attempts_are_rate_limited_per_account(tmp_path):
    """Guessing one account's password is cut off after a few tries; other accounts still work."""
    from tests.conftest import make_app

    app = make_app(tmp_path, RATELIMIT_ENABLED=True, STORE_AUTH_LIMIT_PER_ACCOUNT="3/minute",
                   STORE_AUTH_LIMIT_PER_ADDRESS="100/minute")
    with app.app_context():
        from store.accounts.services import create_user

        create_user("victim@example.com", PASSWORD, ["customer"])
        create_user("other@example.com", PASSWORD, ["customer"])
        client = app.test_client()
        token = csrf_from(client, "/login")
        statuses = [client.post("/login", data={"email": "victim@example.com",
                                                "password": f"guess-{i}",
                                                "csrf_token": token}).status_code
                    for i in range(4)]
        assert statuses == [200, 200, 200, 429]
        response = client.post("/login", data={"email": "victim@example.com",
                                               "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 429
        response = client.post("/login", data={"email": "other@example.com",
                                               "password": PASSWORD, "csrf_token": token})
        assert response.status_code in (302, 303)
        db.session.remove()
