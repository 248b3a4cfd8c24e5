"""search on SQLite: FTS5 trigram tables over the searched columns, kept by triggers

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 20:30:00

SQLite answers `LIKE '%…%'` by reading every row of the scope: 500,000 customers, 250,000
registrations, 500,000 orders at a large vendor's scale. On PostgreSQL the searched columns have
trigram and bigram indexes (0006, 0014). On SQLite this migration gives each searched table an
FTS5 table with the `trigram` tokenizer, `<table>_search`, over the same columns
(`portal.db.SEARCH_TABLES`), with external content (it holds the index, not the text: the rows
stay in the table) and rowid = the table's id. Triggers keep it in step with every insert,
delete and change of a searched column, also by writes outside the portal; the rows already
there are indexed here ('rebuild'). `portal.db.contains` looks a search of three characters or
more up in it first. It ends with `ANALYZE`: the planner's statistics, which the lists' plans
depend on. On both backends it adds an index of the registrations by status and value (the
director's submitted registrations sorted by value: SQLite sorted 62,000 rows); on PostgreSQL
that is all it does.

A later migration that rebuilds one of these tables on SQLite (a batch operation that copies the
table: dropping or altering a column) drops its triggers with it: it must create them again
(`_create_triggers` below) and run 'rebuild'.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

#: table → the columns searched with `contains(..., bigrams=True)`
SEARCHED = {
    'customer': ('name', 'name_norm'),
    'deal_registration': ('number', 'project_name'),
    'sales_order': ('number', 'contract_no', 'customer_name'),
}


def _create_triggers(table: str, columns: tuple[str, ...]) -> None:
    search, names = f'{table}_search', ', '.join(columns)
    new = ', '.join(f'new.{c}' for c in columns)
    old = ', '.join(f'old.{c}' for c in columns)
    forget = f"INSERT INTO {search} ({search}, rowid, {names}) VALUES ('delete', old.id, {old});"
    learn = f"INSERT INTO {search} (rowid, {names}) VALUES (new.id, {new});"
    op.execute(f'CREATE TRIGGER {search}_insert AFTER INSERT ON {table} BEGIN {learn} END')
    op.execute(f'CREATE TRIGGER {search}_delete AFTER DELETE ON {table} BEGIN {forget} END')
    # Only when a searched column (or the id) is set: a status change touches nothing here.
    op.execute(f'CREATE TRIGGER {search}_update AFTER UPDATE OF id, {names} ON {table} '
               f'BEGIN {forget} {learn} END')


def upgrade():
    # Both backends: the registrations of one status by value.
    op.create_index('ix_deal_registration_status_value', 'deal_registration',
                    ['status', 'estimated_value_fen', 'id'], unique=False)
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table, columns in SEARCHED.items():
        search = f'{table}_search'
        op.execute(f"CREATE VIRTUAL TABLE {search} USING fts5({', '.join(columns)}, "
                   f"content='{table}', content_rowid='id', tokenize='trigram')")
        _create_triggers(table, columns)
        op.execute(f"INSERT INTO {search} ({search}) VALUES ('rebuild')")
    # The planner's statistics (sqlite_stat1), which SQLite never gathers by itself: without
    # them a channel manager's customer list collected its regions' 125,000 rows to sort them
    # instead of walking the name order (170-210 ms instead of 40 at full scale).
    op.execute('ANALYZE')


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for table in reversed(SEARCHED):
            search = f'{table}_search'
            for event in ('update', 'delete', 'insert'):
                op.execute(f'DROP TRIGGER IF EXISTS {search}_{event}')
            op.execute(f'DROP TABLE IF EXISTS {search}')
    op.drop_index('ix_deal_registration_status_value', table_name='deal_registration')
