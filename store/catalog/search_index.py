"""The product search index: its DDL on SQLite (FTS5) and PostgreSQL (tsvector).

The index lives in the database itself and SQL triggers keep it in step with product,
variant and category rows, so every writer (the admin, CSV import, bulk seeding, raw SQL)
keeps it current. Each product is indexed by name, category, SKUs, variant option values
("Navy", "XL") and description. Words are stemmed (English: "tees" finds "tee") and also
kept as typed for prefixes; a word list (`WORDS_TABLE`) gives the spelling fallback its
candidates. `create_search_index(connection)` creates it all; `db.create_all()` calls it
through a metadata event, and migrations carry a copy of the statements.
"""

from __future__ import annotations

from sqlalchemy import Connection, event

from store.catalog.html import ALLOWED_TAGS
from store.extensions import db

INDEX_TABLE = "product_search"
# SQLite: an fts5vocab view of the index's (stemmed) words; PostgreSQL: a table of the words.
WORDS_TABLE = f"{INDEX_TABLE}_words"

ACCENTED = "áàâäãåéèêëíìîïóòôöõúùûüñçý"
PLAIN = "aaaaaaeeeeiiiiooooouuuuncy"


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


def _sqlite_skus(pid: str) -> str:
    return f"(SELECT group_concat(sku, ' ') FROM variant WHERE product_id = {pid})"


def _sqlite_options(pid: str) -> str:
    return (f"(SELECT group_concat(o.value, ' ') FROM variant v, json_each(v.options) o "
            f"WHERE v.product_id = {pid})")


def _sqlite_row(pid: str, name: str, description: str, category_id: str) -> str:
    return (
        f"INSERT INTO {INDEX_TABLE}(rowid, name, category, skus, options, description) "
        f"VALUES ({pid}, {name}, (SELECT name FROM category WHERE id = {category_id}), "
        f"{_sqlite_skus(pid)}, {_sqlite_options(pid)}, {_sqlite_strip_tags(description)});"
    )


def _sqlite_variants(pid: str) -> str:
    return (f"UPDATE {INDEX_TABLE} SET skus = {_sqlite_skus(pid)}, "
            f"options = {_sqlite_options(pid)} WHERE rowid = {pid};")


_SQLITE_TRIGGERS = ("product_ai", "product_au", "product_ad", "variant_ai", "variant_au",
                    "variant_ad", "category_au")


def sqlite_ddl() -> list[str]:
    """The statements that create the SQLite FTS5 index, its triggers, and fill it."""
    new_row = _sqlite_row("new.id", "new.name", "new.description", "new.category_id")
    t = INDEX_TABLE
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {t} USING fts5("
        "name, category, skus, options, description, "
        "tokenize = 'porter unicode61 remove_diacritics 2')",
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {WORDS_TABLE} USING fts5vocab({t}, 'row')",
        f"CREATE TRIGGER IF NOT EXISTS {t}_product_ai AFTER INSERT ON product "
        f"BEGIN {new_row} END",
        f"CREATE TRIGGER IF NOT EXISTS {t}_product_au "
        "AFTER UPDATE OF name, description, category_id ON product "
        f"BEGIN DELETE FROM {t} WHERE rowid = old.id; {new_row} END",
        f"CREATE TRIGGER IF NOT EXISTS {t}_product_ad AFTER DELETE ON product "
        f"BEGIN DELETE FROM {t} WHERE rowid = old.id; END",
        f"CREATE TRIGGER IF NOT EXISTS {t}_variant_ai AFTER INSERT ON variant "
        f"BEGIN {_sqlite_variants('new.product_id')} END",
        f"CREATE TRIGGER IF NOT EXISTS {t}_variant_au "
        "AFTER UPDATE OF sku, options, product_id ON variant "
        f"BEGIN {_sqlite_variants('old.product_id')} {_sqlite_variants('new.product_id')} END",
        f"CREATE TRIGGER IF NOT EXISTS {t}_variant_ad AFTER DELETE ON variant "
        f"BEGIN {_sqlite_variants('old.product_id')} END",
        f"CREATE TRIGGER IF NOT EXISTS {t}_category_au "
        f"AFTER UPDATE OF name ON category BEGIN UPDATE {t} SET category = new.name "
        "WHERE rowid IN (SELECT id FROM product WHERE category_id = new.id); END",
        # Fill it from what is already there (a migration on a shop with products).
        f"DELETE FROM {t}",
        f"INSERT INTO {t}(rowid, name, category, skus, options, description) "
        f"SELECT p.id, p.name, c.name, {_sqlite_skus('p.id')}, {_sqlite_options('p.id')}, "
        f"{_sqlite_strip_tags('p.description')} "
        "FROM product p LEFT JOIN category c ON c.id = p.category_id",
    ]


