"""Two-factor sign-in (TOTP) for back-office roles, required when the shop asks for it."""

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from flask import g

from store.extensions import db
from tests.conftest import PASSWORD, csrf_from


@pytest.fixture
def app_config():
    return {"STORE_REQUIRE_2FA_FOR_STAFF": True}


def totp_code(b32_key: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """The code an authenticator app shows for a base32 key (RFC 6238, SHA-1, like pyotp)."""
    b32_key = b32_key.replace(" ", "").replace("-", "").upper()
    key = base64.b32decode(b32_key + "=" * (-len(b32_key) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10 ** digits).zfill(digits)


def login(client, email):
    return client.post("/login", data={"email": email, "password": PASSWORD,
                                       "csrf_token": csrf_from(client, "/login")})


def as_new_request() -> None:
    """Forget the user Flask-Login cached on `g`, as a real request would.

    The `app` fixture keeps one app context (and so one `g`) for the whole test; in
    production every request loads the user afresh, which is when Flask-Security notes how
    recently they signed in (its freshness check on /tf-setup depends on it).
    """
    g.pop("_login_user", None)


def set_up_authenticator(client) -> str:
    """Choose the authenticator app on /tf-setup, read the key shown, confirm with a code."""
    as_new_request()
    token = csrf_from(client, "/tf-setup")
    page = client.post("/tf-setup", data={"setup": "authenticator", "csrf_token": token})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="qrcode"' in html
    # The key for manual entry, as passlib prints it: groups of base32 joined by dashes.
    key = re.search(r'id="qrcode"[^>]*>\s*</div>\s*<div>([A-Z2-7-]+)</div>', html).group(1)
    key = key.replace("-", "")
    action = re.search(r'<form action="([^"]+)" method="post" name="two_factor_verify_code_form"',
                       html).group(1)
    response = client.post(action.replace("&amp;", "&"),
                           data={"code": totp_code(key), "csrf_token": token})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[-2000:]
    return key


def test_totp_secret_configuration_is_usable(app):
    """The configured TOTP keys encrypt a new secret and verify its own code."""
    from passlib.totp import TOTP

    totp = app.extensions["security"]._totp_factory
    secret = totp.generate_totp_secret()
    assert "enckey" in secret  # stored encrypted, not as the bare key
    key = TOTP.using(secrets=app.config["SECURITY_TOTP_SECRETS"]).from_source(secret)
    assert totp.verify_totp(totp_code(key.base32_key), secret, user=None)


@pytest.mark.parametrize("role", ["staff", "owner"])
@pytest.mark.parametrize("path", ["/admin/", "/admin/order/", "/admin/customer/"])
def test_back_office_requires_two_factor_setup(client, auth, role, path):
    """With two-factor required, staff and owners without it are sent to set it up on
    every back-office page, the dashboard included."""
    auth.login(role)
    response = client.get(path)
    assert response.status_code in (302, 303)
    assert "/tf-setup" in response.headers["Location"]


def test_customer_is_still_refused_not_asked_for_two_factor(client, auth):
    """A customer gets 403, not a two-factor set-up page."""
    auth.login("customer")
    assert client.get("/admin/").status_code == 403


def test_staff_sets_up_totp_then_reaches_the_back_office(client, auth):
    """Staff set up an authenticator app with a code computed from the key shown, then
    reach the dashboard; signing in again asks for a fresh code."""
    user = auth.login("staff")
    assert "/tf-setup" in client.get("/admin/").headers["Location"]
    key = set_up_authenticator(client)
    db.session.expire_all()
    assert user.tf_primary_method == "authenticator"
    assert user.tf_totp_secret and key not in user.tf_totp_secret
    assert client.get("/admin/").status_code == 200

    auth.logout()
    response = login(client, user.email)
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/tf-validate")
    assert client.get("/admin/").status_code in (302, 303)  # not signed in until the code
    token = csrf_from(client, response.headers["Location"])
    wrong = client.post("/tf-validate", data={"code": "000000", "csrf_token": token})
    assert wrong.status_code == 200
    assert client.get("/admin/").status_code in (302, 303)
    ok = client.post("/tf-validate", data={"code": totp_code(key), "csrf_token": token})
    assert ok.status_code in (302, 303)
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "Dashboard" in page.get_data(as_text=True)


def test_production_requires_two_factor_by_default(monkeypatch):
    """In production, back-office roles must use two-factor unless the setting says not."""
    from store.config import load_config

    monkeypatch.delenv("STORE_REQUIRE_2FA_FOR_STAFF", raising=False)
    monkeypatch.setenv("STORE_ENV", "production")
    assert load_config()["STORE_REQUIRE_2FA_FOR_STAFF"] is True
    monkeypatch.setenv("STORE_ENV", "development")
    assert load_config()["STORE_REQUIRE_2FA_FOR_STAFF"] is False
    monkeypatch.setenv("STORE_REQUIRE_2FA_FOR_STAFF", "1")
    assert load_config()["STORE_REQUIRE_2FA_FOR_STAFF"] is True


def test_empty_totp_secret_setting_still_gives_a_key(monkeypatch):
    """An empty SECURITY_TOTP_SECRET (as in .env.example) falls back to a key derived from
    SECRET_KEY instead of stopping the shop from starting."""
    from passlib.totp import TOTP

    from store.config import load_config

    monkeypatch.setenv("SECURITY_TOTP_SECRET", "")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-secret-key-for-tests")
    secrets = load_config()["SECURITY_TOTP_SECRETS"]
    assert secrets["1"] and "a-long-random" not in secrets["1"]
    TOTP.using(secrets=secrets).new().to_json(encrypt=True)
    monkeypatch.setenv("SECURITY_TOTP_SECRET", "chosen-totp-key")
    assert load_config()["SECURITY_TOTP_SECRETS"] == {"1": "chosen-totp-key"}
