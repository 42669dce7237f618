"""Back-office users and roles (owners only: users-manage).

Owners create users (the password is hashed and fs_uniquifier set by Flask-Security through
store.accounts.create_user), assign roles and build roles from permissions. Three rules hold on
every form and action, judged on the editor and the target as stored when the request began
(never as the form left them): nobody grants a permission they do not hold (check_grant), only
an owner takes anything from an owner or changes the owner role (check_owner_action), and the
shop always keeps an active owner (check_owner_remains).
"""

from __future__ import annotations

from flask import flash, g
from flask_admin.contrib.sqla.fields import QuerySelectMultipleField
from flask_admin.form import BaseForm
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from wtforms import BooleanField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from store.accounts import services as accounts
from store.admin.base import StoreModelView
from store.errors import PermissionDenied, StoreError, ValidationFailed
from store.extensions import db
from store.models import Role, User


def _roles_query():
    return db.session.scalars(select(Role).order_by(Role.name)).all()


class UserEditForm(BaseForm):
    """An existing user's name, roles and whether they may sign in."""

    full_name = StringField("Name", validators=[Optional(), Length(max=120)])
    roles = QuerySelectMultipleField("Roles", query_factory=_roles_query,
                                     get_label="name")
    active = BooleanField("Active (may sign in)")


class UserCreateForm(BaseForm):
    """A new user: email, initial password and roles."""

    email = StringField("Email", validators=[DataRequired(), Length(max=255)])
    full_name = StringField("Name", validators=[Optional(), Length(max=120)])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=8, max=128)])
    roles = QuerySelectMultipleField("Roles", query_factory=_roles_query,
                                     get_label="name")
    confirmed = BooleanField("Email address already confirmed", default=True)


class CheckboxListWidget(ListWidget):
    """A plain list of checkboxes (Flask-Admin would style the list as a text input)."""

    def __call__(self, field, **kwargs):
        kwargs.pop("class_", None)
        kwargs["class"] = "list-unstyled mb-0 permission-list"
        return super().__call__(field, **kwargs)


class PermissionsField(SelectMultipleField):
    """Checkboxes, one per permission the application knows (store.accounts.PERMISSIONS)."""

    widget = CheckboxListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators,
                         choices=[(name, f"{name}: {text}")
                                  for name, text in accounts.PERMISSIONS.items()], **kwargs)

    def process_data(self, value):
        # The model stores a list (Flask-Security's AsaList); keep only known names.
        self.data = [v for v in (value or []) if v in accounts.PERMISSIONS]


class RoleForm(BaseForm):
    """A role: its name, what it is for, and the permissions it gives."""

    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    description = StringField("Description", validators=[Optional(), Length(max=255)])
    permissions = PermissionsField("Permissions")


def _role_names(_view, _context, model, _name):
    return ", ".join(sorted(role.name for role in model.roles))


def _two_factor(_view, _context, model, _name):
    return "TOTP" if model.tf_primary_method else ""


def _permission_list(_view, _context, model, _name):
    items = sorted(model.permissions or [])
    return Markup(" ").join(Markup('<span class="badge badge-light">{}</span>').format(p)
                            for p in items)


class EditorRightsMixin:
    """Snapshot the editor's rights when the request begins, before any form touches them.

    The form may be editing the editor's own user or role; checks compare against this
    snapshot, never against the editor as the pending change left them.
    """

    def _handle_view(self, name, **kwargs):
        response = super()._handle_view(name, **kwargs)
        if response is None:
            g.store_editor_rights = accounts.rights_of(current_user)
        return response


def editor_rights() -> accounts.Rights:
    """The editor's rights as they were when this request began."""
    rights = g.get("store_editor_rights")
    return rights if rights is not None else accounts.rights_of(current_user)


