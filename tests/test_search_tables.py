"""Searches on SQLite look the text up in an FTS5 trigram table first (`portal.db.contains`,
migration 0018) and find exactly the rows the LIKE alone finds: for one, two and more
characters, `%` and `_` typed, letters in either case, and after rows are inserted, changed and
deleted (the triggers keep the FTS5 tables in step). On PostgreSQL the lookup is `1 = 1` and the
same comparisons hold."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from portal.db import SEARCH_TABLES, contains, number_matches
from portal.extensions import db

NAMES = ["北京数据中心有限公司", "数据", "云数据科技", "Data Center Beijing", "DATA%center",
         "data_centre", "50%折扣公司", "a_b_c", "a%b%c", "back\\slash", "科技", "中心数据"]
TYPED = ["数", "数据", "数据中", "数据中心", "中心有限", "data", "DATA", "Data_", "ta c", "a%c",
         "%", "_", "%%", "a_b", "_b_", "a_b_c", "50%", "50%折", "%折扣", "ta%ce", "data_c",
         "\\", "k\\s", "nowhere", "x", "心数据"]


def _found(model, column, typed: str) -> tuple[list[int], list[int]]:
    """The ids `contains(..., bigrams=True)` finds, and those the LIKE alone finds."""
    def ids(condition):
        return sorted(db.session.scalars(select(model.id).where(condition)))

    return ids(contains(column, typed, bigrams=True)), ids(contains(column, typed))


def _check_integrity():
    if db.session.get_bind().dialect.name == "sqlite":
        for table in SEARCH_TABLES:  # the index against the table's rows (raises if they differ)
            db.session.execute(text(f"INSERT INTO {table}_search ({table}_search, rank) "
                                    "VALUES ('integrity-check', 1)"))


def _customers(world, names):
    from portal.deals.models import Customer

    made = [Customer(dealer_id=world.dealer_a.id, region_id=world.dealer_a.region_id, name=name,
                     name_norm=name.lower()) for name in names]
    db.session.add_all(made)
    db.session.flush()
    return made


def _registrations(world, names):
    from portal.deals.models import DealRegistration

    customer = _customers(world, ["登记客户"])[0]
    made = [DealRegistration(dealer_id=world.dealer_a.id, created_by_id=world.dealer_admin.id,
                             customer_id=customer.id, region_id=world.dealer_a.region_id,
                             project_name=name, expected_close_date=world.today, status="draft")
            for name in names]
    db.session.add_all(made)
    db.session.flush()
    return made


def _orders(world, names):
    from portal.orders.models import SalesOrder

    made = [SalesOrder(dealer_id=world.dealer_a.id, region_id=world.dealer_a.region_id,
                       created_by_id=world.dealer_admin.id, customer_name=name,
                       contract_no=f"{name}-{i}", order_date=world.today, status="confirmed",
                       total_fen=100)
            for i, name in enumerate(names)]
    db.session.add_all(made)
    db.session.flush()
    return made


def _columns():
    from portal.deals.models import Customer, DealRegistration
    from portal.orders.models import SalesOrder

    return {
        "customer": (_customers, Customer, [Customer.name, Customer.name_norm], "name"),
        "registration": (_registrations, DealRegistration, [DealRegistration.project_name],
                         "project_name"),
        "order": (_orders, SalesOrder, [SalesOrder.customer_name, SalesOrder.contract_no],
                  "customer_name"),
    }


@pytest.fixture
def today(world):
    from portal.core import clock

    world.today = clock.today()
    return world


@pytest.mark.parametrize("kind", ["customer", "registration", "order"])
def test_a_search_finds_what_the_like_alone_finds_before_and_after_writes(today, kind):
    world = today
    make, model, columns, attribute = _columns()[kind]
    rows = make(world, NAMES)
    _check_integrity()

    def compare(expected_some: dict):
        for column in columns:
            for typed in TYPED:
                with_lookup, like_alone = _found(model, column, typed)
                assert with_lookup == like_alone, (column, typed)
        # and the comparison is not empty-handed: what some texts must find among these rows
        found = {typed: {getattr(r, attribute) for r in db.session.scalars(select(model).where(
            model.id.in_([r.id for r in rows]), contains(columns[0], typed, bigrams=True)))}
            for typed in expected_some}
        assert found == expected_some

    compare({"数据中": {"北京数据中心有限公司"}, "a%c": {"DATA%center"}, "a%b": {"a%b%c"},
             "data_c": {"data_centre"}, "DATA%": {"DATA%center"}, "k\\s": {"back\\slash"},
             "50%折": {"50%折扣公司"}, "_b_": {"a_b_c"}})

    # a changed text is found by its new value, not its old one; a deleted row not at all;
    # a change of another column leaves the index as it was
    setattr(rows[0], attribute, "上海智算中心")
    if kind == "customer":
        rows[0].name_norm = "上海智算中心"
        rows[1].key_account = True
    elif kind == "order":
        rows[0].contract_no = "上海智算中心"
        rows[1].status = "submitted"
    else:
        rows[1].status = "submitted"
    db.session.delete(rows[2])
    rows += make(world, ["新增数据中心"])
    db.session.flush()
    _check_integrity()
    compare({"数据中": {"新增数据中心"}, "智算中心": {"上海智算中心"}, "云数据科": set()})


def test_an_order_number_typed_from_its_start_finds_what_the_like_alone_finds(today):
    from portal.orders.models import SalesOrder
    from portal.orders.views import NUMBER_START

    made = _orders(today, ["号码"] * 4)  # contracts 号码-0 … 号码-3
    for order, number in zip(made, ["SO2026-00012", "SO2026-10001", "SO2025-00012", "SO2026-00120"],
                             strict=True):
        order.number = number
    db.session.flush()
    _check_integrity()
    for typed in ("SO2026-0001", "so2026-0001", "SO2026-", "SO2026-1", "SO2025-00012", "SO2026-00120"):
        assert NUMBER_START.fullmatch(typed)
        literal = typed.upper()
        alone = sorted(db.session.scalars(select(SalesOrder.id).where(
            SalesOrder.number.like(literal + "%"))))
        assert sorted(db.session.scalars(select(SalesOrder.id).where(
            number_matches(SalesOrder.number, typed, NUMBER_START)))) == alone, typed


@pytest.mark.parametrize(("typed", "looked_up"), [
    ("数据中心", True), ("abc", True), ("数据", False), ("d", False), ("a_b", False),
    ("ab%cd", False), ("数据中_ab", True)])
def test_on_sqlite_a_piece_of_three_characters_is_looked_up(app, db, typed, looked_up):
    """FTS5 serves a piece of three characters or more; shorter ones read the rows (FTS5
    would read every row too, and SQLite 3.40 answers `数据` from it wrongly with none)."""
    from sqlalchemy.dialects import sqlite

    from portal.deals.models import Customer

    sql = str(select(Customer.id).where(contains(Customer.name, typed, bigrams=True)).compile(
        dialect=sqlite.dialect()))
    assert ("customer_search" in sql) is looked_up
    assert "customer_search" not in str(select(Customer.id).where(contains(Customer.name, typed)).compile(
        dialect=sqlite.dialect()))  # without bigrams=True: the search of a short list


def test_the_search_tables_hold_the_searched_columns(app, db):
    if db.session.get_bind().dialect.name != "sqlite":
        pytest.skip("the FTS5 tables are SQLite's")
    for table, columns in SEARCH_TABLES.items():
        held = [row[1] for row in db.session.execute(text(f"PRAGMA table_info({table}_search)"))]
        assert tuple(held) == columns, table
        triggers = set(db.session.scalars(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"), {"t": table}))
        assert {f"{table}_search_{event}" for event in ("insert", "update", "delete")} <= triggers
    # every column searched with bigrams=True in the views is one of them
    from pathlib import Path

    views = "".join(p.read_text() for p in Path("portal").rglob("views*.py"))
    for model, column in re.findall(r"contains\((\w+)\.(\w+), \w+, bigrams=True", views):
        table = {"Customer": "customer", "DealRegistration": "deal_registration",
                 "SalesOrder": "sales_order"}[model]
        assert column in SEARCH_TABLES[table], (model, column)


@pytest.mark.parametrize("q", ["数据中心", "数据", "据中心有", "HT-1", "nowhere"])
def test_a_common_value_read_in_the_list_order_finds_the_same_page(client, today, login_as,
                                                                   monkeypatch, q):
    """Each way `matching_any` takes on SQLite — the lookups' candidate lists, the list's order
    without lookups (a common value), one read of the scope (one or two characters) — shows the
    same rows: here every value is made "common" and the pages compared."""
    from portal.core import pagination
    from tests.test_list_scale import ids_on

    orders = _orders(today, ["北京数据中心有限公司", "上海数据中心", "别的客户"] * 12)
    for i, order in enumerate(orders[:5]):
        order.contract_no = f"HT-1{i}"
    db.session.flush()
    login_as(today.channel_manager)
    urls = [f"/orders/?q={q}", f"/orders/?q={q}&page=2", f"/orders/?q={q}&sort=number"]
    usual = [ids_on(client, url) for url in urls]
    monkeypatch.setattr(pagination, "COMMON_ROWS", 1)
    assert [ids_on(client, url) for url in urls] == usual
    assert q in ("nowhere",) or usual[0]
