"""Two channel managers bulk-deciding overlapping selections at once: no item is decided twice.

Real commits in a fresh database, two sessions in two threads. The first manager's bulk run
holds its transaction open until the second has started; on PostgreSQL the second's UPDATE of a
shared order waits for the first's row lock and then loses the version check (`version_id_col`),
on SQLite it waits for the write lock (BEGIN IMMEDIATE) and then reads that the order no longer
awaits a decision. Either way the shared order is confirmed once, by the first.
"""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.extensions import db
from tests.conftest import TEST_CONFIG


@pytest.fixture
def race_app(fresh_database, tmp_path):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": fresh_database(),
                      "STORAGE_DIR": str(tmp_path)})
    with app.app_context():
        from portal.core.permissions import Role
        from tests.factories import UserFactory, build_world

        world = build_world()
        second = UserFactory(role=Role.CHANNEL_MANAGER, regions=[world.north],
                             email="cm2@test.example", name="第二位渠道经理")
        db.session.commit()
        ids = {"orders": [world.order_submitted.id, world.order_submitted_2.id,
                          world.order_submitted_3.id],
               "deal": world.deal_submitted.id,
               "cm": world.channel_manager.id, "cm2": second.id}
    yield app, ids
    with app.app_context():
        db.engine.dispose()


def _bulk(app, user_id, keys, started, decided, release, outcome, who):
    from portal.accounts.models import User
    from portal.inbox.services import bulk_decide

    with app.app_context():
        try:
            started.set()
            user = db.session.get(User, user_id)
            results = bulk_decide(user, keys, "approve")
            decided.set()
            release.wait(10)
            db.session.commit()
            outcome[who] = {r.key: r for r in results}
        except Exception as exc:  # reported by the assertions below
            db.session.rollback()
            outcome[who] = exc
        finally:
            started.set()
            decided.set()
            db.session.remove()


def test_two_managers_bulk_deciding_at_once_never_decide_one_item_twice(race_app):
    from portal.core.audit import AuditEntry
    from portal.orders.models import SalesOrder

    app, ids = race_app
    o1, o2, o3 = ids["orders"]
    a_keys = [f"order:{o1}", f"order:{o2}", f"registration:{ids['deal']}"]
    b_keys = [f"order:{o2}", f"order:{o3}", f"registration:{ids['deal']}"]
    outcome: dict = {}
    a_started, a_decided, release = threading.Event(), threading.Event(), threading.Event()
    a = threading.Thread(target=_bulk, args=(app, ids["cm"], a_keys, a_started, a_decided,
                                             release, outcome, "a"))
    a.start()
    assert a_decided.wait(20)  # A has decided its items and holds its transaction open
    b_started, b_decided = threading.Event(), threading.Event()
    b = threading.Thread(target=_bulk, args=(app, ids["cm2"], b_keys, b_started, b_decided,
                                             threading.Event(), outcome, "b"))
    b.start()
    assert b_started.wait(10)
    assert not b_decided.wait(1), outcome  # B waits for A's row lock (PostgreSQL) or write lock (SQLite)
    release.set()
    a.join(30)
    b.join(30)
    assert isinstance(outcome["a"], dict), outcome["a"]
    assert isinstance(outcome["b"], dict), outcome["b"]
    assert all(r.done for r in outcome["a"].values())
    b_results = outcome["b"]
    assert not b_results[f"order:{o2}"].done
    assert not b_results[f"registration:{ids['deal']}"].done
    assert b_results[f"order:{o3}"].done
    with app.app_context():
        decided_by = dict(db.session.execute(select(SalesOrder.id, SalesOrder.decided_by_id)
                                             .where(SalesOrder.id.in_(ids["orders"]))).all())
        assert decided_by == {o1: ids["cm"], o2: ids["cm"], o3: ids["cm2"]}
        confirmations = db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "order.confirmed", AuditEntry.object_id == o2))
        assert confirmations == 1
        approvals = db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "deal.approved", AuditEntry.object_id == ids["deal"]))
        assert approvals == 1

