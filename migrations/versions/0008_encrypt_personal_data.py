"""encrypt personal data: widen the personal columns to Text for sealed values

Names, address lines, cities, postal codes and phones of addresses and orders, support ticket
names and the audit log's changes hold `v1:<key-id>:<base64>` values now, longer than their old
limits. Existing rows stay as they are (plaintext still reads); `flask keys rotate` encrypts
them. The downgrade restores the old types and only works on rows that are plaintext.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 02:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# (column, old type) per table; every one becomes Text.
ADDRESS_COLUMNS = (
    ('full_name', sa.String(length=120)),
    ('address_line1', sa.String(length=200)),
    ('address_line2', sa.String(length=200)),
    ('city', sa.String(length=100)),
    ('postal_code', sa.String(length=20)),
    ('phone', sa.String(length=40)),
)
TABLES = {
    'address': ADDRESS_COLUMNS,
    'order': ADDRESS_COLUMNS,
    'support_ticket': (('name', sa.String(length=120)),),
}


def upgrade():
    for table, columns in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, old in columns:
                batch_op.alter_column(name, existing_type=old, type_=sa.Text(),
                                      existing_nullable=False)
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('changes', existing_type=sa.JSON(), type_=sa.Text(),
                              existing_nullable=False, postgresql_using='changes::text')


def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('changes', existing_type=sa.Text(), type_=sa.JSON(),
                              existing_nullable=False, postgresql_using='changes::json')
    for table, columns in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, old in columns:
                batch_op.alter_column(name, existing_type=sa.Text(), type_=old,
                                      existing_nullable=False)
