"""docs/api_client_example.py registers the orders of a CSV through a running portal, once."""
from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from tests.conftest import TEST_CONFIG

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "api_client_example.py"


@pytest.fixture
def served(fresh_database, tmp_path):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": fresh_database(),
                      "STORAGE_DIR": str(tmp_path)})
    with app.app_context():
        from portal.api import services
        from tests.factories import build_world

        world = build_world()
        _token, secret = services.create_token(world.dealer_sales, "CSV import")
        db.session.commit()
        skus = (world.order_catalogue.server.sku, world.order_catalogue.storage.sku)
        net = (world.order_catalogue.server_net, world.order_catalogue.storage_net)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}", secret, skus, net
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


def _example():
    spec = importlib.util.spec_from_file_location("api_client_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_example_registers_each_order_once(served, tmp_path, monkeypatch, capsys):
    from portal.core import clock
    from portal.orders.models import SalesOrder

    app, url, secret, (server_sku, storage_sku), (server_net, storage_net) = served
    today = clock.today().isoformat()
    csv_file = tmp_path / "orders.csv"
    csv_file.write_text(
        "contract_no,order_date,customer_name,registration,sku,quantity\n"
        f"CSV-0001,{today},北京CSV客户有限公司,,{server_sku},2\n"
        f"CSV-0001,{today},北京CSV客户有限公司,,{storage_sku},1\n"
        f"CSV-0002,{today},上海CSV客户有限公司,,{storage_sku},3\n"
        f"CSV-0003,{today},上海CSV客户有限公司,,NO-SUCH-SKU,3\n", encoding="utf-8")
    monkeypatch.setenv("PORTAL_URL", url)
    monkeypatch.setenv("PORTAL_TOKEN", secret)
    example = _example()
    assert example.main(["x", str(csv_file)]) == 1  # one order refused
    out = capsys.readouterr().out
    assert "CSV-0003: refused (422)" in out and "/lines/0" in out
    with app.app_context():
        orders = {o.contract_no: o for o in db.session.scalars(select(SalesOrder).where(
            SalesOrder.contract_no.like("CSV-%")))}
    assert set(orders) == {"CSV-0001", "CSV-0002"}
    assert orders["CSV-0001"].total_fen == 2 * server_net + storage_net
    assert orders["CSV-0002"].total_fen == 3 * storage_net
    # running the same file again registers nothing new
    assert example.main(["x", str(csv_file)]) == 1
    assert "(already registered)" in capsys.readouterr().out
    with app.app_context():
        count = len(list(db.session.scalars(select(SalesOrder.id).where(
            SalesOrder.contract_no.like("CSV-%")))))
    assert count == 2
