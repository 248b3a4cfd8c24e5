"""`flask seed demo`: loads the demo, a second run changes nothing, and it refuses to run against
a production database that already holds data."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from portal import create_app
from portal.accounts.auth import verify_password
from portal.accounts.models import Dealer, User
from portal.db import Base
from portal.extensions import db
from tests.conftest import TEST_CONFIG


def _app(url, tmp_path, **extra):
    return create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url,
                       "STORAGE_DIR": str(tmp_path), **extra})


def _row_counts(app) -> dict[str, int]:
    with app.app_context():
        counts = {table.name: db.session.scalar(select(func.count()).select_from(table))
                  for table in Base.metadata.sorted_tables}
        db.session.remove()
        return counts


@pytest.fixture
def demo_app(fresh_database, tmp_path):
    app = _app(fresh_database(), tmp_path)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_seed_demo_loads_the_demo_and_twice_changes_nothing(demo_app):
    runner = demo_app.test_cli_runner()
    first = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0, first.output + repr(first.exception)
    assert "Demo data loaded." in first.output
    assert "dealer1.admin@example.com" in first.output
    after_first = _row_counts(demo_app)
    second = runner.invoke(args=["seed", "demo"])
    assert second.exit_code == 0, second.output
    assert "already loaded; nothing changed" in second.output
    assert _row_counts(demo_app) == after_first
    with demo_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Dealer)) >= 20
        regions = db.session.scalar(select(func.count(sa.distinct(Dealer.region_id))))
        assert regions >= 4
        tiers = set(db.session.scalars(select(Dealer.tier).distinct()))
        assert tiers == {"platinum", "gold", "silver", "authorized"}
        for email, role in [("admin@example.com", "admin"), ("director@example.com", "sales_director"),
                            ("finance@example.com", "finance"), ("cm.north@example.com", "channel_manager"),
                            ("cm.east@example.com", "channel_manager"), ("rep.north@example.com", "sales_rep"),
                            ("dealer1.admin@example.com", "dealer_admin"),
                            ("dealer1.sales@example.com", "dealer_sales"),
                            ("dealer2.admin@example.com", "dealer_admin")]:
            user = db.session.scalar(select(User).where(User.email == email))
            assert user is not None and user.role == role, email
            assert user.active
        d1 = db.session.scalar(select(User).where(User.email == "dealer1.admin@example.com")).dealer
        assert (d1.code, d1.tier, d1.region.code) == ("D0001", "platinum", "north")
        d2 = db.session.scalar(select(User).where(User.email == "dealer2.admin@example.com")).dealer
        assert (d2.code, d2.tier, d2.region.code) == ("D0002", "gold", "east")
        cm = db.session.scalar(select(User).where(User.email == "cm.north@example.com"))
        assert [r.code for r in cm.regions] == ["north"]
        admin = db.session.scalar(select(User).where(User.email == "admin@example.com"))
        assert verify_password(admin.password_hash, "demo-pass-2026")
        _assert_money_flows_are_seeded()
    client = demo_app.test_client()
    resp = client.post("/login", data={"email": "dealer1.sales@example.com",
                                       "password": "demo-pass-2026"})
    assert resp.status_code == 302
    assert client.get("/").status_code == 200


def _assert_money_flows_are_seeded():
    """No holes: every program's first day can be priced; last year's quarter has orders (growth);
    two programs run over the current quarter; a return gave D0001 a supplementary statement."""
    from datetime import timedelta

    from portal.catalog.services import price_list_in_force
    from portal.core import clock
    from portal.orders.models import OrderReturn, SalesOrder
    from portal.rebates.models import RebateProgram, RebateStatement

    programs = list(db.session.scalars(select(RebateProgram)))
    for program in programs:
        assert price_list_in_force(program.period_start) is not None, program.code
    today = clock.today()
    running = [p for p in programs if p.period_start <= today <= p.period_end]
    assert len(running) == 2 and len({p.period_code for p in running}) == 1
    assert len({p.code for p in running}) == 2
    current = running[0]
    year_ago = (current.period_start - timedelta(days=365), current.period_end - timedelta(days=365))
    assert db.session.scalar(select(func.count(SalesOrder.id)).where(
        SalesOrder.status == "confirmed", SalesOrder.order_date.between(*year_ago))) > 0
    assert db.session.scalar(select(func.count(SalesOrder.id)).where(
        SalesOrder.order_date == current.period_start)) >= 1
    (returned,) = db.session.scalars(select(OrderReturn)).all()
    assert returned.number.startswith("RT") and returned.amount_fen > 0
    supplementary = db.session.scalar(select(RebateStatement).where(RebateStatement.sequence == 1))
    assert supplementary.number.endswith("D0001-S1") and supplementary.net_payable_fen < 0
    assert supplementary.content["amount_words"].startswith("负")
    assert supplementary.pdf_sha256


def test_seed_refuses_a_production_database_with_data(fresh_database, tmp_path):
    from tests.factories import UserFactory

    prod = _app(fresh_database(), tmp_path, PORTAL_ENV="production", SECRET_KEY="k" * 64)
    with prod.app_context():
        UserFactory(email="real.person@vendor.example", role="admin")
        db.session.commit()
    before = _row_counts(prod)
    result = prod.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code != 0
    assert "Refusing to load demo data into a production database" in result.output
    assert _row_counts(prod) == before
    with prod.app_context():
        db.engine.dispose()
