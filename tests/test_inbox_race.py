"""Two channel managers bulk-deciding overlapping selections at once: no item is decided twice.

Real commits in a fresh database, two sessions in two threads. The first manager's bulk run
holds its transaction open until the second has started; on PostgreSQL the second's UPDATE of a
shared order waits for the first's row lock and then loses the version check (`version_id_col`),
on SQLite it waits for the write lock (BEGIN IMMEDIATE) and then reads that the order no longer
awaits a decision. Either way the shared order is confirmed once, by the first. An extension
request has no version of its own and a rejection does not write its registration: the second
manager reads it again under a row lock (PostgreSQL) or after the write lock (SQLite), and finds
it decided.
"""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db


@pytest.fixture
def race_app(committed_world):
    def prepare(world):
        from portal.core import clock
        from portal.core.permissions import Role
        from portal.deals.models import DealExtension
        from tests.factories import UserFactory
        from tests.routes.deals import make_deal

        second = UserFactory(role=Role.CHANNEL_MANAGER, regions=[world.north],
                             email="cm2@test.example", name="第二位渠道经理")
        extended = [world.deal_approved] + [
            make_deal(world.dealer_a, world.dealer_sales, world.customer_a, world.lines[0],
                      "approved") for _ in range(2)]
        for deal in extended:
            db.session.add(DealExtension(deal_id=deal.id, requested_by_id=world.dealer_admin.id,
                                         reason="客户预算推迟", days=30, requested_at=clock.now()))
        db.session.flush()
        return {"orders": [world.order_submitted.id, world.order_submitted_2.id,
                           world.order_submitted_3.id],
                "deal": world.deal_submitted.id, "extended": [d.id for d in extended],
                "cm": world.channel_manager.id, "cm2": second.id}

    return committed_world(prepare)


def _bulk(app, user_id, keys, started, decided, release, outcome, who, action="approve",
          reason=""):
    from portal.accounts.models import User
    from portal.inbox.services import bulk_decide

    with app.app_context():
        try:
            started.set()
            user = db.session.get(User, user_id)
            results = bulk_decide(user, keys, action, reason)
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



def test_two_managers_deciding_the_same_extension_request_decide_it_once(race_app):
    """The first approves, the second rejects: without a lock the rejection, which writes no
    registration, would overwrite the approval."""
    from portal.core.audit import AuditEntry
    from portal.deals.models import DealExtension, DealRegistration

    app, ids = race_app
    e1, e2, e3 = ids["extended"]
    with app.app_context():
        until = dict(db.session.execute(select(DealRegistration.id, DealRegistration.protected_until)
                                        .where(DealRegistration.id.in_(ids["extended"]))).all())
    outcome: dict = {}
    a_started, a_decided, release = threading.Event(), threading.Event(), threading.Event()
    a = threading.Thread(target=_bulk, args=(app, ids["cm"], [f"extension:{e1}", f"extension:{e2}"],
                                             a_started, a_decided, release, outcome, "a"))
    a.start()
    assert a_decided.wait(20)
    b_started, b_decided = threading.Event(), threading.Event()
    b = threading.Thread(target=_bulk, args=(
        app, ids["cm2"], [f"extension:{e2}", f"extension:{e3}"], b_started, b_decided,
        threading.Event(), outcome, "b"), kwargs={"action": "reject", "reason": "预算未落实"})
    b.start()
    assert b_started.wait(10)
    assert not b_decided.wait(1), outcome  # B waits for A's lock
    release.set()
    a.join(30)
    b.join(30)
    assert isinstance(outcome["a"], dict), outcome["a"]
    assert isinstance(outcome["b"], dict), outcome["b"]
    assert all(r.done for r in outcome["a"].values())
    assert not outcome["b"][f"extension:{e2}"].done
    assert outcome["b"][f"extension:{e3}"].done
    with app.app_context():
        decided = {deal_id: (status, by) for deal_id, status, by in db.session.execute(
            select(DealExtension.deal_id, DealExtension.status, DealExtension.decided_by_id))}
        assert decided == {e1: ("approved", ids["cm"]), e2: ("approved", ids["cm"]),
                           e3: ("rejected", ids["cm2"])}
        protected = dict(db.session.execute(select(DealRegistration.id,
                                                   DealRegistration.protected_until)
                                            .where(DealRegistration.id.in_(ids["extended"]))).all())
        assert protected[e2] == until[e2] + timedelta(days=30)
        assert protected[e3] == until[e3]
        entries = db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action.like("deal.extension_%"), AuditEntry.object_id == e2))
        assert entries == 1
