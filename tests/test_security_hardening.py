"""Hostile input found when the portal was tried from outside: each answer is a clear 4xx, no user
markup reaches a page live, and nothing changes."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.orders.models import SalesOrder

META = '<meta http-equiv=refresh content="0;url=https://example.org">'


def count_orders(db):
    return db.session.scalar(select(func.count(SalesOrder.id)))


def order_form(**extra):
    data = {"contract_no": "HT-H-1", "order_date": clock.today().isoformat(), "deal_id": "",
            "customer_name": "某客户", "action": "submit", "sku-0": "TO-SRV-740", "quantity-0": "1"}
    data.update(extra)
    return data


@pytest.mark.parametrize("field", ["sku-0", "quantity-0", "order_date", "deal_id"])
def test_markup_in_an_order_field_comes_back_escaped(client, login_as, world, db, field):
    world.order_catalogue  # noqa: B018 - the catalogue the form prices from
    login_as(world.dealer_sales)
    before = count_orders(db)
    response = client.post("/orders/new", data=order_form(**{field: META}))
    assert response.status_code in (400, 404, 422)
    assert "<meta http-equiv=refresh" not in response.text
    assert count_orders(db) == before


def test_markup_in_a_saved_order_is_shown_as_text(client, login_as, world, db):
    world.order_catalogue  # noqa: B018
    login_as(world.dealer_sales)
    response = client.post("/orders/new", data=order_form(customer_name=META, contract_no="<b>x</b>"))
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "<meta http-equiv=refresh" not in page.text and "<b>x</b>" not in page.text
    assert "&lt;b&gt;x&lt;/b&gt;" in page.text


def test_markup_in_uploaded_order_cells_comes_back_escaped(client, login_as, world, db):
    world.order_catalogue  # noqa: B018
    login_as(world.dealer_sales)
    csv = f"contract_no,order_date,customer_name,sku,quantity\n{META},2026-11-02,{META},{META},{META}\n"
    response = client.post("/orders/upload", data={"file": (io.BytesIO(csv.encode()), "orders.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "<meta http-equiv=refresh" not in response.text
    assert "&lt;meta http-equiv=refresh" in response.text


# --- uploads: limits enforced while reading ------------------------------------------------------

def _xlsx_with_sheet(sheet_xml: str) -> bytes:
    """A real workbook whose first sheet's XML is replaced by `sheet_xml`."""
    import zipfile

    from openpyxl import Workbook

    buf = io.BytesIO()
    wb = Workbook()
    wb.active.append(["SKU", "Product name"])
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode()
            dst.writestr(item, data)
    return out.getvalue()


SHEET = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{dtd}'
         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         '<dimension ref="{dim}"/><sheetData>{rows}</sheetData></worksheet>')


def _row(number: int, text: str, column: str = "A") -> str:
    return f'<row r="{number}"><c r="{column}{number}" t="inlineStr"><is><t>{text}</t></is></c></row>'


def upload(client, url, content: bytes, filename: str, **fields):
    data = {"file": (io.BytesIO(content), filename), **fields}
    return client.post(url, data=data, content_type="multipart/form-data")


def n_products(db):
    from portal.catalog.models import Product

    return db.session.scalar(select(func.count()).select_from(Product))


def test_a_sheet_claiming_a_huge_dimension_is_read_within_the_limits(client, login_as, world, db):
    import time

    login_as(world.admin)
    before = n_products(db)
    content = _xlsx_with_sheet(SHEET.format(dtd="", dim="A1:XFD2000",
                                            rows=_row(1, "SKU") + _row(2000, "X", "XFD")))
    assert len(content) < 8192
    started = time.perf_counter()
    response = upload(client, "/admin/catalog/products/import", content, "p.xlsx")
    assert time.perf_counter() - started < 1.5
    assert response.status_code == 422 and n_products(db) == before


def test_rows_running_sparsely_to_the_last_row_are_refused_as_too_many(client, login_as, world, db):
    login_as(world.admin)
    content = _xlsx_with_sheet(SHEET.format(dtd="", dim="A1:B1048576",
                                            rows=_row(1, "SKU") + _row(1048576, "X")))
    response = upload(client, "/admin/catalog/products/import", content, "p.xlsx")
    assert response.status_code == 422 and "Too many rows" in response.text


def test_an_xlsx_declaring_entities_is_refused(client, login_as, world, db):
    login_as(world.admin)
    dtd = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
           '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')
    content = _xlsx_with_sheet(SHEET.format(dtd=dtd, dim="A1:A2", rows=_row(1, "SKU") + _row(2, "&lol3;")))
    response = upload(client, "/admin/catalog/products/import", content, "p.xlsx")
    assert response.status_code == 422 and "entities" in response.text


