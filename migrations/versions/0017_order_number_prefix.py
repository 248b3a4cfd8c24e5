"""order numbers: a pattern index for a number typed from its start

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 18:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.create_index('ix_sales_order_number_prefix', ['number'], unique=False,
                              postgresql_ops={'number': 'varchar_pattern_ops'})


def downgrade():
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_order_number_prefix')
