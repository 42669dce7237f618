"""refunds and invoices: refund records with their lines, numbered invoices and credit notes
with their per-year sequences, and on orders what was refunded, the payment's id at the
provider (refunds name it) and a dispute flag

Existing orders have refunded nothing (0) and no invoice: invoices are issued from now on,
when an order is paid.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-10 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "document_sequence",
        sa.Column("prefix", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "year", name=op.f("pk_document_sequence")),
    )
    op.create_table(
        "refund",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("shipping_amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("tax_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("provider_reference", sa.String(length=255), nullable=True),
        sa.Column("failure", sa.String(length=500), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["order.id"], name=op.f("fk_refund_order_id_order"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_refund_user_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund")),
    )
    with op.batch_alter_table("refund", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refund_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_refund_provider_reference"), ["provider_reference"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_refund_status"), ["status"], unique=False)

    op.create_table(
        "invoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("prefix", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("refund_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("tax_total", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("seller", sa.JSON(), nullable=False),
        sa.Column("buyer", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["order.id"], name=op.f("fk_invoice_order_id_order"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"],
            ["refund.id"],
            name=op.f("fk_invoice_refund_id_refund"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice")),
        sa.UniqueConstraint("number", name=op.f("uq_invoice_number")),
        sa.UniqueConstraint("prefix", "year", "sequence", name=op.f("uq_invoice_prefix")),
        sa.UniqueConstraint("refund_id", name=op.f("uq_invoice_refund_id")),
    )
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoice_order_id"), ["order_id"], unique=False)

    op.create_table(
        "refund_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("refund_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("tax_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("restock", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_line.id"],
            name=op.f("fk_refund_line_order_line_id_order_line"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"],
            ["refund.id"],
            name=op.f("fk_refund_line_refund_id_refund"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund_line")),
    )
    with op.batch_alter_table("refund_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_refund_line_order_line_id"), ["order_line_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_refund_line_refund_id"), ["refund_id"], unique=False)

    # Plain ADD COLUMN: no copy of the order table.
    op.add_column("order", sa.Column("payment_intent", sa.String(length=255), nullable=True))
    op.add_column("order", sa.Column("dispute_status", sa.String(length=32), nullable=True))
    op.add_column(
        "order",
        sa.Column(
            "refunded_total", sa.Numeric(precision=12, scale=2), server_default="0", nullable=False
        ),
    )
    op.create_index(op.f("ix_order_payment_intent"), "order", ["payment_intent"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_order_payment_intent"), table_name="order")
    op.execute('ALTER TABLE "order" DROP COLUMN refunded_total')
    op.execute('ALTER TABLE "order" DROP COLUMN dispute_status')
    op.execute('ALTER TABLE "order" DROP COLUMN payment_intent')

    with op.batch_alter_table("refund_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refund_line_refund_id"))
        batch_op.drop_index(batch_op.f("ix_refund_line_order_line_id"))

    op.drop_table("refund_line")
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_order_id"))

    op.drop_table("invoice")
    with op.batch_alter_table("refund", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refund_status"))
        batch_op.drop_index(batch_op.f("ix_refund_provider_reference"))
        batch_op.drop_index(batch_op.f("ix_refund_order_id"))

    op.drop_table("refund")
    op.drop_table("document_sequence")
