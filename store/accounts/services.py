"""Accounts: the roles and permissions of the shop, and creating users."""

from dataclasses import dataclass

from flask import current_app
from flask_security import hash_password
from flask_security.utils import uia_email_mapper
from sqlalchemy import UnicodeText, column, select, table

from store.accounts.guest_orders import link_in_transaction
from store.audit import services as audit
from store.database import write_transaction
from store.errors import PermissionDenied, ValidationFailed
from store.extensions import db
from store.models import Role, User
from store.models.base import utcnow

# Every permission the application checks, with what it allows.
PERMISSIONS: dict[str, str] = {
    "admin-access": "Open the back office",
    "catalog-write": "Edit products, categories and images",
    "inventory-manage": "Adjust stock and read the stock ledger",
    "orders-read": "See orders",
    "orders-manage": "Change order status, add notes",
    "customers-read": "See customers",
    "customers-manage": "Export and erase customer data",
    "support-manage": "Answer support tickets",
    "outbox-read": "See order emails in the outbox",
    "outbox-manage": "See every email and resend failed ones",
    "users-manage": "Manage users and roles",
    "audit-read": "Read the audit log",
    "reports-read": "See revenue and customer emails on the dashboard",
    "customers-pii": "See customers' full email addresses and phone numbers",
    "settings-manage": "Change the shop's settings, tax rates and shipping zones",
    "analytics-read": "See the shop's analytics: funnel, sources, campaigns, products",
}

STAFF_PERMISSIONS = [
    "admin-access",
    "catalog-write",
    "inventory-manage",
    "orders-read",
    "orders-manage",
    "customers-read",
    "support-manage",
    "outbox-read",
    "reports-read",
    "customers-pii",
]

ROLES: dict[str, tuple[str, list[str]]] = {
    "owner": ("Runs the shop: everything, including users, roles and the audit log",
              list(PERMISSIONS)),
    "staff": ("Runs catalog, inventory, orders and customers", STAFF_PERMISSIONS),
    "customer": ("Shops in the storefront", []),
}


def ensure_roles() -> None:
    """Create the built-in roles, and give them any permission they lack. Commits."""
    datastore = current_app.extensions["security"].datastore
    for name, (description, permissions) in ROLES.items():
        role = datastore.find_role(name)
        if role is None:
            datastore.create_role(name=name, description=description, permissions=permissions)
        else:
            missing = [p for p in permissions if p not in (role.permissions or [])]
            if missing:
                role.permissions = list(role.permissions or []) + missing
    db.session.commit()


def create_user(email: str, password: str, roles: list[str], *, confirmed: bool = True,
                full_name: str | None = None, actor=None) -> User:
    """Create a user through Flask-Security (hashed password, fs_uniquifier). Commits.

    With an `actor` (the owner creating the account in the back office), the roles must be
    theirs to grant, and the creation is written to the audit log in the same transaction.
    """
    datastore = current_app.extensions["security"].datastore
    try:
        email = uia_email_mapper(email)
    except ValueError as exc:
        raise ValidationFailed(f"Not a valid email address: {email}") from exc
    with write_transaction():
        if datastore.find_user(email=email) is not None:
            raise ValidationFailed(f"A user with email {email} already exists.")
        # The same rules as the registration form: 12+ characters that zxcvbn rates strong.
        problems, password = current_app.extensions["security"].password_util.validate(
            password, True, email=email)
        if problems:
            raise ValidationFailed(" ".join(str(p) for p in problems), field="password")
        found = []
        for name in roles:
            role = datastore.find_role(name)
            if role is None:
                raise ValidationFailed(f"No role named {name}.")
            found.append(role)
        if actor is not None:
            check_grant(actor, permissions_of_roles(found))
            check_owner_action(actor, gives_owner=any(r.name == OWNER_ROLE for r in found))
        user = datastore.create_user(
            email=email,
            password=hash_password(password),
            roles=found,
            full_name=full_name,
            confirmed_at=utcnow() if confirmed else None,
        )
        if actor is not None:
            db.session.flush()
            audit.record(actor, "create", user, {
                "email": [None, user.email],
                "roles": [None, sorted(role.name for role in user.roles)],
                "password": [None, audit.REDACTED],
            })
        link_in_transaction(user, actor=actor)  # created confirmed: the address is proven
    return user


