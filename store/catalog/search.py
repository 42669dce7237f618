"""Product search behind one function (matching_products): SQLite FTS5 or PostgreSQL
full-text search over name, category, SKUs and description, ranked.

The index lives in the database itself and SQL triggers keep it in step with product,
variant and category rows, so every writer (the admin, CSV import, bulk seeding, raw SQL)
keeps it current. `create_search_index(connection)` creates it; `db.create_all()` calls it
through a metadata event, and a migration calls it once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import (
    Connection,
    Float,
    Integer,
    column,
    event,
    false,
    func,
    literal_column,
    select,
    table,
)

from store.catalog.html import ALLOWED_TAGS
from store.extensions import db
from store.models import Product

INDEX_TABLE = "product_search"
MAX_TERMS = 8

# Search words are runs of letters and digits; everything else separates them. SKUs such as
# "TEE-NAVY-M" are found by their parts.
_WORD = re.compile(r"\w+", re.UNICODE)

_sqlite_index = table(INDEX_TABLE, column("rowid", Integer))
_pg_index = table(INDEX_TABLE, column("product_id", Integer), column("document"))


_ACCENTED = "áàâäãåéèêëíìîïóòôöõúùûüñçý"
_PLAIN = "aaaaaaeeeeiiiiooooouuuuncy"


def _fold_accents(word: str) -> str:
    """PostgreSQL's "simple" configuration keeps accents; fold the common ones both sides."""
    return word.translate(str.maketrans(_ACCENTED, _PLAIN))


def search_terms(query: str) -> list[str]:
    """The words of a query, lower-cased, at most MAX_TERMS (punctuation ignored)."""
    words = _WORD.findall((query or "").lower().replace("_", " "))
    return list(dict.fromkeys(words))[:MAX_TERMS]


@dataclass
class Matches:
    """Products matching a query: a subquery of ids and how to order by relevance."""

    terms: list[str]
    dialect: str

    def _ranked(self, with_rank: bool = True):
        """(product id, rank) rows, lower rank is better, for every matching product."""
        if self.dialect == "postgresql":
            terms = [_fold_accents(t) for t in self.terms]
            query = func.to_tsquery("simple", " & ".join(f"'{t}':*" for t in terms))
            document = _pg_index.c.document
            columns = [_pg_index.c.product_id.label("id")]
            if with_rank:
                columns.append((-func.ts_rank(document, query)).label("rank"))
            return select(*columns).where(document.op("@@")(query))
        match = " ".join(f'"{t}"*' for t in self.terms)
        index = literal_column(INDEX_TABLE)
        columns = [_sqlite_index.c.rowid.label("id")]
        if with_rank:
            # bm25 weights per column: name, category, skus, description.
            columns.append(func.bm25(index, 10.0, 4.0, 6.0, 1.0, type_=Float).label("rank"))
        return select(*columns).where(index.op("MATCH")(match))

    def subquery_ids(self):
        """A SELECT of the matching product ids, for `Product.id.in_(...)`."""
        if not self.terms:
            return select(Product.id).where(false())
        return self._ranked(with_rank=False)

    def order(self, stmt):
        """Order a product SELECT by relevance, best first."""
        if not self.terms:
            return stmt.order_by(Product.name, Product.id)
        ranked = self._ranked().subquery("ranked")
        return stmt.join(ranked, ranked.c.id == Product.id).order_by(ranked.c.rank, Product.id)


def matching_products(query: str) -> Matches:
    """The products matching every word of a query (each word also as a prefix)."""
    return Matches(terms=search_terms(query), dialect=db.engine.dialect.name)


# --- The index and its triggers -------------------------------------------------------------

def _sqlite_strip_tags(expr: str) -> str:
    """SQL that removes the tags the description sanitizer allows, so they are not words.

    SQLite has no regular expressions; the sanitizer's small allow-list makes a chain of
    replace() calls enough (kept short: SQLite's parser limits nesting).
    """
    pieces = ["</"] + [f"<{tag}>" for tag in sorted(ALLOWED_TAGS)]
    pieces += ["<br />", "<a ", ' rel="noopener nofollow"', "href="]
    for piece in pieces:
        expr = f"replace({expr}, '{piece}', '{'<' if piece == '</' else ' '}')"
    return expr


