"""Back-office users and roles: owners only, hashed passwords, no over-granting, an owner stays."""

import pytest
from sqlalchemy import func, select

from store.accounts.services import create_user
from store.extensions import db
from store.models import AuditEvent, Role, User
from tests.conftest import PASSWORD, csrf_from


def role_id(name: str) -> str:
    return str(db.session.scalar(select(Role.id).where(Role.name == name)))


def reload(model):
    db.session.expire_all()
    return db.session.get(type(model), model.id)


def edit_user(client, user, roles, active=True, full_name=""):
    url = f"/admin/user/edit/?id={user.id}"
    data = {"full_name": full_name, "roles": [role_id(r) for r in roles],
            "csrf_token": csrf_from(client, url)}
    if active:
        data["active"] = "y"
    return client.post(url, data=data, follow_redirects=True)


def save_role(client, permissions, name="helpers", role=None):
    url = f"/admin/role/edit/?id={role.id}" if role else "/admin/role/new/"
    return client.post(url, data={"name": name, "description": "", "permissions": permissions,
                                  "csrf_token": csrf_from(client, url)},
                       follow_redirects=True)


def make_manager(app):
    """A user who may manage users but holds no other owner permission."""
    datastore = app.extensions["security"].datastore
    datastore.create_role(name="manager", permissions=["admin-access", "users-manage"])
    db.session.commit()
    return create_user("manager@example.com", PASSWORD, ["manager"])


# -- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/admin/user/", "/admin/role/"])
def test_visitor_and_customer_are_kept_out(client, auth, url):
    """A visitor is sent to sign in, a customer gets 403."""
    response = client.get(url)
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/login")
    auth.login("customer")
    assert client.get(url).status_code == 403


def test_staff_get_403_and_change_nothing(client, auth):
    """Staff get 403 on users and roles, and their posts change nothing."""
    owner = auth.user("owner")
    auth.login("staff")
    token = csrf_from(client, "/admin/")
    assert client.get("/admin/user/").status_code == 403
    assert client.get("/admin/role/").status_code == 403
    assert client.post("/admin/user/new/", data={
        "email": "sneaky@example.com", "password": PASSWORD, "roles": [role_id("owner")],
        "csrf_token": token}).status_code == 403
    assert client.post(f"/admin/user/edit/?id={owner.id}", data={
        "roles": [role_id("customer")], "csrf_token": token}).status_code == 403
    staff_role = db.session.scalar(select(Role).where(Role.name == "staff"))
    assert client.post(f"/admin/role/edit/?id={staff_role.id}", data={
        "name": "staff", "permissions": ["users-manage"], "csrf_token": token}
    ).status_code == 403
    assert client.post("/admin/user/delete/", data={
        "id": str(owner.id), "csrf_token": token}).status_code == 403
    assert db.session.scalar(select(User).where(User.email == "sneaky@example.com")) is None
    assert [r.name for r in reload(owner).roles] == ["owner"]
    assert "users-manage" not in reload(staff_role).permissions


def test_menu_shows_users_and_roles_to_owners_only(client, auth):
    """The back-office menu lists Users and Roles for an owner, not for staff."""
    auth.login("staff")
    html = client.get("/admin/").get_data(as_text=True)
    assert "/admin/user/" not in html and "/admin/role/" not in html
    assert "/admin/order/" in html and "/admin/customer/" in html
    auth.logout()
    auth.login("owner")
    html = client.get("/admin/").get_data(as_text=True)
    assert "/admin/user/" in html and "/admin/role/" in html


# -- creating users ----------------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [{"SECURITY_PASSWORD_HASH": "bcrypt"}])
def test_owner_creates_a_user_who_can_sign_in(client, auth):
    """An owner creates a staff user in the admin: the password is stored as a bcrypt hash,
    fs_uniquifier is set and the new user signs in to the back office."""
    auth.login("owner")
    url = "/admin/user/new/"
    response = client.post(url, data={
        "email": "newhire@example.com", "full_name": "New Hire", "password": PASSWORD,
        "roles": [role_id("staff")], "confirmed": "y", "csrf_token": csrf_from(client, url)})
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    user = db.session.scalar(select(User).where(User.email == "newhire@example.com"))
    assert user.password.startswith("$2b$") and "s3cret" not in user.password
    assert user.fs_uniquifier and len(user.fs_uniquifier) >= 32
    assert [r.name for r in user.roles] == ["staff"]
    created = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "create", AuditEvent.object_type == "user")).one()
    assert "s3cret" not in str(created.changes)
    auth.logout()
    response = client.post("/login", data={
        "email": "newhire@example.com", "password": PASSWORD,
        "csrf_token": csrf_from(client, "/login")})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_create_user_refuses_duplicate_email(client, auth):
    """Creating a user with an email already taken shows a message and adds no one."""
    auth.login("owner")
    auth.user("staff")
    url = "/admin/user/new/"
    html = client.post(url, data={
        "email": "staff@example.com", "password": PASSWORD, "roles": [role_id("staff")],
        "csrf_token": csrf_from(client, url)}, follow_redirects=True).get_data(as_text=True)
    assert "already exists" in html
    assert db.session.scalar(select(func.count(User.id)).where(
        User.email == "staff@example.com")) == 1