def _pg_words(expr: str, weight: str, stemmed: bool = True) -> str:
    """A weighted tsvector of a text expression, lower-cased with accents folded: the words
    as written (for prefixes) and, unless `stemmed` is off, their English stems."""
    folded = f"translate(lower(coalesce({expr}, '')), '{ACCENTED}', '{PLAIN}')"
    vector = f"to_tsvector('simple', {folded})"
    if stemmed:
        vector = f"{vector} || to_tsvector('english', {folded})"
    return f"setweight({vector}, '{weight}')"


PG_DOCUMENT = " || ".join([
    _pg_words("p.name", "A"),
    _pg_words("(SELECT string_agg(v.sku || ' ' || replace(v.sku, '-', ' '), ' ') "
              "FROM variant v WHERE v.product_id = p.id)", "A", stemmed=False),
    _pg_words("c.name", "B"),
    _pg_words("(SELECT string_agg(o.value, ' ') FROM variant v, json_each_text(v.options) o "
              "WHERE v.product_id = p.id)", "B"),
    _pg_words("regexp_replace(p.description, '<[^>]*>', ' ', 'g')", "C"),
])


def postgresql_ddl() -> list[str]:
    """The statements that create the PostgreSQL index table, its triggers, and fill it."""
    t = INDEX_TABLE
    refresh = f"""
        INSERT INTO {t} (product_id, document)
        SELECT p.id, {PG_DOCUMENT}
        FROM product p LEFT JOIN category c ON c.id = p.category_id
        WHERE p.id IN (SELECT unnest(ids))
        ON CONFLICT (product_id) DO UPDATE SET document = EXCLUDED.document;
        INSERT INTO {WORDS_TABLE} (word)
        SELECT DISTINCT unnest(tsvector_to_array(document)) FROM {t}
        WHERE product_id IN (SELECT unnest(ids))
        ON CONFLICT (word) DO NOTHING;
    """
    statements = [
        f"CREATE TABLE IF NOT EXISTS {t} (product_id integer PRIMARY KEY "
        "REFERENCES product(id) ON DELETE CASCADE, document tsvector NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS ix_{t}_document ON {t} USING gin (document)",
        # Words are only added: a word no product uses any more merely fails to correct.
        f"CREATE TABLE IF NOT EXISTS {WORDS_TABLE} (word text PRIMARY KEY)",
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


def sqlite_drop() -> list[str]:
    """The statements that remove the SQLite index, its word view and triggers."""
    t = INDEX_TABLE
    return ([f"DROP TRIGGER IF EXISTS {t}_{name}" for name in _SQLITE_TRIGGERS]
            + [f"DROP TABLE IF EXISTS {WORDS_TABLE}", f"DROP TABLE IF EXISTS {t}"])


def postgresql_drop() -> list[str]:
    """The statements that remove the PostgreSQL index, its words, triggers and functions."""
    t = INDEX_TABLE
    return ([f"DROP TABLE IF EXISTS {t} CASCADE", f"DROP TABLE IF EXISTS {WORDS_TABLE}"]
            + [f"DROP FUNCTION IF EXISTS {t}_{fn}() CASCADE"
               for fn in ("from_products", "from_variants", "from_categories")]
            + [f"DROP FUNCTION IF EXISTS {t}_refresh(integer[]) CASCADE"])


def _statements(connection: Connection, sqlite: list[str], postgresql: list[str]) -> list:
    name = connection.dialect.name
    if name == "sqlite":
        return sqlite
    if name == "postgresql":
        return postgresql
    raise RuntimeError(f"No search index for {name}.")  # pragma: no cover


def create_search_index(connection: Connection) -> None:
    """Create (or re-create) the search index and its triggers, then fill it. Idempotent."""
    for statement in _statements(connection, sqlite_ddl(), postgresql_ddl()):
        connection.exec_driver_sql(statement)


def drop_search_index(connection: Connection) -> None:
    """Remove the search index, its triggers and functions (a migration's downgrade)."""
    for statement in _statements(connection, sqlite_drop(), postgresql_drop()):
        connection.exec_driver_sql(statement)


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
