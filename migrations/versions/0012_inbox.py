"""inbox: waiting registrations and orders of a region in the order they started waiting

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 14:15:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('deal_registration', schema=None) as batch_op:
        batch_op.create_index('ix_deal_registration_region_status_submitted',
                              ['region_id', 'status', 'submitted_at', 'id'], unique=False)
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.create_index('ix_sales_order_region_status_created',
                              ['region_id', 'status', 'created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_order_region_status_created')
    with op.batch_alter_table('deal_registration', schema=None) as batch_op:
        batch_op.drop_index('ix_deal_registration_region_status_submitted')
