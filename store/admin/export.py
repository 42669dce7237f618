"""CSV export of back-office lists, streamed in batches, and logged in the audit log."""

from __future__ import annotations

from flask_login import current_user

from store.audit import services as audit
from store.database import write_transaction


def stream_export_rows(view, batch: int = 500, *, audited: bool = False):
    """The rows a CSV export writes, with the list's search, filters and sort, streamed.

    Flask-Admin loads every exported row at once; this reads them `batch` at a time, so
    exporting a large table keeps memory flat. With `audited`, who exported how many rows
    is written to the audit log before the file is sent (personal data leaving the shop).
    """
    args = view._get_list_extra_args()
    sort = view._get_column_by_idx(args.sort)
    _count, query = view.get_list(0, sort[0] if sort else None, args.sort_desc, args.search,
                                  args.filters, execute=False, page_size=view.export_max_rows)
    if audited:
        _audit_export(view, query.order_by(None).count())
    return query.yield_per(batch)


def _audit_export(view, rows: int) -> None:
    """Log one CSV export: who, of which list, how many rows."""
    with write_transaction():
        # A blank row of the listed model names what was exported (no one row is the target).
        audit.record(current_user, "export", view.model(), {"rows": [None, rows]},
                     summary=f"CSV export of {rows} {view.name.lower()}")
