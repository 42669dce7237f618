"""The shared back-office view: permissions per operation, paging limits and capped counts."""

import re

import pytest
from flask_admin import expose
from flask_admin.actions import action

from store.admin.base import StoreModelView
from store.extensions import db
from store.models import AuditEvent, Category
from tests.conftest import csrf_from
from tests.factories import make_category, make_product

CATALOG_VIEWS = ["/admin/product/", "/admin/category/", "/admin/variant/",
                 "/admin/stockmovement/", "/admin/product-import/"]


def admin_view(app, endpoint):
    """The registered admin view with this endpoint."""
    admin = app.extensions["admin"][0]
    return next(view for view in admin._views if view.endpoint == endpoint)


def make_role(app, name, permissions):
    datastore = app.extensions["security"].datastore
    datastore.create_role(name=name, permissions=permissions)
    db.session.commit()


@pytest.mark.parametrize("path", CATALOG_VIEWS + ["/admin/auditevent/"])
def test_visitor_is_sent_to_login(client, path):
    """A visitor opening a back-office page is sent to sign in."""
    response = client.get(path)
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("path", CATALOG_VIEWS + ["/admin/auditevent/"])
def test_customer_gets_403(client, auth, path):
    """A customer is refused every catalog, inventory and audit page."""
    auth.login("customer")
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", CATALOG_VIEWS)
def test_staff_opens_catalog_and_inventory(client, auth, path):
    """Staff open the catalog, inventory and import pages."""
    make_product()
    auth.login("staff")
    assert client.get(path).status_code == 200


def test_staff_is_refused_the_audit_log_and_cannot_change_it(client, auth):
    """Staff get 403 on the owners' audit log, for reading and for posting."""
    auth.login("owner")
    make_category(name="Hats")
    db.session.add(AuditEvent(actor="owner@example.com", action="update", object_type="x",
                              object_id="1", summary="kept", changes={}))
    db.session.commit()
    auth.logout()
    auth.login("staff")
    token = csrf_from(client, "/admin/product/")
    event_id = db.session.scalar(db.select(AuditEvent.id))
    assert client.get("/admin/auditevent/").status_code == 403
    assert client.get(f"/admin/auditevent/details/?id={event_id}").status_code == 403
    for path, data in [("/admin/auditevent/delete/", {"id": event_id}),
                       ("/admin/auditevent/action/", {"action": "delete", "rowid": event_id}),
                       ("/admin/auditevent/new/", {"actor": "staff", "action": "x"})]:
        response = client.post(path, data={**data, "csrf_token": token})
        assert response.status_code == 403, path
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == 1


def test_menu_lists_only_what_the_user_may_open(client, auth):
    """Staff do not see the audit log in the menu; owners do."""
    auth.login("staff")
    html = client.get("/admin/product/").get_data(as_text=True)
    assert "Products" in html and "Stock movements" in html
    assert "Audit log" not in html
    auth.logout()
    auth.login("owner")
    assert "Audit log" in client.get("/admin/product/").get_data(as_text=True)


def test_inventory_only_role_sees_stock_but_not_products(app, client, auth):
    """A role with inventory rights only can open stock but gets 403 on products."""
    make_role(app, "stockkeeper", ["admin-access", "inventory-manage"])
    auth.user("stockkeeper", "keeper@example.com")
    auth.login("stockkeeper", "keeper@example.com")
    assert client.get("/admin/variant/").status_code == 200
    assert client.get("/admin/product/").status_code == 403
    html = client.get("/admin/variant/").get_data(as_text=True)
    assert "Products" not in html


class ReadOnlyForSomeView(StoreModelView):
    """A test view: anyone with catalog-write reads, only users-manage writes."""

    permission = "catalog-write"
    write_permission = "users-manage"
    action_permissions = {"rename": "audit-read"}
    view_permissions = {"secret_view": "users-manage"}
    can_export = True
    export_permission = "users-manage"

    @action("rename", "Rename")
    def action_rename(self, ids):
        for category in db.session.scalars(db.select(Category).where(Category.id.in_(ids))):
            category.name = "Renamed"
        db.session.commit()

    @expose("/secret/", methods=("GET", "POST"))
    def secret_view(self):
        return "secret"


@pytest.fixture
def gated_app(app):
    """The app with an extra view whose writes need a permission staff lack."""
    admin = app.extensions["admin"][0]
    admin.add_view(ReadOnlyForSomeView(Category, db, endpoint="gated", url="/admin/gated"))
    return app


