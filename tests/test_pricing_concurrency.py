"""Two approvers deciding the same step at the same moment: exactly one wins, the other is told
who decided (HTTP 409 on the htmx path). Real commits, two threads, two clients, one database."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from portal import create_app
from portal.core.audit import AuditEntry
from portal.extensions import db
from portal.pricing.models import PriceException, PriceExceptionStep
from tests.conftest import session_entries


def _setup(app):
    from tests.factories import DealerFactory, UserFactory, region
    from tests.routes.pricing import make_catalog, make_deal, request_exception

    with app.app_context():
        north = region("north")
        dealer = DealerFactory(code="DC001", tier="platinum", region_id=north.id)
        sales = UserFactory(role="dealer_sales", dealer_id=dealer.id)
        cm1 = UserFactory(role="channel_manager", regions=[north], name="甲经理")
        cm2 = UserFactory(role="channel_manager", regions=[north], name="乙经理")
        db.session.flush()
        make_catalog()
        deal = make_deal(dealer, sales)
        exc = request_exception(sales, deal, [("P-SRV-1", 5, "6700")])
        ids = {"exc": exc.id, "step": exc.steps[0].id,
               "logins": [session_entries(cm1), session_entries(cm2)], "names": [cm1.name, cm2.name]}
        db.session.commit()
        return ids


def test_two_approvers_at_once_exactly_one_wins(fresh_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database(), "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://",
                      "BABEL_DEFAULT_LOCALE": "en"})
    ids = _setup(app)
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def approve(i):
        client = app.test_client()
        with client.session_transaction() as sess:
            sess.update(ids["logins"][i])
        barrier.wait()
        r = client.post(f"/exceptions/{ids['exc']}/decide",
                        data={"step_id": str(ids["step"]), "decision": "approve",
                              "comment": f"approver {i}"},
                        headers={"HX-Request": "true"})
        results[i] = (r.status_code, r.get_data(as_text=True))

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    statuses = sorted(r[0] for r in results)
    assert statuses == [204, 409], results
    winner = next(i for i, r in enumerate(results) if r[0] == 204)
    loser_body = next(r[1] for r in results if r[0] == 409)
    assert f"Already decided by {ids['names'][winner]}" in loser_body

    with app.app_context():
        step = db.session.get(PriceExceptionStep, ids["step"])
        exc = db.session.get(PriceException, ids["exc"])
        assert step.status == "approved" and step.comment == f"approver {winner}"
        assert exc.current_role == "sales_director"
        decisions = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.object_type == "price_exception", AuditEntry.object_id == exc.id,
            AuditEntry.action == "exception.step_approved"))
        assert decisions == 1
        db.session.remove()
        db.engine.dispose()
