"""dealer month: each dealer's monthly sales, returns, new customers and registrations, and its
monthly sales and returns per product line, kept in the transactions that change them, filled
from the existing rows

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 17:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

FIELDS = ('sales_fen', 'orders', 'lead_s', 'lead_orders', 'on_time', 'returned_fen',
          'new_customers', 'deals_submitted', 'deals_approved', 'deals_won', 'deals_lost',
          'deals_expired')


def _fill_sql(dialect: str) -> str:
    """Every row's part (as portal.scorecards.figures defines it at this revision), added up per
    dealer and month."""
    if dialect == 'postgresql':
        def month(col, ts=False):
            return f"date_trunc('month', {col} AT TIME ZONE 'UTC')::date" if ts else \
                f"date_trunc('month', {col})::date"
        lead = "round(extract(epoch FROM decided_at - created_at))::bigint"
        days = "(created_at AT TIME ZONE 'UTC')::date - order_date"
    else:
        def month(col, ts=False):
            return f"date({col}, 'start of month')"
        lead = "CAST(round((julianday(decided_at) - julianday(created_at)) * 86400.0) AS INTEGER)"
        days = "julianday(date(created_at)) - julianday(order_date)"

    def row(values):
        return ", ".join(f"{values.get(f, '0')} AS {f}" for f in FIELDS)

    parts = [
        f"SELECT dealer_id, {month('order_date')} AS month, " + row({
            'sales_fen': 'total_fen', 'orders': '1', 'lead_s': f'coalesce({lead}, 0)',
            'lead_orders': 'CASE WHEN decided_at IS NOT NULL AND created_at IS NOT NULL '
                           'THEN 1 ELSE 0 END',
            'on_time': f'CASE WHEN {days} <= 7 THEN 1 ELSE 0 END'})
        + " FROM sales_order WHERE status = 'confirmed'",
        f"SELECT dealer_id, {month('return_date')}, " + row({'returned_fen': 'amount_fen'})
        + " FROM order_return",
        f"SELECT dealer_id, {month('created_at', True)}, " + row({'new_customers': '1'})
        + " FROM customer WHERE dealer_id IS NOT NULL",
        f"SELECT dealer_id, {month('submitted_at', True)}, " + row({'deals_submitted': '1'})
        + " FROM deal_registration WHERE submitted_at IS NOT NULL",
        f"SELECT dealer_id, {month('approved_at', True)}, " + row({'deals_approved': '1'})
        + " FROM deal_registration WHERE approved_at IS NOT NULL",
        f"SELECT dealer_id, {month('closed_at', True)}, " + row({
            f'deals_{s}': f"CASE WHEN status = '{s}' THEN 1 ELSE 0 END"
            for s in ('won', 'lost', 'expired')})
        + " FROM deal_registration WHERE closed_at IS NOT NULL"
          " AND status IN ('won', 'lost', 'expired')",
    ]
    sums = ", ".join(f"sum({f})" for f in FIELDS)
    return (f"INSERT INTO dealer_month (dealer_id, month, {', '.join(FIELDS)}) "
            f"SELECT dealer_id, month, {sums} FROM ({' UNION ALL '.join(parts)}) AS parts "
            "GROUP BY dealer_id, month")


def upgrade():
    op.create_table('dealer_month',
    sa.Column('dealer_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('sales_fen', sa.BigInteger(), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.Column('lead_s', sa.BigInteger(), nullable=False),
    sa.Column('lead_orders', sa.Integer(), nullable=False),
    sa.Column('on_time', sa.Integer(), nullable=False),
    sa.Column('returned_fen', sa.BigInteger(), nullable=False),
    sa.Column('new_customers', sa.Integer(), nullable=False),
    sa.Column('deals_submitted', sa.Integer(), nullable=False),
    sa.Column('deals_approved', sa.Integer(), nullable=False),
    sa.Column('deals_won', sa.Integer(), nullable=False),
    sa.Column('deals_lost', sa.Integer(), nullable=False),
    sa.Column('deals_expired', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['dealer_id'], ['dealer.id'], name=op.f('fk_dealer_month_dealer_id_dealer'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dealer_id', 'month', name=op.f('pk_dealer_month'))
    )
    op.create_table('dealer_line_month',
    sa.Column('dealer_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('sales_fen', sa.BigInteger(), nullable=False),
    sa.Column('returned_fen', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['dealer_id'], ['dealer.id'], name=op.f('fk_dealer_line_month_dealer_id_dealer'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['line_id'], ['product_line.id'], name=op.f('fk_dealer_line_month_line_id_product_line')),
    sa.PrimaryKeyConstraint('dealer_id', 'month', 'line_id', name=op.f('pk_dealer_line_month'))
    )
    dialect = op.get_bind().dialect.name
    op.execute(_fill_sql(dialect))
    month = ((lambda col: f"date_trunc('month', {col})::date") if dialect == 'postgresql'
             else (lambda col: f"date({col}, 'start of month')"))
    op.execute(
        "INSERT INTO dealer_line_month (dealer_id, month, line_id, sales_fen, returned_fen) "
        "SELECT dealer_id, month, line_id, sum(sales_fen), sum(returned_fen) FROM ("
        f"SELECT o.dealer_id, {month('o.order_date')} AS month, l.line_id, "
        "l.amount_fen AS sales_fen, 0 AS returned_fen "
        "FROM sales_order o JOIN order_line l ON l.order_id = o.id WHERE o.status = 'confirmed' "
        f"UNION ALL SELECT r.dealer_id, {month('r.return_date')}, l.line_id, 0, l.amount_fen "
        "FROM order_return r JOIN order_return_line l ON l.return_id = r.id"
        ") AS parts GROUP BY dealer_id, month, line_id")
    if dialect == 'postgresql':
        op.execute('ANALYZE dealer_month')
        op.execute('ANALYZE dealer_line_month')
    # The ranked list's first view after a change reads these rows, not the stamp's kept list.
    op.execute("UPDATE scorecard_stamp SET version = version + 1")


def downgrade():
    op.drop_table('dealer_line_month')
    op.drop_table('dealer_month')