def test_staff_post_to_owner_only_operations_gets_403(gated_app, client, auth):
    """Staff may list but every owner-only create, edit, delete, action or export is 403."""
    category = make_category(name="Original")
    auth.login("staff")
    list_html = client.get("/admin/gated/").get_data(as_text=True)
    assert "Original" in list_html
    assert "/admin/gated/new/" not in list_html  # no Create button
    assert "Rename" not in list_html  # no action they cannot run
    token = csrf_from(client, "/admin/product/")
    attempts = [
        ("post", "/admin/gated/new/", {"name": "X", "slug": "x", "position": "0"}),
        ("post", f"/admin/gated/edit/?id={category.id}", {"name": "Hacked", "slug": "h"}),
        ("post", "/admin/gated/delete/", {"id": category.id}),
        ("post", "/admin/gated/action/", {"action": "rename", "rowid": category.id}),
        ("post", "/admin/gated/action/", {"action": "delete", "rowid": category.id}),
        ("post", "/admin/gated/secret/", {}),
        ("get", "/admin/gated/export/csv/", None),
        ("get", f"/admin/gated/edit/?id={category.id}", None),
    ]
    for method, path, data in attempts:
        if method == "post":
            response = client.post(path, data={**data, "csrf_token": token})
        else:
            response = client.get(path)
        assert response.status_code == 403, (method, path)
    db.session.expire_all()
    assert db.session.scalars(db.select(Category.name)).all() == ["Original"]


def test_owner_runs_the_same_operations(gated_app, client, auth):
    """An owner holding the permissions can edit and run the action."""
    category = make_category(name="Original", slug="original")
    auth.login("owner")
    token = csrf_from(client, "/admin/product/")
    response = client.post("/admin/gated/action/", data={
        "action": "rename", "rowid": category.id, "csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Category, category.id).name == "Renamed"
    assert client.get("/admin/gated/export/csv/").status_code == 200


def test_post_without_csrf_token_is_rejected(client, auth):
    """A back-office form posted without its CSRF token changes nothing."""
    category = make_category(name="Books", slug="books")
    auth.login("staff")
    response = client.post(f"/admin/category/edit/?id={category.id}",
                           data={"name": "Hacked", "slug": "books", "position": "0"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Category, category.id).name == "Books"


def test_normal_edit_with_token_works(client, auth):
    """The same edit with the form's CSRF token is saved."""
    category = make_category(name="Books", slug="books")
    auth.login("staff")
    token = csrf_from(client, f"/admin/category/edit/?id={category.id}")
    response = client.post(f"/admin/category/edit/?id={category.id}", data={
        "name": "Novels", "slug": "books", "position": "2", "description": "",
        "csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Category, category.id).name == "Novels"


def test_page_size_is_at_most_50(client, auth):
    """Lists show 25 rows, and no more than 50 whatever the address asks for."""
    for i in range(60):
        db.session.add(Category(slug=f"c-{i}", name=f"Category {i}", position=i))
    db.session.commit()
    auth.login("staff")

    def rows(query=""):
        html = client.get("/admin/category/" + query).get_data(as_text=True)
        return len(re.findall(r'name="rowid"', html))

    assert rows() == 25
    assert rows("?page_size=50") == 50
    assert rows("?page_size=1000") == 25


def test_list_count_is_capped_on_big_tables(app, client, auth):
    """Past the cap the list says "N+" instead of counting every row."""
    for i in range(8):
        db.session.add(Category(slug=f"c-{i}", name=f"Category {i}"))
    db.session.commit()
    view = admin_view(app, "category")
    view.count_cap = 5
    try:
        auth.login("staff")
        html = client.get("/admin/category/").get_data(as_text=True)
        assert "List (5+)" in html
        html = client.get("/admin/category/?search=Category+7").get_data(as_text=True)
        assert "List (1)" in html
    finally:
        view.count_cap = 10_000


def test_lists_and_filters_work_on_postgresql(pg_app):
    """The catalog, stock, ledger and audit lists open and filter on PostgreSQL."""
    from tests.conftest import Auth

    client = pg_app.test_client()
    Auth(pg_app, client).login("owner")
    make_product(name="Tee", variants=[{"sku": "TEE-1", "stock": 2}])
    for path in ("/admin/product/?search=Tee", "/admin/category/", "/admin/variant/?flt0_0=low",
                 "/admin/variant/?flt0_3=1", "/admin/stockmovement/?flt0_1=initial",
                 "/admin/auditevent/", "/admin/product/export/csv/"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert "TEE-1" in client.get("/admin/variant/?flt0_0=low").get_data(as_text=True)