# -- nobody grants what they lack ----------------------------------------------------------------


def test_cannot_grant_a_permission_you_lack(client, auth, app):
    """A user manager without audit-read cannot make a role with it or give the owner role,
    but can grant what they hold."""
    manager = make_manager(app)
    auth.login("manager", email=manager.email)
    html = save_role(client, ["admin-access", "audit-read"]).get_data(as_text=True)
    assert "cannot grant permissions you do not hold: audit-read" in html
    assert db.session.scalar(select(Role).where(Role.name == "helpers")) is None

    customer = auth.user("customer")
    html = edit_user(client, customer, ["customer", "owner"]).get_data(as_text=True)
    assert "cannot grant permissions you do not hold" in html
    assert [r.name for r in reload(customer).roles] == ["customer"]

    save_role(client, ["admin-access", "users-manage"], name="helpers")
    helpers = db.session.scalar(select(Role).where(Role.name == "helpers"))
    assert sorted(helpers.permissions) == ["admin-access", "users-manage"]
    edit_user(client, customer, ["customer", "helpers"])
    assert sorted(r.name for r in reload(customer).roles) == ["customer", "helpers"]


def test_manager_creating_an_owner_is_refused_and_not_audited(client, auth, app):
    """A user manager cannot create an owner from the new-user form: no account appears and
    the audit log records nothing; creating a user they may create is logged once."""
    manager = make_manager(app)
    auth.login("manager", email=manager.email)
    url = "/admin/user/new/"
    html = client.post(url, data={
        "email": "boss@example.com", "password": PASSWORD, "roles": [role_id("owner")],
        "csrf_token": csrf_from(client, url)}, follow_redirects=True).get_data(as_text=True)
    assert "cannot grant permissions you do not hold" in html
    assert db.session.scalar(select(User).where(User.email == "boss@example.com")) is None
    creations = select(AuditEvent).where(AuditEvent.action == "create",
                                         AuditEvent.object_type == "user")
    assert db.session.scalars(creations).all() == []
    client.post(url, data={"email": "helper@example.com", "password": PASSWORD,
                           "roles": [role_id("manager")], "csrf_token": csrf_from(client, url)})
    [row] = db.session.scalars(creations).all()
    assert (row.user_id, row.summary) == (manager.id, "helper@example.com")


def test_owner_builds_a_role_from_permissions(client, auth):
    """An owner makes a role by ticking permissions; unknown permissions are refused."""
    auth.login("owner")
    html = client.get("/admin/role/new/").get_data(as_text=True)
    assert 'type="checkbox"' in html and "orders-read" in html
    save_role(client, ["admin-access", "orders-read"], name="packer")
    packer = db.session.scalar(select(Role).where(Role.name == "packer"))
    assert sorted(packer.permissions) == ["admin-access", "orders-read"]
    html = save_role(client, ["admin-access", "launch-rockets"], name="bad").get_data(
        as_text=True)
    assert "Not a valid choice" in html or "not a valid choice" in html.lower()
    assert db.session.scalar(select(Role).where(Role.name == "bad")) is None


def test_built_in_roles_cannot_be_deleted(client, auth):
    """The built-in customer role cannot be deleted."""
    auth.login("owner")
    customer_role = db.session.scalar(select(Role).where(Role.name == "customer"))
    html = client.post("/admin/role/delete/", data={
        "id": str(customer_role.id), "csrf_token": csrf_from(client, "/admin/role/")},
        follow_redirects=True).get_data(as_text=True)
    assert "cannot be deleted" in html
    assert reload(customer_role) is not None


# -- the last owner ------------------------------------------------------------------------------


def test_last_owner_cannot_be_demoted_deactivated_or_deleted(client, auth):
    """The only owner cannot lose the owner role, be deactivated or be deleted."""
    owner = auth.login("owner")
    html = edit_user(client, owner, ["staff"]).get_data(as_text=True)
    assert "at least one active owner" in html
    assert [r.name for r in reload(owner).roles] == ["owner"]

    html = edit_user(client, owner, ["owner"], active=False).get_data(as_text=True)
    assert "at least one active owner" in html
    assert reload(owner).active

    html = client.post("/admin/user/delete/", data={
        "id": str(owner.id), "csrf_token": csrf_from(client, "/admin/user/")},
        follow_redirects=True).get_data(as_text=True)
    assert reload(owner) is not None

    owner_role = db.session.scalar(select(Role).where(Role.name == "owner"))
    permissions = [p for p in owner_role.permissions if p != "users-manage"]
    html = save_role(client, permissions, name="owner", role=owner_role).get_data(as_text=True)
    assert "at least one active owner" in html
    assert "users-manage" in reload(owner_role).permissions


def test_an_owner_can_be_demoted_when_another_remains(client, auth):
    """With a second owner, an owner can be made staff and later deleted."""
    auth.login("owner")
    second = create_user("second@example.com", PASSWORD, ["owner"])
    edit_user(client, second, ["staff"], full_name="Second")
    assert [r.name for r in reload(second).roles] == ["staff"]
    client.post("/admin/user/delete/", data={
        "id": str(second.id), "csrf_token": csrf_from(client, "/admin/user/")})
    assert reload(second) is None


