"""Customers (DESIGN §3.3): credit code validation, normalised name and blocking keys kept on
every save, a dealer's own records only, head office's list with search; direct leads."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.deals.models import Customer, CustomerKey, DirectLead
from tests.routes.deals import make_customer

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _committed(world, db):
    db.session.commit()


def keys_of(db, customer_id):
    return set(db.session.scalars(select(CustomerKey.key).where(CustomerKey.customer_id == customer_id)))


@pytest.mark.parametrize("code, message", [
    ("9111010871092546", "A unified social credit code has 18 characters; this one has 16."),
    ("91110000710925462I", "The code contains I, which a unified social credit code never uses"),
    ("91110000710925462Y", "This unified social credit code fails its check"),
])
def test_each_credit_code_mistake_has_its_own_message(world, client, login_as, db, code, message):
    login_as(world.dealer_admin)
    before = db.session.scalar(select(func.count()).select_from(Customer))
    resp = client.post("/customers/new", data={"name": "中国石油天然气股份有限公司", "uscc": code})
    assert resp.status_code == 422
    assert message in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Customer)) == before


def test_a_valid_code_is_normalised_and_keys_are_kept_on_every_save(world, client, login_as, db):
    login_as(world.dealer_admin)
    resp = client.post("/customers/new", data={
        "name": "北京联想科技有限公司", "uscc": "91110000 710925462x", "domain": "https://www.Lenovo.com/cn",
        "phone": "+86 10 5886 8888"})
    assert resp.status_code == 302
    c = db.session.scalar(select(Customer).where(Customer.name == "北京联想科技有限公司"))
    assert c.uscc == "91110000710925462X" and c.domain == "lenovo.com" and c.dealer_id == world.dealer_a.id
    keys = keys_of(db, c.id)
    assert {"u:91110000710925462X", "d:lenovo.com", "n:联想"} <= keys
    assert any(k.startswith("p:") for k in keys)
    assert c.name_norm == "联想"
    client.post(f"/customers/{c.id}", data={"name": "华为技术有限公司"})
    db.session.expire_all()
    keys = keys_of(db, c.id)
    assert "n:华为" in keys and "n:联想" not in keys and "u:91110000710925462X" not in keys
    assert c.name_norm == "华为"


def test_a_dealer_sees_only_its_own_customers(world, client, login_as, db):
    theirs = make_customer(world.dealer_b, "上海乙方专属客户有限公司")
    db.session.commit()
    login_as(world.dealer_admin)
    page = client.get("/customers/").get_data(as_text=True)
    assert world.customer_a.name in page and theirs.name not in page
    assert client.get(f"/customers/{theirs.id}").status_code == 404
    assert client.post(f"/customers/{theirs.id}", data={"name": "x"}).status_code == 404
    fragment = client.get("/customers/?q=乙方", headers=HTMX).get_data(as_text=True)
    assert theirs.name not in fragment and "<html" not in fragment


def test_head_office_list_searches_all_owners_by_name_and_code(world, client, login_as, db):
    b = make_customer(world.dealer_b, "联想(北京)有限公司", uscc="91110000710925462X")
    a = make_customer(world.dealer_a, "北京联想科技有限公司")
    db.session.commit()
    login_as(world.sales_director)
    page = client.get("/customers/?q=联想").get_data(as_text=True)
    assert a.name in page and b.name in page
    assert world.dealer_b.code in page  # head office sees the owner
    page = client.get("/customers/?q=91110000710925462X").get_data(as_text=True)
    assert b.name in page and a.name not in page
    fragment = client.get("/customers/?q=联想", headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and a.name in fragment


def test_regional_manager_sees_records_of_its_region(world, client, login_as, db):
    east = make_customer(world.dealer_b, "上海东区客户有限公司")
    db.session.commit()
    login_as(world.channel_manager)
    assert east.name not in client.get("/customers/").get_data(as_text=True)
    assert client.get(f"/customers/{east.id}").status_code == 404


def test_rep_records_a_lead_on_a_new_key_account(world, client, login_as, db):
    login_as(world.sales_rep)
    resp = client.post("/leads/new", data={
        "project_name": "总部数据中心", "customer_id": "new", "customer_name": "中国华能集团有限公司",
        "key_account": "y", "line_ids": [str(world.lines[0].id), str(world.lines[1].id)],
        "estimated_value": "3,000,000"})
    assert resp.status_code == 302
    lead = db.session.scalar(select(DirectLead).where(DirectLead.project_name == "总部数据中心"))
    assert lead.status == "submitted" and lead.estimated_value_fen == 300_000_000
    assert lead.customer.dealer_id is None and lead.customer.key_account
    assert lead.customer.owner_rep_id == world.sales_rep.id
    assert lead.line_ids == {world.lines[0].id, world.lines[1].id}
    assert lead.number in client.get("/leads/").get_data(as_text=True)


def test_lead_without_product_line_is_refused(world, client, login_as, db):
    login_as(world.sales_rep)
    before = db.session.scalar(select(func.count()).select_from(DirectLead))
    resp = client.post("/leads/new", data={"project_name": "x", "customer_id": str(world.hq_customer.id)})
    assert resp.status_code == 422 and "Choose at least one product line." in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(DirectLead)) == before


def test_rekey_rewrites_stale_keys_only_and_conflict_check_finds_the_customer_again(world, app, db):
    """After a matcher change (here: phone keys in E.164) stored keys are stale until
    `flask deals rekey` recomputes them; customers already up to date are left alone."""
    stale = make_customer(world.dealer_a, name="上海浦东发展银行股份有限公司", phone="021-6161 8888")
    fresh = make_customer(world.dealer_b, name="深圳市腾讯计算机系统有限公司")
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["deals", "rekey"]).exit_code == 0  # the world's own
    wanted, untouched, norm = keys_of(db, stale.id), keys_of(db, fresh.id), stale.name_norm
    assert any(k.startswith("p:") for k in wanted)
    # As an older release stored them: an old-format phone key, no name key, an old name_norm.
    db.session.execute(CustomerKey.__table__.delete().where(CustomerKey.customer_id == stale.id))
    db.session.execute(CustomerKey.__table__.insert(), [{"customer_id": stale.id, "key": "p:02161618888"}])
    stale.name_norm = "浦东发展银行股份有限"
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["deals", "rekey", "--batch", "1"])
    assert result.exit_code == 0, result.output
    total = db.session.scalar(select(func.count()).select_from(Customer))
    assert f"1 of {total} customer(s) had their keys recomputed." in result.output
    db.session.expire_all()
    assert keys_of(db, stale.id) == wanted and keys_of(db, fresh.id) == untouched
    assert stale.name_norm == norm
    # Run again: nothing left to do.
    again = app.test_cli_runner().invoke(args=["deals", "rekey"])
    assert f"0 of {total} customer(s)" in again.output


def test_rekey_refuses_a_nonsense_batch_size(app):
    result = app.test_cli_runner().invoke(args=["deals", "rekey", "--batch", "0"])
    assert result.exit_code == 2 and "0 is not in the range" in result.output