def permissions_of(user) -> set[str]:
    """All permissions a user holds through their roles."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    held: set[str] = set()
    for role in user.roles:
        held.update(role.permissions or [])
    return held


# The role table as raw text columns: Flask-Security's AsaList type cannot be cached.
_ROLE_COLUMNS = table("role", column("id"), column("name"), column("permissions", UnicodeText))
_ROLES_USERS = table("roles_users", column("user_id"), column("role_id"))


@dataclass(frozen=True)
class Rights:
    """A user as stored: roles, whether active, and the permissions they hold while active."""

    permissions: frozenset[str] = frozenset()
    is_owner: bool = False
    roles: frozenset[str] = frozenset()
    active: bool = False


def rights_of(user) -> Rights:
    """A user's roles and permissions as stored, never as a pending form left them."""
    if user is None or not getattr(user, "is_authenticated", False) or user.id is None:
        return Rights()
    return stored_user(user.id)


def stored_user(user_id: int) -> Rights:
    """What the database holds for a user, ignoring this session's unsaved changes."""
    # Plain columns without autoflush: a form that already changed the user or their role
    # in this session must not change what the checks compare against.
    with db.session.no_autoflush:
        active = db.session.execute(select(User.active).where(User.id == user_id)).scalar()
        rows = db.session.execute(
            select(_ROLE_COLUMNS.c.name, _ROLE_COLUMNS.c.permissions)
            .join(_ROLES_USERS, _ROLES_USERS.c.role_id == _ROLE_COLUMNS.c.id)
            .where(_ROLES_USERS.c.user_id == user_id)).all()
    roles = frozenset(name for name, _ in rows)
    held: set[str] = set()
    if active:
        for _name, permissions in rows:
            held.update(filter(None, (permissions or "").split(",")))  # Flask-Security AsaList
    return Rights(frozenset(held), bool(active) and OWNER_ROLE in roles, roles, bool(active))


def stored_role(role_id: int) -> tuple[str, frozenset[str]]:
    """A role's name and permissions as stored, ignoring this session's unsaved changes."""
    with db.session.no_autoflush:
        row = db.session.execute(
            select(_ROLE_COLUMNS.c.name, _ROLE_COLUMNS.c.permissions)
            .where(_ROLE_COLUMNS.c.id == role_id)).one()
    return row[0], frozenset(filter(None, (row[1] or "").split(",")))


def check_grant(actor, permissions: set[str]) -> None:
    """Nobody can grant a permission they do not hold themselves.

    `actor` is a Rights snapshot taken before the change, or a user (read from the database).
    """
    rights = actor if isinstance(actor, Rights) else rights_of(actor)
    missing = set(permissions) - rights.permissions
    if missing:
        raise PermissionDenied(
            "You cannot grant permissions you do not hold: " + ", ".join(sorted(missing))
        )


def permissions_of_roles(roles) -> set[str]:
    """All permissions the given roles give together."""
    held: set[str] = set()
    for role in roles:
        held.update(role.permissions or [])
    return held


# -- Guards for the back office's user and role forms ------------------------------------------

OWNER_ROLE = "owner"
LAST_OWNER_MESSAGE = ("The shop needs at least one active owner: make someone else an owner "
                      "first.")
OWNERS_ONLY_MESSAGE = "Only an owner can take anything from an owner or change the owner role."


def check_owner_action(actor, *, target_is_owner: bool = False, takes: bool = False,
                       gives_owner: bool = False, owner_role: bool = False) -> None:
    """Only an owner may take from an owner, make an owner, or change the owner role."""
    rights = actor if isinstance(actor, Rights) else rights_of(actor)
    if rights.is_owner:
        return
    if owner_role or gives_owner or (target_is_owner and takes):
        raise PermissionDenied(OWNERS_ONLY_MESSAGE)


def owner_ids(*, without_user_id: int | None = None,
              without_role_id: int | None = None) -> set[int]:
    """Ids of active owners, as the session sees them (pending changes included).

    An owner holds the owner role while that role still gives users-manage.
    `without_user_id` / `without_role_id` leave out a user or a role about to be deleted.
    """
    owner_roles = [role.id for role in db.session.scalars(select(Role))
                   if role.name == OWNER_ROLE and "users-manage" in (role.permissions or [])
                   and role.id != without_role_id]
    if not owner_roles:
        return set()
    ids = set(db.session.scalars(
        select(User.id).join(User.roles)
        .where(Role.id.in_(owner_roles), User.active.is_(True))))
    ids.discard(without_user_id)
    return ids


def check_owner_remains(*, without_user_id: int | None = None,
                        without_role_id: int | None = None) -> None:
    """Refuse a change that would leave the shop without an active owner."""
    if not owner_ids(without_user_id=without_user_id, without_role_id=without_role_id):
        raise PermissionDenied(LAST_OWNER_MESSAGE)
