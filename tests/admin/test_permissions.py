"""Every back-office view, for every role: who may open it, who gets 403, who must log in."""

import pytest

from store.extensions import db

# DESIGN.md: staff run catalog, inventory, orders and customers; users, roles and the audit
# log, and the shop settings (settings, tax rates, shipping zones), are for owners only.
OWNER_ONLY = {"user", "role", "auditevent", "settings", "tax_rate", "shipping_zone",
              "shipping_method", "analytics"}
STAFF_VIEWS = {"admin", "product", "category", "variant", "stockmovement", "order", "customer",
               "emailmessage", "supportticket", "productimport", "discount_code", "page"}


def _views(app):
    admin = app.extensions["admin"][0]
    return {view.endpoint: view for view in admin._views}


def _index_urls(app):
    return {endpoint: view.url.rstrip("/") + "/" for endpoint, view in _views(app).items()}


def test_every_view_is_classified(app):
    """Each view in the back office is either for staff or for owners only, as DESIGN.md says."""
    assert set(_views(app)) == OWNER_ONLY | STAFF_VIEWS


@pytest.mark.parametrize("role", [None, "customer", "staff", "owner"])
def test_each_role_on_each_view(app, client, auth, role):
    """Visitors go to /login, customers get 403 everywhere, staff 403 only on owner views."""
    if role:
        auth.login(role)
    for endpoint, url in sorted(_index_urls(app).items()):
        status = client.get(url).status_code
        if role is None:
            assert status in (302, 303), (endpoint, status)
        elif role == "customer" or (role == "staff" and endpoint in OWNER_ONLY):
            assert status == 403, (endpoint, status)
        else:
            assert status == 200, (endpoint, status)


# Forms of their own: tests/settings, tests/analytics.
@pytest.mark.parametrize("endpoint", sorted(OWNER_ONLY - {"settings", "analytics"}))
def test_staff_posts_to_owner_views_change_nothing(app, client, auth, endpoint):
    """A staff POST to create or delete on an owner-only view is refused and changes nothing."""
    from store.models import AuditEvent, Role, User
    from tests.conftest import csrf_from

    owner = auth.user("owner", "boss@example.com")
    auth.login("staff")
    token = csrf_from(client, "/")
    counts = lambda: (db.session.query(User).count(), db.session.query(Role).count(),  # noqa: E731
                      db.session.query(AuditEvent).count())
    before = counts()
    urls = _index_urls(app)
    base = urls[endpoint]
    for path, data in ((f"{base}new/", {"email": "x@example.com", "name": "hacker",
                                         "password": "whatever-123"}),
                       (f"{base}delete/", {"id": owner.id}),
                       (f"{base}action/", {"action": "delete", "rowid": owner.id})):
        response = client.post(path, data={**data, "csrf_token": token})
        assert response.status_code == 403, (path, response.status_code)
    db.session.expire_all()
    assert counts() == before
    assert db.session.get(User, owner.id).active
