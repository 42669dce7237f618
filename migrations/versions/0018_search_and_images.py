"""search that finds what people type (English stems, variant options, a word list);
product images remember their size

Revision ID: 0018
Revises: 0017
"""
import glob
import importlib.util
import os

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

# The search index as this revision creates it: the statements are copied in, so this
# migration never changes when live code (store/catalog/search_index.py) does.
SQLITE_SEARCH_DDL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS product_search USING fts5(name, category, skus, options, description, tokenize = 'porter unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS product_search_words USING fts5vocab(product_search, 'row')",
    'CREATE TRIGGER IF NOT EXISTS product_search_product_ai AFTER INSERT ON product BEGIN INSERT INTO product_search(rowid, name, category, skus, options, description) VALUES (new.id, new.name, (SELECT name FROM category WHERE id = new.category_id), (SELECT group_concat(sku, \' \') FROM variant WHERE product_id = new.id), (SELECT group_concat(o.value, \' \') FROM variant v, json_each(v.options) o WHERE v.product_id = new.id), replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(new.description, \'</\', \'<\'), \'<a>\', \' \'), \'<b>\', \' \'), \'<blockquote>\', \' \'), \'<br>\', \' \'), \'<code>\', \' \'), \'<em>\', \' \'), \'<h3>\', \' \'), \'<h4>\', \' \'), \'<i>\', \' \'), \'<li>\', \' \'), \'<ol>\', \' \'), \'<p>\', \' \'), \'<strong>\', \' \'), \'<ul>\', \' \'), \'<br />\', \' \'), \'<a \', \' \'), \' rel="noopener nofollow"\', \' \'), \'href=\', \' \')); END',
    'CREATE TRIGGER IF NOT EXISTS product_search_product_au AFTER UPDATE OF name, description, category_id ON product BEGIN DELETE FROM product_search WHERE rowid = old.id; INSERT INTO product_search(rowid, name, category, skus, options, description) VALUES (new.id, new.name, (SELECT name FROM category WHERE id = new.category_id), (SELECT group_concat(sku, \' \') FROM variant WHERE product_id = new.id), (SELECT group_concat(o.value, \' \') FROM variant v, json_each(v.options) o WHERE v.product_id = new.id), replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(new.description, \'</\', \'<\'), \'<a>\', \' \'), \'<b>\', \' \'), \'<blockquote>\', \' \'), \'<br>\', \' \'), \'<code>\', \' \'), \'<em>\', \' \'), \'<h3>\', \' \'), \'<h4>\', \' \'), \'<i>\', \' \'), \'<li>\', \' \'), \'<ol>\', \' \'), \'<p>\', \' \'), \'<strong>\', \' \'), \'<ul>\', \' \'), \'<br />\', \' \'), \'<a \', \' \'), \' rel="noopener nofollow"\', \' \'), \'href=\', \' \')); END',
    'CREATE TRIGGER IF NOT EXISTS product_search_product_ad AFTER DELETE ON product BEGIN DELETE FROM product_search WHERE rowid = old.id; END',
    "CREATE TRIGGER IF NOT EXISTS product_search_variant_ai AFTER INSERT ON variant BEGIN UPDATE product_search SET skus = (SELECT group_concat(sku, ' ') FROM variant WHERE product_id = new.product_id), options = (SELECT group_concat(o.value, ' ') FROM variant v, json_each(v.options) o WHERE v.product_id = new.product_id) WHERE rowid = new.product_id; END",
    "CREATE TRIGGER IF NOT EXISTS product_search_variant_au AFTER UPDATE OF sku, options, product_id ON variant BEGIN UPDATE product_search SET skus = (SELECT group_concat(sku, ' ') FROM variant WHERE product_id = old.product_id), options = (SELECT group_concat(o.value, ' ') FROM variant v, json_each(v.options) o WHERE v.product_id = old.product_id) WHERE rowid = old.product_id; UPDATE product_search SET skus = (SELECT group_concat(sku, ' ') FROM variant WHERE product_id = new.product_id), options = (SELECT group_concat(o.value, ' ') FROM variant v, json_each(v.options) o WHERE v.product_id = new.product_id) WHERE rowid = new.product_id; END",
    "CREATE TRIGGER IF NOT EXISTS product_search_variant_ad AFTER DELETE ON variant BEGIN UPDATE product_search SET skus = (SELECT group_concat(sku, ' ') FROM variant WHERE product_id = old.product_id), options = (SELECT group_concat(o.value, ' ') FROM variant v, json_each(v.options) o WHERE v.product_id = old.product_id) WHERE rowid = old.product_id; END",
    'CREATE TRIGGER IF NOT EXISTS product_search_category_au AFTER UPDATE OF name ON category BEGIN UPDATE product_search SET category = new.name WHERE rowid IN (SELECT id FROM product WHERE category_id = new.id); END',
    'DELETE FROM product_search',
    'INSERT INTO product_search(rowid, name, category, skus, options, description) SELECT p.id, p.name, c.name, (SELECT group_concat(sku, \' \') FROM variant WHERE product_id = p.id), (SELECT group_concat(o.value, \' \') FROM variant v, json_each(v.options) o WHERE v.product_id = p.id), replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(p.description, \'</\', \'<\'), \'<a>\', \' \'), \'<b>\', \' \'), \'<blockquote>\', \' \'), \'<br>\', \' \'), \'<code>\', \' \'), \'<em>\', \' \'), \'<h3>\', \' \'), \'<h4>\', \' \'), \'<i>\', \' \'), \'<li>\', \' \'), \'<ol>\', \' \'), \'<p>\', \' \'), \'<strong>\', \' \'), \'<ul>\', \' \'), \'<br />\', \' \'), \'<a \', \' \'), \' rel="noopener nofollow"\', \' \'), \'href=\', \' \') FROM product p LEFT JOIN category c ON c.id = p.category_id',
]

