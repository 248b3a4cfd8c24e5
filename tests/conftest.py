"""Test fixtures (flaskr / warehouse style).

The backend is SQLite unless `TEST_DATABASE_URL` names a PostgreSQL server: then a database of
this run's own is created there (and dropped at the end), so parallel runs never collide.
The schema is built by running the migrations, never `create_all`.

Each test runs inside a transaction that is rolled back afterwards; a request's commit (one per
request, `portal.core.unit_of_work`) releases a savepoint. What a test wrote before a POST is
committed the same way when the request starts, as every request in production starts after the
previous one committed: a request that rolls back (an error, a 4xx answer) undoes only its own
writes. Tests that need real commits across connections (concurrent
decisions, the browser) use `fresh_database`, which hands out a database of their own.
"""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import has_request_context, request, request_started

from portal import create_app
from portal.accounts.auth import session_entries
from portal.extensions import db as _db
from portal.extensions import limiter
from portal.web import READ_METHODS

BACKEND_URL = os.environ.get("TEST_DATABASE_URL") or ""


def pytest_sessionstart(session):
    """Compile the translation catalogues (.po → .mo), as `make setup` does, so a fresh clone's
    tests see the Chinese texts."""
    from scripts.i18n import cmd_compile

    cmd_compile()

IS_PG = BACKEND_URL.startswith("postgres")


def _pg_url(url: str, dbname: str) -> str:
    parsed = sa.engine.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1)
                                if url.startswith("postgresql://") else url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.set(database=dbname).render_as_string(hide_password=False)


def _admin_engine():
    return sa.create_engine(_pg_url(BACKEND_URL, sa.engine.make_url(
        BACKEND_URL.replace("postgresql://", "postgresql+psycopg://", 1)).database or "postgres"),
        isolation_level="AUTOCOMMIT")


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        _db.engine.dispose()


