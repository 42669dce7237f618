"""StoreModelView: the base of every back-office model view.

Subclass it instead of Flask-Admin's ModelView and configure it with class attributes:

    class ProductAdmin(StoreModelView):
        permission = "catalog-write"            # open the view: list and details
        write_permission = "catalog-write"      # create, edit, delete, actions (default: open)
        export_permission = "catalog-write"     # CSV export (default: open)
        action_permissions = {"mark_paid": "orders-manage"}   # per @action (default: write)
        view_permissions = {"adjust_view": "inventory-manage"}  # per custom @expose method
        can_delete = False                      # switch a feature off for everyone
        can_export = True                       # switch export on (still needs the permission)

    admin.add_view(ProductAdmin(Product, db, name="Products", category="Catalog"))

Pass `db` (the Flask-SQLAlchemy object), not `db.session`: Flask-Admin 2.x takes the
extension and warns about a bare session.

What the base does for every view:

* Access. `permission` (plus `admin-access`) opens the view; a visitor is sent to /login and a
  signed-in user without it gets 403 (PermissionGate). The menu lists only views the user may
  open, since Flask-Admin hides views whose `is_accessible()` is false.
* Per-operation permissions. `can_create`, `can_edit`, `can_delete` and `can_export` are
  properties: the class switch (a plain `can_x = True/False` in a subclass is turned into that
  switch automatically) AND the current user's permission. Buttons follow them, and a request
  to an operation the user lacks (create, edit, delete, an action, an export, ajax update, a
  custom view in `view_permissions`) is answered 403 before the view runs, so nothing changes.
  `is_action_allowed(name)` checks `action_permissions` the same way (the built-in "delete"
  action follows `can_delete`).
* Writes. create/update/delete run as one write transaction (`store.database.begin_write`,
  BEGIN IMMEDIATE on SQLite). A `StoreError` raised from `on_model_change`, `on_model_delete`
  or an action is shown as a flash message and the change is rolled back.
* Audit. Every create, update and delete made through the form is logged with field diffs
  (old -> new) in the same transaction, after your `on_model_change`/`on_model_delete` ran:
  the object itself plus any other object the form added, changed or removed (inline rows).
  Actions that call services log with `self.record_audit(action, obj, changes, summary)`.
  Set `audit = False` on a view to log nothing (read-only views).
* Large tables. `page_size = 25`, the user may pick 10, 25 or 50 rows and never more. The list
  count is capped: instead of `SELECT count(*) FROM t WHERE ...` over the whole table it runs
  `SELECT count(*) FROM (SELECT 1 FROM t WHERE ... LIMIT 10001)`, so a list of a million
  orders costs no more than one of 10,000; past the cap the list shows "10,000+" and the pager
  stops at page 400 (use filters or search to narrow). `count_cap = None` counts exactly.
  Many-to-one columns in `column_list` are joined-loaded by Flask-Admin (no N+1); load
  anything else in the list with `get_query()` options, e.g. `joinedload(...)`.
"""

from __future__ import annotations

from contextlib import contextmanager

from flask import abort, flash, g, request
from flask_admin.contrib.sqla import ModelView
from flask_login import current_user
from sqlalchemy import Integer, func, literal_column
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Query

from store.accounts.masking import pii_email, pii_phone
from store.admin.gate import PermissionGate, has_permission
from store.audit import services as audit
from store.database import begin_write, row_id
from store.errors import StoreError
from store.extensions import db
from store.reports.spreadsheet import safe_cell

# Exported columns that hold contact details, masked for staff without customers-pii.
PII_COLUMNS = {"email": pii_email, "phone": pii_phone}

COUNT_CAP = 10_000

_SWITCHES = ("can_create", "can_edit", "can_delete", "can_export")


class CappedCount(int):
    """A row count that stopped at the cap; prints as "10,000+" in the list header."""

    capped = True

    def __str__(self) -> str:
        return f"{int(self):,}+"


class CappedCountQuery(Query):
    """A count query whose scalar() counts at most `cap` + 1 rows of the filtered query.

    Flask-Admin builds the count query, then applies the same search and filter clauses to
    it as to the list query; only the final `scalar()` differs from a plain count.
    """

    cap = COUNT_CAP

    def scalar(self):
        inner = self.limit(self.cap + 1).subquery()
        count = self.session.query(func.count()).select_from(inner).scalar()
        return CappedCount(self.cap) if count > self.cap else count