def test_a_csv_cell_over_128_kb_is_refused_with_a_message(client, login_as, world, db):
    login_as(world.admin)
    before = n_products(db)
    content = b"SKU,Product name\nX,\"" + b"y" * (130 * 1024) + b"\"\n"
    response = upload(client, "/admin/catalog/products/import", content, "p.csv")
    assert response.status_code == 422 and "could not be read" in response.text
    assert n_products(db) == before
    content = b"SKU,Product name\nX," + b"y" * 5000 + b"\n"
    response = upload(client, "/admin/catalog/products/import", content, "p.csv")
    assert response.status_code == 422 and "longer than 2000 characters" in response.text


def test_markup_in_catalogue_cells_comes_back_escaped(client, login_as, world, db):
    login_as(world.admin)
    content = f"SKU,产品名称,产品线,单位,启用,最低限价\n{META},x,{META},台,{META},{META}\n".encode()
    response = upload(client, "/admin/catalog/products/import", content, "p.csv")
    assert response.status_code == 422
    assert "<meta http-equiv=refresh" not in response.text and "&lt;meta" in response.text


# --- numbers and ids: one parser, with bounds ----------------------------------------------------

def deal_form(world, **overrides):
    from datetime import timedelta

    data = {"project_name": "华东数据中心二期", "customer_id": "new",
            "customer_name": "杭州示例网络科技有限公司", "line_0": str(world.lines[0].id), "qty_0": "8",
            "estimated_value": "1,250,000.50",
            "expected_close_date": (clock.today() + timedelta(days=90)).isoformat(),
            "stage": "solution", "competitors": "", "notes": "", "action": "save"}
    data.update(overrides)
    return data


