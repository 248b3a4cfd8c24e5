"""Catalogue administration: imports (all or nothing), price list dates, the discount matrix."""
from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from portal.catalog.models import PriceList, PriceListItem, Product, TierDiscount
from portal.core import clock
from portal.core.importer import (
    Field,
    ImportRejected,
    ImportSpec,
    integer,
    money,
    parse_rows,
    read_table,
    text,
    unique,
)


def upload(client, url, content: bytes, filename: str, **fields):
    data = {"file": (io.BytesIO(content), filename), **fields}
    return client.post(url, data=data, content_type="multipart/form-data")


def xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def n_products(db):
    return db.session.scalar(select(func.count()).select_from(Product))


def test_product_import_creates_and_updates_all_or_nothing(client, login_as, world, db):
    login_as(world.admin)
    before = n_products(db)
    good = ("SKU,产品名称,产品线,单位,启用,最低限价\n"
            "NEW-1,新服务器,p_server,台,是,5000\n"
            "P-SRV-1,改名的服务器,服务器,台,yes,6100.50\n").encode()
    r = upload(client, "/admin/catalog/products/import", good, "products.csv")
    assert r.status_code == 302
    assert n_products(db) == before + 1
    assert world.cat.srv.name == "改名的服务器" and world.cat.srv.floor_price_fen == 610_050

    bad = xlsx([["SKU", "Product name", "Product line", "Unit", "Active", "Floor price"],
                ["NEW-2", "好的一行", "p_storage", "台", "是", "100"],
                ["NEW-3", "", "p_storage", "台", "是", "100"],
                ["NEW-4", "负价格", "p_storage", "台", "是", "-5"],
                ["NEW-5", "未知产品线", "nope", "台", "maybe", "abc"],
                ["NEW-2", "重复", "p_storage", "台", "是", "1"]])
    r = upload(client, "/admin/catalog/products/import", bad, "products.xlsx")
    body = r.get_data(as_text=True)
    assert r.status_code == 422
    assert n_products(db) == before + 1     # nothing written, not even the good row
    for expected in ["This cell is empty.", "Must be at least", "Unknown product line",
                     "Enter yes or no", "Not an amount"]:
        assert expected in body, expected
    assert "<td>3</td><td>Product name</td>" in body and "<td>5</td><td>Active</td>" in body


def test_import_refuses_wrong_type_size_and_missing_columns(client, login_as, world, db):
    login_as(world.admin)
    r = upload(client, "/admin/catalog/products/import", b"MZ\x90\x00binary", "evil.exe")
    assert r.status_code == 422 and "Upload a .csv or .xlsx file." in r.get_data(as_text=True)
    r = upload(client, "/admin/catalog/products/import", b"not a zip", "fake.xlsx")
    assert r.status_code == 422 and "not an Excel .xlsx file" in r.get_data(as_text=True)
    r = upload(client, "/admin/catalog/products/import", b"a,b\n" + b"x" * (3 * 1024 * 1024), "big.csv")
    assert r.status_code == 422 and "larger than" in r.get_data(as_text=True)
    r = upload(client, "/admin/catalog/products/import", "SKU,单位\nX,台\n".encode(), "p.csv")
    assert r.status_code == 422 and "This column is missing." in r.get_data(as_text=True)
    r = client.post("/admin/catalog/products/import", data={})
    assert r.status_code == 422 and "Choose a file" in r.get_data(as_text=True)


def test_report_is_in_the_users_language(client, login_as, world, db):
    world.admin.locale = "zh_CN"
    login_as(world.admin)
    r = upload(client, "/admin/catalog/products/import", "SKU,单位\nX,台\n".encode(), "p.csv")
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    assert "This column is missing." not in body and "行" in body


def test_price_list_import_and_overlap(client, login_as, world, db):
    login_as(world.admin)
    start = world.cat.upcoming.effective_from + timedelta(days=10)
    content = b"SKU,List price\nP-SRV-1,\"12,000.00\"\nP-STO-1,60000\n"
    r = upload(client, "/admin/catalog/price-lists/new", content, "list.csv", name="再下期",
               effective_from=start.isoformat())
    assert r.status_code == 422 and "overlap the price list “下期目录价”" in r.get_data(as_text=True)
    lists = db.session.scalar(select(func.count()).select_from(PriceList))
    # end the scheduled list first, then the import goes through
    r = client.post(f"/admin/catalog/price-lists/{world.cat.upcoming.id}",
                    data={"name": "下期目录价", "effective_from": world.cat.upcoming.effective_from.isoformat(),
                          "effective_to": (start - timedelta(days=1)).isoformat()})
    assert r.status_code == 302
    r = upload(client, "/admin/catalog/price-lists/new", content, "list.csv", name="再下期",
               effective_from=start.isoformat())
    assert r.status_code == 302
    plist = db.session.scalar(select(PriceList).where(PriceList.name == "再下期"))
    prices = dict(db.session.execute(select(PriceListItem.product_id, PriceListItem.list_price_fen)
                                     .where(PriceListItem.price_list_id == plist.id)).all())
    assert prices == {world.cat.srv.id: 1_200_000, world.cat.sto.id: 6_000_000}
    assert db.session.scalar(select(func.count()).select_from(PriceList)) == lists + 1


def test_price_list_with_unknown_sku_or_bad_price_writes_nothing(client, login_as, world, db):
    login_as(world.admin)
    world.cat.upcoming.effective_to = world.cat.upcoming.effective_from + timedelta(days=5)
    db.session.commit()
    lists = db.session.scalar(select(func.count()).select_from(PriceList))
    content = b"SKU,List price\nP-SRV-1,100\nGHOST-9,100\nP-STO-1,0\nP-SRV-1,5\n"
    r = upload(client, "/admin/catalog/price-lists/new", content, "list.csv", name="坏文件",
               effective_from=(world.cat.upcoming.effective_to + timedelta(days=1)).isoformat())
    body = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Unknown SKU “GHOST-9”" in body and "Must be at least ¥0.01" in body
    assert db.session.scalar(select(func.count()).select_from(PriceList)) == lists


