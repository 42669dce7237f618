"""The audit log: who changed what, from what to what; read-only and for owners only."""

from decimal import Decimal

from store.audit import services as audit
from store.extensions import db
from store.models import AuditEvent, Category, Product
from tests.conftest import csrf_from
from tests.factories import make_category, make_product


def test_diff_lists_changed_fields_old_and_new(app):
    """A changed price and category read as old and new values; untouched fields do not."""
    shoes = make_category(name="Shoes")
    product = make_product(price="10.00")
    product.price = Decimal("12.50")
    product.category = shoes
    product.active = True  # set but not changed
    changes = audit.diff(product)
    assert changes == {"price": ["10.00", "12.50"], "category": [None, "Shoes"]}


def test_record_writes_nothing_until_the_change_commits(app, auth):
    """An event recorded in a change that is rolled back leaves no trace."""
    owner = auth.user("owner")
    category = make_category(name="Hats")
    audit.record(owner, "update", category, {"name": ["Hats", "Caps"]})
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == 0
    event = audit.record(owner, "update", category, {"name": ["Hats", "Caps"]}, "renamed")
    db.session.commit()
    assert (event.actor, event.user_id, event.object_type, event.object_id, event.summary) == (
        "owner@example.com", owner.id, "category", str(category.id), "renamed")


def test_secrets_are_never_logged(app, auth):
    """Password and two-factor secrets show as hidden in a diff."""
    user = auth.user("staff")
    user.password = "new-secret-password"
    assert audit.diff(user)["password"] == ["(hidden)", "(changed)"]


def test_back_office_changes_are_logged_and_owners_read_them(client, auth):
    """A staff edit appears in the owner's audit log with who and what changed."""
    category = make_category(name="Hats", slug="hats")
    auth.login("staff")
    token = csrf_from(client, f"/admin/category/edit/?id={category.id}")
    client.post(f"/admin/category/edit/?id={category.id}", data={
        "name": "Caps", "slug": "hats", "description": "", "position": "0",
        "csrf_token": token})
    auth.logout()
    auth.login("owner")
    html = client.get("/admin/auditevent/").get_data(as_text=True)
    assert "staff@example.com" in html and "Hats" in html and "Caps" in html
    event = db.session.scalar(db.select(AuditEvent))
    assert event.changes == {"name": ["Hats", "Caps"]}
    details = client.get(f"/admin/auditevent/details/?id={event.id}")
    assert details.status_code == 200


def test_audit_log_filters(client, auth):
    """The log filters by who did it and by object."""
    owner = auth.user("owner")
    staff = auth.user("staff")
    category = make_category(name="Hats")
    product = make_product(name="Cap")
    audit.record(owner, "update", category, {"name": ["a", "b"]})
    audit.record(staff, "update", product, {"price": ["1.00", "2.00"]})
    db.session.commit()
    auth.login("owner")
    page = client.get("/admin/auditevent/").get_data(as_text=True)
    import re

    indexes = dict(re.findall(r'"(Who|Object)":\s*\[\s*\{\s*"arg":\s*"(\d+)"', page))
    html = client.get(f"/admin/auditevent/?flt0_{indexes['Who']}=staff").get_data(as_text=True)
    assert "Cap" in html and "Hats" not in html
    html = client.get(f"/admin/auditevent/?flt0_{indexes['Object']}=category").get_data(
        as_text=True)
    assert "Hats" in html and "Cap<" not in html


def test_owners_cannot_edit_or_delete_the_log(client, auth):
    """Even an owner cannot change or delete audit events."""
    owner = auth.login("owner")
    category = make_category(name="Hats")
    event = audit.record(owner, "update", category, {"name": ["a", "b"]})
    db.session.commit()
    token = csrf_from(client, "/admin/auditevent/")
    client.post(f"/admin/auditevent/edit/?id={event.id}", data={"summary": "x",
                                                               "csrf_token": token})
    client.post("/admin/auditevent/delete/", data={"id": event.id, "csrf_token": token})
    client.post("/admin/auditevent/action/", data={"action": "delete", "rowid": event.id,
                                                   "csrf_token": token})
    db.session.expire_all()
    assert db.session.get(AuditEvent, event.id).summary == "Hats"


def test_failed_save_logs_nothing(client, auth):
    """A product save that is refused leaves no audit event."""
    auth.login("staff")
    token = csrf_from(client, "/admin/product/new/")
    client.post("/admin/product/new/", data={"name": "No variants", "price": "1.00",
                                             "csrf_token": token})
    assert db.session.scalar(db.select(db.func.count(Product.id))) == 0
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == 0
    assert db.session.scalar(db.select(db.func.count(Category.id))) == 0