class Databases:
    """Hands out migrated databases: copies of one template migrated once per run."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.run_id = uuid.uuid4().hex[:8]
        self.created: list[str] = []
        if IS_PG:
            try:
                with _admin_engine().connect() as conn:
                    conn.execute(sa.text("SELECT 1"))
            except Exception as exc:
                pytest.exit(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {exc}", returncode=3)
            self.template = f"portal_t_{self.run_id}_tmpl"
            self._pg_exec(f'CREATE DATABASE "{self.template}"')
            self.created.append(self.template)
            _migrate(_pg_url(BACKEND_URL, self.template))
        else:
            self.template = str(tmp / "template.db")
            _migrate(f"sqlite:///{self.template}")

    def _pg_exec(self, sql: str) -> None:
        engine = _admin_engine()
        with engine.connect() as conn:
            conn.execute(sa.text(sql))
        engine.dispose()

    def new(self) -> str:
        name = f"portal_t_{self.run_id}_{len(self.created)}"
        if IS_PG:
            self._pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
            self.created.append(name)
            return _pg_url(BACKEND_URL, name)
        self.created.append(name)  # a name of its own per call (SQLite too: no WAL left over)
        path = self.tmp / f"{name}.db"
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"

    def drop_all(self) -> None:
        if IS_PG:
            for name in reversed(self.created):
                self._pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    dbs = Databases(tmp_path_factory.mktemp("db"))
    yield dbs
    dbs.drop_all()


#: Statements that changed data while a GET or HEAD request was being answered (see below).
_READ_REQUEST_WRITES: list[str] = []


@sa.event.listens_for(sa.engine.Engine, "before_cursor_execute")
def _note_writes_of_read_requests(_conn, _cursor, statement, *_args):
    """A GET or HEAD must only read: on PostgreSQL it runs outside a transaction
    (`portal.db.read_without_transaction`), where a write would stand at once. Every test fails
    if a request that only reads sent an INSERT, UPDATE or DELETE."""
    if has_request_context() and request.method in READ_METHODS and \
            statement.lstrip()[:6].upper() in {"INSERT", "UPDATE", "DELETE"}:
        _READ_REQUEST_WRITES.append(f"{request.method} {request.path}: {statement[:80]}")


@pytest.fixture(autouse=True)
def _read_requests_do_not_write():
    yield
    writes = list(_READ_REQUEST_WRITES)
    _READ_REQUEST_WRITES.clear()
    assert not writes, f"requests that only read wrote to the database: {writes}"


TEST_CONFIG = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    "SERVER_NAME": None,
    "RATELIMIT_STORAGE_URI": "memory://",
    "BABEL_DEFAULT_LOCALE": "en",
    # Many tests freeze the clock days or months ahead of a login; the session lifetimes are
    # tested with the production defaults in tests/test_accounts_auth.py (`session_limits`).
    "SESSION_IDLE_MINUTES": 10 * 365 * 24 * 60,
    "SESSION_MAX_HOURS": 10 * 365 * 24,
}


@pytest.fixture(scope="session")
def app(databases, tmp_path_factory):
    storage = tmp_path_factory.mktemp("storage")
    return create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": databases.new(),
                       "STORAGE_DIR": str(storage)})


@pytest.fixture
def fresh_database(databases):
    """A callable returning the URL of a new, migrated, empty database (real commits)."""
    return databases.new


@pytest.fixture
def committed_world(fresh_database, tmp_path):
    """For tests of requests racing each other with real commits: `committed_world(prepare)`
    makes an app on a new database, builds the test world there (tests/factories.py), runs
    `prepare(world)`, commits, and returns `(app, what prepare returned)`. The app's
    connections are closed after the test."""
    apps = []

    def start(prepare):
        app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": fresh_database(),
                          "STORAGE_DIR": str(tmp_path)})
        apps.append(app)
        with app.app_context():
            from tests.factories import build_world

            made = prepare(build_world())
            _db.session.commit()
        return app, made

    yield start
    for app in apps:
        with app.app_context():
            _db.engine.dispose()


@pytest.fixture
def db(app):
    """The database, inside a transaction rolled back after the test."""
    with app.app_context():
        conn = _db.engine.connect()
        outer = conn.begin()
        engines = _db._app_engines[app]
        saved_engine, saved_session = engines[None], _db.session
        engines[None] = conn
        _db.session = _db._make_scoped_session({"join_transaction_mode": "create_savepoint"})
        limiter.reset()
        request_started.connect(_commit_test_writes, app)
        try:
            yield _db
        finally:
            request_started.disconnect(_commit_test_writes, app)
            _db.session.remove()
            _db.session = saved_session
            engines[None] = saved_engine
            outer.rollback()
            conn.close()


def _commit_test_writes(_app, **_extra):
    if request.method not in READ_METHODS and _db.session().in_transaction():
        _db.session.commit()


@pytest.fixture
def client(app, db):
    return app.test_client()


def log_in(client, user):
    """Give `client` a session of `user`'s own, as a login would (no password round trip)."""
    entries = session_entries(user)
    _db.session.commit()  # kept when a request's error handler rolls back (see `world`)
    with client.session_transaction() as sess:
        sess.clear()
        sess.update(entries)
    return client


@pytest.fixture
def login_as(client):
    """Log `client` in as `user` (directly through the session, no password round trip)."""

    def login(user):
        return log_in(client, user)

    return login


@pytest.fixture
def world(db):
    """Two dealers in two regions and a user for every role (see tests/factories.py)."""
    from tests.factories import build_world

    world = build_world()
    # Keep the world when a request's error handler rolls back (a 404 or 403 in mid-test): the
    # commit releases the savepoint into the test's outer transaction, still rolled back at the end.
    _db.session.commit()
    return world


@pytest.fixture
def queries_of(db):
    """`queries_of(fn)` runs `fn()` and returns its result and the SQL statements it sent."""
    def run(fn):
        seen = []
        engine = db.session.get_bind()

        def record(_conn, _cursor, statement, *_args):
            seen.append(statement)

        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            return fn(), seen
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)

    return run


@pytest.fixture
def frozen_clock():
    """The clock stopped at the real now; `frozen_clock.advance(timedelta)` moves it on."""
    from portal.core import clock

    class Frozen:
        at = clock.now()

        def advance(self, delta):
            self.at += delta
            clock._frozen = self.at

    frozen = Frozen()
    with clock.frozen(frozen.at):
        yield frozen


@pytest.fixture
def session_limits(app, monkeypatch):
    """The app with the default session lifetimes: 30 idle minutes, 12 hours in all."""
    from portal.config import load_config

    defaults = load_config({})
    for key in ("SESSION_IDLE_MINUTES", "SESSION_MAX_HOURS"):
        monkeypatch.setitem(app.config, key, defaults[key])
    return app
