"""money flows: order returns (credit notes), returned quantities and amounts, program codes

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:20:00

A program is identified by its own code (statement numbers use it), so several programs may run
over one period: `rebate_program.code` is added, filled from the period code, and made unique in
place of the period code.
"""
from alembic import op
import sqlalchemy as sa

import portal.db


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('returned_fen', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('returned_qty', sa.Integer(), server_default='0', nullable=False))

    op.create_table('order_return',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('dealer_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('return_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_order_return_created_by_id_user')),
    sa.ForeignKeyConstraint(['dealer_id'], ['dealer.id'], name=op.f('fk_order_return_dealer_id_dealer')),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], name=op.f('fk_order_return_order_id_sales_order')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_order_return_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_return')),
    sa.UniqueConstraint('number', name=op.f('uq_order_return_number'))
    )
    with op.batch_alter_table('order_return', schema=None) as batch_op:
        batch_op.create_index('ix_order_return_date_dealer', ['return_date', 'dealer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_return_order_id'), ['order_id'], unique=False)

    op.create_table('order_return_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('price_source', sa.String(length=12), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price_fen', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['line_id'], ['product_line.id'], name=op.f('fk_order_return_line_line_id_product_line')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_line.id'], name=op.f('fk_order_return_line_order_line_id_order_line')),
    sa.ForeignKeyConstraint(['return_id'], ['order_return.id'], name=op.f('fk_order_return_line_return_id_order_return'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_return_line'))
    )
    with op.batch_alter_table('order_return_line', schema=None) as batch_op:
        batch_op.create_index('ix_order_return_line_return_line', ['return_id', 'line_id', 'price_source', 'amount_fen'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_return_line_order_line_id'), ['order_line_id'], unique=False)

    with op.batch_alter_table('rebate_program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.String(length=20), nullable=True))
    op.execute("UPDATE rebate_program SET code = period_code")
    with op.batch_alter_table('rebate_program', schema=None) as batch_op:
        batch_op.alter_column('code', existing_type=sa.String(length=20), nullable=False)
        batch_op.drop_constraint('uq_rebate_program_period_code', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_rebate_program_code'), ['code'])
        batch_op.create_index(batch_op.f('ix_rebate_program_period_code'), ['period_code'], unique=False)


def downgrade():
    # Before, the period code was a program's identity (and its statement numbers' middle part):
    # programs sharing a period take their own code as period code, so it can be unique again.
    # Returns are dropped with their tables: the downgrade keeps the orders as confirmed.
    op.execute("UPDATE rebate_program SET period_code = code WHERE period_code <> code")
    with op.batch_alter_table('rebate_program', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rebate_program_period_code'))
        batch_op.drop_constraint(batch_op.f('uq_rebate_program_code'), type_='unique')
        batch_op.create_unique_constraint('uq_rebate_program_period_code', ['period_code'])
        batch_op.drop_column('code')

    with op.batch_alter_table('order_return_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_return_line_order_line_id'))
        batch_op.drop_index('ix_order_return_line_return_line')
    op.drop_table('order_return_line')
    with op.batch_alter_table('order_return', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_return_order_id'))
        batch_op.drop_index('ix_order_return_date_dealer')
    op.drop_table('order_return')

    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_column('returned_qty')
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.drop_column('returned_fen')
