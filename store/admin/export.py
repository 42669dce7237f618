"""CSV export of back-office lists, streamed in batches."""

from __future__ import annotations


def stream_export_rows(view, batch: int = 500):
    """The rows a CSV export writes, with the list's search, filters and sort, streamed.

    Flask-Admin loads every exported row at once; this reads them `batch` at a time, so
    exporting a large table keeps memory flat.
    """
    args = view._get_list_extra_args()
    sort = view._get_column_by_idx(args.sort)
    _count, query = view.get_list(0, sort[0] if sort else None, args.sort_desc, args.search,
                                  args.filters, execute=False, page_size=view.export_max_rows)
    return query.yield_per(batch)
