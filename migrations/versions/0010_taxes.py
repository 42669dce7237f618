"""taxes: tax classes on products, tax rates per country, the VAT snapshot of orders

Existing products get the standard class. Existing orders keep their totals: their tax is
NULL (unknown, never recomputed) and their discount 0. The rates are seeded for Spain
(21 / 10 / 4 / 0 %) and the standard rate of the other EU countries.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 10:00:00.000000

"""
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# A copy of store.pricing.taxes at the time of writing (migrations import no live code).
SPAIN = {"standard": "21", "reduced": "10", "super-reduced": "4", "zero": "0"}
EU_STANDARD = {
    "AT": "20", "BE": "21", "BG": "20", "CY": "19", "CZ": "21", "DE": "19", "DK": "25",
    "EE": "24", "FI": "25.5", "FR": "20", "GR": "24", "HR": "25", "HU": "27", "IE": "23",
    "IT": "22", "LT": "21", "LU": "17", "LV": "21", "MT": "18", "NL": "21", "PL": "23",
    "PT": "23", "RO": "21", "SE": "25", "SI": "22", "SK": "23",
}


def upgrade():
    tax_rate = op.create_table(
        'tax_rate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('tax_class', sa.String(length=16), nullable=False),
        sa.Column('rate', sa.Numeric(precision=5, scale=2), nullable=False),
        sa.CheckConstraint('rate >= 0 AND rate <= 100', name='tax_rate_in_range'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('country', 'tax_class', name='uq_tax_rate_country_class'),
    )
    rows = [{"country": "ES", "tax_class": k, "rate": Decimal(r)} for k, r in SPAIN.items()]
    rows += [{"country": c, "tax_class": "standard", "rate": Decimal(r)}
             for c, r in EU_STANDARD.items()]
    op.bulk_insert(tax_rate, rows)
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_class', sa.String(length=16),
                                      server_default='standard', nullable=False))
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discount_total', sa.Numeric(precision=12, scale=2),
                                      server_default='0', nullable=False))
        batch_op.add_column(sa.Column('tax_total', sa.Numeric(precision=12, scale=2),
                                      nullable=True))
        batch_op.add_column(sa.Column('shipping_tax_rate', sa.Numeric(precision=5, scale=2),
                                      nullable=True))
        batch_op.add_column(sa.Column('prices_include_tax', sa.Boolean(),
                                      server_default=sa.true(), nullable=False))
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_price_net', sa.Numeric(precision=12, scale=2),
                                      nullable=True))
        batch_op.add_column(sa.Column('tax_rate', sa.Numeric(precision=5, scale=2),
                                      nullable=True))
        batch_op.add_column(sa.Column('tax_amount', sa.Numeric(precision=12, scale=2),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_column('tax_amount')
        batch_op.drop_column('tax_rate')
        batch_op.drop_column('unit_price_net')
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.drop_column('prices_include_tax')
        batch_op.drop_column('shipping_tax_rate')
        batch_op.drop_column('tax_total')
        batch_op.drop_column('discount_total')
    # Plainly, not in batch mode: copying the product table would break the SQLite search
    # triggers that name it (SQLite drops a column in place since 3.35).
    op.execute('ALTER TABLE product DROP COLUMN tax_class')
    op.drop_table('tax_rate')
