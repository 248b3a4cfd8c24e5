"""Declarative base, naming convention and shared column types.

Money is stored as integer fen and rates as integer basis points; the conversion to `Decimal`
happens in `portal.core.money`. Timestamps are timezone-aware UTC.
"""
from __future__ import annotations

import re
import time
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Engine,
    Index,
    MetaData,
    String,
    and_,
    bindparam,
    event,
    func,
    or_,
    select,
)
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session
from sqlalchemy.sql import column as sql_column
from sqlalchemy.sql import table as sql_table
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import NullType, TypeDecorator

from portal.core.errors import ValidationError
from portal.core.i18n import lazy_gettext as _l

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def after_commit(session: Session, fn, *args, **kwargs) -> None:
    """Call `fn(*args, **kwargs)` once the session's current transaction commits; forget it if the
    transaction rolls back. For work that must not see, or announce, uncommitted rows (jobs,
    cache invalidation)."""
    if hasattr(session, "registry"):  # a scoped_session: its session of this context
        session = session()
    session.connection()  # begin the transaction now, so that its commit or rollback decides
    within = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault("after_commit", []).append((within, fn, args, kwargs))


@event.listens_for(Session, "after_commit")
def _run_after_commit(session):
    if session.in_nested_transaction():
        # SQLAlchemy announces the release of a savepoint as a commit too; the callbacks wait
        # for the outermost transaction (a job started now would not see the rows yet, and on
        # SQLite would wait for the lock this transaction holds).
        return
    for _within, fn, args, kwargs in session.info.pop("after_commit", []):
        fn(*args, **kwargs)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session, previous_transaction):
    # Every rollback of the session's outermost transaction drops its callbacks, also when that
    # transaction is a savepoint of an outer connection (tests) and no DBAPI rollback happens.
    if previous_transaction.parent is None:
        session.info.pop("after_commit", None)
        return
    # A savepoint rolled back drops what was queued inside it (and inside its savepoints).
    def inside(transaction) -> bool:
        while transaction is not None:
            if transaction is previous_transaction:
                return True
            transaction = transaction.parent
        return False

    queued = session.info.get("after_commit")
    if queued:
        session.info["after_commit"] = [entry for entry in queued if not inside(entry[0])]


class days_after(FunctionElement):
    """SQL: the date `days` (an integer expression) after `day`, on PostgreSQL and SQLite."""

    type = Date()
    inherit_cache = True


@compiles(days_after)
def _days_after(element, compiler, **kw):
    day, days = list(element.clauses)
    return f"({compiler.process(day, **kw)} + {compiler.process(days, **kw)})"


@compiles(days_after, "sqlite")
def _days_after_sqlite(element, compiler, **kw):
    day, days = list(element.clauses)
    return f"date({compiler.process(day, **kw)}, ({compiler.process(days, **kw)}) || ' days')"


def ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection before use when it has been idle `idle_seconds` or more, and
    replace it when the server is gone (SQLAlchemy's checkout event; the pool retries with a new
    connection on DisconnectionError).

    `pool_pre_ping` pings before every use: a round trip per request. A connection that was in
    use a moment ago is alive unless the server restarted in between; then the first statement
    fails, SQLAlchemy sees the disconnect and replaces every connection of the pool, so one
    request per process gets an error (DESIGN §4). A connection that sat idle (a quiet night, a
    firewall dropping idle sockets) is checked first."""
    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record):
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy):
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle_seconds:
            return  # just connected, or in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # whatever the driver raises for a dead connection
            raise DisconnectionError("idle connection lost") from exc


def read_without_transaction(session: Session) -> bool:
    """Run the statements of a request that only reads (GET, HEAD) outside a transaction, in
    PostgreSQL's autocommit mode: two round trips fewer per page (BEGIN and ROLLBACK). Under READ
    COMMITTED, the default, every statement takes a snapshot of its own inside a transaction too,
    so a page reads exactly what it read before.

    Such a session refuses to flush a change (`_refuse_writes`): with no transaction a write would
    stand at once, without the view's commit and without the rest of its changes. Writes belong
    to POST. Returns False (nothing done) when the session is not bound to an engine of its own
    (a test joining an outer transaction), the database is not PostgreSQL, or the session has
    already begun a transaction (a caller running several requests in one session: its
    connection cannot change its isolation level)."""
    bind = session.get_bind()
    begun = (session() if isinstance(session, scoped_session) else session).in_transaction()
    if not isinstance(bind, Engine) or bind.dialect.name != "postgresql" or begun:
        return False
    try:
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    except DBAPIError:  # database unreachable: the view's first statement meets it (/healthz: 503)
        session.rollback()
        return False
    session.info["read_only"] = True
    return True


class ReadOnlyRequest(RuntimeError):
    """A request that only reads tried to write."""


@event.listens_for(Session, "before_flush")
def _refuse_writes(session, _flush_context, _instances):
    if session.info.get("read_only") and (
            session.new or session.deleted or any(session.is_modified(o) for o in session.dirty)):
        raise ReadOnlyRequest("a GET request tried to write to the database; writes belong to POST")


@event.listens_for(Session, "before_flush")
def _refuse_overlong_text(session, _flush_context, _instances):
    """A text longer than its column is refused for every model in one place, before the
    database (PostgreSQL raises on it; SQLite would keep it silently): the view answers 422 with
    the field's message and nothing is written."""
    errors = {}
    for obj in (*session.new, *session.dirty):
        mapper = getattr(obj, "__mapper__", None)
        if mapper is None:
            continue
        for prop in mapper.column_attrs:
            column = prop.columns[0]
            length = getattr(column.type, "length", None)
            value = obj.__dict__.get(prop.key)
            if length and isinstance(value, str) and len(value) > length:
                errors[prop.key] = _l("At most %(n)d characters.", n=length)
    if errors:
        raise ValidationError(_l("A value is too long: %(fields)s. Nothing was changed.",
                                 fields=", ".join(sorted(errors))), errors)


def trigram_indexes(table: str, *columns: str) -> list[Index]:
    """Indexes that let `ILIKE '%…%'` searches of `columns` skip a full scan on PostgreSQL
    (pg_trgm's GIN operator class; the extension is created by migration 0006). SQLite builds a
    plain index of the same name, which its LIKE does not use: the models stay the same on both."""
    return [Index(f"ix_{table}_{column}_trgm", column, postgresql_using="gin",
                  postgresql_ops={column: "gin_trgm_ops"}) for column in columns]


def bigram_indexes(table, *columns: str) -> list[Index]:
    """GIN indexes of `portal_bigrams(column)` — the distinct two-character pieces of the text,
    lower-cased (a function made by migration 0014) — on PostgreSQL only: a two-character search
    (`数据`, common in Chinese) has no trigram for the trigram indexes to look up."""
    return [Index(f"ix_{table.name}_{column}_bigram", func.portal_bigrams(table.c[column]),
                  postgresql_using="gin").ddl_if(dialect="postgresql") for column in columns]


class _has_bigram(FunctionElement):
    """`portal_bigrams(column) @> ARRAY[piece]` on PostgreSQL; true elsewhere."""

    type = Boolean()
    inherit_cache = True


@compiles(_has_bigram)
def _has_bigram_default(element, compiler, **kw):
    return "1 = 1"


@compiles(_has_bigram, "postgresql")
def _has_bigram_postgresql(element, compiler, **kw):
    column, piece = list(element.clauses)
    return (f"portal_bigrams({compiler.process(column, **kw)}) "
            f"@> ARRAY[CAST({compiler.process(piece, **kw)} AS TEXT)]")


