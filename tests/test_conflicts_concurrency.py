"""Two channel managers decide the same case at the same moment: exactly one decision counts, the
other is told who decided first (409 on the htmx path). Real commits, two sessions, two threads."""
from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from portal import create_app
from portal.conflicts.models import ConflictCase
from portal.core import clock
from portal.core.audit import AuditEntry
from portal.core.permissions import Role
from portal.deals import services
from portal.deals.models import DealRegistration
from portal.extensions import db
from tests.conftest import session_entries


def _setup(app):
    from tests.factories import DealerFactory, UserFactory, region
    from tests.routes.deals import product_lines

    with app.app_context():
        north, east = region("north"), region("east")
        d1 = DealerFactory(code="C0001", region_id=north.id)
        d2 = DealerFactory(code="C0002", region_id=east.id)
        u1 = UserFactory(role=Role.DEALER_ADMIN, dealer_id=d1.id)
        u2 = UserFactory(role=Role.DEALER_ADMIN, dealer_id=d2.id)
        cm1 = UserFactory(role=Role.CHANNEL_MANAGER, regions=[north], name="Manager One")
        cm2 = UserFactory(role=Role.CHANNEL_MANAGER, regions=[north], name="Manager Two")
        db.session.flush()
        line = product_lines()[0]

        def register(user, name):
            deal = services.save_deal(user, None, {
                "project_name": "并发测试", "customer_id": "new", "customer_name": name,
                "expected_close_date": (clock.today() + timedelta(days=30)).isoformat(),
                "stage": "quoting"}, [{"line_id": str(line.id), "quantity": "1"}])
            services.submit_deal(user, deal)
            return deal

        first = register(u2, "联想(北京)有限公司")
        second = register(u1, "北京联想科技有限公司")
        case = db.session.scalar(select(ConflictCase).where(ConflictCase.second_deal_id == second.id))
        managers = [(session_entries(cm1), cm1.name), (session_entries(cm2), cm2.name)]
        db.session.commit()
        return {"case": case.id, "first": first.id, "second": second.id, "managers": managers}


def test_two_managers_deciding_at_once_exactly_one_wins(fresh_database, monkeypatch):
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database(), "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://",
                      "BABEL_DEFAULT_LOCALE": "en"})
    ids = _setup(app)
    is_pg = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")

    # On PostgreSQL make the race real: both requests load the open case before either writes.
    # (On SQLite the second request waits at BEGIN IMMEDIATE, so it cannot load it early.)
    if is_pg:
        from portal.conflicts import services as conflict_services

        barrier = threading.Barrier(2, timeout=10)
        original = conflict_services.decide

        def decide_after_both_loaded(*args, **kwargs):
            barrier.wait()
            return original(*args, **kwargs)

        monkeypatch.setattr(conflict_services, "decide", decide_after_both_loaded)

    start = threading.Barrier(2)
    results: dict[str, tuple[int, str]] = {}

    def act(entries: dict, name: str, decision: str):
        client = app.test_client()
        with client.session_transaction() as sess:
            sess.update(entries)
        start.wait()
        resp = client.post(f"/conflicts/{ids['case']}/decide", headers={"HX-Request": "true"},
                           data={"decision": decision, "reason": f"{name} 的裁决"})
        results[name] = (resp.status_code, resp.get_data(as_text=True))

    threads = [threading.Thread(target=act, args=(*ids["managers"][0], "award_earlier")),
               threading.Thread(target=act, args=(*ids["managers"][1], "award_later"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    statuses = sorted(code for code, _ in results.values())
    assert statuses == [200, 409], results
    winner = next(name for name, (code, _) in results.items() if code == 200)
    loser_body = next(body for code, body in results.values() if code == 409)
    assert f"Already decided by {winner}." in loser_body

    with app.app_context():
        case = db.session.get(ConflictCase, ids["case"])
        first = db.session.get(DealRegistration, ids["first"])
        second = db.session.get(DealRegistration, ids["second"])
        assert case.status == "decided" and case.decided_by.name == winner
        decisions = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "conflict.decided", AuditEntry.object_id == case.id))
        assert decisions == 1
        if case.decision == "award_earlier":
            assert (first.status, second.status) == ("submitted", "rejected")
        else:
            assert (first.status, second.status) == ("rejected", "submitted")
        db.session.remove()
        db.engine.dispose()