def _sqlite_row(pid: str, name: str, description: str, category_id: str) -> str:
    return (
        f"INSERT INTO {INDEX_TABLE}(rowid, name, category, skus, description) VALUES ("
        f"{pid}, {name}, (SELECT name FROM category WHERE id = {category_id}), "
        f"(SELECT group_concat(sku, ' ') FROM variant WHERE product_id = {pid}), "
        f"{_sqlite_strip_tags(description)});"
    )


def _sqlite_skus(pid: str) -> str:
    return (f"UPDATE {INDEX_TABLE} SET skus = (SELECT group_concat(sku, ' ') FROM variant "
            f"WHERE product_id = {pid}) WHERE rowid = {pid};")


def sqlite_ddl() -> list[str]:
    """The statements that create the SQLite FTS5 index, its triggers, and fill it."""
    new_row = _sqlite_row("new.id", "new.name", "new.description", "new.category_id")
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {INDEX_TABLE} USING fts5("
        "name, category, skus, description, tokenize = 'unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER IF NOT EXISTS {INDEX_TABLE}_product_ai AFTER INSERT ON product "
        f"BEGIN {new_row} END",
        f"CREATE TRIGGER IF NOT EXISTS {INDEX_TABLE}_product_au "
        "AFTER UPDATE OF name, description, category_id ON product "
        f"BEGIN DELETE FROM {INDEX_TABLE} WHERE rowid = old.id; {new_row} END",
        f"CREATE TRIGGER IF NOT EXISTS {INDEX_TABLE}_product_ad AFTER DELETE ON product "
        f"BEGIN DELETE FROM {INDEX_TABLE} WHERE rowid = old.id; END",
        f"CREATE TRIGGER IF NOT EXISTS {INDEX_TABLE}_variant_ai AFTER INSERT ON variant "
        f"BEGIN {_sqlite_skus('new.product_id')} END",
        f"CREATE TRIGGER IF NOT EXISTS {INDEX_TABLE}_variant_au "
        "AFTER UPDATE OF sku, product_id ON variant "
        f"BEGIN {_sqlite_skus('old.product_id')} {_sqlite_skus('new.product_id')} END",
        f"CREATE TRIGGER IF NOT EXISTS {INDEX_TABLE}_variant_ad AFTER DELETE ON variant "
        f"BEGIN {_sqlite_skus('old.product_id')} END",
        f"CREATE TRIGGER IF NOT EXISTS {INDEX_TABLE}_category_au "
        f"AFTER UPDATE OF name ON category BEGIN UPDATE {INDEX_TABLE} SET category = new.name "
        "WHERE rowid IN (SELECT id FROM product WHERE category_id = new.id); END",
        # Fill it from what is already there (a migration on a shop with products).
        f"DELETE FROM {INDEX_TABLE}",
        f"INSERT INTO {INDEX_TABLE}(rowid, name, category, skus, description) "
        "SELECT p.id, p.name, c.name, "
        "(SELECT group_concat(sku, ' ') FROM variant v WHERE v.product_id = p.id), "
        f"{_sqlite_strip_tags('p.description')} "
        "FROM product p LEFT JOIN category c ON c.id = p.category_id",
    ]


def _pg_words(expr: str, weight: str) -> str:
    """A weighted tsvector of a text expression, lower-cased with accents folded."""
    folded = f"translate(lower(coalesce({expr}, '')), '{_ACCENTED}', '{_PLAIN}')"
    return f"setweight(to_tsvector('simple', {folded}), '{weight}')"


_PG_DOCUMENT = " || ".join([
    _pg_words("p.name", "A"),
    _pg_words("(SELECT string_agg(v.sku || ' ' || replace(v.sku, '-', ' '), ' ') "
              "FROM variant v WHERE v.product_id = p.id)", "A"),
    _pg_words("c.name", "B"),
    _pg_words("regexp_replace(p.description, '<[^>]*>', ' ', 'g')", "C"),
])


