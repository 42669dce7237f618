"""Back office audit log: every change made in the back office, read-only, owners only."""

from __future__ import annotations

from flask_admin.contrib.sqla.filters import FilterEqual, FilterLike
from markupsafe import Markup

from store.admin.base import StoreModelView
from store.extensions import db
from store.models import AuditEvent


def _show(value) -> str:
    """One logged value as text: "–" for none, name=value pairs for options."""
    if value is None or value == "":
        return "–"
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items()) or "{}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "[]"
    return str(value)


def _pairs(model):
    for field, values in (model.changes or {}).items():
        old, new = (list(values) + [None, None])[:2] if isinstance(values, list) else (
            None, values)
        yield field, _show(old), _show(new)


def _changes(view, context, model, name):
    """Field changes as "field: old → new" lines."""
    return Markup("").join(Markup("<div><strong>{}</strong>: {} → {}</div>").format(*pair)
                           for pair in _pairs(model))


def _changes_text(view, context, model, name):
    return "; ".join(f"{field}: {old} -> {new}" for field, old, new in _pairs(model))


class AuditEventAdmin(StoreModelView):
    """Who changed what, when and from what to what; nobody can edit or delete it."""

    permission = "audit-read"
    can_create = False
    can_edit = False
    can_delete = False
    can_export = True
    can_view_details = True
    audit = False
    action_disallowed_list = ["delete"]

    column_list = ("created_at", "actor", "action", "object_type", "object_id", "summary",
                   "changes")
    column_details_list = column_list
    column_labels = {"created_at": "When", "actor": "Who", "object_type": "Object",
                     "object_id": "Id"}
    column_default_sort = ("id", True)
    column_sortable_list = ("created_at", "actor", "action", "object_type")
    column_searchable_list = ("summary", "actor", "object_id")
    column_filters = (
        FilterLike(AuditEvent.actor, "Who"),
        FilterEqual(AuditEvent.action, "Action"),
        FilterEqual(AuditEvent.object_type, "Object"),
        FilterEqual(AuditEvent.object_id, "Id"),
        "created_at",
    )
    column_formatters = {"changes": _changes}
    column_formatters_export = {"changes": _changes_text}


def register_audit_views(admin) -> None:
    """Add the audit log (owners: audit-read)."""
    admin.add_view(AuditEventAdmin(AuditEvent, db, name="Audit log", category="Access",
                                   endpoint="auditevent"))
