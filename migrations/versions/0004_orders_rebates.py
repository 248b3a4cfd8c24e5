"""orders and rebates: sales orders and lines, rebate programs, runs, adjustments, statements

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 05:57:54.619712

"""
from alembic import op
import sqlalchemy as sa

import portal.db


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('rebate_program',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('period_code', sa.String(length=20), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('bands', sa.JSON(), nullable=False),
    sa.Column('exception_treatment', sa.String(length=12), nullable=False),
    sa.Column('exception_rate_bp', sa.Integer(), nullable=True),
    sa.Column('growth_pct_bp', sa.Integer(), nullable=True),
    sa.Column('growth_bonus_bp', sa.Integer(), nullable=True),
    sa.Column('cap_fen', sa.Integer(), nullable=True),
    sa.Column('eligible_tiers', sa.JSON(), nullable=False),
    sa.Column('eligible_line_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_rebate_program_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rebate_program')),
    sa.UniqueConstraint('period_code', name=op.f('uq_rebate_program_period_code'))
    )
    with op.batch_alter_table('rebate_program', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rebate_program_period_end'), ['period_end'], unique=False)

    op.create_table('rebate_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('statement_count', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_rebate_run_created_by_id_user')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user.id'], name=op.f('fk_rebate_run_issued_by_id_user')),
    sa.ForeignKeyConstraint(['program_id'], ['rebate_program.id'], name=op.f('fk_rebate_run_program_id_rebate_program')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rebate_run'))
    )
    with op.batch_alter_table('rebate_run', schema=None) as batch_op:
        batch_op.create_index('ix_rebate_run_program_status', ['program_id', 'status'], unique=False)

    op.create_table('rebate_adjustment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('dealer_id', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_rebate_adjustment_created_by_id_user')),
    sa.ForeignKeyConstraint(['dealer_id'], ['dealer.id'], name=op.f('fk_rebate_adjustment_dealer_id_dealer')),
    sa.ForeignKeyConstraint(['program_id'], ['rebate_program.id'], name=op.f('fk_rebate_adjustment_program_id_rebate_program')),
    sa.ForeignKeyConstraint(['run_id'], ['rebate_run.id'], name=op.f('fk_rebate_adjustment_run_id_rebate_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rebate_adjustment'))
    )
    with op.batch_alter_table('rebate_adjustment', schema=None) as batch_op:
        batch_op.create_index('ix_rebate_adjustment_program_dealer', ['program_id', 'dealer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rebate_adjustment_run_id'), ['run_id'], unique=False)

    op.create_table('rebate_statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('dealer_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('qualifying_sales_fen', sa.Integer(), nullable=False),
    sa.Column('entitlement_fen', sa.Integer(), nullable=False),
    sa.Column('adjustments_fen', sa.Integer(), nullable=False),
    sa.Column('prior_fen', sa.Integer(), nullable=False),
    sa.Column('net_payable_fen', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('issued_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('pdf_path', sa.String(length=200), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('pdf_claim', sa.String(length=40), nullable=True),
    sa.Column('pdf_claimed_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('pdf_error', sa.Text(), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('payment_reference', sa.String(length=100), nullable=True),
    sa.Column('paid_by_id', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['dealer_id'], ['dealer.id'], name=op.f('fk_rebate_statement_dealer_id_dealer')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user.id'], name=op.f('fk_rebate_statement_issued_by_id_user')),
    sa.ForeignKeyConstraint(['paid_by_id'], ['user.id'], name=op.f('fk_rebate_statement_paid_by_id_user')),
    sa.ForeignKeyConstraint(['program_id'], ['rebate_program.id'], name=op.f('fk_rebate_statement_program_id_rebate_program')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_rebate_statement_region_id_region')),
    sa.ForeignKeyConstraint(['run_id'], ['rebate_run.id'], name=op.f('fk_rebate_statement_run_id_rebate_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rebate_statement')),
    sa.UniqueConstraint('number', name=op.f('uq_rebate_statement_number')),
    sa.UniqueConstraint('program_id', 'dealer_id', 'sequence', name=op.f('uq_rebate_statement_program_id_dealer_id_sequence'))
    )
    with op.batch_alter_table('rebate_statement', schema=None) as batch_op:
        batch_op.create_index('ix_rebate_statement_dealer_issued', ['dealer_id', 'issued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_rebate_statement_region_id'), ['region_id'], unique=False)
        batch_op.create_index('ix_rebate_statement_run_pdf', ['run_id', 'pdf_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_rebate_statement_status'), ['status'], unique=False)

    op.create_table('sales_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=True),
    sa.Column('dealer_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('customer_name', sa.String(length=200), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('contract_no', sa.String(length=60), nullable=False),
    sa.Column('order_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('total_fen', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_sales_order_created_by_id_user')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_sales_order_customer_id_customer')),
    sa.ForeignKeyConstraint(['deal_id'], ['deal_registration.id'], name=op.f('fk_sales_order_deal_id_deal_registration')),
    sa.ForeignKeyConstraint(['dealer_id'], ['dealer.id'], name=op.f('fk_sales_order_dealer_id_dealer')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_sales_order_decided_by_id_user')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_sales_order_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_order')),
    sa.UniqueConstraint('dealer_id', 'contract_no', name=op.f('uq_sales_order_dealer_id_contract_no')),
    sa.UniqueConstraint('number', name=op.f('uq_sales_order_number'))
    )
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_order_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_order_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_order_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index('ix_sales_order_dealer_status_date', ['dealer_id', 'status', 'order_date'], unique=False)
        batch_op.create_index('ix_sales_order_region_status', ['region_id', 'status'], unique=False)
        batch_op.create_index('ix_sales_order_status_date_dealer', ['status', 'order_date', 'dealer_id'], unique=False)

    op.create_table('order_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('list_price_fen', sa.Integer(), nullable=False),
    sa.Column('net_price_fen', sa.Integer(), nullable=False),
    sa.Column('unit_price_fen', sa.Integer(), nullable=False),
    sa.Column('price_source', sa.String(length=12), nullable=False),
    sa.Column('exception_line_id', sa.Integer(), nullable=True),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['exception_line_id'], ['price_exception_line.id'], name=op.f('fk_order_line_exception_line_id_price_exception_line')),
    sa.ForeignKeyConstraint(['line_id'], ['product_line.id'], name=op.f('fk_order_line_line_id_product_line')),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], name=op.f('fk_order_line_order_id_sales_order'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_order_line_product_id_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_line'))
    )
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.create_index('ix_order_line_order_line', ['order_id', 'line_id', 'price_source', 'amount_fen'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_line_product_id'), ['product_id'], unique=False)




def downgrade():

    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_line_product_id'))
        batch_op.drop_index('ix_order_line_order_line')

    op.drop_table('order_line')
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_order_status_date_dealer')
        batch_op.drop_index('ix_sales_order_region_status')
        batch_op.drop_index('ix_sales_order_dealer_status_date')
        batch_op.drop_index(batch_op.f('ix_sales_order_deal_id'))
        batch_op.drop_index(batch_op.f('ix_sales_order_customer_id'))
        batch_op.drop_index(batch_op.f('ix_sales_order_created_by_id'))

    op.drop_table('sales_order')
    with op.batch_alter_table('rebate_statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rebate_statement_status'))
        batch_op.drop_index('ix_rebate_statement_run_pdf')
        batch_op.drop_index(batch_op.f('ix_rebate_statement_region_id'))
        batch_op.drop_index('ix_rebate_statement_dealer_issued')

    op.drop_table('rebate_statement')
    with op.batch_alter_table('rebate_adjustment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rebate_adjustment_run_id'))
        batch_op.drop_index('ix_rebate_adjustment_program_dealer')

    op.drop_table('rebate_adjustment')
    with op.batch_alter_table('rebate_run', schema=None) as batch_op:
        batch_op.drop_index('ix_rebate_run_program_status')

    op.drop_table('rebate_run')
    with op.batch_alter_table('rebate_program', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rebate_program_period_end'))

    op.drop_table('rebate_program')

