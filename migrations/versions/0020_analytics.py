"""shop analytics: raw events, daily rollups, the rolled-up days and the owner's switch

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-26 08:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'analytics_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('session_key', sa.String(length=32), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('product_id', sa.Integer(), nullable=True),
        sa.Column('variant_id', sa.Integer(), nullable=True),
        sa.Column('order_id', sa.Integer(), nullable=True),
        sa.Column('landing_path', sa.String(length=255), nullable=False),
        sa.Column('referrer_host', sa.String(length=255), nullable=False),
        sa.Column('utm_source', sa.String(length=100), nullable=False),
        sa.Column('utm_medium', sa.String(length=100), nullable=False),
        sa.Column('utm_campaign', sa.String(length=100), nullable=False),
        sa.Column('visitor_hash', sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(['order_id'], ['order.id'],
                                name=op.f('fk_analytics_event_order_id_order'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['product_id'], ['product.id'],
                                name=op.f('fk_analytics_event_product_id_product'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_analytics_event_user_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['variant_id'], ['variant.id'],
                                name=op.f('fk_analytics_event_variant_id_variant'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_event')),
    )
    with op.batch_alter_table('analytics_event', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_event_day_kind', ['day', 'kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_analytics_event_session_key'), ['session_key'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_analytics_event_product_id'), ['product_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_analytics_event_order_id'), ['order_id'],
                              unique=False)

    op.create_table(
        'analytics_daily',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('dimension', sa.String(length=16), nullable=False),
        sa.Column('value', sa.String(length=320), nullable=False),
        sa.Column('sessions', sa.Integer(), nullable=False),
        sa.Column('events', sa.Integer(), nullable=False),
        sa.Column('revenue', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_daily')),
        sa.UniqueConstraint('day', 'kind', 'dimension', 'value',
                            name=op.f('uq_analytics_daily_day')),
    )
    with op.batch_alter_table('analytics_daily', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analytics_daily_day'), ['day'], unique=False)

    op.create_table(
        'analytics_rolled_day',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('rolled_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_analytics_rolled_day')),
    )
    op.create_table(
        'analytics_setting',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('record', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_analytics_setting_single_row')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_setting')),
    )


def downgrade():
    op.drop_table('analytics_setting')
    op.drop_table('analytics_rolled_day')
    with op.batch_alter_table('analytics_daily', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analytics_daily_day'))
    op.drop_table('analytics_daily')
    with op.batch_alter_table('analytics_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analytics_event_order_id'))
        batch_op.drop_index(batch_op.f('ix_analytics_event_product_id'))
        batch_op.drop_index(batch_op.f('ix_analytics_event_session_key'))
        batch_op.drop_index('ix_analytics_event_day_kind')
    op.drop_table('analytics_event')
