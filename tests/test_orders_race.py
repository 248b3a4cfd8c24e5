"""Two channel managers confirming the same order at once: exactly one wins (real commits)."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from portal import create_app
from portal.extensions import db
from tests.conftest import TEST_CONFIG, log_in


@pytest.fixture
def race_app(committed_world):
    return committed_world(lambda world: {"order": world.order_submitted.id,
                                          "cm": world.channel_manager.id,
                                          "director": world.sales_director.id})


def _decide(app, order_id, user_id, started, release, outcome, key):
    """One manager's request: load the order, confirm it, commit (holding on until `release`)."""
    from portal.accounts.models import User
    from portal.core.errors import Conflict
    from portal.orders import services
    from portal.orders.models import SalesOrder

    with app.app_context():
        try:
            user = db.session.get(User, user_id)
            order = db.session.get(SalesOrder, order_id)
            started.set()
            services.confirm_order(user, order)
            release.wait(5)
            db.session.commit()
            outcome[key] = "won"
        except (StaleDataError, Conflict) as exc:
            db.session.rollback()
            outcome[key] = type(exc).__name__
        finally:
            db.session.remove()


def test_two_managers_confirming_at_once_one_wins(race_app):
    """On PostgreSQL the second reads "submitted" too and loses the version check; on SQLite it
    waits for the first's write lock (BEGIN IMMEDIATE) and is told the order was decided."""
    import threading

    from portal.orders.models import SalesOrder

    app, ids = race_app
    outcome: dict = {}
    a_started, b_started, release = threading.Event(), threading.Event(), threading.Event()
    a = threading.Thread(target=_decide, args=(app, ids["order"], ids["cm"], a_started, release, outcome, "a"))
    b = threading.Thread(target=_decide, args=(app, ids["order"], ids["director"], b_started,
                                                threading.Event(), outcome, "b"))
    a.start()
    assert a_started.wait(10)
    b.start()
    b_started.wait(1)  # on SQLite B is blocked before it can read; that is the point
    release.set()
    a.join(30)
    b.join(30)
    assert sorted(outcome.values()) in (["Conflict", "won"], ["StaleDataError", "won"])
    assert outcome["a"] == "won"
    with app.app_context():
        order = db.session.get(SalesOrder, ids["order"])
        assert order.status == "confirmed" and order.decided_by_id == ids["cm"]


def test_the_late_decision_answers_409(race_app):
    from portal.accounts.models import User
    from portal.orders.models import SalesOrder

    app, ids = race_app
    with app.app_context():
        for user_id, url, data in ((ids["cm"], "confirm", {}), (ids["director"], "reject", {"reason": "晚了"})):
            client = app.test_client()
            user = db.session.get(User, user_id)
            log_in(client, user)
            response = client.post(f"/orders/{ids['order']}/{url}", data=data,
                                   headers={"HX-Request": "true"})
        assert response.status_code == 409
        assert "already decided by" in response.text
        db.session.expire_all()
        assert db.session.scalar(select(SalesOrder.status).where(SalesOrder.id == ids["order"])) == "confirmed"


def _submit(app, user_id, contract_no, started, release, outcome, key):
    """One submission of the order form's service calls, committing only after `release`."""
    from portal.accounts.models import User
    from portal.core import clock
    from portal.core.errors import ValidationError
    from portal.orders import services

    with app.app_context():
        try:
            user = db.session.get(User, user_id)
            draft = services.clean_order(user, {"contract_no": contract_no, "customer_name": "某客户",
                                                "order_date": clock.today().isoformat()},
                                         [{"sku": "TO-SRV-740", "quantity": "1"}])
            started.set()
            services.create_order(user, draft, notify_managers=False)
            release.wait(5)
            db.session.commit()
            outcome[key] = "saved"
        except ValidationError as exc:
            db.session.rollback()
            outcome[key] = str(exc.errors.get("contract_no"))
        finally:
            started.set()
            db.session.remove()


