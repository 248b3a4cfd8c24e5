#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into DATABASE_URL and STORAGE_DIR.
#
#   scripts/restore.sh BACKUP_DIR [--force]
#
# Stop the app servers and the worker first. PostgreSQL: the target database must exist (create it
# empty with `createdb`); objects already in it are replaced (pg_restore --clean --if-exists).
# SQLite: the target file must not exist unless --force (then it is replaced, -wal/-shm too).
# Files: extracted into STORAGE_DIR (existing files of the same name are overwritten).
# Checksums are verified before anything is touched.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SRC="${1:?usage: scripts/restore.sh BACKUP_DIR [--force]}"
FORCE="${2:-}"
DATABASE_URL="${DATABASE_URL:-sqlite:///$ROOT/instance/portal.db}"
STORAGE_DIR="${STORAGE_DIR:-$ROOT/instance/storage}"

(cd "$SRC" && sha256sum --check --quiet SHA256SUMS) || { echo "restore: checksum mismatch in $SRC" >&2; exit 1; }

case "$DATABASE_URL" in
  postgres://*|postgresql://*|postgresql+psycopg://*)
    [ -f "$SRC/database.dump" ] || { echo "restore: $SRC holds no PostgreSQL dump" >&2; exit 1; }
    PG_URL="$(printf '%s' "$DATABASE_URL" | sed -E 's#^postgresql\+psycopg://#postgresql://#')"
    pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error \
      --dbname="$PG_URL" "$SRC/database.dump"
    ;;
  sqlite:///*)
    [ -f "$SRC/database.sqlite3" ] || { echo "restore: $SRC holds no SQLite copy" >&2; exit 1; }
    DB_PATH="${DATABASE_URL#sqlite:///}"
    if [ -e "$DB_PATH" ] && [ "$FORCE" != "--force" ]; then
      echo "restore: $DB_PATH exists; pass --force to replace it" >&2; exit 1
    fi
    mkdir -p "$(dirname "$DB_PATH")"
    rm -f "$DB_PATH" "$DB_PATH-wal" "$DB_PATH-shm"
    cp "$SRC/database.sqlite3" "$DB_PATH.restoring"
    mv "$DB_PATH.restoring" "$DB_PATH"
    ;;
  *)
    echo "restore: unsupported DATABASE_URL scheme: ${DATABASE_URL%%:*}" >&2; exit 1 ;;
esac

mkdir -p "$STORAGE_DIR"
tar -C "$STORAGE_DIR" -xzf "$SRC/storage.tar.gz"
echo "restored $SRC (database and files into $STORAGE_DIR)"
