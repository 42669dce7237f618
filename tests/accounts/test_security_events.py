"""Security events land in the audit log: failed sign-ins and two-factor codes, password
changes and resets, and changes to users' roles and roles' permissions."""

from flask_security.recoverable import generate_reset_password_token
from sqlalchemy import select

from store.extensions import db
from store.models import AuditEvent, Role
from tests.accounts.test_recovery_codes import password_step, with_authenticator
from tests.accounts.test_two_factor import as_new_request
from tests.admin.test_users import edit_user, role_id, save_role
from tests.conftest import PASSWORD, csrf_from
from tests.shopping import IsolatedClient

NEW_PASSWORD = "another-long-pass-phrase-42"


def events(action):
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).all()


def test_a_failed_sign_in_is_logged_against_the_account(client, auth):
    """A wrong password (typed in capitals) is logged for that account; a right one is not;
    an unknown address logs nothing and is answered like any other failure."""
    user = auth.user("customer")
    response = client.post("/login", data={"email": "CUSTOMER@example.com",
                                           "password": "wrong-guess-123",
                                           "csrf_token": csrf_from(client, "/login")})
    assert response.status_code == 200
    [row] = events("sign-in-failed")
    assert (row.object_type, row.object_id, row.actor) == ("user", str(user.id), user.email)
    assert "wrong-guess" not in str(row.changes)
    client.post("/login", data={"email": "nobody@example.com", "password": "wrong-guess-123",
                                "csrf_token": csrf_from(client, "/login")})
    auth.login("customer")
    assert len(events("sign-in-failed")) == 1


def test_a_wrong_two_factor_code_is_logged(app, auth):
    """A wrong authenticator code after the right password is logged for that staff member."""
    staff = auth.user("staff")
    with_authenticator(app, staff)
    app.test_client_class = IsolatedClient
    browser = app.test_client()
    password_step(browser, staff.email)
    assert events("sign-in-failed") == []
    browser.post("/tf-validate", data={"code": "000000",
                                       "csrf_token": csrf_from(browser, "/tf-validate")})
    [row] = events("two-factor-failed")
    assert row.object_id == str(staff.id)


def test_a_password_change_is_logged_without_the_password(client, auth):
    """Changing one's password writes an audit row that holds no password."""
    user = auth.login("customer")
    as_new_request()
    response = client.post("/change", data={
        "password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD,
        "csrf_token": csrf_from(client, "/change")})
    assert response.status_code in (302, 303)
    [row] = events("password-change")
    assert row.user_id == user.id
    assert NEW_PASSWORD not in str(row.changes) and PASSWORD not in str(row.changes)


def test_a_password_reset_is_logged(client, auth):
    """Setting a new password from a reset link writes an audit row."""
    user = auth.user("customer")
    token = generate_reset_password_token(user)
    response = client.post(f"/reset/{token}", data={
        "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD,
        "csrf_token": csrf_from(client, f"/reset/{token}")})
    assert response.status_code in (302, 303)
    [row] = events("password-reset")
    assert row.object_id == str(user.id) and NEW_PASSWORD not in str(row.changes)


def test_role_and_permission_changes_are_logged(client, auth):
    """An owner giving a user a role, and a role a permission, leaves both in the audit log."""
    auth.login("owner")
    customer = auth.user("customer")
    edit_user(client, customer, ["customer", "staff"])
    role_rows = [r for r in events("update") if r.object_type == "user"]
    assert role_rows[-1].changes["roles"] == [["customer"], ["customer", "staff"]]
    staff_role = db.session.scalar(select(Role).where(Role.name == "staff"))
    save_role(client, sorted(set(staff_role.permissions) | {"audit-read"}), name="staff",
              role=staff_role)
    row = [r for r in events("update") if r.object_type == "role"][-1]
    old, new = row.changes["permissions"]
    assert "audit-read" in new and "audit-read" not in old
    assert role_id("staff")
