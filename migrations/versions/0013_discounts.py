"""discount codes and their uses; the order's and the cart's code; sale (compare-at) prices;
the demo code WELCOME10 seeded

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 10:00:00.000000

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    code = op.create_table(
        'discount_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('description', sa.String(length=200), server_default='', nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('value', sa.Numeric(precision=12, scale=2), server_default='0',
                  nullable=False),
        sa.Column('min_subtotal', sa.Numeric(precision=12, scale=2), server_default='0',
                  nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('max_uses', sa.Integer(), nullable=True),
        sa.Column('max_uses_per_customer', sa.Integer(), nullable=True),
        sa.Column('uses', sa.Integer(), server_default='0', nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('percent', 'fixed', 'free_shipping')",
                           name=op.f('ck_discount_code_discount_kind_known')),
        sa.CheckConstraint('value >= 0', name=op.f('ck_discount_code_discount_value_not_negative')),
        sa.CheckConstraint("kind != 'percent' OR value <= 100",
                           name=op.f('ck_discount_code_discount_percent_max')),
        sa.CheckConstraint('min_subtotal >= 0',
                           name=op.f('ck_discount_code_discount_min_subtotal_not_negative')),
        sa.CheckConstraint('uses >= 0', name=op.f('ck_discount_code_discount_uses_not_negative')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_discount_code')),
        sa.UniqueConstraint('code', name=op.f('uq_discount_code_code')),
    )
    op.create_table(
        'discount_code_category',
        sa.Column('discount_code_id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['category_id'], ['category.id'],
                                name=op.f('fk_discount_code_category_category_id_category'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(
            ['discount_code_id'], ['discount_code.id'],
            name=op.f('fk_discount_code_category_discount_code_id_discount_code'),
            ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('discount_code_id', 'category_id',
                                name=op.f('pk_discount_code_category')),
    )
    op.create_table(
        'discount_code_product',
        sa.Column('discount_code_id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['discount_code_id'], ['discount_code.id'],
            name=op.f('fk_discount_code_product_discount_code_id_discount_code'),
            ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['product_id'], ['product.id'],
                                name=op.f('fk_discount_code_product_product_id_product'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('discount_code_id', 'product_id',
                                name=op.f('pk_discount_code_product')),
    )
    op.create_table(
        'discount_use',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('discount_code_id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=255), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['discount_code_id'], ['discount_code.id'],
                                name=op.f('fk_discount_use_discount_code_id_discount_code'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['order_id'], ['order.id'],
                                name=op.f('fk_discount_use_order_id_order'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_discount_use_user_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_discount_use')),
        sa.UniqueConstraint('order_id', name=op.f('uq_discount_use_order_id')),
    )
    with op.batch_alter_table('discount_use', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discount_use_discount_code_id'),
                              ['discount_code_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_discount_use_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_discount_use_user_id'), ['user_id'], unique=False)
    # Plain ADD COLUMN (nullable): a batch copy of `variant` would break the search triggers.
    op.add_column('variant', sa.Column('compare_at_price', sa.Numeric(precision=12, scale=2),
                                       nullable=True))
    op.add_column('order', sa.Column('discount_code', sa.String(length=40), nullable=True))
    op.add_column('cart', sa.Column('discount_code', sa.String(length=40), nullable=True))
    op.bulk_insert(code, [{
        'code': 'WELCOME10', 'description': 'Welcome: 10 % off', 'kind': 'percent',
        'value': 10, 'min_subtotal': 0, 'uses': 0, 'active': True,
        'created_at': datetime.now(UTC)}])


def downgrade():
    # Plainly, not in batch mode (SQLite 3.35+ drops a column in place): copying `variant`
    # would break the search triggers that name it.
    op.execute('ALTER TABLE cart DROP COLUMN discount_code')
    op.execute('ALTER TABLE "order" DROP COLUMN discount_code')
    op.execute('ALTER TABLE variant DROP COLUMN compare_at_price')
    with op.batch_alter_table('discount_use', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discount_use_user_id'))
        batch_op.drop_index(batch_op.f('ix_discount_use_email'))
        batch_op.drop_index(batch_op.f('ix_discount_use_discount_code_id'))
    op.drop_table('discount_use')
    op.drop_table('discount_code_product')
    op.drop_table('discount_code_category')
    op.drop_table('discount_code')
