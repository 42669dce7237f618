"""Key rotation: re-encrypt every encrypted column under the current data key.

Rows are read in primary-key batches, each batch in its own write transaction, so a large
shop keeps serving while it runs. A value already sealed under the current key is left
alone, which makes a re-run cheap and an interrupted run safe to start again. Each row is
updated only if it still holds what was read, so a customer's concurrent edit is not undone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Text, and_, select, text, type_coerce, update

from store.database import is_sqlite, write_transaction
from store.extensions import db
from store.models.keys import current_ring, key_id_of
from store.models.types import EncryptedJSON, EncryptedText

ENCRYPTED_TYPES = (EncryptedText, EncryptedJSON)


@dataclass
class RotationReport:
    """How many rows were re-encrypted, per table, and how many were already current."""

    rotated: dict[str, int] = field(default_factory=dict)
    current: int = 0

    @property
    def total(self) -> int:
        return sum(self.rotated.values())


def encrypted_columns() -> dict[type, list]:
    """Every mapped model with its encrypted columns."""
    found: dict[type, list] = {}
    for mapper in sorted(db.Model.registry.mappers, key=lambda m: m.class_.__name__):
        columns = [c for c in mapper.columns if isinstance(c.type, ENCRYPTED_TYPES)]
        if columns:
            found[mapper.class_] = columns
    return found


def _rotate_row(model, columns, raw_row, current: str) -> bool:
    """Re-seal one row's stale values; False when it changed under us or was current."""
    row_id, *raws = raw_row
    stale = {c: raw for c, raw in zip(columns, raws, strict=True)
             if raw is not None and key_id_of(raw) != current}
    if not stale:
        return False
    values = {c.key: c.type.process_result_value(raw, db.engine.dialect)
              for c, raw in stale.items()}
    unchanged = [type_coerce(c, Text) == raw for c, raw in stale.items()]
    pk = model.__mapper__.primary_key[0]
    result = db.session.execute(
        update(model).where(and_(pk == row_id, *unchanged)).values(**values)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _rotate_batch(model, columns, after, batch_size: int, report: RotationReport):
    """Re-encrypt one batch of rows with ids above `after`; returns the last id seen."""
    pk = model.__mapper__.primary_key[0]
    current = current_ring().current
    with write_transaction() as session:
        if is_sqlite():
            # Overwrite the old copies of re-sealed values instead of leaving them in free space.
            session.execute(text("PRAGMA secure_delete = ON"))
        rows = session.execute(
            select(pk, *[type_coerce(c, Text) for c in columns])
            .where(pk > after).order_by(pk).limit(batch_size)).all()
        for row in rows:
            if _rotate_row(model, columns, row, current):
                name = model.__tablename__
                report.rotated[name] = report.rotated.get(name, 0) + 1
            else:
                report.current += 1
    return rows[-1][0] if rows else None


def rotate_keys(batch_size: int = 500) -> RotationReport:
    """Re-encrypt every encrypted value (legacy plaintext included) under the current key."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    report = RotationReport()
    for model, columns in encrypted_columns().items():
        after = 0
        while (after := _rotate_batch(model, columns, after, batch_size, report)) is not None:
            pass
    return report