POSTGRESQL_SEARCH_DDL = [
    'CREATE TABLE IF NOT EXISTS product_search (product_id integer PRIMARY KEY REFERENCES product(id) ON DELETE CASCADE, document tsvector NOT NULL)',
    'CREATE INDEX IF NOT EXISTS ix_product_search_document ON product_search USING gin (document)',
    'CREATE TABLE IF NOT EXISTS product_search_words (word text PRIMARY KEY)',
    "CREATE OR REPLACE FUNCTION product_search_refresh(ids integer[]) RETURNS void LANGUAGE sql AS $$ \n        INSERT INTO product_search (product_id, document)\n        SELECT p.id, setweight(to_tsvector('simple', translate(lower(coalesce(p.name, '')), 'áàâäãåéèêëíìîïóòôöõúùûüñçý', 'aaaaaaeeeeiiiiooooouuuuncy')) || to_tsvector('english', translate(lower(coalesce(p.name, '')), 'áàâäãåéèêëíìîïóòôöõúùûüñçý', 'aaaaaaeeeeiiiiooooouuuuncy')), 'A') || setweight(to_tsvector('simple', translate(lower(coalesce((SELECT string_agg(v.sku || ' ' || replace(v.sku, '-', ' '), ' ') FROM variant v WHERE v.product_id = p.id), '')), 'áàâäãåéèêëíìîïóòôöõúùûüñçý', 'aaaaaaeeeeiiiiooooouuuuncy')), 'A') || setweight(to_tsvector('simple', translate(lower(coalesce(c.name, '')), 'áàâäãåéèêëíìîïóòôöõúùûüñçý', 'aaaaaaeeeeiiiiooooouuuuncy')) || to_tsvector('english', translate(lower(coalesce(c.name, '')), 'áàâäãåéèêëíìîïóòôöõúùûüñçý', 'aaaaaaeeeeiiiiooooouuuuncy')), 'B') || setweight(to_tsvector('simple', translate(lower(coalesce((SELECT string_agg(o.value, ' ') FROM variant v, json_each_text(v.options) o WHERE v.product_id = p.id), '')), 'áàâäãåéèêëíìîïóòôöõúùûüñçý', 'aaaaaaeeeeiiiiooooouuuuncy')) || to_tsvector('english', translate(lower(coalesce((SELECT string_agg(o.value, ' ') FROM variant v, json_each_text(v.options) o WHERE v.product_id = p.id), '')), 'áàâäãåéèêëíìîïóòôöõúùûüñçý', 'aaaaaaeeeeiiiiooooouuuuncy')), 'B') || setweight(to_tsvector('simple', translate(lower(coalesce(regexp_replace(p.description, '<[^>]*>', ' ', 'g'), '')), 'áàâäãåéèêëíìîïóòôöõúùûüñçý', 'aaaaaaeeeeiiiiooooouuuuncy')) || to_tsvector('english', translate(lower(coalesce(regexp_replace(p.description, '<[^>]*>', ' ', 'g'), '')), 'áàâäãåéèêëíìîïóòôöõúùûüñçý', 'aaaaaaeeeeiiiiooooouuuuncy')), 'C')\n        FROM product p LEFT JOIN category c ON c.id = p.category_id\n        WHERE p.id IN (SELECT unnest(ids))\n        ON CONFLICT (product_id) DO UPDATE SET document = EXCLUDED.document;\n        INSERT INTO product_search_words (word)\n        SELECT DISTINCT unnest(tsvector_to_array(document)) FROM product_search\n        WHERE product_id IN (SELECT unnest(ids))\n        ON CONFLICT (word) DO NOTHING;\n     $$",
    'CREATE OR REPLACE FUNCTION product_search_from_products() RETURNS trigger\n            LANGUAGE plpgsql AS $$ BEGIN\n              PERFORM product_search_refresh(ARRAY(SELECT id FROM changed_rows));\n              RETURN NULL;\n            END $$',
    'CREATE OR REPLACE FUNCTION product_search_from_variants() RETURNS trigger\n            LANGUAGE plpgsql AS $$ BEGIN\n              PERFORM product_search_refresh(ARRAY(SELECT DISTINCT product_id FROM changed_rows));\n              RETURN NULL;\n            END $$',
    'CREATE OR REPLACE FUNCTION product_search_from_categories() RETURNS trigger\n            LANGUAGE plpgsql AS $$ BEGIN\n              PERFORM product_search_refresh(ARRAY(SELECT p.id FROM product p\n                                        JOIN changed_rows c ON p.category_id = c.id));\n              RETURN NULL;\n            END $$',
    'DROP TRIGGER IF EXISTS product_search_product_ai ON product',
    'CREATE TRIGGER product_search_product_ai AFTER INSERT ON product REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION product_search_from_products()',
    'DROP TRIGGER IF EXISTS product_search_product_au ON product',
    'CREATE TRIGGER product_search_product_au AFTER UPDATE ON product REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION product_search_from_products()',
    'DROP TRIGGER IF EXISTS product_search_variant_ai ON variant',
    'CREATE TRIGGER product_search_variant_ai AFTER INSERT ON variant REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION product_search_from_variants()',
    'DROP TRIGGER IF EXISTS product_search_variant_au_new ON variant',
    'CREATE TRIGGER product_search_variant_au_new AFTER UPDATE ON variant REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION product_search_from_variants()',
    'DROP TRIGGER IF EXISTS product_search_variant_au_old ON variant',
    'CREATE TRIGGER product_search_variant_au_old AFTER UPDATE ON variant REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION product_search_from_variants()',
    'DROP TRIGGER IF EXISTS product_search_variant_ad ON variant',
    'CREATE TRIGGER product_search_variant_ad AFTER DELETE ON variant REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION product_search_from_variants()',
    'DROP TRIGGER IF EXISTS product_search_category_au ON category',
    'CREATE TRIGGER product_search_category_au AFTER UPDATE ON category REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION product_search_from_categories()',
    'SELECT product_search_refresh(ARRAY(SELECT id FROM product))',
]

