"""email attachments: an outbox message may name documents to attach (an invoice's PDF),
drawn when the message is delivered

Existing messages attach nothing (NULL).

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-26 04:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("email_message", sa.Column("attachments", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("email_message", schema=None) as batch_op:
        batch_op.drop_column("attachments")
