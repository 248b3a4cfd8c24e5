#!/usr/bin/env bash
# Load benchmark (DESIGN §6): the dealer dashboard, /prices/ and /deals/ under wrk, served by
# gunicorn (gunicorn.conf.py) in production mode on PostgreSQL (+ Redis when reachable), logged in
# as a dealer. Target: ≥ 300 req/s on the dashboard on 2 cores.
#
#   bench/load_bench.sh                        # demo data, 15 s per page
#   FULL=1 bench/load_bench.sh                 # full scale (bench/generate.py, ~3 min to load)
#   FULL=1 KEEP_DB=1 bench/load_bench.sh       # … and keep the database for later runs
#   BENCH_DB=portal_bench_123 bench/load_bench.sh   # reuse a kept database as it is
#   DURATION=30s CONNECTIONS=32 WORKERS=3 THREADS=2 bench/load_bench.sh
#   BENCH_USER=dealer2.admin@example.com bench/load_bench.sh
#   PATHS="/ /prices/" bench/load_bench.sh
#
# Data: `flask seed demo` (demo scale), then with FULL=1 the full-scale generator
# `bench/generate.py` (5,000 dealers, 500,000 customers, 2,000,000 order lines a year; D0001 is
# a large dealer with 1 % of the orders). A database of its own is created on BENCH_PG (default:
# the local server) and dropped at the end (KEEP_DB=1 keeps it); BENCH_DB names an existing
# database to use unchanged (never dropped). Prints req/s and p50/p99 latency per page.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
BENCH_PG="${BENCH_PG:-postgresql://postgres@127.0.0.1:5432/postgres}"
DURATION="${DURATION:-15s}"
WARMUP="${WARMUP:-3s}"
CONNECTIONS="${CONNECTIONS:-16}"
WRK_THREADS="${WRK_THREADS:-2}"
# gunicorn.conf.py's defaults (2 workers per core, 4 threads each) unless given.
WORKERS="${WORKERS:-}"
THREADS="${THREADS:-}"
BENCH_USER="${BENCH_USER:-dealer1.admin@example.com}"
PATHS="${PATHS:-/ /prices/ /deals/}"
UA="portal-load-bench"

DBNAME="${BENCH_DB:-portal_bench_$$}"
WORK="$(mktemp -d)"
PORT="$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
GUNICORN_PID=""

cleanup() {
  if [ -n "$GUNICORN_PID" ]; then
    kill -INT "$GUNICORN_PID" 2>/dev/null || true   # gunicorn: quick shutdown
    for _ in $(seq 50); do kill -0 "$GUNICORN_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$GUNICORN_PID" 2>/dev/null || true
    { wait "$GUNICORN_PID"; } 2>/dev/null || true
  fi
  if [ -n "${BENCH_DB:-}" ]; then
    :
  elif [ -z "${KEEP_DB:-}" ]; then
    psql "$BENCH_PG" -qAt -c "DROP DATABASE IF EXISTS \"$DBNAME\" WITH (FORCE)" >/dev/null 2>&1 || true
  else
    echo "kept database $DBNAME"
  fi
  if [ -n "${REDIS_URL:-}" ]; then
    redis-cli -u "$REDIS_URL" --scan --pattern "*$REDIS_NAMESPACE*" | xargs -r redis-cli -u "$REDIS_URL" del >/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -n "${BENCH_DB:-}" ] || psql "$BENCH_PG" -qAt -c "CREATE DATABASE \"$DBNAME\"" >/dev/null
export PORTAL_ENV=production
export SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_hex(32))')"
export DATABASE_URL="${BENCH_PG%/*}/$DBNAME"
export SESSION_COOKIE_SECURE=0
export STORAGE_DIR="$WORK/storage"
if redis-cli -u "${BENCH_REDIS:-redis://127.0.0.1:6379/0}" ping >/dev/null 2>&1; then
  export REDIS_URL="${BENCH_REDIS:-redis://127.0.0.1:6379/0}" REDIS_NAMESPACE="bench$$"
  redis_note="Redis $REDIS_URL"
else
  unset REDIS_URL; redis_note="no Redis (memory rate limits)"
fi
FLASK=("$ROOT/.venv/bin/flask" --app portal:create_app)

if [ -z "${BENCH_DB:-}" ]; then
  "${FLASK[@]}" db upgrade >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log"; exit 1; }
  "${FLASK[@]}" seed demo >"$WORK/seed.log" 2>&1 || { cat "$WORK/seed.log"; exit 1; }
  if [ -n "${FULL:-}" ]; then
    "$PY" "$ROOT/bench/generate.py" >"$WORK/generate.log" 2>&1 || { cat "$WORK/generate.log"; exit 1; }
  fi
fi
scale="$(psql "$DATABASE_URL" -qAt -c "SELECT format('%s dealers, %s customers, %s order lines, %s registrations',
  (SELECT count(*) FROM dealer), (SELECT count(*) FROM customer), (SELECT count(*) FROM order_line),
  (SELECT count(*) FROM deal_registration))")"

"$ROOT/.venv/bin/gunicorn" -c gunicorn.conf.py --bind "127.0.0.1:$PORT" \
  ${WORKERS:+--workers "$WORKERS"} ${THREADS:+--threads "$THREADS"} wsgi:app >"$WORK/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
for _ in $(seq 150); do
  curl -fs "$BASE/healthz" >/dev/null 2>&1 && break
  kill -0 "$GUNICORN_PID" 2>/dev/null || { cat "$WORK/gunicorn.log"; exit 1; }
  sleep 0.2
done

