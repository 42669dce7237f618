"""Staff who lose their authenticator sign in with a one-time recovery code."""

import re

from sqlalchemy import text

from store.extensions import db
from tests.conftest import PASSWORD, csrf_from
from tests.shopping import IsolatedClient


def password_step(browser, email):
    response = browser.post("/login", data={"email": email, "password": PASSWORD,
                                            "csrf_token": csrf_from(browser, "/login")})
    assert response.headers["Location"].startswith("/tf-validate")


def with_authenticator(app, user):
    totp = app.extensions["security"]._totp_factory
    user.tf_primary_method = "authenticator"
    user.tf_totp_secret = totp.generate_totp_secret()
    db.session.commit()
    return lambda: totp.generate_totp_password(user.tf_totp_secret)


def use_recovery_code(browser, code):
    """From the two-factor page: "use a recovery code", then type it."""
    token = csrf_from(browser, "/tf-validate")
    response = browser.post("/tf-rescue", data={"help_setup": "recovery_code",
                                                 "csrf_token": token})
    assert response.headers["Location"].startswith("/mf-recovery")
    return browser.post("/mf-recovery", data={"code": code,
                                              "csrf_token": csrf_from(browser, "/mf-recovery")})


def test_a_recovery_code_signs_staff_in_once(app, auth):
    """Staff make recovery codes after signing in with their authenticator; later one code
    replaces the authenticator once, and the same code is refused the second time."""
    staff = auth.user("staff")
    code_now = with_authenticator(app, staff)
    app.test_client_class = IsolatedClient
    browser = app.test_client()
    password_step(browser, staff.email)
    response = browser.post("/tf-validate", data={
        "code": code_now(), "csrf_token": csrf_from(browser, "/tf-validate")})
    assert response.status_code in (302, 303)

    page = browser.post("/mf-recovery-codes", data={
        "generate_new_codes": "y", "csrf_token": csrf_from(browser, "/mf-recovery-codes")})
    assert page.status_code == 200
    util = app.extensions["security"].mf_recovery_codes_util
    db.session.expire_all()
    codes = util.get_recovery_codes(staff)
    assert len(codes) >= 5
    html = page.get_data(as_text=True)
    assert all(code in html for code in codes)
    stored = db.session.scalar(text('SELECT mf_recovery_codes FROM "user" WHERE id = :id'),
                               {"id": staff.id})
    assert stored and not any(code in stored for code in codes)  # encrypted at rest
    browser.post("/logout", data={"csrf_token": csrf_from(browser, "/")})

    lost_phone = app.test_client()
    password_step(lost_phone, staff.email)
    response = use_recovery_code(lost_phone, codes[0])
    assert response.status_code in (302, 303), response.get_data(as_text=True)[-2000:]
    assert lost_phone.get("/admin/").status_code == 200
    lost_phone.post("/logout", data={"csrf_token": csrf_from(lost_phone, "/")})

    again = app.test_client()
    password_step(again, staff.email)
    response = use_recovery_code(again, codes[0])
    assert response.status_code == 200
    assert again.get("/admin/").status_code in (302, 303)
    assert re.search(r"invalid|not valid", response.get_data(as_text=True), re.I)
