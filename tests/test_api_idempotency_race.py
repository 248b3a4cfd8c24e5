"""Two retries of the same POST racing with one Idempotency-Key: one order, both get it (real
commits, two threads; SQLite serialises them on the write lock, PostgreSQL on the unique key)."""
from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import func, select

from portal.extensions import db


@pytest.fixture
def race_app(committed_world):
    def prepare(world):
        from portal.api import services
        from portal.core import clock

        _token, secret = services.create_token(world.dealer_admin, "race")
        return secret, {"contract_no": "RACE-1", "order_date": clock.today().isoformat(),
                        "customer_name": "北京并发测试客户有限公司",
                        "lines": [{"sku": world.order_catalogue.server.sku, "quantity": 1}]}

    app, (secret, body) = committed_world(prepare)
    return app, secret, body


def _slow_create_order(monkeypatch, gate: threading.Event, entered: threading.Event):
    """The first thread to create an order holds on inside its transaction until `gate` opens,
    so the second arrives while the first has claimed the key and not committed."""
    from portal.orders import services

    real = services.create_order
    first = threading.Lock()

    def slow(actor, draft, **kwargs):
        order = real(actor, draft, **kwargs)
        if first.acquire(blocking=False):
            entered.set()
            gate.wait(3)
        return order

    monkeypatch.setattr(services, "create_order", slow)


@pytest.mark.parametrize("same_key", [True, False])
def test_two_racing_retries_make_one_order(race_app, monkeypatch, same_key):
    from portal.orders.models import SalesOrder

    app, secret, body = race_app
    gate, entered = threading.Event(), threading.Event()
    _slow_create_order(monkeypatch, gate, entered)
    results: dict = {}

    def send(name, key):
        client = app.test_client()
        response = client.post("/api/v1/orders", data=json.dumps(body, ensure_ascii=False),
                               headers={"Authorization": f"Bearer {secret}",
                                        "Content-Type": "application/json",
                                        "Idempotency-Key": key})
        results[name] = (response.status_code, response.get_json())

    a = threading.Thread(target=send, args=("a", "key-1"))
    b = threading.Thread(target=send, args=("b", "key-1" if same_key else "key-2"))
    a.start()
    assert entered.wait(10)
    b.start()
    b.join(1.5)  # B is now waiting: for the write lock (SQLite) or for A's key (PostgreSQL)
    gate.set()
    a.join(30)
    b.join(30)
    assert results["a"][0] == 201
    with app.app_context():
        count = db.session.scalar(select(func.count(SalesOrder.id)).where(
            SalesOrder.contract_no == "RACE-1"))
    assert count == 1
    if same_key:
        assert results["b"][0] == 201
        assert results["b"][1]["number"] == results["a"][1]["number"]
    else:  # another key is another order: the contract number is already taken
        assert results["b"][0] == 422
        assert results["b"][1]["errors"][0]["pointer"] == "/contract_no"
