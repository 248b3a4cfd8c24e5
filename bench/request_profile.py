"""The app's own CPU per request of one page, and where it goes (cProfile), in this process.

Under wrk on 2 cores the lists are held by the app's CPU per request, not by the database
(docs/operations.md, "The lists per role under wrk"); this prints that CPU for each path, measured
with `time.process_time()` over N requests after a warm-up, and with `--profile` the functions
that take it (cumulative and own time).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/portal_full_copy \\
        .venv/bin/python bench/request_profile.py --user cm.north@example.com /orders/ /deals/ /conflicts/
    .venv/bin/python bench/request_profile.py -n 300 --profile --top 40 /conflicts/
    .venv/bin/python bench/request_profile.py --html /tmp/before /orders/   # the pages, to compare

The app is configured as gunicorn runs it under bench/load_bench.sh: PORTAL_ENV=production, JSON
request logs (written to stderr unless `--quiet-log`), CSRF on, rate limits in Redis when
127.0.0.1:6379 answers, GETs outside a transaction, the templates and catalogues warmed up
(`portal.web.warm_up`). The user logs in through a session of the test client (no password hash),
then opens `/` once so that the session holds its CSRF token, as a browser's would.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def production_environment() -> str:
    """Set the environment bench/load_bench.sh gives gunicorn; says where rate limits live."""
    os.environ["PORTAL_ENV"] = "production"
    os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))
    os.environ["SESSION_COOKIE_SECURE"] = "0"
    os.environ.setdefault("STORAGE_DIR", "/tmp/request_profile_storage")
    try:
        import redis

        url = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
        os.environ["REDIS_URL"] = url
        os.environ.setdefault("REDIS_NAMESPACE", f"profile{os.getpid()}")
        return f"Redis {url}"
    except Exception:  # noqa: BLE001  (no Redis: memory rate limits, as load_bench.sh does)
        os.environ.pop("REDIS_URL", None)
        return "no Redis (memory rate limits)"


def log_in(app, client, email: str) -> None:
    from sqlalchemy import select

    from portal.accounts.auth import session_entries
    from portal.accounts.models import User
    from portal.extensions import db

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            sys.exit(f"no user {email} in this database")
        entries = session_entries(user)
        db.session.commit()
    with client.session_transaction() as sess:
        sess.update(entries)
    client.get("/").close()   # the first page puts the CSRF token into the session


def get(client, path: str) -> bytes:
    response = client.get(path, headers={"User-Agent": "portal-load-bench"})
    body = response.get_data()
    response.close()
    if response.status_code != 200:
        sys.exit(f"{path}: HTTP {response.status_code}")
    return body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--user", default="cm.north@example.com")
    parser.add_argument("-n", "--requests", type=int, default=200, help="timed requests per path")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3,
                        help="timed rounds per path; the lowest mean is printed beside the median")
    parser.add_argument("--profile", action="store_true", help="profile one more round with cProfile")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative,tottime", help="pstats orders, comma-separated")
    parser.add_argument("--callers", action="append", default=[],
                        help="also who calls functions matching this (pstats pattern)")
    parser.add_argument("--quiet-log", action="store_true", help="drop the request log lines")
    parser.add_argument("--html", help="write each page's body to this directory")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("set DATABASE_URL to a full-scale database (bench/generate.py)")
    redis_note = production_environment()

    import logging

    from portal import create_app
    from portal.web import warm_up

    app = create_app()
    warm_up(app)
    if args.quiet_log:
        logging.getLogger("portal.request").setLevel(logging.WARNING)
    else:   # the log line is formatted and written as in production, but not to the terminal
        for handler in logging.getLogger("portal").handlers:
            if getattr(handler, "_portal", False):
                handler.setStream(open(os.devnull, "w"))  # noqa: SIM115
    client = app.test_client()
    log_in(app, client, args.user)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{args.user}; {os.environ['DATABASE_URL'].split('@')[-1]}; {redis_note}; load average "
          f"{load}; {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}")
    started = time.process_time()
    sum(range(30_000_000))
    print(f"host: {time.process_time() - started:.2f} s CPU for sum(range(30,000,000)) (lower is faster)")
    print(f"{'path':<40} {'CPU ms/request (median of rounds)':>34} {'best':>6} {'wall ms':>8} "
          f"{'calls/request':>14}")
    for path in args.paths:
        for _ in range(args.warmup):
            body = get(client, path)
        if args.html:
            os.makedirs(args.html, exist_ok=True)
            name = path.strip("/").replace("/", "_").replace("?", "_") or "index"
            Path(args.html, name + ".html").write_bytes(body)
        cpu, wall = [], []
        for _ in range(args.rounds):
            c0, w0 = time.process_time(), time.perf_counter()
            for _ in range(args.requests):
                get(client, path)
            cpu.append((time.process_time() - c0) * 1000 / args.requests)
            wall.append((time.perf_counter() - w0) * 1000 / args.requests)
        # Python function calls per request (cProfile's count): unlike CPU time, the same on a
        # busy host and a quiet one, so a change's effect shows in it on a shared machine.
        counter = cProfile.Profile()
        counter.enable()
        for _ in range(20):
            get(client, path)
        counter.disable()
        calls = pstats.Stats(counter).total_calls / 20
        print(f"{path:<40} {statistics.median(cpu):>34.2f} {min(cpu):>6.2f} {statistics.median(wall):>8.2f} "
              f"{calls:>14,.0f}", flush=True)
        if args.profile:
            profiler = cProfile.Profile(time.process_time)  # CPU, not waits
            gc.collect()
            profiler.enable()
            for _ in range(args.requests):
                get(client, path)
            profiler.disable()
            for order in args.sort.split(","):
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out)
                stats.strip_dirs().sort_stats(order).print_stats(args.top)
                print(f"\n== {path}: by {order} ({args.requests} requests)\n"
                      + out.getvalue().split("\n", 4)[-1].strip("\n") + "\n")
            for pattern in args.callers:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_callers(pattern)
                print(out.getvalue().split("\n", 4)[-1].strip("\n") + "\n")


if __name__ == "__main__":
    main()