@pytest.mark.parametrize("second", ["case-x", "CASE-X"])
def test_a_double_submitted_order_is_saved_once_and_the_other_is_told(race_app, second):
    """On PostgreSQL both submissions pass the check before either commits; the unique index
    on (dealer, lower(contract number)) decides and the loser gets the form's message, not a
    500. On SQLite the second waits for the first's write lock and is refused by the check."""
    import threading

    from portal.orders.models import SalesOrder

    app, ids = race_app
    with app.app_context():
        sales_id = db.session.scalar(select(SalesOrder.created_by_id).where(SalesOrder.id == ids["order"]))
    outcome: dict = {}
    a_started, b_started, release = threading.Event(), threading.Event(), threading.Event()
    a = threading.Thread(target=_submit, args=(app, sales_id, "case-x", a_started, release, outcome, "a"))
    b = threading.Thread(target=_submit, args=(app, sales_id, second, b_started, threading.Event(),
                                                outcome, "b"))
    a.start()
    assert a_started.wait(10)
    b.start()
    b_started.wait(2)
    release.set()
    a.join(30)
    b.join(30)
    assert outcome["a"] == "saved" and "already used by another of your orders" in outcome["b"].lower()
    with app.app_context():
        saved = db.session.scalars(select(SalesOrder.contract_no).where(
            db.func.lower(SalesOrder.contract_no) == "case-x")).all()
        assert saved == ["case-x"]


def _return(app, order_id, user_id, started, release, outcome, key):
    """One return of 2 of the line's 3 units, held open until `release`."""
    from portal.accounts.models import User
    from portal.core.clock import today
    from portal.core.errors import Conflict, ValidationError
    from portal.orders import services
    from portal.orders.forms import return_input
    from portal.orders.models import SalesOrder

    with app.app_context():
        try:
            user = db.session.get(User, user_id)
            order = db.session.get(SalesOrder, order_id)
            started.set()
            services.record_return(user, order, return_input(
                {"return_date": today().isoformat(), "reason": "退货"}, {order.lines[0].id: "2"}))
            release.wait(5)
            db.session.commit()
            outcome[key] = "won"
        except (Conflict, ValidationError, StaleDataError) as exc:
            db.session.rollback()
            outcome[key] = type(exc).__name__
        finally:
            db.session.remove()


def test_two_returns_at_once_never_return_more_than_was_ordered(fresh_database, tmp_path):
    """A line of 3 units; the channel manager and finance each return 2 at the same moment:
    one return is kept, the other is refused, and 2 units are returned in all."""
    import threading

    from portal.orders.models import OrderLine, OrderReturn, SalesOrder
    from tests.routes.orders import make_order

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": fresh_database(),
                      "STORAGE_DIR": str(tmp_path)})
    with app.app_context():
        from tests.factories import build_world

        world = build_world()
        cat = world.order_catalogue
        order = make_order(world, cat, status="confirmed", contract_no="HT-RACE-RT",
                           lines=[(cat.server, 3, 1_000_000, "net")])
        db.session.commit()
        ids = {"order": order.id, "cm": world.channel_manager.id, "finance": world.finance.id}
    outcome: dict = {}
    a_started, b_started, release = threading.Event(), threading.Event(), threading.Event()
    a = threading.Thread(target=_return, args=(app, ids["order"], ids["cm"], a_started, release,
                                               outcome, "a"))
    b = threading.Thread(target=_return, args=(app, ids["order"], ids["finance"], b_started,
                                               threading.Event(), outcome, "b"))
    a.start()
    assert a_started.wait(10)
    b.start()
    b_started.wait(1)
    release.set()
    a.join(30)
    b.join(30)
    assert outcome["a"] == "won" and outcome["b"] in ("Conflict", "ValidationError"), outcome
    with app.app_context():
        assert db.session.scalar(select(OrderLine.returned_qty).where(
            OrderLine.order_id == ids["order"])) == 2
        assert db.session.scalar(select(SalesOrder.returned_fen).where(
            SalesOrder.id == ids["order"])) == 2_000_000
        assert len(db.session.scalars(select(OrderReturn).where(
            OrderReturn.order_id == ids["order"])).all()) == 1
        db.engine.dispose()
