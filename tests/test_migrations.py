"""Schema only through migrations: the models and the migrations agree, the last migration goes
down and up again, and the constraint naming convention is set. SQLite and PostgreSQL alike."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from portal import create_app
from portal.db import NAMING_CONVENTION, Base, is_model_table
from portal.extensions import db
from tests.conftest import TEST_CONFIG


@pytest.fixture
def migrated_app(fresh_database, tmp_path):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": fresh_database(),
                      "STORAGE_DIR": str(tmp_path)})
    with app.app_context():
        upgrade()  # already at head: a no-op that proves it
        yield app
        db.session.remove()
        db.engine.dispose()


def _differences(app) -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True, "compare_server_default": False,
            "render_as_batch": True, "include_name": is_model_table})
        diffs = compare_metadata(context, Base.metadata)
    # Nothing is ignored but SQLite's search tables (FTS5, not models: migration 0018): both
    # backends compare clean.
    return list(diffs)


def test_models_and_migrations_agree(migrated_app):
    diffs = _differences(migrated_app)
    assert diffs == [], (
        "The models differ from the migrations; write a migration "
        "(flask db migrate, then review it by hand):\n" + "\n".join(map(repr, diffs)))


def test_the_comparison_sees_a_difference(migrated_app):
    """The check above can fail: a table only in the models is reported."""
    extra = sa.Table("zz_not_migrated", Base.metadata, sa.Column("id", sa.Integer, primary_key=True))
    try:
        diffs = _differences(migrated_app)
    finally:
        Base.metadata.remove(extra)
    assert any(d[0] == "add_table" and d[1].name == "zz_not_migrated" for d in diffs)


def test_last_migration_goes_down_and_up_again(migrated_app):
    from alembic.script import ScriptDirectory

    config = migrated_app.extensions["migrate"].migrate.get_config(
        migrated_app.extensions["migrate"].directory)
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    previous = script.get_revision(head).down_revision

    def current():
        with db.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    tables_at_head = set(sa.inspect(db.engine).get_table_names())
    downgrade(revision="-1")
    assert current() == previous
    db.engine.dispose()
    upgrade()
    assert current() == head
    assert set(sa.inspect(db.engine).get_table_names()) == tables_at_head
    assert _differences(migrated_app) == []


def test_constraint_naming_convention_is_set():
    convention = Base.metadata.naming_convention
    for key in ("ix", "uq", "ck", "fk", "pk"):
        assert convention[key] == NAMING_CONVENTION[key]
    assert db.metadata is Base.metadata


def test_every_constraint_of_the_models_gets_its_conventional_name():
    from sqlalchemy.schema import CreateTable

    for table in Base.metadata.tables.values():
        ddl = str(CreateTable(table).compile(dialect=sa.dialects.postgresql.dialect()))
        assert f"CONSTRAINT pk_{table.name} " in ddl, table.name
        for fk in table.foreign_key_constraints:
            assert f"CONSTRAINT fk_{table.name}_" in ddl, (table.name, fk)
