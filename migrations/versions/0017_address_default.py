"""address default: a customer chooses one saved address as the default (checkout preselects it)

Existing addresses are not the default: checkout keeps preselecting the newest until the
customer chooses one.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-26 04:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("address", sa.Column("is_default", sa.Boolean(), server_default=sa.false(),
                                       nullable=False))


def downgrade():
    op.execute("ALTER TABLE address DROP COLUMN is_default")
