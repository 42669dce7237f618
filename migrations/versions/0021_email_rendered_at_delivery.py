"""email rendered at delivery: an outbox message may name its template and the values as of
the event instead of its rendered bodies, rendered when it is delivered

Existing messages carry their bodies (NULL template and payload).

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-26 07:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("email_message", sa.Column("template", sa.String(length=60), nullable=True))
    op.add_column("email_message", sa.Column("payload", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("email_message", schema=None) as batch_op:
        batch_op.drop_column("payload")
        batch_op.drop_column("template")
