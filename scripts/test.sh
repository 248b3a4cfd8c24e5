#!/usr/bin/env bash
# The whole test suite, on SQLite and then on PostgreSQL (TEST_DATABASE_URL, default: the local
# server). In CI an unreachable PostgreSQL is a failure; elsewhere that run is skipped, loudly.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_URL="${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}"

echo "== Test suite on SQLite =="
TEST_DATABASE_URL= $PY -m pytest "$@"
sqlite_rc=$?

if $PY - "$PG_URL" <<'PYEOF'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=5).close()
except Exception as exc:
    print(f"PostgreSQL unreachable: {exc}", file=sys.stderr)
    sys.exit(1)
PYEOF
then
  echo "== Test suite on PostgreSQL ($PG_URL) =="
  TEST_DATABASE_URL="$PG_URL" $PY -m pytest "$@"
  pg_rc=$?
elif [ -n "${CI:-}" ]; then
  echo "FAIL: PostgreSQL is required in CI (TEST_DATABASE_URL=$PG_URL)." >&2
  pg_rc=1
else
  echo "WARNING: PostgreSQL not reachable; the PostgreSQL run was skipped." >&2
  pg_rc=0
fi
[ $sqlite_rc -eq 0 ] && [ $pg_rc -eq 0 ]
