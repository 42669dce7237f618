"""shipping zones, methods and bands; variant weight; the demo zones seeded

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

EU_OTHERS = ["AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU",
             "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "SE"]
# (zone, countries, rest of the world, [(code, name, flat price, free above)])
DEMO = [
    ("Spain", ["ES"], False, [("standard", "Standard delivery", "4.90", "60.00"),
                              ("express", "Express delivery", "9.90", None)]),
    ("European Union", EU_OTHERS, False, [("standard", "Standard delivery", "12.00", None)]),
    ("Rest of the world", [], True, [("standard", "Standard delivery", "25.00", None)]),
]


def upgrade():
    zone = op.create_table(
        'shipping_zone',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('countries', sa.JSON(), nullable=False),
        sa.Column('rest_of_world', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shipping_zone')),
        sa.UniqueConstraint('name', name=op.f('uq_shipping_zone_name')),
    )
    method = op.create_table(
        'shipping_method',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('zone_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('price_kind', sa.String(length=16), nullable=False),
        sa.Column('flat_price', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column('free_above', sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['zone_id'], ['shipping_zone.id'],
                                name=op.f('fk_shipping_method_zone_id_shipping_zone'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shipping_method')),
        sa.UniqueConstraint('zone_id', 'code', name='uq_shipping_method_zone_code'),
    )
    with op.batch_alter_table('shipping_method', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipping_method_zone_id'), ['zone_id'],
                              unique=False)
    op.create_table(
        'shipping_band',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('method_id', sa.Integer(), nullable=False),
        sa.Column('upper_bound', sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column('price', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.ForeignKeyConstraint(['method_id'], ['shipping_method.id'],
                                name=op.f('fk_shipping_band_method_id_shipping_method'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shipping_band')),
    )
    with op.batch_alter_table('shipping_band', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipping_band_method_id'), ['method_id'],
                              unique=False)
    with op.batch_alter_table('variant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weight', sa.Numeric(precision=8, scale=3),
                                      server_default='0', nullable=False))
    _seed(zone, method)


def _seed(zone, method):
    """The demo shop's zones (Spain, the rest of the EU, the rest of the world)."""
    bind = op.get_bind()
    for position, (name, countries, world, methods) in enumerate(DEMO):
        zone_id = bind.execute(zone.insert().values(
            name=name, countries=countries, rest_of_world=world, position=position
        )).inserted_primary_key[0]
        for order, (code, label, price, free_above) in enumerate(methods):
            bind.execute(method.insert().values(
                zone_id=zone_id, code=code, name=label, price_kind='flat', flat_price=price,
                free_above=free_above, active=True, position=order))


def downgrade():
    # Plain ALTER (SQLite 3.35+): a batch copy of `variant` would break the search triggers.
    op.execute('ALTER TABLE variant DROP COLUMN weight')
    with op.batch_alter_table('shipping_band', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipping_band_method_id'))
    op.drop_table('shipping_band')
    with op.batch_alter_table('shipping_method', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipping_method_zone_id'))
    op.drop_table('shipping_method')
    op.drop_table('shipping_zone')