class UserAdmin(EditorRightsMixin, StoreModelView):
    """Users of the shop and their roles."""

    permission = "users-manage"
    form = UserEditForm
    can_export = False
    can_view_details = False

    column_list = ("email", "full_name", "roles", "active", "tf_primary_method",
                   "confirmed_at", "create_datetime")
    column_labels = {"full_name": "Name", "tf_primary_method": "Two-factor",
                     "confirmed_at": "Confirmed", "create_datetime": "Created"}
    column_sortable_list = ("email", "full_name", "active", "create_datetime")
    column_default_sort = [("create_datetime", True), ("id", True)]
    column_searchable_list = ("email", "full_name")
    column_filters = ("active", "roles.name")
    column_formatters = {"roles": _role_names, "tf_primary_method": _two_factor}

    def get_create_form(self):
        return UserCreateForm

    def get_edit_form(self):
        return UserEditForm

    def create_model(self, form):
        """Create the user through Flask-Security: hashed password, fs_uniquifier, roles.

        The service checks the grant and writes the audit row in its own transaction.
        """
        roles = list(form.roles.data or [])
        try:
            return accounts.create_user(form.email.data, form.password.data,
                                        [role.name for role in roles],
                                        confirmed=bool(form.confirmed.data),
                                        full_name=(form.full_name.data or "").strip() or None,
                                        actor=current_user)
        except StoreError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return False

    def update_model(self, form, model):
        # The form's changes get flushed while it fills the model in, so read the user as
        # stored before it starts.
        g.store_user_before = accounts.stored_user(model.id)
        return super().update_model(form, model)

    def on_model_change(self, form, model, is_created):
        """Refuse a grant beyond the editor's own permissions, taking from an owner without
        being one, and losing the last owner."""
        before = accounts.Rights() if is_created else g.store_user_before
        added = [role for role in model.roles if role.name not in before.roles]
        rights = editor_rights()
        accounts.check_grant(rights, accounts.permissions_of_roles(added))
        takes = bool(before.roles - {role.name for role in model.roles}) \
            or (before.active and not model.active)
        accounts.check_owner_action(
            rights, target_is_owner=before.is_owner, takes=takes,
            gives_owner=any(role.name == accounts.OWNER_ROLE for role in added))
        if before.is_owner:
            accounts.check_owner_remains()

    def on_model_delete(self, model):
        """The last owner cannot be deleted, and nobody deletes their own account here."""
        if model.id == current_user.id:
            raise PermissionDenied("You cannot delete your own account.")
        if accounts.stored_user(model.id).is_owner:
            accounts.check_owner_action(editor_rights(), takes=True, target_is_owner=True)
            accounts.check_owner_remains(without_user_id=model.id)


class RoleAdmin(EditorRightsMixin, StoreModelView):
    """Roles, built from permissions."""

    permission = "users-manage"
    form = RoleForm
    can_export = False

    column_list = ("name", "description", "permissions")
    column_sortable_list = ("name",)
    column_default_sort = "name"
    column_formatters = {"permissions": _permission_list}

    def update_model(self, form, model):
        g.store_role_before = accounts.stored_role(model.id)
        return super().update_model(form, model)

    def on_model_change(self, form, model, is_created):
        """New permissions must be held by the editor; built-in roles keep their names; only
        an owner changes the owner role."""
        old_name, old = (None, frozenset()) if is_created else g.store_role_before
        if old_name in accounts.ROLES and old_name != model.name:
            raise ValidationFailed(f"The built-in role {old_name} cannot be renamed.")
        rights = editor_rights()
        accounts.check_owner_action(rights, owner_role=accounts.OWNER_ROLE in (old_name,
                                                                              model.name))
        accounts.check_grant(rights, set(model.permissions or []) - old)
        if model.name == accounts.OWNER_ROLE:
            accounts.check_owner_remains()

    def on_model_delete(self, model):
        """Built-in roles stay (the owner role among them, so an owner always remains)."""
        if model.name in accounts.ROLES:
            raise ValidationFailed(f"The built-in role {model.name} cannot be deleted.")


def register_user_views(admin) -> None:
    """Add users and roles (owners only) to the admin."""
    admin.add_view(UserAdmin(User, db, name="Users", endpoint="user", category="Access"))
    admin.add_view(RoleAdmin(Role, db, name="Roles", endpoint="role", category="Access"))
