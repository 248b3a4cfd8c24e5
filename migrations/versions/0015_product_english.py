"""catalogue: a product's English name and unit, for English pages

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-03 17:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

#: The units the demo catalogue and the price-list imports use, in English.
UNITS = {'台': 'unit', '套': 'set', '个': 'pc', '块': 'pc', '根': 'pc', '条': 'pc', '片': 'pc',
         '年': 'year', '份': 'licence', '许可': 'licence', '次': 'service', '人天': 'person-day',
         '项': 'project', '人': 'person', '人月': 'person-month'}


def upgrade():
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_en', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('unit_en', sa.String(length=20), nullable=False,
                                      server_default=''))
    product = sa.table('product', sa.column('unit', sa.String), sa.column('unit_en', sa.String))
    for zh, en in UNITS.items():
        op.execute(product.update().where(product.c.unit == zh).values(unit_en=en))


def downgrade():
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_column('unit_en')
        batch_op.drop_column('name_en')
