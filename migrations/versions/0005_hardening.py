"""hardening: server-side sessions; contract numbers unique per dealer whatever their case

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 10:50:00

"""
from alembic import op
import sqlalchemy as sa

import portal.db


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_session',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_session_user_id_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.drop_constraint('uq_sales_order_dealer_id_contract_no', type_='unique')
    op.create_index('uq_sales_order_dealer_contract', 'sales_order',
                    ['dealer_id', sa.text('lower(contract_no)')], unique=True)


def downgrade():
    op.drop_index('uq_sales_order_dealer_contract', table_name='sales_order')
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_sales_order_dealer_id_contract_no',
                                          ['dealer_id', 'contract_no'])
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))
        batch_op.drop_index(batch_op.f('ix_user_session_created_at'))
    op.drop_table('user_session')
