"""Bulk inserts for the seeders: executemany straight on the driver, one statement per
table and batch, no per-row statement building."""

from __future__ import annotations

from store.extensions import db


def bulk_insert(model, rows: list[dict], sealed: frozenset[str] = frozenset()) -> None:
    """Insert `rows` (dicts with the same keys) into `model`'s table in one executemany.

    Each value goes through its column type's bind processor, as SQLAlchemy would, except
    the `sealed` columns: their values are already encrypted (store.models.keys.encrypt).
    """
    if not rows:
        return
    connection = db.session.connection()
    dialect = connection.dialect
    table = model.__table__
    names = list(rows[0])
    processors = [None if name in sealed else
                  table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                  for name in names]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
           f"VALUES ({', '.join([mark] * len(names))})")
    connection.exec_driver_sql(sql, [
        tuple(v if p is None or v is None else p(v)
              for v, p in zip((row[n] for n in names), processors, strict=True))
        for row in rows])