# Log in as the dealer, keep the session cookie for wrk.
JAR="$WORK/cookies"
token="$(curl -fs -A "$UA" -c "$JAR" "$BASE/login" | sed -n 's/.*name="csrf_token" type="hidden" value="\([^"]*\)".*/\1/p' | head -1)"
[ -n "$token" ] || { echo "no CSRF token on /login" >&2; exit 1; }
code="$(curl -s -o /dev/null -w '%{http_code}' -A "$UA" -b "$JAR" -c "$JAR" \
  --data-urlencode "email=$BENCH_USER" --data-urlencode "password=demo-pass-2026" \
  --data-urlencode "csrf_token=$token" "$BASE/login")"
[ "$code" = 302 ] || { echo "login as $BENCH_USER failed: HTTP $code" >&2; exit 1; }
# The first page after a login puts a new CSRF token into the session, as a browser would keep
# it: take the cookie after that page, so that wrk's requests do not each mint a new token.
curl -fs -o /dev/null -A "$UA" -b "$JAR" -c "$JAR" "$BASE/"
COOKIE="session=$(awk '$6 == "session" {print $7}' "$JAR")"
if curl -fs -o /dev/null -D - -A "$UA" -H "Cookie: $COOKIE" "$BASE/" | grep -qi '^set-cookie:'; then
  echo "warning: the dashboard still sets a cookie on every request" >&2
fi

echo "== load bench: $(date -u +%FT%TZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
# The same build's CPU per request moves by tens of percent with the host from one run to the
# next: a fixed piece of pure Python, timed here, says how fast the host was during this run.
echo "== host: $("$PY" -c 'import time; t = time.process_time(); sum(range(30_000_000)); print(f"{time.process_time() - t:.2f} s CPU for sum(range(30,000,000)) (lower is faster)")')"
workers_run="$(pgrep -P "$GUNICORN_PID" | wc -l)"
threads_run="${THREADS:-$("$PY" -c 'import runpy; print(runpy.run_path("gunicorn.conf.py")["threads"])')}"
echo "== gunicorn: $workers_run workers × $threads_run threads (gthread); PostgreSQL $DBNAME; $redis_note"
echo "== data: $scale"
echo "== wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency, logged in as $BENCH_USER"
# CPU time (ms) of the gunicorn processes and of PostgreSQL's (with their reaped children, so a
# worker replaced after max_requests still counts), summed from /proc: what one
# request costs each side, which varies less from run to run than req/s on a shared machine.
cpu_ms() {
  local total=0 pid ticks
  for pid in "$@"; do
    # A worker replaced after max_requests may vanish between listing and reading: it counts 0
    # here, and its CPU is then in the master's reaped-children figure.
    ticks="$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pid/stat" 2>/dev/null)"
    total=$((total + ${ticks:-0}))
  done
  echo $((total * 1000 / $(getconf CLK_TCK)))
}
app_pids() { echo "$GUNICORN_PID" $(pgrep -P "$GUNICORN_PID"); }
db_pids() { pgrep -x postgres || true; }
printf '%-12s %10s %10s %10s %8s %14s %13s  %s\n' path "req/s" "p50" "p99" "non-2xx" "app CPU/req" "db CPU/req" \
  "CPU per worker (0.1 s)"
for path in $PATHS; do
  status="$(curl -s -o /dev/null -w '%{http_code}' -A "$UA" -H "Cookie: $COOKIE" "$BASE$path")"
  if [ "$status" != 200 ]; then
    printf '%-12s HTTP %s for %s (not benchmarked)\n' "$path" "$status" "$BENCH_USER"; continue
  fi
  # Warm-up (templates compiled, connections opened, statements prepared), not counted.
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "Cookie: $COOKIE" -H "User-Agent: $UA" \
    "$BASE$path" >/dev/null
  app0="$(cpu_ms $(app_pids))"; db0="$(cpu_ms $(db_pids))"
  shares0="$(for pid in $(pgrep -P "$GUNICORN_PID"); do echo "$pid $(cpu_ms "$pid")"; done)"
  out="$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Cookie: $COOKIE" \
         -H "User-Agent: $UA" "$BASE$path")"
  app1="$(cpu_ms $(app_pids))"; db1="$(cpu_ms $(db_pids))"
  # wrk's connections stay with the worker that accepted them: a worker left with few of them
  # idles while another is held to one core by the interpreter lock; this shows the split.
  shares="$(echo "$shares0" | while read -r pid before; do
    now="$(cpu_ms "$pid")"; [ "$now" -ge "$before" ] && echo "$(( (now - before) / 100 ))"
  done | sort -rn | paste -sd/)"
  replaced="$(echo "$shares0" | while read -r pid _; do [ -r "/proc/$pid/stat" ] || echo x; done | wc -l)"
  [ "$replaced" -eq 0 ] || shares="$shares (+$replaced replaced after max_requests)"
  echo "$out" >"$WORK/wrk$(echo "$path" | tr '/' '_').txt"
  rps="$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')"
  p50="$(echo "$out" | awk '$1 == "50%" {print $2}')"
  p99="$(echo "$out" | awk '$1 == "99%" {print $2}')"
  bad="$(echo "$out" | awk '/Non-2xx/ {print $NF}')"
  total="$(echo "$out" | awk '/requests in/ {print $1}')"
  per_req() { awk -v ms="$1" -v n="$total" 'BEGIN { printf "%.2f ms", (n > 0 ? ms / n : 0) }'; }
  printf '%-12s %10s %10s %10s %8s %14s %13s  %s\n' "$path" "$rps" "$p50" "$p99" "${bad:-0}" \
    "$(per_req $((app1 - app0)))" "$(per_req $((db1 - db0)))" "$shares"
done
