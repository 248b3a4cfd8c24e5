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
