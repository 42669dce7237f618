"""Signing out ends the session on the server: copied cookies stop working, a password change
signs out the other browsers, remember-me lasts 30 days at most, and a customer can sign out
everywhere."""

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import update

from store.extensions import db
from store.models.base import utcnow
from store.models.users import UserSession
from tests.conftest import PASSWORD, csrf_from
from tests.shopping import IsolatedClient

ORDERS = "/account/orders"


@pytest.fixture
def browsers(app, auth):
    """A factory of separate browsers (own cookies and request context), and one customer."""
    app.test_client_class = IsolatedClient
    auth.user("customer")
    return app.test_client


def sign_in(browser, remember=False):
    data = {"email": "customer@example.com", "password": PASSWORD,
            "csrf_token": csrf_from(browser, "/login")}
    if remember:
        data["remember"] = "y"
    response = browser.post("/login", data=data)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:1000]
    return response


def signed_in(browser) -> bool:
    return browser.get(ORDERS).status_code == 200


def copy_cookies(source, target, names):
    for name in names:
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value, domain=cookie.domain)


def sign_out(browser):
    browser.post("/logout", data={"csrf_token": csrf_from(browser, "/")})


def test_a_session_cookie_copied_before_logout_is_dead_after_it(browsers):
    """Someone who copied the session cookie is signed in until the customer signs out, and
    not after."""
    mine, thief = browsers(), browsers()
    sign_in(mine)
    copy_cookies(mine, thief, ["session"])
    assert signed_in(thief)
    sign_out(mine)
    assert not signed_in(mine)
    assert not signed_in(thief)


def test_a_remember_me_cookie_copied_before_logout_is_dead_after_it(browsers):
    """A copy of the remember-me cookies signs a new browser in until the customer signs out."""
    mine = browsers()
    sign_in(mine, remember=True)
    before, after = browsers(), browsers()
    names = ["remember_token", "store_remember_sid"]
    copy_cookies(mine, before, names)
    copy_cookies(mine, after, names)
    assert signed_in(before)
    sign_out(mine)
    assert not signed_in(after)


def test_remember_me_lasts_thirty_days_at_most(browsers):
    """The remember-me cookies expire within 30 days."""
    response = sign_in(browsers(), remember=True)
    cookies = [c for c in response.headers.getlist("Set-Cookie")
               if c.startswith(("remember_token=", "store_remember_sid="))]
    assert len(cookies) == 2
    now = datetime.now(UTC)
    for cookie in cookies:
        expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
        assert now + timedelta(days=29) < expires <= now + timedelta(days=30, minutes=1)


def test_a_password_change_signs_out_the_other_browsers(browsers):
    """After a password change on the laptop, the phone is signed out and the laptop is not."""
    laptop, phone = browsers(), browsers()
    sign_in(laptop)
    sign_in(phone)
    old_phone_cookies = phone.get_cookie("session").value
    new = "another-long-pass-phrase-42"
    response = laptop.post("/change", data={
        "password": PASSWORD, "new_password": new, "new_password_confirm": new,
        "csrf_token": csrf_from(laptop, "/change")})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[-2000:]
    assert signed_in(laptop)
    assert not signed_in(phone)
    stale = browsers()
    stale.set_cookie("session", old_phone_cookies, domain="localhost")
    assert not signed_in(stale)


def test_a_customer_signs_out_everywhere(browsers):
    """The button on "My orders" signs the customer out on every browser, this one included;
    signing in again works."""
    laptop, phone = browsers(), browsers()
    sign_in(laptop)
    sign_in(phone, remember=True)
    page = laptop.get(ORDERS).get_data(as_text=True)
    assert "Sign out everywhere" in page
    response = laptop.post("/account/sign-out-everywhere",
                           data={"csrf_token": csrf_from(laptop, ORDERS)})
    assert response.status_code == 303
    assert not signed_in(laptop)
    assert not signed_in(phone)
    sign_in(phone)
    assert signed_in(phone)


def test_sign_out_everywhere_needs_csrf_and_a_session(browsers):
    """Without a CSRF token nothing happens; a visitor is sent to sign in."""
    laptop = browsers()
    sign_in(laptop)
    assert laptop.post("/account/sign-out-everywhere").status_code == 400
    assert signed_in(laptop)
    visitor = browsers()
    response = visitor.post("/account/sign-out-everywhere",
                            data={"csrf_token": csrf_from(visitor, "/")})
    assert response.status_code in (302, 303, 401)


def test_a_sign_in_older_than_thirty_days_has_ended(browsers):
    """A session (or remember-me cookie) from 31 days ago no longer signs anyone in."""
    mine = browsers()
    sign_in(mine, remember=True)
    assert signed_in(mine)
    db.session.execute(update(UserSession).values(created_at=utcnow() - timedelta(days=31)))
    db.session.commit()
    assert not signed_in(mine)
