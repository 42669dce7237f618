"""The audit log: who changed which object, when, and which fields went from what to what.

`record()` adds an AuditEvent to the session and never commits: it is written in the same
transaction as the change it describes, so a rolled-back change leaves no trace in the log.
`diff()` reads SQLAlchemy's attribute history, so call it before the session is flushed.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import MANYTOMANY, MANYTOONE

from store.extensions import db
from store.models import AuditEvent, StockMovement

# Values that must never be copied into the log, whatever model they sit on.
REDACTED_FIELDS = {
    "password", "fs_uniquifier", "fs_webauthn_user_handle", "tf_totp_secret",
    "tf_recovery_codes", "mf_recovery_codes", "us_totp_secrets", "checkout_token",
}
REDACTED = "(hidden)"
# Bookkeeping columns whose change says nothing to a reader of the log.
IGNORED_FIELDS = {"created_at", "updated_at"}
# Per object type: stock is logged by its own ledger (stock movements), not here.
IGNORED_BY_TYPE = {"variant": {"stock"}}
MAX_TEXT = 500


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a column value."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    text = str(value)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def _value(key: str, value: Any) -> Any:
    return REDACTED if key in REDACTED_FIELDS and value not in (None, "") else _plain(value)


def object_type(obj: Any) -> str:
    """The name an object is filed under: its table name (product, variant, user, ...)."""
    return getattr(obj, "__tablename__", type(obj).__name__.lower())


def object_id(obj: Any) -> str:
    """The primary key as text ("" before the object is flushed)."""
    identity = inspect(obj).identity
    if identity is None:
        return ""
    return ",".join(str(part) for part in identity)


def _stored_values(obj: Any, columns: list) -> dict:
    """Column values as stored in the database (the object's old values were not loaded)."""
    state = inspect(obj)
    if not columns or state.identity is None:
        return {}
    where = [col == value for col, value in zip(state.mapper.primary_key, state.identity,
                                                 strict=True)]
    row = db.session.execute(select(*columns).where(*where)).first()
    return dict(zip(columns, row, strict=True)) if row is not None else {}


def _changed_attributes(state, mapper, ignored: set) -> list[tuple[Any, Any, Any]]:
    """(key, history, relationship or None) of every compared attribute that changed."""
    changed: list[tuple[Any, Any, Any]] = []
    for attr in mapper.column_attrs:
        if attr.key not in ignored:
            changed.append((attr.key, state.attrs[attr.key].history, None))
    for rel in mapper.relationships:
        if rel.direction in (MANYTOONE, MANYTOMANY) and not rel.viewonly:
            changed.append((rel.key, state.attrs[rel.key].history, rel))
    return [(k, h, r) for k, h, r in changed if h.has_changes()]


def _unloaded(changed: list) -> list[tuple[Any, Any]]:
    """(key, relationship or None) of changes whose old value was never loaded."""
    return [(k, r) for k, h, r in changed
            if h.added and not h.deleted and not h.unchanged and (r is None or not r.uselist)]


def _collection_change(history) -> tuple[list, list]:
    """Old and new members of a many-to-many collection, as sorted labels."""
    kept = [str(o) for o in history.unchanged or ()]
    old = sorted(kept + [str(o) for o in history.deleted or ()])
    new = sorted(kept + [str(o) for o in history.added or ()])
    return old, new


def _reference_change(history, rel, unloaded: bool, stored: dict) -> tuple[Any, Any]:
    """Old and new target of a many-to-one reference, as labels."""
    old_obj = history.deleted[0] if history.deleted else None
    if old_obj is None and unloaded:
        fk = [stored.get(c) for c in rel.local_columns]
        if all(v is not None for v in fk):
            old_obj = db.session.get(rel.mapper.class_, fk[0] if len(fk) == 1 else tuple(fk))
    old = str(old_obj) if old_obj is not None else None
    new = str(history.added[0]) if history.added and history.added[0] else None
    return old, new


def _column_change(key: str, history, stored_old: Any, unloaded: bool,
                   new_object: bool) -> tuple[Any, Any] | None:
    """Old and new value of a column as logged (secrets hidden); None when unchanged."""
    old = history.deleted[0] if history.deleted else None
    if unloaded:
        old = stored_old
    new = history.added[0] if history.added else None
    if _plain(old) == _plain(new) and not new_object:
        return None
    old, new = _value(key, old), _value(key, new)
    if old == new:  # a secret changed: both read "(hidden)"
        new = "(changed)"
    return old, new


def diff(obj: Any) -> dict[str, list]:
    """Changed fields of an object as {"field": [old, new]}, from SQLAlchemy history.

    Columns and many-to-one / many-to-many relationships are compared (one-to-many
    children are logged as objects of their own). A new object lists every field that
    has a value, with None as the old value. When an old value was never loaded (the
    object was expired, e.g. after a commit), it is read from the database.
    """
    state = inspect(obj)
    mapper = state.mapper
    ignored = IGNORED_FIELDS | IGNORED_BY_TYPE.get(object_type(obj), set())
    new_object = state.transient or state.pending
    changed = _changed_attributes(state, mapper, ignored)

    with db.session.no_autoflush:
        unknown = [] if new_object else _unloaded(changed)
        columns = []
        for key, rel in unknown:
            columns.extend(mapper.attrs[key].columns if rel is None else rel.local_columns)
        stored = _stored_values(obj, columns)
        changes: dict[str, list] = {}
        for key, history, rel in changed:
            if rel is not None and rel.uselist:
                old, new = _collection_change(history)
            elif rel is not None:
                old, new = _reference_change(history, rel, (key, rel) in unknown, stored)
            else:
                change = _column_change(key, history, stored.get(mapper.attrs[key].columns[0]),
                                        (key, None) in unknown, new_object)
                if change is None:
                    continue
                old, new = change
            if new_object:
                if new not in (None, "", {}, []):
                    changes[key] = [None, new]
            elif old != new:
                changes[key] = [old, new]
    return changes


def snapshot(obj: Any) -> dict[str, list]:
    """Every column of an object as {"field": [value, None]}: what a deletion removes."""
    state = inspect(obj)
    ignored = IGNORED_FIELDS - {"created_at"}
    result = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in ignored:
            continue
        value = state.dict.get(key)
        if value not in (None, "", {}, []):
            result[key] = [_value(key, value), None]
    return result


def record(actor: Any, action: str, obj: Any, changes: dict | None = None,
           summary: str = "") -> AuditEvent:
    """Add an audit event for `obj` to the session (no commit): who, what, which changes.

    `actor` is a User, an email string or None (a command-line or system change).
    """
    user_id = getattr(actor, "id", None)
    if actor is None:
        label = "system"
    elif isinstance(actor, str):
        label = actor
    else:
        label = getattr(actor, "email", None) or str(actor)
    if not summary:
        try:
            summary = str(obj)
        except Exception:  # a half-built object may not render; the log must still write
            summary = ""
    event = AuditEvent(
        user_id=user_id if isinstance(user_id, int) else None,
        actor=label[:255],
        action=action[:40],
        object_type=object_type(obj)[:40],
        object_id=object_id(obj)[:40],
        summary=summary[:255],
        changes=changes or {},
    )
    db.session.add(event)
    return event


class ChangeTracker:
    """Collects the field diffs of every object flushed while it is active.

    A form save may flush several times (autoflush, or to get ids); history is reset at
    each flush, so the tracker listens to `before_flush` and merges what it sees: the first
    old value and the last new value of each field. Use it as a context manager around the
    change, flush, then call `record(actor)` before the commit.
    Stock movements and audit events are not logged (they are ledgers themselves).
    """

    SKIP = (AuditEvent, StockMovement)

    def __init__(self, session=None):
        self.session = session if session is not None else db.session()
        self.entries: dict[int, list] = {}
        self.recorded = False

    def __enter__(self) -> ChangeTracker:
        event.listen(self.session, "before_flush", self._before_flush)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.session, "before_flush", self._before_flush)

    def _before_flush(self, session, _context, _instances) -> None:
        if self.recorded:
            return
        for obj in list(session.new):
            self._add(obj, "create", diff(obj))
        for obj in list(session.dirty):
            if session.is_modified(obj):
                self._add(obj, "update", diff(obj))
        for obj in list(session.deleted):
            self._add(obj, "delete", snapshot(obj))

    def _add(self, obj, action: str, changes: dict) -> None:
        if isinstance(obj, self.SKIP):
            return
        entry = self.entries.get(id(obj))
        if entry is None:
            self.entries[id(obj)] = [obj, action, changes]
            return
        if action == "delete":
            entry[1:] = ["delete", changes]
            return
        merged = entry[2]
        for key, (old, new) in changes.items():
            merged[key] = [merged[key][0], new] if key in merged else [old, new]
        if entry[1] == "create":
            # Still new to the database: nothing had a previous value.
            entry[2] = {k: [None, v[1]] for k, v in merged.items()
                        if v[1] not in (None, "", {}, [])}
        else:
            entry[2] = {k: v for k, v in merged.items() if v[0] != v[1]}

    def record(self, actor, *, always: tuple = ()) -> list[AuditEvent]:
        """Add one audit event per changed object (flush first, so new objects have ids).

        Updates that changed nothing are left out, unless the object is in `always`.
        """
        self.recorded = True
        events = []
        for obj, action, changes in self.entries.values():
            if action == "update" and not changes and not any(obj is o for o in always):
                continue
            events.append(record(actor, action, obj, changes))
        return events
