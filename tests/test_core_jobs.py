"""The job runner: immediate in tests; `enqueue_after_commit` runs after commit, never after rollback."""
from __future__ import annotations

from portal.core.jobs import enqueue_after_commit, huey, task

RAN: list = []


@task()
def remember(value):
    RAN.append(value)


def test_tests_run_jobs_immediately(app):
    assert huey.immediate is True


def test_job_runs_after_commit(db):
    RAN.clear()
    enqueue_after_commit(remember, "committed")
    assert RAN == []  # not before the commit
    db.session.commit()
    assert RAN == ["committed"]
    db.session.commit()
    assert RAN == ["committed"]  # once only


def test_job_is_dropped_on_rollback(db):
    RAN.clear()
    enqueue_after_commit(remember, "rolled back")
    db.session.rollback()
    db.session.commit()
    assert RAN == []


def test_jobs_keep_their_order(db):
    RAN.clear()
    for i in range(3):
        enqueue_after_commit(remember, i)
    db.session.commit()
    assert RAN == [0, 1, 2]


def test_work_after_commit_waits_for_the_outermost_commit_not_a_savepoint(db):
    """A savepoint released inside a transaction (an order's insert) is no commit: jobs queued
    before it must not run while the outer transaction still holds its rows (and, on SQLite,
    the write lock)."""
    from portal.db import after_commit

    ran = []
    after_commit(db.session, ran.append, "job")
    with db.session.begin_nested():
        pass
    assert ran == []
    db.session.commit()
    assert ran == ["job"]


def test_work_queued_inside_a_savepoint_that_rolls_back_is_dropped(db):
    from portal.db import after_commit

    ran = []
    after_commit(db.session, ran.append, "kept")
    savepoint = db.session.begin_nested()
    after_commit(db.session, ran.append, "dropped")
    savepoint.rollback()
    db.session.commit()
    assert ran == ["kept"]
