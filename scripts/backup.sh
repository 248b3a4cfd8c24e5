#!/usr/bin/env bash
# Back up the portal: the database and the stored files (rebate statement PDFs).
#
#   scripts/backup.sh [DEST_DIR]        (default: instance/backups)
#
# Reads DATABASE_URL and STORAGE_DIR like the app (defaults: instance/portal.db, instance/storage).
# Writes DEST_DIR/portal-<UTC timestamp>/ with
#   database.dump      PostgreSQL: pg_dump -Fc (custom format, restore with pg_restore), or
#   database.sqlite3   SQLite: an online copy through SQLite's backup API (consistent while the
#                      portal runs, WAL content included — never `cp` a live WAL database),
#   storage.tar.gz     the files under STORAGE_DIR,
#   SHA256SUMS         checksums, verified by scripts/restore.sh.
# The database is dumped before the files are archived: a PDF that a statement row refers to was
# written before the row was committed, so every PDF the dump refers to is in the archive.
# Prints the backup directory on the last line.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="$ROOT/.venv/bin/python"; [ -x "$PY" ] || PY=python3
DEST="${1:-$ROOT/instance/backups}"
DATABASE_URL="${DATABASE_URL:-sqlite:///$ROOT/instance/portal.db}"
STORAGE_DIR="${STORAGE_DIR:-$ROOT/instance/storage}"

OUT="$DEST/portal-$(date -u +%Y%m%dT%H%M%SZ)"
[ -e "$OUT" ] && OUT="$OUT-$$"
mkdir -p "$OUT"

case "$DATABASE_URL" in
  postgres://*|postgresql://*|postgresql+psycopg://*)
    # libpq does not know SQLAlchemy's driver suffix.
    PG_URL="$(printf '%s' "$DATABASE_URL" | sed -E 's#^postgresql\+psycopg://#postgresql://#')"
    pg_dump --format=custom --no-owner --no-privileges --file="$OUT/database.dump" "$PG_URL"
    ;;
  sqlite:///*)
    DB_PATH="${DATABASE_URL#sqlite:///}"
    [ -f "$DB_PATH" ] || { echo "backup: no SQLite database at $DB_PATH" >&2; exit 1; }
    "$PY" - "$DB_PATH" "$OUT/database.sqlite3" <<'PYEOF'
import sqlite3, sys
src = sqlite3.connect(sys.argv[1], timeout=30)
dst = sqlite3.connect(sys.argv[2])
with dst:
    src.backup(dst, pages=1024)  # in steps: writers are only held up briefly
ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
dst.close(); src.close()
if ok != "ok":
    sys.exit(f"backup: integrity check of the copy failed: {ok}")
PYEOF
    ;;
  *)
    echo "backup: unsupported DATABASE_URL scheme: ${DATABASE_URL%%:*}" >&2; exit 1 ;;
esac

if [ -d "$STORAGE_DIR" ]; then
  tar -C "$STORAGE_DIR" -czf "$OUT/storage.tar.gz" .
else
  echo "backup: STORAGE_DIR $STORAGE_DIR does not exist; archiving nothing" >&2
  tar -czf "$OUT/storage.tar.gz" -T /dev/null
fi

(cd "$OUT" && sha256sum database.* storage.tar.gz > SHA256SUMS)
echo "$OUT"
