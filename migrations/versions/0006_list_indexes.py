"""list indexes: each list's filters and newest-first order, per scope

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 11:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

#: (table, index, columns) created; (table, index, columns) they replace.
NEW = [
    ('sales_order', 'ix_sales_order_date', ['order_date', 'id']),
    ('sales_order', 'ix_sales_order_region_date', ['region_id', 'order_date', 'id']),
    ('sales_order', 'ix_sales_order_region_status_date', ['region_id', 'status', 'order_date', 'id']),
    ('sales_order', 'ix_sales_order_dealer_date', ['dealer_id', 'order_date', 'id']),
    ('sales_order', 'ix_sales_order_status_created', ['status', 'created_at', 'id']),
    ('deal_registration', 'ix_deal_registration_dealer_status', ['dealer_id', 'status', 'id']),
    ('deal_registration', 'ix_deal_registration_region_status', ['region_id', 'status', 'id']),
    ('deal_registration', 'ix_deal_registration_dealer_id', ['dealer_id', 'id']),
    ('deal_registration', 'ix_deal_registration_region_id', ['region_id', 'id']),
    ('deal_registration', 'ix_deal_registration_status_id', ['status', 'id']),
    ('direct_lead', 'ix_direct_lead_region_status', ['region_id', 'status', 'id']),
    ('direct_lead', 'ix_direct_lead_region_id', ['region_id', 'id']),
    ('customer', 'ix_customer_name', ['name']),
    ('customer', 'ix_customer_region_name', ['region_id', 'name']),
    ('customer', 'ix_customer_dealer_display_name', ['dealer_id', 'name']),
    ('notification', 'ix_notification_user_id', ['user_id', 'id']),
]
#: Searches of any part of these columns (`?q=`): GIN trigram indexes on PostgreSQL.
TRIGRAM = [
    ('sales_order', 'number'), ('sales_order', 'contract_no'), ('sales_order', 'customer_name'),
    ('deal_registration', 'number'), ('deal_registration', 'project_name'), ('customer', 'name'),
]
OLD = [
    ('sales_order', 'ix_sales_order_region_status', ['region_id', 'status']),
    ('deal_registration', 'ix_deal_registration_dealer_status', ['dealer_id', 'status']),
    ('deal_registration', 'ix_deal_registration_region_status', ['region_id', 'status']),
    ('direct_lead', 'ix_direct_lead_region_status', ['region_id', 'status']),
]


def upgrade():
    for table, name, _columns in OLD:
        op.drop_index(name, table_name=table)
    for table, name, columns in NEW:
        op.create_index(name, table, columns, unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for table, column in TRIGRAM:
        op.create_index(f'ix_{table}_{column}_trgm', table, [column], unique=False,
                        postgresql_using='gin', postgresql_ops={column: 'gin_trgm_ops'})


def downgrade():
    for table, column in TRIGRAM:
        op.drop_index(f'ix_{table}_{column}_trgm', table_name=table)
    for table, name, _columns in reversed(NEW):
        op.drop_index(name, table_name=table)
    for table, name, columns in OLD:
        op.create_index(name, table, columns, unique=False)
