"""store settings: one row of the shop's own details, edited in the back office

The row itself is created by the application on first use, from the environment
(STORE_NAME, STORE_BANK_DETAILS, STORE_MANUAL_HOLD_HOURS, ...), so nothing is copied here.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'store_settings',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('shop_name', sa.String(length=120), nullable=False),
        sa.Column('legal_name', sa.String(length=200), nullable=False),
        sa.Column('address', sa.Text(), nullable=False),
        sa.Column('tax_number', sa.String(length=40), nullable=False),
        sa.Column('contact_email', sa.String(length=255), nullable=False),
        sa.Column('bank_details', sa.Text(), nullable=False),
        sa.Column('prices_include_tax', sa.Boolean(), nullable=False),
        sa.Column('default_country', sa.String(length=2), nullable=False),
        sa.Column('manual_hold_hours', sa.Integer(), nullable=False),
        sa.Column('low_stock_threshold', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_store_settings_single_row')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_store_settings')),
    )


def downgrade():
    op.drop_table('store_settings')
