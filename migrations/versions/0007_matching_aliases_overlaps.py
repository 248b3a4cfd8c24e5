"""matching revision 2: customer aliases and possible-overlap notices

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 11:30:00

"""
from alembic import op
import sqlalchemy as sa

import portal.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('customer_alias',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_customer_alias_created_by_id_user')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_customer_alias_customer_id_customer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_alias')),
    sa.UniqueConstraint('customer_id', 'name', name=op.f('uq_customer_alias_customer_id_name'))
    )
    op.create_table('possible_overlap',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('other_region_id', sa.Integer(), nullable=True),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('other_customer_id', sa.Integer(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_possible_overlap_customer_id_customer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['deal_id'], ['deal_registration.id'], name=op.f('fk_possible_overlap_deal_id_deal_registration')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_possible_overlap_decided_by_id_user')),
    sa.ForeignKeyConstraint(['lead_id'], ['direct_lead.id'], name=op.f('fk_possible_overlap_lead_id_direct_lead')),
    sa.ForeignKeyConstraint(['other_customer_id'], ['customer.id'], name=op.f('fk_possible_overlap_other_customer_id_customer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['other_region_id'], ['region.id'], name=op.f('fk_possible_overlap_other_region_id_region')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_possible_overlap_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_possible_overlap'))
    )
    with op.batch_alter_table('possible_overlap', schema=None) as batch_op:
        batch_op.create_index('ix_possible_overlap_region_status', ['region_id', 'status'], unique=False)
        batch_op.create_index('ix_possible_overlap_other_region_status', ['other_region_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_possible_overlap_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_possible_overlap_lead_id'), ['lead_id'], unique=False)


def downgrade():
    with op.batch_alter_table('possible_overlap', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_possible_overlap_lead_id'))
        batch_op.drop_index(batch_op.f('ix_possible_overlap_deal_id'))
        batch_op.drop_index('ix_possible_overlap_other_region_status')
        batch_op.drop_index('ix_possible_overlap_region_status')
    op.drop_table('possible_overlap')
    op.drop_table('customer_alias')
