"""The back office gate on /admin/ for each kind of user."""

import pytest


def test_visitor_is_sent_to_login(client):
    """A visitor who is not signed in is sent to the login page."""
    response = client.get("/admin/")
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/login")


def test_customer_gets_403(client, auth):
    """A signed-in customer is refused the back office."""
    auth.login("customer")
    assert client.get("/admin/").status_code == 403


@pytest.mark.parametrize("role", ["staff", "owner"])
def test_staff_and_owner_reach_dashboard(client, auth, role):
    """Staff and owners reach the dashboard."""
    auth.login(role)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Dashboard" in response.get_data(as_text=True)


def test_deactivated_owner_is_refused(client, auth, app):
    """An owner whose account was deactivated loses access at once."""
    from store.extensions import db

    user = auth.login("owner")
    user.active = False
    db.session.commit()
    assert client.get("/admin/").status_code in (302, 303, 403)


def test_required_two_factor_sends_staff_to_setup(app, client, auth):
    """When the shop requires two-factor, staff without it are sent to set it up."""
    app.config["STORE_REQUIRE_2FA_FOR_STAFF"] = True
    auth.login("staff")
    response = client.get("/admin/")
    assert response.status_code in (302, 303)
    assert "/tf-setup" in response.headers["Location"]