SQLITE_SEARCH_DROP = [
    'DROP TRIGGER IF EXISTS product_search_product_ai',
    'DROP TRIGGER IF EXISTS product_search_product_au',
    'DROP TRIGGER IF EXISTS product_search_product_ad',
    'DROP TRIGGER IF EXISTS product_search_variant_ai',
    'DROP TRIGGER IF EXISTS product_search_variant_au',
    'DROP TRIGGER IF EXISTS product_search_variant_ad',
    'DROP TRIGGER IF EXISTS product_search_category_au',
    'DROP TABLE IF EXISTS product_search_words',
    'DROP TABLE IF EXISTS product_search',
]

POSTGRESQL_SEARCH_DROP = [
    'DROP TABLE IF EXISTS product_search CASCADE',
    'DROP TABLE IF EXISTS product_search_words',
    'DROP FUNCTION IF EXISTS product_search_from_products() CASCADE',
    'DROP FUNCTION IF EXISTS product_search_from_variants() CASCADE',
    'DROP FUNCTION IF EXISTS product_search_from_categories() CASCADE',
    'DROP FUNCTION IF EXISTS product_search_refresh(integer[]) CASCADE',
]


def _run(statements_by_dialect):
    bind = op.get_bind()
    for statement in statements_by_dialect[bind.dialect.name]:
        bind.exec_driver_sql(statement)


def _revision_0002():
    """The migration that created the previous index (its statements restore it)."""
    here = os.path.dirname(__file__)
    path = glob.glob(os.path.join(here, "0002_*.py"))[0]
    spec = importlib.util.spec_from_file_location("store_migration_0002", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade():
    _run({"sqlite": SQLITE_SEARCH_DROP, "postgresql": POSTGRESQL_SEARCH_DROP})
    _run({"sqlite": SQLITE_SEARCH_DDL, "postgresql": POSTGRESQL_SEARCH_DDL})
    # Filled for existing images by `flask images rebuild`, which also makes their WebP copies.
    with op.batch_alter_table('product_image', schema=None) as batch_op:
        batch_op.add_column(sa.Column('width', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('height', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('product_image', schema=None) as batch_op:
        batch_op.drop_column('height')
        batch_op.drop_column('width')
    _run({"sqlite": SQLITE_SEARCH_DROP, "postgresql": POSTGRESQL_SEARCH_DROP})
    old = _revision_0002()
    _run({"sqlite": old.SQLITE_SEARCH_DDL, "postgresql": old.POSTGRESQL_SEARCH_DDL})
