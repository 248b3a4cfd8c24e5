"""search indexes: two-character searches (bigrams) and the customer's normalised name

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-03 17:20:00

A search (`?q=`) of three characters or more is served by the trigram indexes of 0006. A
two-character one (`数据`, common in Chinese) has no trigram: on PostgreSQL it is served by a
GIN index of the text's two-character pieces (`portal_bigrams`, `portal.db.contains`). The
customer search also compares the normalised name, which had no index. The order list sorted
by net total (`?sort=-total`, total less returns) gets indexes of that expression, per status
and per region and status.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

#: The distinct two-character pieces of a text, lower-cased.
BIGRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION portal_bigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(lower(value), i, 2)), '{}')
  FROM generate_series(1, char_length(value) - 1) AS i
$$"""
#: (table, column) searched by two characters: GIN of portal_bigrams(column), PostgreSQL only.
BIGRAMS = [
    ('sales_order', 'number'), ('sales_order', 'contract_no'), ('sales_order', 'customer_name'),
    ('deal_registration', 'number'), ('deal_registration', 'project_name'),
    ('customer', 'name'), ('customer', 'name_norm'),
]

#: (index, columns) of the order list's sort by net total.
NET = [
    ('ix_sales_order_net', ['(total_fen - returned_fen)', 'id']),
    ('ix_sales_order_status_net', ['status', '(total_fen - returned_fen)', 'id']),
    ('ix_sales_order_region_status_net', ['region_id', 'status', '(total_fen - returned_fen)', 'id']),
]


def upgrade():
    op.create_index('ix_customer_name_norm_trgm', 'customer', ['name_norm'], unique=False,
                    postgresql_using='gin', postgresql_ops={'name_norm': 'gin_trgm_ops'})
    for name, columns in NET:
        op.create_index(name, 'sales_order', [sa.text(c) if c.startswith('(') else c for c in columns],
                        unique=False)
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(BIGRAMS_FUNCTION)
    for table, column in BIGRAMS:
        op.create_index(f'ix_{table}_{column}_bigram', table,
                        [sa.text(f'portal_bigrams({column})')], unique=False,
                        postgresql_using='gin')
    # The planner learns how common each two-character piece is from the statistics of the
    # new expression indexes: without them it takes the bigram index for a piece in every row.
    for table in ('sales_order', 'deal_registration', 'customer'):
        op.execute(f'ANALYZE {table}')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table, column in reversed(BIGRAMS):
            op.drop_index(f'ix_{table}_{column}_bigram', table_name=table)
        op.execute('DROP FUNCTION IF EXISTS portal_bigrams(text)')
    for name, _columns in reversed(NET):
        op.drop_index(name, table_name='sales_order')
    op.drop_index('ix_customer_name_norm_trgm', table_name='customer')
