"""scorecards 2: the stamp of the ranked list's sources; indexes for its registrations aggregate
and for one dealer's orders; the registration list sorted by close date or value

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 14:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scorecard_stamp',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('token', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_stamp'))
    )
    op.execute("INSERT INTO scorecard_stamp (id, version, token) VALUES (1, 0, 0)")
    # The registrations aggregate of the ranked list: one range of each index per period, read
    # without the table (submitted, approved, closed in the period).
    # One dealer's orders of a period (its scorecard, its dashboard), read without the table.
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.create_index('ix_sales_order_dealer_scorecard',
                              ['dealer_id', 'status', 'order_date', 'total_fen', 'created_at',
                               'decided_at'], unique=False)
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.create_index('ix_customer_dealer_created', ['dealer_id', 'created_at'],
                              unique=False)
    with op.batch_alter_table('deal_registration', schema=None) as batch_op:
        batch_op.create_index('ix_deal_registration_submitted_dealer',
                              ['submitted_at', 'dealer_id', 'customer_id'], unique=False)
        batch_op.create_index('ix_deal_registration_approved_dealer',
                              ['approved_at', 'dealer_id'], unique=False)
        batch_op.create_index('ix_deal_registration_closed_dealer',
                              ['closed_at', 'dealer_id', 'status'], unique=False)
        # Issue 17: the registration list sorted by expected close or value, whole and per region.
        batch_op.create_index('ix_deal_registration_close', ['expected_close_date', 'id'],
                              unique=False)
        batch_op.create_index('ix_deal_registration_region_close',
                              ['region_id', 'expected_close_date', 'id'], unique=False)
        batch_op.create_index('ix_deal_registration_value', ['estimated_value_fen', 'id'],
                              unique=False)
        batch_op.create_index('ix_deal_registration_region_value',
                              ['region_id', 'estimated_value_fen', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('deal_registration', schema=None) as batch_op:
        batch_op.drop_index('ix_deal_registration_region_value')
        batch_op.drop_index('ix_deal_registration_value')
        batch_op.drop_index('ix_deal_registration_region_close')
        batch_op.drop_index('ix_deal_registration_close')
        batch_op.drop_index('ix_deal_registration_closed_dealer')
        batch_op.drop_index('ix_deal_registration_approved_dealer')
        batch_op.drop_index('ix_deal_registration_submitted_dealer')
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_order_dealer_scorecard')
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_dealer_created')
    op.drop_table('scorecard_stamp')
