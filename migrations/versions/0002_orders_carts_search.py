"""orders, carts, payments webhooks and product search

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


# The search index as it was created by this revision: the statements are copied in, so this
# migration never changes when live code (store/catalog/search.py) does.
SQLITE_SEARCH_DDL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS product_search USING fts5(name, category, skus, description, tokenize = 'unicode61 remove_diacritics 2')",
    'CREATE TRIGGER IF NOT EXISTS product_search_product_ai AFTER INSERT ON product BEGIN INSERT INTO product_search(rowid, name, category, skus, description) VALUES (new.id, new.name, (SELECT name FROM category WHERE id = new.category_id), (SELECT group_concat(sku, \' \') FROM variant WHERE product_id = new.id), replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(new.description, \'</\', \'<\'), \'<a>\', \' \'), \'<b>\', \' \'), \'<blockquote>\', \' \'), \'<br>\', \' \'), \'<code>\', \' \'), \'<em>\', \' \'), \'<h3>\', \' \'), \'<h4>\', \' \'), \'<i>\', \' \'), \'<li>\', \' \'), \'<ol>\', \' \'), \'<p>\', \' \'), \'<strong>\', \' \'), \'<ul>\', \' \'), \'<br />\', \' \'), \'<a \', \' \'), \' rel="noopener nofollow"\', \' \'), \'href=\', \' \')); END',
    'CREATE TRIGGER IF NOT EXISTS product_search_product_au AFTER UPDATE OF name, description, category_id ON product BEGIN DELETE FROM product_search WHERE rowid = old.id; INSERT INTO product_search(rowid, name, category, skus, description) VALUES (new.id, new.name, (SELECT name FROM category WHERE id = new.category_id), (SELECT group_concat(sku, \' \') FROM variant WHERE product_id = new.id), replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(new.description, \'</\', \'<\'), \'<a>\', \' \'), \'<b>\', \' \'), \'<blockquote>\', \' \'), \'<br>\', \' \'), \'<code>\', \' \'), \'<em>\', \' \'), \'<h3>\', \' \'), \'<h4>\', \' \'), \'<i>\', \' \'), \'<li>\', \' \'), \'<ol>\', \' \'), \'<p>\', \' \'), \'<strong>\', \' \'), \'<ul>\', \' \'), \'<br />\', \' \'), \'<a \', \' \'), \' rel="noopener nofollow"\', \' \'), \'href=\', \' \')); END',
    'CREATE TRIGGER IF NOT EXISTS product_search_product_ad AFTER DELETE ON product BEGIN DELETE FROM product_search WHERE rowid = old.id; END',
    "CREATE TRIGGER IF NOT EXISTS product_search_variant_ai AFTER INSERT ON variant BEGIN UPDATE product_search SET skus = (SELECT group_concat(sku, ' ') FROM variant WHERE product_id = new.product_id) WHERE rowid = new.product_id; END",
    "CREATE TRIGGER IF NOT EXISTS product_search_variant_au AFTER UPDATE OF sku, product_id ON variant BEGIN UPDATE product_search SET skus = (SELECT group_concat(sku, ' ') FROM variant WHERE product_id = old.product_id) WHERE rowid = old.product_id; UPDATE product_search SET skus = (SELECT group_concat(sku, ' ') FROM variant WHERE product_id = new.product_id) WHERE rowid = new.product_id; END",
    "CREATE TRIGGER IF NOT EXISTS product_search_variant_ad AFTER DELETE ON variant BEGIN UPDATE product_search SET skus = (SELECT group_concat(sku, ' ') FROM variant WHERE product_id = old.product_id) WHERE rowid = old.product_id; END",
    'CREATE TRIGGER IF NOT EXISTS product_search_category_au AFTER UPDATE OF name ON category BEGIN UPDATE product_search SET category = new.name WHERE rowid IN (SELECT id FROM product WHERE category_id = new.id); END',
    'DELETE FROM product_search',
    'INSERT INTO product_search(rowid, name, category, skus, description) SELECT p.id, p.name, c.name, (SELECT group_concat(sku, \' \') FROM variant v WHERE v.product_id = p.id), replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(p.description, \'</\', \'<\'), \'<a>\', \' \'), \'<b>\', \' \'), \'<blockquote>\', \' \'), \'<br>\', \' \'), \'<code>\', \' \'), \'<em>\', \' \'), \'<h3>\', \' \'), \'<h4>\', \' \'), \'<i>\', \' \'), \'<li>\', \' \'), \'<ol>\', \' \'), \'<p>\', \' \'), \'<strong>\', \' \'), \'<ul>\', \' \'), \'<br />\', \' \'), \'<a \', \' \'), \' rel="noopener nofollow"\', \' \'), \'href=\', \' \') FROM product p LEFT JOIN category c ON c.id = p.category_id',
]

POSTGRESQL_SEARCH_DDL = [
    'CREATE TABLE IF NOT EXISTS product_search (product_id integer PRIMARY KEY REFERENCES product(id) ON DELETE CASCADE, document tsvector NOT NULL)',
    'CREATE INDEX IF NOT EXISTS ix_product_search_document ON product_search USING gin (document)',
    "CREATE OR REPLACE FUNCTION product_search_refresh(ids integer[]) RETURNS void LANGUAGE sql AS $$ \n        INSERT INTO product_search (product_id, document)\n        SELECT p.id, setweight(to_tsvector('simple', translate(lower(coalesce(p.name, '')), 'áàâäãåéèêëíìîïóòôöõúùûüñçý', 'aaaaaaeeeeiiiiooooouuuuncy')), 'A') || setweight(to_tsvector('simple', translate(lower(coalesce((SELECT string_agg(v.sku || ' ' || replace(v.sku, '-', ' '), ' ') FROM variant v WHERE v.product_id = p.id), '')), 'áàâäãåéèêëíìîïóòôöõúùûüñçý', 'aaaaaaeeeeiiiiooooouuuuncy')), 'A') || setweight(to_tsvector('simple', translate(lower(coalesce(c.name, '')), 'áàâäãåéèêëíìîïóòôöõúùûüñçý', 'aaaaaaeeeeiiiiooooouuuuncy')), 'B') || setweight(to_tsvector('simple', translate(lower(coalesce(regexp_replace(p.description, '<[^>]*>', ' ', 'g'), '')), 'áàâäãåéèêëíìîïóòôöõúùûüñçý', 'aaaaaaeeeeiiiiooooouuuuncy')), 'C')\n        FROM product p LEFT JOIN category c ON c.id = p.category_id\n        WHERE p.id IN (SELECT unnest(ids))\n        ON CONFLICT (product_id) DO UPDATE SET document = EXCLUDED.document\n     $$",
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
    'DROP TABLE IF EXISTS product_search',
]

POSTGRESQL_SEARCH_DROP = [
    'DROP TABLE IF EXISTS product_search CASCADE',
    'DROP FUNCTION IF EXISTS product_search_from_products() CASCADE',
    'DROP FUNCTION IF EXISTS product_search_from_variants() CASCADE',
    'DROP FUNCTION IF EXISTS product_search_from_categories() CASCADE',
    'DROP FUNCTION IF EXISTS product_search_refresh(integer[]) CASCADE',
]


def _run(statements_by_dialect):
    bind = op.get_bind()
    for statement in statements_by_dialect[bind.dialect.name]:
        bind.exec_driver_sql(statement)


def upgrade():
    op.create_table('order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=16), nullable=False),
    sa.Column('checkout_token', sa.String(length=64), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('address_line1', sa.String(length=200), nullable=False),
    sa.Column('address_line2', sa.String(length=200), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('postal_code', sa.String(length=20), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('shipping_method', sa.String(length=32), nullable=False),
    sa.Column('payment_method', sa.String(length=32), nullable=False),
    sa.Column('payment_reference', sa.String(length=255), nullable=True),
    sa.Column('subtotal', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('shipping_cost', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('total', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('carrier', sa.String(length=40), nullable=True),
    sa.Column('tracking_number', sa.String(length=80), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('refunded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('payment_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_order_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order')),
    sa.UniqueConstraint('checkout_token', name=op.f('uq_order_checkout_token')),
    sa.UniqueConstraint('number', name=op.f('uq_order_number'))
    )
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_payment_due_at'), ['payment_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_payment_method'), ['payment_method'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_payment_reference'), ['payment_reference'], unique=False)
        batch_op.create_index('ix_order_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_index('ix_order_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_user_id'), ['user_id'], unique=False)
    op.create_table('order_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=True),
    sa.Column('product_name', sa.String(length=200), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('line_total', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['order.id'], name=op.f('fk_order_line_order_id_order'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['variant_id'], ['variant.id'], name=op.f('fk_order_line_variant_id_variant'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_line'))
    )
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_line_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_line_variant_id'), ['variant_id'], unique=False)
    op.create_table('order_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['order.id'], name=op.f('fk_order_event_order_id_order'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_order_event_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_event'))
    )
    with op.batch_alter_table('order_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_event_order_id'), ['order_id'], unique=False)
    op.create_table('order_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['order.id'], name=op.f('fk_order_note_order_id_order'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_order_note_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_note'))
    )
    with op.batch_alter_table('order_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_note_order_id'), ['order_id'], unique=False)
    op.create_table('processed_webhook',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('event_id', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_processed_webhook')),
    sa.UniqueConstraint('event_id', name=op.f('uq_processed_webhook_event_id'))
    )
    op.create_table('cart',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_cart_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cart')),
    sa.UniqueConstraint('token', name=op.f('uq_cart_token')),
    sa.UniqueConstraint('user_id', name=op.f('uq_cart_user_id'))
    )
    op.create_table('cart_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cart_id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('price_seen', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['cart_id'], ['cart.id'], name=op.f('fk_cart_line_cart_id_cart'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['variant_id'], ['variant.id'], name=op.f('fk_cart_line_variant_id_variant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cart_line')),
    sa.UniqueConstraint('cart_id', 'variant_id', name=op.f('uq_cart_line_cart_id'))
    )
    with op.batch_alter_table('cart_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cart_line_cart_id'), ['cart_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cart_line_variant_id'), ['variant_id'], unique=False)

    # The stock ledger can now point at orders.
    with op.batch_alter_table('stock_movement', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_stock_movement_order_id_order'), 'order',
                                    ['order_id'], ['id'], ondelete='SET NULL')

    # Full-text product search (SQLite FTS5 / PostgreSQL tsvector), kept in step by triggers.
    _run({'sqlite': SQLITE_SEARCH_DDL, 'postgresql': POSTGRESQL_SEARCH_DDL})


def downgrade():
    _run({'sqlite': SQLITE_SEARCH_DROP, 'postgresql': POSTGRESQL_SEARCH_DROP})
    with op.batch_alter_table('stock_movement', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_stock_movement_order_id_order'),
                                 type_='foreignkey')

    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_line_variant_id'))
        batch_op.drop_index(batch_op.f('ix_order_line_order_id'))

    op.drop_table('order_line')
    with op.batch_alter_table('cart_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cart_line_variant_id'))
        batch_op.drop_index(batch_op.f('ix_cart_line_cart_id'))

    op.drop_table('cart_line')
    with op.batch_alter_table('order_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_note_order_id'))

    op.drop_table('order_note')
    with op.batch_alter_table('order_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_event_order_id'))

    op.drop_table('order_event')
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_user_id'))
        batch_op.drop_index('ix_order_user_created')
        batch_op.drop_index('ix_order_status_created')
        batch_op.drop_index(batch_op.f('ix_order_payment_reference'))
        batch_op.drop_index(batch_op.f('ix_order_payment_method'))
        batch_op.drop_index(batch_op.f('ix_order_payment_due_at'))
        batch_op.drop_index(batch_op.f('ix_order_email'))
        batch_op.drop_index(batch_op.f('ix_order_created_at'))

    op.drop_table('order')
    op.drop_table('cart')
    op.drop_table('processed_webhook')

