"""Lists at a large vendor's scale (DESIGN §6): equal sort values keep their page (every sort
ends with the id), a search finds each column's matches — two characters included — on later
pages and in exports as an OR did, and exports stream every row."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from portal.core.pagination import COUNT_PAGES_AHEAD, PER_PAGE
from portal.extensions import db

DAY = date(2026, 3, 14)


def orders(world, n: int, *, customer="测试客户", contract="TIE", day=DAY, total_fen=100_000):
    from portal.orders.models import SalesOrder

    made = [SalesOrder(dealer_id=world.dealer_a.id, region_id=world.dealer_a.region_id,
                       created_by_id=world.dealer_admin.id, customer_name=customer,
                       contract_no=f"{contract}-{i}", order_date=day, status="confirmed",
                       total_fen=total_fen) for i in range(n)]
    db.session.add_all(made)
    db.session.flush()
    return made


def ids_on(client, url: str, path: str = "/orders/") -> list[int]:
    response = client.get(url)
    assert response.status_code == 200
    return [int(i) for i in re.findall(rf'href="{re.escape(path)}(\d+)"', response.get_data(as_text=True))]


@pytest.mark.parametrize("sort", ["-date", "date", "-total", "total", "status"])
def test_equal_values_across_a_page_boundary_keep_their_page(client, world, login_as, sort):
    """40 orders of one day, one amount and one status: pages 1 and 2 show each exactly once."""
    made = {o.id for o in orders(world, 40)}
    login_as(world.dealer_admin)
    first = ids_on(client, f"/orders/?from={DAY}&to={DAY}&sort={sort}")
    second = ids_on(client, f"/orders/?from={DAY}&to={DAY}&sort={sort}&page=2")
    assert len(first) == PER_PAGE and len(second) == 40 - PER_PAGE
    assert set(first) | set(second) == made and not set(first) & set(second)
    descending = sort.startswith("-")
    assert first + second == sorted(made, reverse=descending)  # ties in the order of the id


def test_search_of_two_characters_finds_each_column_on_later_pages(client, world, login_as):
    """A value in one column of some orders and in another column of others: every one is
    found, page 2 continues page 1, and the count is exact."""
    by_customer = orders(world, 20, customer="北京数据科技", contract="A")
    by_contract = orders(world, 15, contract="数据")
    orders(world, 10, customer="别的客户", contract="B")
    login_as(world.channel_manager)
    found = ids_on(client, "/orders/?q=数据") + ids_on(client, "/orders/?q=数据&page=2")
    assert sorted(found) == sorted(o.id for o in by_customer + by_contract)
    assert len(set(found)) == 35
    body = client.get("/orders/?q=数据").get_data(as_text=True)
    assert re.search(r"Page 1 of 2 · 35 in all|第 ?1 ?页.*35", body)  # an exact count


def test_a_search_with_more_matches_than_the_count_looks_at_says_more(client, world, login_as):
    """Beyond the bounded count each column's candidates stop, yet the next page still exists
    and holds the next rows."""
    cap = (1 + COUNT_PAGES_AHEAD) * PER_PAGE + 1
    made = orders(world, cap + 5, customer="大量客户")
    login_as(world.dealer_admin)
    newest = sorted((o.id for o in made), reverse=True)
    assert ids_on(client, "/orders/?q=大量") == newest[:PER_PAGE]
    assert ids_on(client, "/orders/?q=大量&page=3") == newest[2 * PER_PAGE:3 * PER_PAGE]
    body = client.get("/orders/?q=大量").get_data(as_text=True)
    shown = COUNT_PAGES_AHEAD * PER_PAGE  # counted on page 1
    assert re.search(rf"more than {shown:,}|超过 ?{shown:,}", body)
    last = (cap + 5 + PER_PAGE - 1) // PER_PAGE
    assert ids_on(client, f"/orders/?q=大量&page={last}") == newest[(last - 1) * PER_PAGE:]


def test_a_search_does_not_reach_another_dealers_orders(client, world, login_as):
    from portal.orders.models import SalesOrder

    other = SalesOrder(dealer_id=world.dealer_b.id, region_id=world.dealer_b.region_id,
                       created_by_id=world.other_dealer.id, customer_name="数据客户乙",
                       contract_no="X-1", order_date=DAY, status="confirmed", total_fen=1)
    db.session.add(other)
    mine = orders(world, 2, customer="数据客户甲")
    db.session.flush()
    login_as(world.dealer_admin)
    assert sorted(ids_on(client, "/orders/?q=数据客户")) == sorted(o.id for o in mine)
    assert other.id not in ids_on(client, "/orders/?q=数据客户乙")


def test_the_csv_export_of_a_search_streams_every_row(client, world, login_as):
    """An export reads all matches, not the page's candidates, and is sent while it is made."""
    cap = (1 + COUNT_PAGES_AHEAD) * PER_PAGE + 1
    orders(world, cap + 40, customer="导出客户", contract="EXP")
    login_as(world.channel_manager)
    response = client.get("/orders/?q=导出&format=csv")
    assert response.status_code == 200 and response.is_streamed
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1 + cap + 40
    assert {r[5] for r in rows[1:]} == {"导出客户"}