def postgresql_ddl() -> list[str]:
    """The statements that create the PostgreSQL index table, its triggers, and fill it."""
    t = INDEX_TABLE
    refresh = f"""
        INSERT INTO {t} (product_id, document)
        SELECT p.id, {_PG_DOCUMENT}
        FROM product p LEFT JOIN category c ON c.id = p.category_id
        WHERE p.id IN (SELECT unnest(ids))
        ON CONFLICT (product_id) DO UPDATE SET document = EXCLUDED.document
    """
    statements = [
        f"CREATE TABLE IF NOT EXISTS {t} (product_id integer PRIMARY KEY "
        "REFERENCES product(id) ON DELETE CASCADE, document tsvector NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS ix_{t}_document ON {t} USING gin (document)",
        f"CREATE OR REPLACE FUNCTION {t}_refresh(ids integer[]) RETURNS void "
        f"LANGUAGE sql AS $$ {refresh} $$",
        # Statement-level triggers with transition tables: a bulk insert of thousands of
        # variants refreshes each product once, not once per row.
        f"""CREATE OR REPLACE FUNCTION {t}_from_products() RETURNS trigger
            LANGUAGE plpgsql AS $$ BEGIN
              PERFORM {t}_refresh(ARRAY(SELECT id FROM changed_rows));
              RETURN NULL;
            END $$""",
        f"""CREATE OR REPLACE FUNCTION {t}_from_variants() RETURNS trigger
            LANGUAGE plpgsql AS $$ BEGIN
              PERFORM {t}_refresh(ARRAY(SELECT DISTINCT product_id FROM changed_rows));
              RETURN NULL;
            END $$""",
        f"""CREATE OR REPLACE FUNCTION {t}_from_categories() RETURNS trigger
            LANGUAGE plpgsql AS $$ BEGIN
              PERFORM {t}_refresh(ARRAY(SELECT p.id FROM product p
                                        JOIN changed_rows c ON p.category_id = c.id));
              RETURN NULL;
            END $$""",
    ]
    triggers = [
        ("product_ai", "INSERT", "product", "NEW", "products"),
        ("product_au", "UPDATE", "product", "NEW", "products"),
        ("variant_ai", "INSERT", "variant", "NEW", "variants"),
        ("variant_au_new", "UPDATE", "variant", "NEW", "variants"),
        ("variant_au_old", "UPDATE", "variant", "OLD", "variants"),
        ("variant_ad", "DELETE", "variant", "OLD", "variants"),
        ("category_au", "UPDATE", "category", "NEW", "categories"),
    ]
    for name, op, on, which, fn in triggers:
        statements.append(f"DROP TRIGGER IF EXISTS {t}_{name} ON {on}")
        statements.append(
            f"CREATE TRIGGER {t}_{name} AFTER {op} ON {on} "
            f"REFERENCING {which} TABLE AS changed_rows FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {t}_from_{fn}()"
        )
    statements.append(f"SELECT {t}_refresh(ARRAY(SELECT id FROM product))")
    return statements


def create_search_index(connection: Connection) -> None:
    """Create (or re-create) the search index and its triggers, then fill it. Idempotent."""
    name = connection.dialect.name
    if name == "sqlite":
        statements = sqlite_ddl()
    elif name == "postgresql":
        statements = postgresql_ddl()
    else:  # pragma: no cover - only the two supported databases
        raise RuntimeError(f"No search index for {name}.")
    for statement in statements:
        connection.exec_driver_sql(statement)


def drop_search_index(connection: Connection) -> None:
    """Remove the search index, its triggers and functions (a migration's downgrade)."""
    t = INDEX_TABLE
    if connection.dialect.name == "sqlite":
        for trigger in ("product_ai", "product_au", "product_ad", "variant_ai", "variant_au",
                        "variant_ad", "category_au"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {t}_{trigger}")
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {t}")
        return
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {t} CASCADE")
    for fn in ("from_products", "from_variants", "from_categories"):
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {t}_{fn}() CASCADE")
    connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {t}_refresh(integer[]) CASCADE")


def is_search_table(name: str) -> bool:
    """True for the index and its FTS5 shadow tables (Alembic's autogenerate skips them)."""
    return name == INDEX_TABLE or name.startswith(f"{INDEX_TABLE}_")


@event.listens_for(db.metadata, "after_create")
def _after_create(target, connection, tables=(), **_kw):
    """db.create_all() builds the index along with the tables."""
    names = {t.name for t in tables} if tables else set(target.tables)
    if {"product", "variant", "category"} <= names:
        create_search_index(connection)


@event.listens_for(db.metadata, "before_drop")
def _before_drop(target, connection, tables=(), **_kw):
    """db.drop_all() removes the index first (it refers to the product table)."""
    drop_search_index(connection)