def test_price_list_dates_cannot_be_reversed_or_overlap(client, login_as, world, db):
    login_as(world.admin)
    cur = world.cat.current
    r = client.post(f"/admin/catalog/price-lists/{cur.id}",
                    data={"name": cur.name, "effective_from": cur.effective_from.isoformat(),
                          "effective_to": (cur.effective_from - timedelta(days=1)).isoformat()})
    assert r.status_code == 422 and "cannot be before" in r.get_data(as_text=True)
    r = client.post(f"/admin/catalog/price-lists/{cur.id}",
                    data={"name": cur.name, "effective_from": cur.effective_from.isoformat(),
                          "effective_to": ""})
    assert r.status_code == 422 and "only one list may be in force" in r.get_data(as_text=True)
    db.session.refresh(cur)
    assert cur.effective_to == clock.today() + timedelta(days=30)


def test_templates_download(client, login_as, world):
    login_as(world.admin)
    r = client.get("/admin/catalog/products/template.csv")
    assert r.status_code == 200 and "SKU,Product name,English name,Product line,Unit,Unit (English)" in r.get_data(as_text=True)
    r = client.get("/admin/catalog/price-lists/template.xlsx")
    ws = load_workbook(io.BytesIO(r.data)).active
    assert [c.value for c in ws[1]] == ["SKU", "List price", "English name", "Unit (English)"]


def test_discount_matrix_is_entered_in_percent(client, login_as, world, db):
    login_as(world.admin)
    page = client.get("/admin/catalog/discounts").get_data(as_text=True)
    assert f'name="platinum-{world.cat.server.id}" value="25"' in page
    data = {f"platinum-{world.cat.server.id}": "27.5", f"gold-{world.cat.server.id}": "abc"}
    r = client.post("/admin/catalog/discounts", data=data)
    assert r.status_code == 422
    assert db.session.scalar(select(TierDiscount.discount_bp).where(
        TierDiscount.tier == "platinum", TierDiscount.line_id == world.cat.server.id)) == 2500
    data[f"gold-{world.cat.server.id}"] = "20"
    assert client.post("/admin/catalog/discounts", data=data).status_code == 302
    assert db.session.scalar(select(TierDiscount.discount_bp).where(
        TierDiscount.tier == "platinum", TierDiscount.line_id == world.cat.server.id)) == 2750
    r = client.post("/admin/catalog/discounts", data={f"gold-{world.cat.server.id}": "100"})
    assert r.status_code == 422


def test_product_form_validates(client, login_as, world, db):
    login_as(world.admin)
    r = client.post("/admin/catalog/products/new", data={"sku": "P-SRV-1", "name": "",
                                                         "line_id": "", "floor_price": "-1"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and "Enter a price between" in body and "Enter the product name" in body
    r = client.post("/admin/catalog/products/new", data={"sku": "P-SRV-1", "name": "x",
                                                         "line_id": str(world.cat.server.id)})
    assert r.status_code == 422 and "already exists" in r.get_data(as_text=True)
    r = client.post("/admin/catalog/products/new", data={"sku": "p-new-9", "name": "新品",
                                                         "line_id": str(world.cat.server.id),
                                                         "active": "y", "floor_price": "99.5"})
    assert r.status_code == 302
    p = db.session.scalar(select(Product).where(Product.sku == "P-NEW-9"))
    assert p.floor_price_fen == 9950 and p.active


# --- the generic importer, as the orders domain will use it --------------------------------------

SPEC = ImportSpec(fields=[Field("sku", "SKU", text(10)), Field("qty", "Quantity", integer(1, 99)),
                          Field("price", "Price", money(), required=False)],
                  row_check=lambda v: {"qty": "too many"} if v["qty"] == 13 else {},
                  checks=[unique("sku")])


def test_importer_reports_every_row_and_column():
    table = read_table(b"sku,quantity,price\nA,1,\nB,x,1.234\n,5,1\nA,13,2\n", "o.csv")
    try:
        parse_rows(SPEC, table)
    except ImportRejected as exc:
        got = [(e.row, e.column, str(e.message)) for e in exc.errors]
    else:
        raise AssertionError("not rejected")
    assert (3, "Quantity", "Not a whole number: “x”.") in got
    assert (3, "Price", "Use at most two decimal places.") in got
    assert (4, "SKU", "This cell is empty.") in got
    assert (5, "Quantity", "too many") in got


def test_importer_parses_xlsx_numbers_exactly():
    rows = parse_rows(SPEC, read_table(xlsx([["SKU", "Quantity", "Price"], ["A", 2, 9999.99],
                                             ["B", 3.0, 0.1], [None, None, None]]), "o.xlsx"))
    assert [(r.number, r.values) for r in rows] == [
        (2, {"sku": "A", "qty": 2, "price": 999_999}), (3, {"sku": "B", "qty": 3, "price": 10})]


def test_importer_reads_gb18030_csv_and_semicolons():
    content = "sku;quantity\nA;1\n".encode("gb18030")
    assert parse_rows(SPEC, read_table(content, "o.csv"))[0].values["qty"] == 1
    dup = read_table(b"sku,quantity\nA,1\na,2\n", "o.csv")
    try:
        parse_rows(SPEC, dup)
    except ImportRejected as exc:
        assert [(e.row, str(e.message)) for e in exc.errors] == [(3, "Repeats row 2.")]
