"""pricing: price exceptions, their lines and approval steps, and the approval matrix

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 05:55:00

"""
from alembic import op
import sqlalchemy as sa

import portal.db


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

#: The default approval matrix (DESIGN §3.2): ≤ 5 pp → channel manager, 1 business day;
#: > 5 pp or deal value ≥ ¥500,000 → + sales director, 2 days; > 10 pp → + finance, 3 days.
#: Below the floor the director is added by the routing code and must give a written reason.
DEFAULT_RULES = [
    {"level": 1, "depth_above_bp": -1, "value_from_fen": None,
     "approvers": ["channel_manager"], "target_business_days": 1},
    {"level": 2, "depth_above_bp": 500, "value_from_fen": 50_000_000,
     "approvers": ["channel_manager", "sales_director"], "target_business_days": 2},
    {"level": 3, "depth_above_bp": 1000, "value_from_fen": None,
     "approvers": ["channel_manager", "sales_director", "finance"], "target_business_days": 3},
]


def upgrade():
    approval_rule = op.create_table('approval_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('depth_above_bp', sa.Integer(), nullable=False),
    sa.Column('value_from_fen', sa.BigInteger(), nullable=True),
    sa.Column('approvers', sa.JSON(), nullable=False),
    sa.Column('target_business_days', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_rule')),
    sa.UniqueConstraint('level', name=op.f('uq_approval_rule_level'))
    )
    op.bulk_insert(approval_rule, DEFAULT_RULES)
    op.create_table('price_exception',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=True),
    sa.Column('dealer_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('current_step', sa.Integer(), nullable=False),
    sa.Column('current_role', sa.String(length=30), nullable=True),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('total_requested_fen', sa.BigInteger(), nullable=False),
    sa.Column('total_net_fen', sa.BigInteger(), nullable=False),
    sa.Column('max_depth_bp', sa.Integer(), nullable=False),
    sa.Column('below_floor', sa.Boolean(), nullable=False),
    sa.Column('floor_reason', sa.Text(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_price_exception_created_by_id_user')),
    sa.ForeignKeyConstraint(['deal_id'], ['deal_registration.id'], name=op.f('fk_price_exception_deal_id_deal_registration')),
    sa.ForeignKeyConstraint(['dealer_id'], ['dealer.id'], name=op.f('fk_price_exception_dealer_id_dealer')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_price_exception_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_exception')),
    sa.UniqueConstraint('number', name=op.f('uq_price_exception_number'))
    )
    with op.batch_alter_table('price_exception', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_price_exception_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index('ix_price_exception_deal_status', ['deal_id', 'status'], unique=False)
        batch_op.create_index('ix_price_exception_dealer_status', ['dealer_id', 'status'], unique=False)
        batch_op.create_index('ix_price_exception_region_status', ['region_id', 'status'], unique=False)
        batch_op.create_index('ix_price_exception_queue', ['status', 'current_role', 'region_id', 'submitted_at'], unique=False)


    op.create_table('price_exception_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exception_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('requested_price_fen', sa.Integer(), nullable=False),
    sa.Column('approved_price_fen', sa.Integer(), nullable=True),
    sa.Column('used_qty', sa.Integer(), nullable=False),
    sa.Column('list_price_fen', sa.Integer(), nullable=False),
    sa.Column('discount_bp', sa.Integer(), nullable=False),
    sa.Column('net_price_fen', sa.Integer(), nullable=False),
    sa.CheckConstraint('used_qty >= 0 AND used_qty <= quantity', name=op.f('ck_price_exception_line_used_within_quantity')),
    sa.ForeignKeyConstraint(['exception_id'], ['price_exception.id'], name=op.f('fk_price_exception_line_exception_id_price_exception'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_price_exception_line_product_id_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_exception_line'))
    )
    with op.batch_alter_table('price_exception_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_price_exception_line_exception_id'), ['exception_id'], unique=False)
        batch_op.create_index('ix_price_exception_line_product', ['product_id', 'exception_id'], unique=False)

    op.create_table('price_exception_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exception_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('target_business_days', sa.Integer(), nullable=False),
    sa.Column('started_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('prices', sa.JSON(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_price_exception_step_decided_by_id_user')),
    sa.ForeignKeyConstraint(['exception_id'], ['price_exception.id'], name=op.f('fk_price_exception_step_exception_id_price_exception'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_exception_step'))
    )
    with op.batch_alter_table('price_exception_step', schema=None) as batch_op:
        batch_op.create_index('ix_price_exception_step_exception', ['exception_id', 'round', 'seq'], unique=False)


def downgrade():
    with op.batch_alter_table('price_exception_step', schema=None) as batch_op:
        batch_op.drop_index('ix_price_exception_step_exception')

    op.drop_table('price_exception_step')
    with op.batch_alter_table('price_exception_line', schema=None) as batch_op:
        batch_op.drop_index('ix_price_exception_line_product')
        batch_op.drop_index(batch_op.f('ix_price_exception_line_exception_id'))

    op.drop_table('price_exception_line')
    with op.batch_alter_table('price_exception', schema=None) as batch_op:
        batch_op.drop_index('ix_price_exception_queue')
        batch_op.drop_index('ix_price_exception_region_status')
        batch_op.drop_index('ix_price_exception_dealer_status')
        batch_op.drop_index('ix_price_exception_deal_status')
        batch_op.drop_index(batch_op.f('ix_price_exception_created_by_id'))

    op.drop_table('price_exception')
    op.drop_table('approval_rule')
