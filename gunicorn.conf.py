"""gunicorn settings for the portal: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be overridden from the environment (GUNICORN_*) or on the command line, which
wins over this file. See docs/operations.md for the reasoning.
"""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Threaded workers: a request mostly waits for PostgreSQL, so threads overlap that wait while
# processes use the cores. Password hashing (Argon2id, ~50 ms of CPU) is the only heavy CPU step.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# Connections one worker holds at most, kept-alive ones included: beyond `worker_connections -
# threads` kept-alive connections a worker closes the next one after its response, and at the
# limit it stops accepting. Without a bound (gunicorn's default is 1,000) the first worker to
# wake takes every persistent connection a proxy or client opens at once, and serves them all on
# one core while the other processes idle (docs/operations.md, "Load").
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", 2 * threads))

# Build the app once in the master and fork the workers from it: a worker (first start, or the
# replacement after max_requests) then costs a fork instead of ~1.5 s of CPU importing and
# configuring the portal, which at a few hundred requests per second would be several percent of
# the machine. A code change therefore needs a restart of gunicorn (or USR2 + TERM of the old
# master), not a HUP (docs/operations.md). GUNICORN_PRELOAD=0 turns it off.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1").strip().lower() not in {"0", "false", "no", "off"}


def when_ready(server):
    """In the master, before the first fork: compile the templates, load the catalogues
    (`portal.web.warm_up`), so that no worker repeats it. Then freeze what the master holds
    (`gc.freeze()`): the ~215,000 objects of the app, its modules, templates and catalogues
    live as long as the process, but each full garbage collection of a worker walked them all,
    ~150 ms of CPU holding the interpreter lock, so every request on that worker waited
    (the long p99 tails of the lists under wrk; docs/operations.md). Frozen, a worker's full
    collection walks only what it made since the fork (under 1 ms), and its collections no
    longer write to the memory pages it shares with the master."""
    if preload_app:
        import gc

        from portal.web import warm_up

        warm_up(server.app.wsgi())
        gc.collect()
        gc.freeze()


def post_fork(server, worker):
    """Each worker opens database connections of its own, never the master's (if it had any)."""
    from portal.extensions import db

    for engines in list(db._app_engines.values()):
        for engine in engines.values():
            engine.dispose(close=False)

# Recycle each worker after this many requests (jitter so that they do not all restart together):
# a slow leak, or a big export that grew the heap, is returned to the OS. A worker's heap stays
# flat over 8,000 dashboard views (docs/operations.md); a replacement starts with cold statement
# caches and new database connections, so it should be rare: at 300 req/s on four workers,
# 20,000 is one replacement every ~4 minutes.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 20000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 2000))

timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))  # CSV/XLSX imports are the slowest requests
graceful_timeout = 30
keepalive = 5

# portal/logs.py writes one structured line per request (request id, user, duration): gunicorn's
# own access log would only duplicate it. Errors still go to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")

# X-Forwarded-* are trusted only from the local reverse proxy.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# gunicorn ≥ 24 opens a control socket at ~/.gunicorn/gunicorn.ctl; several instances on one host
# (or one per port) would fight over that path. Off unless a path is given.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
