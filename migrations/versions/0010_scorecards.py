"""scorecards: sales targets per dealer and quarter, the scoring policy

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 10:40:00

"""
from alembic import op
import sqlalchemy as sa

import portal.db


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sales_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dealer_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('quarter', sa.SmallInteger(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=True),
    sa.Column('target_fen', sa.Integer(), nullable=False),
    sa.Column('updated_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['dealer_id'], ['dealer.id'], name=op.f('fk_sales_target_dealer_id_dealer')),
    sa.ForeignKeyConstraint(['line_id'], ['product_line.id'], name=op.f('fk_sales_target_line_id_product_line')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_sales_target_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_target')),
    sa.UniqueConstraint('dealer_id', 'year', 'quarter', 'line_id', name=op.f('uq_sales_target_dealer_id_year_quarter_line_id'))
    )
    with op.batch_alter_table('sales_target', schema=None) as batch_op:
        batch_op.create_index('ix_sales_target_year_quarter_dealer', ['year', 'quarter', 'dealer_id'], unique=False)

    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.create_index('ix_sales_order_scorecard', ['status', 'order_date', 'dealer_id', 'total_fen', 'created_at', 'decided_at'], unique=False)
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.create_index('ix_customer_created_dealer', ['created_at', 'dealer_id'], unique=False)
        batch_op.create_index('ix_customer_key_account', ['id'], unique=False,
                              postgresql_where=sa.text('key_account'), sqlite_where=sa.text('key_account'))

    op.create_table('scorecard_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('weights', sa.JSON(), nullable=False),
    sa.Column('thresholds', sa.JSON(), nullable=False),
    sa.Column('updated_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_scorecard_policy_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_policy'))
    )


def downgrade():
    op.drop_table('scorecard_policy')
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_key_account')
        batch_op.drop_index('ix_customer_created_dealer')
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_order_scorecard')
    with op.batch_alter_table('sales_target', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_target_year_quarter_dealer')

    op.drop_table('sales_target')
