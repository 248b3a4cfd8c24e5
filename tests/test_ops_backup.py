"""Backup and restore (docs/operations.md): scripts/backup.sh and scripts/restore.sh.

SQLite always; PostgreSQL (pg_dump -Fc / pg_restore) when the local server answers.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent


def _script(name: str, *args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(ROOT / "scripts" / name), *args], cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=120)


def _storage(path: Path) -> Path:
    (path / "statements" / "2026").mkdir(parents=True)
    (path / "statements" / "2026" / "RB-2026Q4-D0001.pdf").write_bytes(b"%PDF-1.7 statement\n")
    return path


def test_sqlite_backup_of_a_live_database_and_restore(tmp_path):
    db_path = tmp_path / "live" / "portal.db"
    db_path.parent.mkdir()
    live = sqlite3.connect(db_path)
    live.execute("PRAGMA journal_mode=WAL")
    live.execute("CREATE TABLE statement (number TEXT PRIMARY KEY, net_fen INTEGER)")
    live.execute("INSERT INTO statement VALUES ('RB-2026Q4-D0001', 3600000)")
    live.commit()
    # Committed but still only in the WAL file: a plain copy of portal.db would miss this row.
    live.execute("PRAGMA wal_autocheckpoint=0")
    live.execute("INSERT INTO statement VALUES ('RB-2026Q4-D0002', 2100000)")
    live.commit()
    storage = _storage(tmp_path / "storage")

    env = {"DATABASE_URL": f"sqlite:///{db_path}", "STORAGE_DIR": str(storage)}
    made = _script("backup.sh", str(tmp_path / "backups"), env=env)
    live.close()
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip().splitlines()[-1])
    assert sorted(p.name for p in backup.iterdir()) == ["SHA256SUMS", "database.sqlite3",
                                                       "storage.tar.gz"]

    target_db = tmp_path / "restored" / "portal.db"
    target_storage = tmp_path / "restored" / "storage"
    env = {"DATABASE_URL": f"sqlite:///{target_db}", "STORAGE_DIR": str(target_storage)}
    done = _script("restore.sh", str(backup), env=env)
    assert done.returncode == 0, done.stderr
    rows = sqlite3.connect(target_db).execute("SELECT number, net_fen FROM statement ORDER BY 1").fetchall()
    assert rows == [("RB-2026Q4-D0001", 3600000), ("RB-2026Q4-D0002", 2100000)]
    pdf = target_storage / "statements" / "2026" / "RB-2026Q4-D0001.pdf"
    assert pdf.read_bytes() == b"%PDF-1.7 statement\n"

    # A second restore over the same file is refused without --force.
    again = _script("restore.sh", str(backup), env=env)
    assert again.returncode != 0 and "--force" in again.stderr
    assert _script("restore.sh", str(backup), "--force", env=env).returncode == 0


def test_restore_refuses_a_damaged_backup(tmp_path):
    db_path = tmp_path / "portal.db"
    sqlite3.connect(db_path).execute("CREATE TABLE t (x)").connection.commit()
    env = {"DATABASE_URL": f"sqlite:///{db_path}", "STORAGE_DIR": str(_storage(tmp_path / "s"))}
    backup = Path(_script("backup.sh", str(tmp_path / "b"), env=env).stdout.strip().splitlines()[-1])
    with open(backup / "storage.tar.gz", "ab") as fh:
        fh.write(b"garbage")
    target = {"DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}", "STORAGE_DIR": str(tmp_path / "new")}
    refused = _script("restore.sh", str(backup), env=target)
    assert refused.returncode != 0 and "checksum" in refused.stderr
    assert not (tmp_path / "new.db").exists()


@pytest.mark.slow
def test_postgresql_backup_and_restore(tmp_path):
    from tests.test_production_support import PgDatabases

    dbs = PgDatabases()  # skips (fails in CI) when the server is unreachable
    try:
        source, target = dbs.create("bk"), dbs.create("rs")
        engine = sa.create_engine(source.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE statement (number text PRIMARY KEY, net_fen bigint)"))
            conn.execute(sa.text("INSERT INTO statement VALUES ('RB-2026Q4-D0001', 3600000)"))
        engine.dispose()
        storage = _storage(tmp_path / "storage")
        made = _script("backup.sh", str(tmp_path / "b"),
                       env={"DATABASE_URL": source, "STORAGE_DIR": str(storage)})
        assert made.returncode == 0, made.stderr
        backup = Path(made.stdout.strip().splitlines()[-1])
        assert (backup / "database.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump -Fc

        done = _script("restore.sh", str(backup), env={"DATABASE_URL": target,
                                                       "STORAGE_DIR": str(tmp_path / "r")})
        assert done.returncode == 0, done.stderr
        engine = sa.create_engine(target.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT net_fen FROM statement")).scalar_one() == 3600000
        engine.dispose()
        assert (tmp_path / "r" / "statements" / "2026" / "RB-2026Q4-D0001.pdf").exists()
    finally:
        dbs.drop_all()
