"""Sign-in, two-factor and password forms are limited per account however the address is
spelled or sent, and per network address."""

import pytest

from store.extensions import db
from tests.accounts.test_two_factor import as_new_request
from tests.conftest import PASSWORD, csrf_from
from tests.shopping import IsolatedClient

LIMITS = {"RATELIMIT_ENABLED": True, "STORE_AUTH_LIMIT_PER_ACCOUNT": "3/minute",
          "STORE_AUTH_LIMIT_PER_ADDRESS": "100/minute"}


@pytest.fixture
def app_config():
    return dict(LIMITS)


def _login_form(client, email, password="wrong-guess-123"):
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_from(client, "/login")})


def test_respelled_addresses_share_one_limit(client, auth):
    """Guesses typed as VICTIM@Example.COM or in fullwidth letters count against the same
    account: the fourth try is refused, even with the right password."""
    auth.user("customer", "victim@example.com")
    statuses = [_login_form(client, spelling).status_code
                for spelling in ("victim@example.com", "VICTIM@Example.COM",
                                 "\uff56\uff49\uff43\uff54\uff49\uff4d@example.com")]
    assert statuses == [200, 200, 200]
    assert _login_form(client, " Victim@EXAMPLE.com ", PASSWORD).status_code == 429
    auth.user("customer", "other@example.com")
    assert _login_form(client, "other@example.com", PASSWORD).status_code in (302, 303)


def test_a_json_login_counts_against_the_same_account(client, auth):
    """Guesses sent as JSON are counted with the form's: after three, JSON and form are refused."""
    auth.user("customer", "victim@example.com")
    assert _login_form(client, "victim@example.com").status_code == 200
    token = csrf_from(client, "/login")
    for expected in (400, 400, 429):
        response = client.post("/login", json={"email": "Victim@Example.com",
                                               "password": "wrong-guess-123"},
                               headers={"X-CSRFToken": token})
        assert response.status_code == expected
    assert _login_form(client, "victim@example.com", PASSWORD).status_code == 429


def test_two_factor_codes_are_limited_per_account_across_addresses(app, auth):
    """Wrong two-factor codes for one staff member, sent from two addresses with two sessions,
    share one limit."""
    staff = auth.user("staff")
    staff.tf_primary_method = "authenticator"
    staff.tf_totp_secret = app.extensions["security"]._totp_factory.generate_totp_secret()
    db.session.commit()
    app.test_client_class = IsolatedClient
    statuses = []
    for address in ("10.0.0.1", "10.0.0.2"):
        browser = app.test_client()
        browser.environ_base["REMOTE_ADDR"] = address
        response = _login_form(browser, staff.email, PASSWORD)
        assert response.headers["Location"].startswith("/tf-validate")
        token = csrf_from(browser, "/tf-validate")
        for _ in range(2):
            statuses.append(browser.post("/tf-validate", data={
                "code": "000000", "csrf_token": token}).status_code)
    assert statuses == [200, 200, 200, 429]


@pytest.mark.parametrize("path, field", [("/change", "password"), ("/verify", "password")])
def test_password_checks_of_a_signed_in_user_are_limited(client, auth, path, field):
    """Re-entering a wrong password on /change or /verify is refused after three tries."""
    auth.login("customer")
    as_new_request()
    token = csrf_from(client, path)
    data = {field: "wrong-guess-123", "new_password": "a-new-long-pass-phrase",
            "new_password_confirm": "a-new-long-pass-phrase", "csrf_token": token}
    statuses = [client.post(path, data=data).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_reset_form_is_limited_per_link(client, auth):
    """Posting to one reset link is limited per link, from whichever address it comes."""
    token = csrf_from(client, "/reset")
    statuses = [client.post("/reset/not-a-real-token", data={
        "password": "a-new-long-pass-phrase", "password_confirm": "a-new-long-pass-phrase",
        "csrf_token": token}, environ_overrides={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code
        for i in range(4)]
    assert statuses[-1] == 429 and 429 not in statuses[:3]