def test_bulk_delete_spares_the_last_owner(client, auth):
    """Deleting users in bulk deletes the others and keeps the last owner."""
    owner = auth.login("owner")
    other = auth.user("customer")
    client.post("/admin/user/action/", data={
        "action": "delete", "rowid": [str(owner.id), str(other.id)],
        "csrf_token": csrf_from(client, "/admin/user/")})
    assert reload(owner) is not None
    assert reload(other) is None


# -- the editor's own rights are read before the change (hole 1) ---------------------------------


def test_manager_cannot_make_themselves_owner(client, auth, app):
    """A user manager who ticks the owner role on their own user is refused and stays a manager."""
    manager = make_manager(app)
    auth.login("manager", email=manager.email)
    html = edit_user(client, manager, ["manager", "owner"]).get_data(as_text=True)
    assert "cannot grant permissions you do not hold" in html
    assert [r.name for r in reload(manager).roles] == ["manager"]
    assert client.get("/admin/auditevent/").status_code == 403


def test_manager_cannot_give_their_own_role_every_permission(client, auth, app):
    """A user manager who ticks every permission on their own role is refused; the role keeps
    what it had and the manager still cannot read the audit log."""
    from store.accounts.services import PERMISSIONS

    manager = make_manager(app)
    auth.login("manager", email=manager.email)
    role = db.session.scalar(select(Role).where(Role.name == "manager"))
    html = save_role(client, list(PERMISSIONS), name="manager", role=role).get_data(as_text=True)
    assert "cannot grant permissions you do not hold" in html
    assert sorted(reload(role).permissions) == ["admin-access", "users-manage"]
    assert client.get("/admin/auditevent/").status_code == 403


def test_manager_cannot_add_permissions_to_a_role_they_hold_for_someone_else(client, auth, app):
    """Adding a permission to the manager's own role is refused even while editing another
    user's roles first: only what the manager held before the request counts."""
    manager = make_manager(app)
    auth.login("manager", email=manager.email)
    customer = auth.user("customer")
    edit_user(client, customer, ["customer", "manager"])
    role = db.session.scalar(select(Role).where(Role.name == "manager"))
    save_role(client, ["admin-access", "users-manage", "orders-read"], name="manager", role=role)
    assert "orders-read" not in reload(role).permissions


# -- owners are protected from lesser admins (hole 2) -------------------------------------------


def test_manager_cannot_demote_deactivate_or_delete_an_owner(client, auth, app):
    """A user manager cannot take the owner role away, deactivate or delete an owner, even with
    a second owner around."""
    owner = auth.user("owner")
    second = create_user("second@example.com", PASSWORD, ["owner"])
    manager = make_manager(app)
    auth.login("manager", email=manager.email)
    html = edit_user(client, owner, ["customer"]).get_data(as_text=True)
    assert "Only an owner" in html
    html = edit_user(client, owner, ["owner"], active=False).get_data(as_text=True)
    assert "Only an owner" in html
    html = client.post("/admin/user/delete/", data={
        "id": str(second.id), "csrf_token": csrf_from(client, "/admin/user/")},
        follow_redirects=True).get_data(as_text=True)
    assert "Only an owner" in html
    client.post("/admin/user/action/", data={
        "action": "delete", "rowid": [str(owner.id), str(second.id)],
        "csrf_token": csrf_from(client, "/admin/user/")})
    for user in (owner, second):
        user = reload(user)
        assert user is not None and user.active and [r.name for r in user.roles] == ["owner"]


def test_manager_cannot_cut_down_the_owner_role(client, auth, app):
    """A user manager cannot take permissions from the owner role or rename it."""
    auth.user("owner")
    manager = make_manager(app)
    auth.login("manager", email=manager.email)
    owner_role = db.session.scalar(select(Role).where(Role.name == "owner"))
    before = sorted(owner_role.permissions)
    html = save_role(client, ["admin-access"], name="owner", role=owner_role).get_data(
        as_text=True)
    assert "Only an owner" in html
    assert sorted(reload(owner_role).permissions) == before


def test_owner_can_still_demote_another_owner_and_manage_managers(client, auth, app):
    """An owner demotes a second owner and deactivates a manager as before."""
    auth.login("owner")
    second = create_user("second@example.com", PASSWORD, ["owner"])
    manager = make_manager(app)
    edit_user(client, second, ["staff"])
    edit_user(client, manager, ["manager"], active=False)
    assert [r.name for r in reload(second).roles] == ["staff"]
    assert not reload(manager).active


def test_last_owner_counts_only_owners_not_user_managers(client, auth, app):
    """With only a user manager besides her, the last owner still cannot demote herself."""
    make_manager(app)
    owner = auth.login("owner")
    html = edit_user(client, owner, ["staff"]).get_data(as_text=True)
    assert "at least one active owner" in html
    assert [r.name for r in reload(owner).roles] == ["owner"]