class StoreModelView(PermissionGate, ModelView):
    """A model view with per-operation permissions, audit logging and bounded lists."""

    permission = "admin-access"
    write_permission: str | None = None
    delete_permission: str | None = None
    export_permission: str | None = None
    action_permissions: dict[str, str] = {}
    view_permissions: dict[str, str] = {}

    # Class switches behind the can_* properties (set `can_x = ...` in subclasses).
    _allow_create = True
    _allow_edit = True
    _allow_delete = True
    _allow_export = False

    audit = True
    count_cap: int | None = COUNT_CAP

    page_size = 25
    can_set_page_size = True
    page_size_options = (10, 25, 50)
    export_types = ["csv"]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # `can_delete = False` in a subclass would replace the property (and with True, skip
        # the permission check); keep the value as the switch and the property in charge.
        for name in _SWITCHES:
            value = cls.__dict__.get(name)
            if isinstance(value, bool):
                setattr(cls, "_allow_" + name[4:], value)
                delattr(cls, name)

    def init_actions(self):
        """Bulk actions get the selected rows' ids as integers when the key is one.

        Flask-Admin passes the posted strings on; PostgreSQL through psycopg 3 binds them as
        VARCHAR and refuses `integer IN (varchar)`, so every bulk action on PostgreSQL was a
        500 (SQLite compares loosely and hid it).
        """
        super().init_actions()
        keys = sa_inspect(self.model).primary_key
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            return
        for name, (handler, text, confirmation) in list(self._actions_data.items()):
            self._actions_data[name] = (_with_row_ids(handler), text, confirmation)

    # -- permissions -------------------------------------------------------------------------

    def _write(self) -> str:
        return self.write_permission or self.permission

    @property
    def can_create(self) -> bool:
        return self._allow_create and has_permission(self._write())

    @property
    def can_edit(self) -> bool:
        return self._allow_edit and has_permission(self._write())

    @property
    def can_delete(self) -> bool:
        return self._allow_delete and has_permission(self.delete_permission or self._write())

    @property
    def can_export(self) -> bool:
        return self._allow_export and has_permission(self.export_permission or self.permission)

    def is_action_allowed(self, name: str) -> bool:
        """An action shows and runs only for users holding its permission."""
        if name == "delete":
            return self.can_delete and name not in self.action_disallowed_list
        if name in self.action_disallowed_list:
            return False
        return has_permission(self.action_permissions.get(name) or self._write())

    def _operation_allowed(self, name: str) -> bool:
        """Whether the current user may run the exposed view method `name`."""
        if name in self.view_permissions:
            return has_permission(self.view_permissions[name])
        if name == "create_view" and self._allow_create:
            return self.can_create
        if name in ("edit_view", "ajax_update") and self._allow_edit:
            return self.can_edit
        if name == "delete_view" and self._allow_delete:
            return self.can_delete
        if name == "export" and self._allow_export:
            return self.can_export
        if name == "action_view" and request.method == "POST":
            action = request.form.get("action", "")
            return action in self._actions_data and self.is_action_allowed(action)
        return True

    def _handle_view(self, name, **kwargs):
        response = super()._handle_view(name, **kwargs)
        if response is not None:
            return response
        if not self._operation_allowed(name):
            abort(403)
        return None

    # -- lists -------------------------------------------------------------------------------

    def get_export_value(self, model, name):
        """A CSV export cell that a spreadsheet shows as text, never runs as a formula."""
        value = super().get_export_value(model, name)
        if name in PII_COLUMNS:
            value = PII_COLUMNS[name](value)
        return safe_cell(value)

    def get_count_query(self):
        """Count of the list, capped at `count_cap` rows (see the module docstring)."""
        if not self.count_cap:
            return super().get_count_query()
        query = CappedCountQuery([literal_column("1")], session=db.session())
        query.cap = self.count_cap
        return query.select_from(self.model)

    # -- writes and audit --------------------------------------------------------------------

    def create_model(self, form):
        begin_write()
        with self._tracking():
            return super().create_model(form)

    def update_model(self, form, model):
        begin_write()
        # Reload inside the write transaction, so the audit diff compares with current data.
        db.session.refresh(model)
        with self._tracking():
            return super().update_model(form, model)

    def delete_model(self, model):
        begin_write()
        db.session.refresh(model)
        if self.audit:
            self.record_audit("delete", model, audit.snapshot(model))
        return super().delete_model(model)

    @contextmanager
    def _tracking(self):
        """Collect the diffs of everything the save flushes (see audit.ChangeTracker)."""
        if not self.audit:
            yield None
            return
        with audit.ChangeTracker(db.session()) as tracker:
            g.store_audit_tracker = tracker
            try:
                yield tracker
            finally:
                g.pop("store_audit_tracker", None)

    def _on_model_change(self, form, model, is_created):
        super()._on_model_change(form, model, is_created)
        tracker = g.get("store_audit_tracker")
        if tracker is not None and not tracker.recorded:
            # After the view's own on_model_change, before the commit: same transaction.
            db.session.flush()
            actor = current_user if current_user.is_authenticated else None
            tracker.record(actor)

    def record_audit(self, action: str, obj, changes: dict | None = None,
                     summary: str = ""):
        """Log an action on `obj` by the current user (no commit; use inside the change)."""
        actor = current_user if current_user and current_user.is_authenticated else None
        return audit.record(actor, action, obj, changes, summary)

    def handle_view_exception(self, exc: Exception) -> bool:
        if isinstance(exc, StoreError):
            flash(exc.message, "error")
            return True
        return super().handle_view_exception(exc)


def _with_row_ids(handler):
    """A bulk action handler that receives integer ids (anything else is dropped)."""
    def handle(ids):
        return handler([value for value in map(row_id, ids) if value is not None])
    return handle