def test_the_xlsx_export_holds_every_row_with_its_size(client, world, login_as):
    orders(world, 30, customer="表格客户", contract="XL")
    login_as(world.dealer_admin)
    response = client.get("/orders/?q=表格客户&format=xlsx")
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(response.data)
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 31 and {v[5] for v in values[1:]} == {"表格客户"}


def test_a_registration_search_of_two_characters_finds_project_and_customer(client, world,
                                                                            login_as):
    from portal.deals.models import Customer, DealRegistration

    def registration(project, customer_name):
        customer = Customer(dealer_id=world.dealer_a.id, region_id=world.dealer_a.region_id,
                            name=customer_name)
        db.session.add(customer)
        db.session.flush()
        deal = DealRegistration(dealer_id=world.dealer_a.id, created_by_id=world.dealer_admin.id,
                                customer_id=customer.id, region_id=world.dealer_a.region_id,
                                project_name=project, expected_close_date=DAY, status="draft")
        db.session.add(deal)
        db.session.flush()
        return deal

    by_project = registration("云计算平台", "甲公司")
    by_customer = registration("机房改造", "某云计有限公司")
    registration("机房改造", "乙公司")
    login_as(world.dealer_admin)
    found = ids_on(client, "/deals/?q=云计", path="/deals/")
    assert sorted(found) == sorted([by_project.id, by_customer.id])
    assert ids_on(client, "/deals/?q=%3Cscript%3E", path="/deals/") == []


def test_an_order_number_typed_from_its_start_finds_the_same_orders_as_anywhere(client, world,
                                                                               login_as):
    """`SO2026-0001` is read as the start of a number (the index serves it); typed in lower
    case, or as a part from the middle (`-0001`), it finds what a substring search finds."""
    made = orders(world, 12, contract="NUM")
    for o in made:
        o.number = f"SO2026-{o.id:05d}"
    made[0].number, made[1].number, made[2].number = "SO2026-10001", "SO2026-10012", "SO2025-10001"
    db.session.commit()
    login_as(world.channel_manager)
    wanted = {made[0].id, made[1].id}
    assert set(ids_on(client, "/orders/?q=SO2026-1000")) >= {made[0].id}
    assert set(ids_on(client, "/orders/?q=so2026-100")) == wanted
    assert made[2].id not in ids_on(client, "/orders/?q=SO2026-1")
    assert set(ids_on(client, "/orders/?q=-10001")) == {made[0].id, made[2].id}
    assert ids_on(client, "/orders/?q=SO2026-%25") == []  # a wildcard is not a number's start
