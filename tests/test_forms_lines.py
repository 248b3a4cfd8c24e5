"""Forms that fit the work (DESIGN §3.9): customer search as you type, SKU suggestions in each
line, any number of lines (with and without JavaScript), English product names on English pages."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.catalog.models import Product
from portal.core import clock
from portal.deals.models import DealRegistration
from portal.orders.forms import MAX_LINES
from portal.orders.models import SalesOrder
from tests.routes.deals import make_customer


@pytest.fixture(autouse=True)
def _committed(world, db):
    db.session.commit()


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


# --- customer search ---------------------------------------------------------------------------

def test_customer_search_finds_only_the_dealers_own_customers(world, client, login_as, db):
    mine = make_customer(world.dealer_a, name="杭州星河数据科技有限公司")
    theirs = make_customer(world.dealer_b, name="杭州星河数据服务有限公司")
    db.session.commit()
    login_as(world.dealer_sales)
    page = client.get("/customers/search", query_string={"customer_q": "星河"})
    assert page.status_code == 200
    assert f'value="{mine.id}"' in page.text and mine.name in page.text
    assert theirs.name not in page.text and f'value="{theirs.id}"' not in page.text
    # by the other dealer's exact name or id-looking text: still nothing of theirs
    for q in (theirs.name, str(theirs.id)):
        assert theirs.name not in client.get("/customers/search", query_string={"customer_q": q}).text


def test_customer_search_escapes_markup_and_is_bounded(world, client, login_as, db):
    for i in range(15):
        make_customer(world.dealer_a, name=f"宁波测试{i:02d}<b>贸易</b>有限公司")
    db.session.commit()
    login_as(world.dealer_admin)
    page = client.get("/customers/search", query_string={"customer_q": "<script>alert(1)</script>"})
    assert page.status_code == 200 and "<script>alert(1)" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text  # "no customer matches “…”"
    many = client.get("/customers/search", query_string={"customer_q": "宁波测试"})
    assert many.text.count('name="customer_id" value="') - many.text.count('value="new"') == 10
    assert "<b>贸易</b>" not in many.text and "&lt;b&gt;贸易&lt;/b&gt;" in many.text
    assert "type more of the name" in many.text
    assert client.get("/customers/search", query_string={"customer_q": "x" * 5000}).status_code in (200, 422)


def deal_form(world, **overrides):
    data = {"project_name": "宁波港口扩容", "customer_id": "", "customer_q": "",
            "line_0": str(world.lines[0].id), "qty_0": "2", "estimated_value": "300000",
            "expected_close_date": (clock.today() + timedelta(days=60)).isoformat(),
            "stage": "qualifying", "action": "save"}
    data.update(overrides)
    return data


def test_registration_without_javascript_looks_the_typed_customer_up(world, client, login_as, db):
    one = make_customer(world.dealer_a, name="温州瓯江电气有限公司")
    make_customer(world.dealer_a, name="温州瓯海机械有限公司")
    make_customer(world.dealer_b, name="温州瓯江电气集团有限公司")  # another dealer's: never chosen
    db.session.commit()
    login_as(world.dealer_sales)
    before = count(db, DealRegistration)
    several = client.post("/deals/new", data=deal_form(world, customer_q="温州瓯"))
    assert several.status_code == 422 and count(db, DealRegistration) == before
    assert "choose one" in several.text and 'name="customer_id" value="' in several.text
    assert "温州瓯江电气集团" not in several.text
    none = client.post("/deals/new", data=deal_form(world, customer_q="<i>不存在</i>"))
    assert none.status_code == 422 and "None of your customers matches" in none.text
    assert "<i>不存在</i>" not in none.text and "&lt;i&gt;不存在&lt;/i&gt;" in none.text
    saved = client.post("/deals/new", data=deal_form(world, customer_q="瓯江电气"))
    assert saved.status_code == 302
    deal = db.session.scalar(select(DealRegistration).where(DealRegistration.project_name == "宁波港口扩容"))
    assert deal.customer_id == one.id


def test_registration_refuses_another_dealers_customer_id(world, client, login_as, db):
    theirs = make_customer(world.dealer_b, name="绍兴乙方客户有限公司")
    db.session.commit()
    login_as(world.dealer_sales)
    before = count(db, DealRegistration)
    r = client.post("/deals/new", data=deal_form(world, customer_id=str(theirs.id)))
    assert r.status_code == 422 and count(db, DealRegistration) == before
    assert theirs.name not in r.text


def test_registration_lines_any_number_and_add_line_without_javascript(world, client, login_as, db):
    login_as(world.dealer_sales)
    data = deal_form(world, customer_id="new", customer_name="嘉兴多行测试有限公司")
    for i in range(7):
        data[f"line_{i}"], data[f"qty_{i}"] = str(world.lines[i % len(world.lines)].id), str(i + 1)
    before = count(db, DealRegistration)
    added = client.post("/deals/new", data={**data, "action": "add_line"})
    assert added.status_code == 200 and 'name="line_7"' in added.text and 'name="line_8"' not in added.text
    assert count(db, DealRegistration) == before  # adding a line saves nothing
    removed = client.post("/deals/new", data={**data, "action": "remove-0"})
    assert 'name="line_6"' not in removed.text and 'name="line_5"' in removed.text
    assert client.post("/deals/new", data=data).status_code == 302
    deal = db.session.scalar(select(DealRegistration).where(DealRegistration.project_name == "宁波港口扩容"))
    assert sorted(ln.quantity for ln in deal.lines) == [1, 2, 3, 4, 5, 6, 7]


# --- order lines -------------------------------------------------------------------------------

def order_data(lines, contract="HT-LINES-1", **extra):
    data = {"contract_no": contract, "order_date": clock.today().isoformat(),
            "customer_name": "某最终用户", "action": "submit", **extra}
    for i, (sku, qty) in enumerate(lines):
        data[f"sku-{i}"], data[f"quantity-{i}"] = sku, str(qty)
    return data


def twelve_products(world, db):
    cat = world.order_catalogue
    products = []
    for i in range(12):
        p = Product(sku=f"TO-MULTI-{i:02d}", name=f"多行测试产品{i}", name_en=f"Multi-line product {i}",
                    line_id=cat.server.line_id, unit="台", unit_en="unit", active=True)
        db.session.add(p)
        products.append(p)
    db.session.flush()
    from portal.catalog.models import PriceListItem

    plist_id = db.session.scalar(select(PriceListItem.price_list_id).where(
        PriceListItem.product_id == cat.server.id))
    for i, p in enumerate(products):
        db.session.add(PriceListItem(price_list_id=plist_id, product_id=p.id,
                                     list_price_fen=100_00 * (i + 1)))
    db.session.commit()
    return products


def test_an_order_of_twelve_lines_saves_twelve_lines(world, client, login_as, db):
    products = twelve_products(world, db)
    login_as(world.dealer_sales)
    r = client.post("/orders/new", data=order_data([(p.sku, i + 1) for i, p in enumerate(products)]))
    assert r.status_code == 302
    order = db.session.scalar(select(SalesOrder).where(SalesOrder.contract_no == "HT-LINES-1"))
    assert len(order.lines) == 12
    assert sorted(ln.quantity for ln in order.lines) == list(range(1, 13))
    assert order.total_fen == sum(ln.amount_fen for ln in order.lines)
    assert all(ln.amount_fen == ln.unit_price_fen * ln.quantity for ln in order.lines)


def test_line_numbers_need_not_be_consecutive(world, client, login_as, db):
    products = twelve_products(world, db)
    login_as(world.dealer_sales)
    data = order_data([], contract="HT-GAPS")
    data.update({"sku-3": products[0].sku, "quantity-3": "2", "sku-41": products[1].sku,
                 "quantity-41": "1"})
    assert client.post("/orders/new", data=data).status_code == 302
    order = db.session.scalar(select(SalesOrder).where(SalesOrder.contract_no == "HT-GAPS"))
    assert {ln.product.sku: ln.quantity for ln in order.lines} == {products[0].sku: 2, products[1].sku: 1}


def test_add_line_without_javascript_keeps_what_was_typed(world, client, login_as, db):
    login_as(world.dealer_sales)
    data = order_data([("TO-SRV-740", 3), ("<b>x</b>", 1)], action="add_line")
    before = count(db, SalesOrder)
    page = client.post("/orders/new", data=data)
    assert page.status_code == 200 and count(db, SalesOrder) == before
    assert 'name="sku-2"' in page.text and 'name="sku-3"' not in page.text
    assert 'value="TO-SRV-740"' in page.text and "<b>x</b>" not in page.text
    assert "<html" in page.text  # a whole page without htmx
    fragment = client.post("/orders/new", data=data, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text and 'name="sku-2"' in fragment.text
    removed = client.post("/orders/new", data={**order_data([("A", 1), ("B", 2), ("C", 3)]),
                                               "action": "remove-1"})
    assert 'value="A"' in removed.text and 'value="B"' not in removed.text and 'value="C"' in removed.text


def test_huge_line_counts_are_refused_with_a_message(world, client, login_as, db):
    login_as(world.dealer_sales)
    before = count(db, SalesOrder)
    r = client.post("/orders/new", data=order_data([("TO-SRV-740", 1)] * (MAX_LINES + 5)))
    assert r.status_code == 422 and f"At most {MAX_LINES} lines per order" in r.text
    assert count(db, SalesOrder) == before
    assert r.text.count('name="sku-') <= MAX_LINES
    at_limit = client.post("/orders/new", data=order_data([("TO-SRV-740", 1)] * MAX_LINES,
                                                          action="add_line"))
    assert at_limit.status_code == 422 and f"At most {MAX_LINES} lines per order" in at_limit.text
    # a line number far beyond any form
    far = client.post("/orders/new", data={**order_data([]), "sku-99999999999": "TO-SRV-740",
                                           "quantity-99999999999": "1"})
    assert far.status_code == 422 and count(db, SalesOrder) == before


def test_bad_quantity_and_registration_texts_are_field_errors(world, client, login_as, db):
    login_as(world.dealer_sales)
    r = client.post("/orders/new", data=order_data([("TO-SRV-740", "三")], deal_id="abc",
                                                   order_date="2026-13-45"))
    assert r.status_code == 422
    assert "Choose one of your approved, protected registrations." in r.text
    assert "Enter the order date as YYYY-MM-DD." in r.text
    assert 'id="error-summary"' in r.text


def test_sku_suggestions_escape_markup_and_are_bounded(world, client, login_as, db):
    twelve_products(world, db)
    login_as(world.dealer_sales)
    r = client.get("/orders/skus/options", query_string={"row": "4", "sku-4": "TO-MULTI"})
    assert r.status_code == 200 and 'id="sku-options-4"' in r.text
    assert r.text.count("<option") == 12
    evil = client.get("/orders/skus/options", query_string={"row": "1", "sku-1": '"><script>x</script>'})
    assert evil.status_code == 200 and "<script>" not in evil.text
    assert client.get("/orders/skus/options", query_string={"row": "9" * 30}).status_code == 200


def test_english_pages_show_english_product_names_and_units(world, client, login_as, db):
    twelve_products(world, db)
    world.dealer_sales.locale = "zh_CN"
    db.session.commit()
    login_as(world.dealer_sales)
    zh = client.get("/orders/skus", query_string={"q": "TO-MULTI-01"}).text
    assert "多行测试产品1" in zh and "Multi-line product 1" not in zh and ">台<" in zh
    world.dealer_sales.locale = "en"
    db.session.commit()
    en = client.get("/orders/skus", query_string={"q": "TO-MULTI-01"}).text
    assert "Multi-line product 1" in en and "多行测试产品1" not in en and ">unit<" in en
    options = client.get("/orders/skus/options", query_string={"row": "0", "sku-0": "TO-MULTI-01"}).text
    assert "Multi-line product 1" in options


def test_refused_and_grown_forms_have_no_html_checker_errors(world, client, login_as, db, tmp_path):
    """The states the page matrix does not open: a refused form with its summary and choices,
    a form grown by "Add a line", the special-price request with a line removed."""
    import shutil

    from tests.test_markup import VNU, run_vnu

    if not VNU.exists() or not shutil.which("java"):
        pytest.skip("the Nu HTML Checker needs `make setup` (vnu-jar in tools/, Java from Debian)")
    make_customer(world.dealer_a, name="台州甲客户有限公司")
    make_customer(world.dealer_a, name="台州乙客户有限公司")
    db.session.commit()
    login_as(world.dealer_sales)
    pages = [
        client.post("/deals/new", data=deal_form(world, customer_q="台州")),
        client.post("/deals/new", data={**deal_form(world), "action": "add_line"}),
        client.post("/orders/new", data=order_data([("NOPE", "x")] * 4, deal_id="abc")),
        client.post("/orders/new", data=order_data([("TO-SRV-740", 1)], action="add_line")),
        client.post("/exceptions/new", data={"deal_id": "", "rows": "3", "sku-0": "A",
                                             "action": "remove-1"}),
    ]
    files = []
    for i, page in enumerate(pages):
        assert page.status_code in (200, 422) and page.text.lstrip().lower().startswith("<!doctype")
        files.append(tmp_path / f"{i}.html")
        files[-1].write_text(page.text, encoding="utf-8")
    assert run_vnu(files) == []


def test_a_registration_with_too_many_rows_is_refused_with_a_message(world, client, login_as, db):
    from portal.deals.forms import MAX_ROWS

    login_as(world.dealer_sales)
    data = deal_form(world, customer_id="new", customer_name="湖州多行有限公司")
    for i in range(MAX_ROWS + 10):
        data[f"line_{i}"], data[f"qty_{i}"] = str(world.lines[0].id), "1"
    before = count(db, DealRegistration)
    r = client.post("/deals/new", data=data)
    assert r.status_code == 422 and f"At most {MAX_ROWS} product lines" in r.text
    assert count(db, DealRegistration) == before and r.text.count('name="line_') <= MAX_ROWS
    grown = client.post("/deals/new", data={**data, "action": "add_line"})
    assert grown.status_code == 422 and f"At most {MAX_ROWS} product lines" in grown.text
    nothing = client.post("/deals/new", data={**deal_form(world), "action": "remove-99999999999"})
    assert nothing.status_code == 200 and 'name="line_0"' in nothing.text