#: The columns searched with `contains(..., bigrams=True)`, by table: on SQLite each table has an
#: FTS5 table with the `trigram` tokenizer over them, `<table>_search` (external content: it
#: holds the index only; migration 0018 makes it and the triggers that keep it), the stand-in for
#: PostgreSQL's trigram and bigram indexes of the same columns.
SEARCH_TABLES = {
    "customer": ("name", "name_norm"),
    "deal_registration": ("number", "project_name"),
    "sales_order": ("number", "contract_no", "customer_name"),
}

#: The FTS5 tables and their shadow tables (`<name>_data`, `_idx`, `_docsize`, `_config`).
_SEARCH_TABLE_NAME = re.compile(
    "(" + "|".join(SEARCH_TABLES) + r")_search(_data|_idx|_docsize|_config|_content)?")


def is_model_table(name, type_, _parent_names) -> bool:
    """Alembic's `include_name`: the SQLite search tables (`SEARCH_TABLES`) are not models, so
    `flask db migrate` and the models-and-migrations test leave them out."""
    return type_ != "table" or not _SEARCH_TABLE_NAME.fullmatch(name)


class SearchLookup(FunctionElement):
    """On SQLite: `<table>.id IN (SELECT rowid FROM <table>_search WHERE <column> MATCH :query)`,
    the rows whose `column` holds every piece of `query` (`_search_table_lookup`); true elsewhere.
    `probe` is the FTS5 query alone, which `portal.core.pagination.matching_any` counts (up to a
    bound) to decide whether the lookup helps."""

    #: Not Boolean: SQLite would get `… IN (…) = 1`, which no index serves.
    type = NullType()
    inherit_cache = True

    def __init__(self, condition, probe):
        super().__init__(condition)
        self.probe = probe


@compiles(SearchLookup)
def _search_lookup_default(element, compiler, **kw):
    return "1 = 1"


@compiles(SearchLookup, "sqlite")
def _search_lookup_sqlite(element, compiler, **kw):
    (condition,) = list(element.clauses)
    return compiler.process(condition, **kw)


#: The pieces of a search text between `%` and `_` (which the pattern holds as characters typed).
_LITERAL_PIECES = re.compile(r"[^%_]+")


def _search_table_lookup(column, text: str):
    """On SQLite, `column`'s row is among those its table's FTS5 trigram table (`SEARCH_TABLES`)
    finds for `text`: a `SearchLookup`, an FTS5 phrase query per piece of `text` between `%` and
    `_` — each piece's three-character pieces one after the other, answered from the index alone
    (a `LIKE` there reads every candidate row's text again to check it). The rows found are a
    superset of the exact LIKE's (FTS5 folds case as much as or more than SQLite's LIKE), which
    stays beside it and decides. None when the column has no such table, or `text` has no piece
    of three characters or more: FTS5 has nothing to look up then (SQLite 3.40 even answers a
    `LIKE '%数据%'` there wrongly with no row)."""
    expr = getattr(column, "expression", column)
    source = getattr(expr, "table", None)
    base = getattr(source, "element", source)  # an alias's table
    if getattr(base, "name", None) not in SEARCH_TABLES or expr.name not in SEARCH_TABLES[base.name]:
        return None
    pieces = [piece for piece in _LITERAL_PIECES.findall(text) if len(piece) >= 3]
    if not pieces:
        return None
    search = sql_table(f"{base.name}_search", sql_column("rowid"), sql_column(expr.name))
    query = " AND ".join('"' + piece.replace('"', '""') + '"' for piece in pieces)
    probe = select(search.c.rowid).where(search.c[expr.name].op("MATCH")(query))
    return SearchLookup(source.c.id.in_(probe), probe)


class _ilike(FunctionElement):
    """`column ILIKE pattern ESCAPE '\\'`; on SQLite `column LIKE pattern ESCAPE '\\'`, the same
    test there (its LIKE folds ASCII letters, as its `lower()` does, and no others) without the
    two `lower()` calls per row that SQLAlchemy's `ilike` adds: a search that reads 500,000
    orders took 2.4 times as long with them."""

    type = NullType()  # not Boolean: SQLite would get `… = 1`
    inherit_cache = True


