"""inbox: partial indexes of the waiting registrations, orders and extension requests

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-03 17:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

SUBMITTED = sa.text("status = 'submitted'")
PENDING = sa.text("status = 'pending'")


def upgrade():
    with op.batch_alter_table('deal_registration', schema=None) as batch_op:
        batch_op.create_index('ix_deal_registration_waiting', ['region_id', 'submitted_at', 'id'],
                              unique=False, postgresql_where=SUBMITTED, sqlite_where=SUBMITTED,
                              postgresql_include=['dealer_id', 'estimated_value_fen'])
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.create_index('ix_sales_order_waiting', ['region_id', 'created_at', 'id'],
                              unique=False, postgresql_where=SUBMITTED, sqlite_where=SUBMITTED,
                              postgresql_include=['dealer_id', 'total_fen'])
    with op.batch_alter_table('deal_extension', schema=None) as batch_op:
        batch_op.create_index('ix_deal_extension_waiting', ['requested_at', 'deal_id'],
                              unique=False, postgresql_where=PENDING, sqlite_where=PENDING)


def downgrade():
    with op.batch_alter_table('deal_extension', schema=None) as batch_op:
        batch_op.drop_index('ix_deal_extension_waiting')
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_order_waiting')
    with op.batch_alter_table('deal_registration', schema=None) as batch_op:
        batch_op.drop_index('ix_deal_registration_waiting')
