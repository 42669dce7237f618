"""forget sign-in links in account emails delivered before 0009

Since this revision the outbox replaces an account email's bodies (reset, confirmation,
two-factor) in the statement that marks it sent. Rows sent earlier still hold their links;
this clears them the same way. There is nothing to restore on downgrade.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 02:35:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

REMOVED = ("(Removed after delivery: this account email held a link or code "
           "that signs in.)")


def upgrade():
    op.get_bind().execute(
        sa.text("UPDATE email_message SET body_text = :removed, body_html = '' "
                "WHERE status = 'sent' AND kind LIKE 'account\\_%' ESCAPE '\\'"),
        {"removed": REMOVED},
    )


def downgrade():
    pass