def n_rows(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("value", ["1e30", "1e309", "-1e309", "9" * 5000, "nan", "²", "١٢٣"])
def test_a_huge_or_exotic_estimated_value_is_a_message(client, login_as, world, db, value):
    from portal.deals.models import DealRegistration

    login_as(world.dealer_sales)
    before = n_rows(db, DealRegistration)
    response = client.post("/deals/new", data=deal_form(world, estimated_value=value))
    assert response.status_code == 422
    assert n_rows(db, DealRegistration) == before


@pytest.mark.parametrize("field, value", [("customer_id", "²"), ("customer_id", "9" * 5000),
                                          ("line_0", "²"), ("line_0", "9" * 5000),
                                          ("qty_0", "9" * 5000), ("qty_0", "１２")])
def test_exotic_ids_and_quantities_on_a_registration_are_messages(client, login_as, world, db, field, value):
    from portal.deals.models import DealRegistration

    login_as(world.dealer_sales)
    before = n_rows(db, DealRegistration)
    response = client.post("/deals/new", data=deal_form(world, **{field: value}))
    if field == "qty_0" and value == "１２":  # full-width digits, as a Chinese input method types them
        assert response.status_code == 302
        return
    assert response.status_code == 422
    assert n_rows(db, DealRegistration) == before


@pytest.mark.parametrize("value", ["1e309", "1e30", "9" * 5000])
def test_a_huge_exception_price_is_a_message(client, login_as, world, db, value):
    from portal.pricing.models import PriceException

    login_as(world.dealer_sales)
    before = n_rows(db, PriceException)
    data = {"deal_id": str(world.pdeal.id), "rows": "1", "action": "submit", "reason": "竞品",
            "sku-0": "P-SRV-1", "quantity-0": "1", "price-0": value}
    response = client.post("/exceptions/new", data=data)
    assert response.status_code == 422 and n_rows(db, PriceException) == before
    response = client.post("/exceptions/new", data={**data, "rows": "9" * 5000, "price-0": "6700"})
    assert response.status_code in (302, 422)


@pytest.mark.parametrize("field, value", [("value-0", "1e309"), ("depth-0", "1e309"), ("level-0", "²"),
                                          ("days-0", "9" * 5000)])
def test_huge_numbers_in_the_approval_matrix_are_messages(client, login_as, world, field, value):
    from portal.pricing import workflow

    login_as(world.admin)
    before = [(r.level, r.approvers) for r in workflow.rules()]
    data = {"level-0": "1", "depth-0": "", "value-0": "", "days-0": "1", "approver-0-0": "channel_manager"}
    data[field] = value
    response = client.post("/admin/approval-matrix", data=data)
    assert response.status_code == 422
    assert [(r.level, r.approvers) for r in workflow.rules()] == before


@pytest.mark.parametrize("path", ["/deals/99999999999999999999", "/orders/99999999999999999999",
                                  "/exceptions/2147483648", "/conflicts/" + "9" * 5000,
                                  "/customers/99999999999999999999"])
def test_an_id_beyond_any_table_is_not_found(client, login_as, world, path):
    login_as(world.channel_manager)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("page", ["9" * 30, "-1", "²", "1e9", "99999"])
def test_any_page_number_shows_a_page(client, login_as, world, page):
    login_as(world.channel_manager)
    for path in ("/deals/", "/orders/", "/exceptions/"):
        assert client.get(f"{path}?page={page}").status_code == 200


def test_an_overlong_or_nul_query_value_is_a_message(client, login_as, world):
    login_as(world.channel_manager)
    for query in ("page=" + "9" * 5000, "q=" + "x" * 201, "q=a%00b", "status=%00"):
        response = client.get(f"/orders/?{query}")
        assert response.status_code == 422, query
        assert "longer than 200 characters" in response.text or "NUL character" in response.text


@pytest.mark.parametrize("rep", ["999999", "9" * 5000, "²"])
def test_an_unknown_account_owner_is_a_message(client, login_as, world, db, rep):
    from portal.deals.models import Customer

    login_as(world.channel_manager)
    before = n_rows(db, Customer)
    response = client.post("/customers/new", data={"name": "北京某某科技有限公司", "owner_rep_id": rep})
    assert response.status_code == 422 and n_rows(db, Customer) == before
    response = client.post("/customers/new", data={"name": "北京某某科技有限公司",
                                                   "owner_rep_id": str(world.sales_rep.id)})
    assert response.status_code == 302


# --- ids in forms are scoped like ids in URLs ----------------------------------------------------

def test_a_channel_manager_cannot_link_or_reveal_another_regions_customer(client, login_as, world, db):
    from portal.deals.models import CustomerLink
    from tests.routes.deals import make_customer

    east = make_customer(world.dealer_b, "杭州乙方秘密客户有限公司")
    db.session.commit()
    login_as(world.channel_manager)
    before = n_rows(db, CustomerLink)
    response = client.post(f"/customers/{world.customer_a.id}/links", data={"other_id": str(east.id)})
    assert response.status_code == 303
    assert n_rows(db, CustomerLink) == before
    page = client.get(f"/customers/{world.customer_a.id}")
    assert "杭州乙方秘密客户有限公司" not in page.text


def test_a_link_made_elsewhere_does_not_show_another_regions_customer(client, login_as, world, db):
    from portal.deals.models import CustomerLink
    from tests.routes.deals import make_customer

    east = make_customer(world.dealer_b, "杭州乙方秘密客户有限公司")
    a, b = sorted((world.customer_a.id, east.id))
    db.session.add(CustomerLink(a_id=a, b_id=b, linked=True, source="matcher"))
    db.session.commit()
    login_as(world.channel_manager)
    assert "杭州乙方秘密客户有限公司" not in client.get(f"/customers/{world.customer_a.id}").text
    login_as(world.sales_director)
    assert "杭州乙方秘密客户有限公司" in client.get(f"/customers/{world.customer_a.id}").text


# --- redirects and headers -----------------------------------------------------------------------

@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example",
                                    "/\t/evil.example", "javascript:alert(1)"])
def test_a_decision_never_redirects_off_the_portal(client, login_as, world, db, target):
    login_as(world.channel_manager)
    order = world.order_submitted
    response = client.post(f"/orders/{order.id}/reject", data={"reason": "价格不对", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/") and "evil" not in response.headers["Location"]


def test_pages_and_exports_are_not_stored_by_browsers(client, login_as, world):
    login_as(world.channel_manager)
    for path in ("/", "/orders/", "/orders/?format=csv", "/orders/?format=xlsx", "/deals/"):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path


def test_production_sends_strict_transport_security(app):
    from portal import create_app

    production = create_app({"PORTAL_ENV": "production", "SECRET_KEY": "x" * 32, "TESTING": True,
                             "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    response = production.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers


def test_csv_keeps_negative_amounts_as_numbers_and_escapes_formulas():
    from portal.core.export import safe_cell

    assert safe_cell("-5.00") == "-5.00" and safe_cell("+3") == "+3" and safe_cell("-7") == "-7"
    assert safe_cell("=1+2") == "'=1+2" and safe_cell("-2+3") == "'-2+3"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell("-") == "'-"


def test_only_the_escaping_lazy_translation_is_used():
    """`flask_babel.lazy_gettext` marks a message with a user's value as safe HTML; every module
    uses `portal.core.i18n`'s instead."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[1] / "portal"
    offenders = [str(p) for p in root.rglob("*.py")
                 if re.search(r"from flask_babel import[^\n]*lazy_", p.read_text(encoding="utf-8"))]
    assert offenders == []
