"""order client key (unpaid orders capped per address)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 02:05:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_key', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_order_client_key'), ['client_key'], unique=False)


def downgrade():
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_client_key'))
        batch_op.drop_column('client_key')
