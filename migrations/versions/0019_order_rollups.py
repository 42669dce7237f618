"""order rollups: orders, totals and refunds per UTC day and status, and units and revenue
per UTC day and product name (paid, shipped and delivered orders), for the dashboard; an
index for the orders awaiting shipment and one for the low-stock list

The rollup rows are filled from the orders already there (the day an order's money came in:
paid_at, else created_at, in UTC).

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-26 07:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

BACKFILL = (
    "INSERT INTO order_rollup (day, status, orders, total, refunded) "
    "SELECT {day}, status, count(*), round(sum(total), 2), round(sum(refunded_total), 2) "
    'FROM "order" GROUP BY {day}, status'
)
SALES_BACKFILL = (
    "INSERT INTO product_sales_rollup (day, product_name, quantity, revenue) "
    "SELECT {day}, l.product_name, sum(l.quantity), round(sum(l.line_total), 2) "
    'FROM order_line l JOIN "order" o ON o.id = l.order_id '
    "WHERE o.status IN ('paid', 'shipped', 'delivered') GROUP BY {day}, l.product_name"
)
DAY = {
    "sqlite": "date(coalesce(paid_at, created_at))",
    "postgresql": "CAST(timezone('UTC', coalesce(paid_at, created_at)) AS date)",
}


def upgrade():
    op.create_table(
        "order_rollup",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("refunded", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.PrimaryKeyConstraint("day", "status", name=op.f("pk_order_rollup")),
    )
    op.create_table(
        "product_sales_rollup",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("product_name", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("revenue", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.PrimaryKeyConstraint("day", "product_name", name=op.f("pk_product_sales_rollup")),
    )
    # The best sellers' running window, built on the dashboard's first view.
    op.create_table(
        "sales_window",
        sa.Column("product_name", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("revenue", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.PrimaryKeyConstraint("product_name", name=op.f("pk_sales_window")),
    )
    with op.batch_alter_table("sales_window", schema=None) as batch_op:
        batch_op.create_index("ix_sales_window_quantity", ["quantity"], unique=False)
    op.create_table(
        "sales_window_start",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_window_start")),
    )
    with op.batch_alter_table("order", schema=None) as batch_op:
        batch_op.create_index("ix_order_status_paid", ["status", "paid_at"], unique=False)
    with op.batch_alter_table("variant", schema=None) as batch_op:
        batch_op.create_index("ix_variant_stock_sku", ["stock", "sku"], unique=False)
    dialect = op.get_bind().dialect.name
    day = DAY.get(dialect, DAY["sqlite"])
    op.execute(BACKFILL.format(day=day))
    op.execute(SALES_BACKFILL.format(day=day.replace("paid_at", "o.paid_at")
                                     .replace("created_at", "o.created_at")))


def downgrade():
    with op.batch_alter_table("variant", schema=None) as batch_op:
        batch_op.drop_index("ix_variant_stock_sku")
    with op.batch_alter_table("order", schema=None) as batch_op:
        batch_op.drop_index("ix_order_status_paid")
    op.drop_table("sales_window_start")
    op.drop_table("sales_window")
    op.drop_table("product_sales_rollup")
    op.drop_table("order_rollup")
