"""The job runner (Huey).

SQLite storage under instance/ by default, Redis when `REDIS_URL` is set, immediate mode in tests
(`HUEY_IMMEDIATE=1`, or `TESTING`). The worker is `huey_consumer portal.worker.huey`.

Tasks run inside an app context of their own with a session of their own, and commit when they
succeed. Work that must only start once the current transaction is committed (so that the worker
can see its rows) is queued with `enqueue_after_commit`.

In Redis the queue is named after `REDIS_NAMESPACE` (default `portal`), so several portals or test
runs can share a server. A worker recycles itself after `HUEY_MAX_TASKS` tasks (default 1000; 0
turns it off): it finishes what it runs, then re-executes itself — huey's SIGHUP restart — and
starts with fresh memory (WeasyPrint and fontconfig caches grow over a long PDF batch).
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from functools import wraps

from huey import RedisHuey, SqliteHuey

from portal.config import INSTANCE, redis_namespace
from portal.db import after_commit
from portal.extensions import db

log = logging.getLogger("portal.jobs")


def _make_huey():
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        return RedisHuey(redis_namespace(), url=redis_url)
    path = os.environ.get("HUEY_SQLITE_PATH", str(INSTANCE / "jobs.db"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return SqliteHuey("portal", filename=path)


huey = _make_huey()
#: What builds the app of a worker process: `portal.worker` sets it (core imports no app module).
app_factory = None
_worker_app = None


def _app():
    """The current app if there is one (web process, tests), else one per worker process."""
    global _worker_app
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app._get_current_object()
    if _worker_app is None:
        if app_factory is None:
            raise RuntimeError("a job ran outside an app and portal.worker did not set app_factory")
        _worker_app = app_factory()
    return _worker_app


def task(**options):
    """Declare a job: runs in a fresh app context and session, committed on success."""
    def decorator(fn):
        @huey.task(**options)
        @wraps(fn)
        def run(*args, **kwargs):
            with _app().app_context():
                try:
                    result = fn(*args, **kwargs)
                    db.session.commit()
                    return result
                except Exception:
                    db.session.rollback()
                    raise

        return run

    return decorator


def periodic(schedule):
    """Declare a scheduled job (expiry, reminders) run by the worker on `schedule` (a crontab)."""
    def decorator(fn):
        @huey.periodic_task(schedule)
        @wraps(fn)
        def run():
            with _app().app_context():
                try:
                    fn()
                    db.session.commit()
                except Exception:
                    db.session.rollback()
                    raise

        return run

    return decorator


# --- worker recycling -----------------------------------------------------------------------------

_recycle = {"done": 0, "requested": False}
_recycle_lock = threading.Lock()


def max_tasks() -> int:
    return int(os.environ.get("HUEY_MAX_TASKS", "1000") or 0)


@huey.post_execute()
def _count_and_recycle(task, task_value, exc):
    """After `HUEY_MAX_TASKS` tasks, ask the consumer for a graceful restart (SIGHUP → execv).

    Only in the consumer: immediate mode (tests, `HUEY_IMMEDIATE`) runs tasks in the caller's
    process, which must not be signalled.
    """
    limit = max_tasks()
    if huey.immediate or limit <= 0:
        return
    with _recycle_lock:
        _recycle["done"] += 1
        if _recycle["done"] < limit or _recycle["requested"]:
            return
        _recycle["requested"] = True
    log.info("worker ran %d tasks: restarting to release memory", _recycle["done"])
    # `-k thread`: this is the consumer's process. `-k process`: a child, which ignores SIGHUP;
    # the consumer is its parent.
    consumer = os.getppid() if multiprocessing.parent_process() is not None else os.getpid()
    os.kill(consumer, signal.SIGHUP)


def enqueue_after_commit(job, *args, **kwargs) -> None:
    """Queue `job(*args)` once the current transaction commits; drop it if it rolls back."""
    after_commit(db.session(), job, *args, **kwargs)