@compiles(_ilike)
def _ilike_default(element, compiler, **kw):
    column, pattern = list(element.clauses)
    return compiler.process(column.ilike(pattern, escape="\\"), **kw)


@compiles(_ilike, "sqlite")
def _ilike_sqlite(element, compiler, **kw):
    column, pattern = list(element.clauses)
    return compiler.process(column.like(pattern, escape="\\"), **kw)


def contains(column, text: str, *, bigrams: bool = False, case_sensitive: bool = False):
    """`column` contains `text`: `ILIKE '%text%'` (`LIKE` when `case_sensitive`), which a
    trigram index serves from three characters on. A two-character `text` has no trigram: when
    the column has a bigram index (`bigram_indexes`, `bigrams=True`) the condition first looks
    the piece up there, then checks it with the LIKE.

    On SQLite, whose LIKE no index serves, a column of `SEARCH_TABLES` searched with
    `bigrams=True` and a text with a piece of three characters or more between `%` and `_` is
    looked up in the table's FTS5 trigram index first (`_search_table_lookup`), then checked
    with the same LIKE; shorter texts read the rows, as before. The rows found are the same.
    Whether the lookup is kept (a value in thousands of rows is found sooner in the list's
    order) is `matching_any`'s decision."""
    literal = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{literal}%"  # what was typed, `%` and `_` included, not wildcards
    condition = (column.like(pattern, escape="\\") if case_sensitive
                 else _ilike(column, bindparam(None, pattern, type_=String())))
    if bigrams and len(text) == 2:
        # The LIKE first: where the rows are read in the list's order (a common value), it
        # rejects a row before the bigram function is computed for it; an index lookup takes
        # the bigram condition whatever its place.
        return and_(condition, _has_bigram(column, text.lower()))
    lookup = _search_table_lookup(column, text) if bigrams else None
    return condition if lookup is None else and_(lookup, condition)


def contains_any(columns, text: str):
    """Any of `columns` contains `text` (`contains`, case-insensitive): the search of a short
    list, where no index is needed."""
    return or_(*(contains(column, text) for column in columns))


def number_matches(column, text: str, start):
    """A document number column (`SO2026-00012`) that matches what was typed. Text shaped like
    the start of such a number (`start`, a compiled pattern) can only match there: a prefix,
    which a `varchar_pattern_ops` index on the number serves. Anything else is `contains`
    (as a substring, `SO2026-0001` made the database walk 115,000 orders in date order)."""
    if start.fullmatch(text):
        literal = text.upper().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        prefix = column.like(literal + "%", escape="\\")
        # SQLite's LIKE uses no index here (its case-insensitive LIKE would need a NOCASE one):
        # the FTS5 table finds the numbers that contain the text, among them those it starts.
        lookup = _search_table_lookup(column, text)
        return prefix if lookup is None else and_(lookup, prefix)
    return contains(column, text, bigrams=True)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (callable default for columns)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always returned timezone-aware.

    SQLite has no time zone type, so values are normalised to UTC on the way in and tagged UTC on
    the way out; PostgreSQL uses `timestamp with time zone`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# --- SQLite: WAL, foreign keys, and write locks taken up front -----------------------------------
#
# A request that may write (anything but GET/HEAD/OPTIONS) and every CLI command or job begins its
# transaction with BEGIN IMMEDIATE, so two approvers deciding at once serialise on the lock instead
# of one failing half-way with "database is locked"; the second then sees the first's decision.

def _write_intent() -> bool:
    from flask import has_request_context, request

    if has_request_context():
        return request.method not in ("GET", "HEAD", "OPTIONS")
    return True


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_conn, _record):
    if type(dbapi_conn).__module__.startswith("sqlite3"):
        dbapi_conn.isolation_level = None  # transactions are begun by _sqlite_begin
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent() else "BEGIN")
