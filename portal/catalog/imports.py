"""The catalogue's imports: products (create or update by SKU) and price lists (SKU → list price).

Both validate the whole file with `portal.core.importer` before writing anything.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.catalog import services
from portal.catalog.models import PriceList, Product, ProductLine
from portal.core import audit
from portal.core.errors import ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.core.importer import CellError, Field, ImportSpec, boolean, import_rows, money, text, unique
from portal.extensions import db


def product_spec() -> ImportSpec:
    line_codes = {ln.code: ln.id for ln in db.session.scalars(select(ProductLine))}
    line_names = {name.casefold(): ln.id for ln in db.session.scalars(select(ProductLine))
                  for name in (ln.name_zh, ln.name_en)}

    def line(value: str) -> int:
        found = line_codes.get(value.lower()) or line_names.get(value.casefold())
        if found is None:
            raise CellError(_l("Unknown product line “%(value)s”; use one of: %(codes)s.",
                               value=value, codes=", ".join(sorted(line_codes))))
        return found

    return ImportSpec(
        fields=[
            Field("sku", _l("SKU"), lambda v: text(40)(v).upper(), aliases=("物料号", "SKU")),
            Field("name", _l("Product name"), text(200), aliases=("名称", "产品名称", "name")),
            Field("name_en", _l("English name"), text(200), required=False, default="",
                  aliases=("英文名称", "name_en", "english name")),
            Field("line", _l("Product line"), line, aliases=("产品线", "line")),
            Field("unit", _l("Unit"), text(20), required=False, default="台",
                  aliases=("单位", "unit")),
            Field("unit_en", _l("Unit (English)"), text(20), required=False, default="",
                  aliases=("英文单位", "unit_en")),
            Field("active", _l("Active"), boolean(), required=False, default=True,
                  aliases=("启用", "active")),
            Field("floor_price", _l("Floor price"), money(), required=False,
                  aliases=("最低限价", "floor_price")),
        ],
        checks=[unique("sku")],
    )


PRODUCT_EXAMPLES = [["SRV-R740-G2", "华辰 R740 双路机架服务器", "Huachen R740 dual-socket rack server",
                     "server", "台", "unit", "是", "38000.00"],
                    ["SW-BAK-STD", "华辰数据备份软件 标准版", "Huachen data backup software, Standard",
                     "software", "套", "set", "是", ""]]


def import_products(actor, upload) -> tuple[int, int]:
    """Create or update products from a file; returns (created, updated). All or nothing."""
    rows = import_rows(product_spec(), upload)
    existing = {p.sku: p for p in db.session.scalars(
        select(Product).where(Product.sku.in_([r.values["sku"] for r in rows])))}
    created = updated = 0
    for row in rows:
        v = row.values
        product = existing.get(v["sku"])
        if product is None:
            product = Product(sku=v["sku"])
            db.session.add(product)
            created += 1
        else:
            updated += 1
        product.name, product.line_id, product.unit = v["name"], v["line"], v["unit"] or "台"
        if v["name_en"] or product.name_en is None:
            product.name_en = v["name_en"] or ""
        if v["unit_en"] or product.unit_en is None:
            product.unit_en = v["unit_en"] or ""
        product.active = v["active"] if v["active"] is not None else True
        product.floor_price_fen = v["floor_price"]
    db.session.flush()
    audit.record(actor, "products.imported", object_type="product",
                 after={"created": created, "updated": updated})
    return created, updated


def price_list_spec() -> ImportSpec:
    products = dict(db.session.execute(select(Product.sku, Product.id)).all())

    def check(values: dict) -> dict:
        if values["sku"] not in products:
            return {"sku": _l("Unknown SKU “%(sku)s”: import the product first.", sku=values["sku"])}
        return {}

    return ImportSpec(
        fields=[Field("sku", _l("SKU"), lambda v: text(40)(v).upper(), aliases=("物料号",)),
                Field("list_price", _l("List price"), money(minimum_fen=1),
                      aliases=("目录价", "列表价", "list_price")),
                # Optional: a list may carry the English name and unit of its products.
                Field("name_en", _l("English name"), text(200), required=False, default="",
                      aliases=("英文名称", "name_en", "english name")),
                Field("unit_en", _l("Unit (English)"), text(20), required=False, default="",
                      aliases=("英文单位", "unit_en"))],
        row_check=check,
        checks=[unique("sku")],
    )


PRICE_LIST_EXAMPLES = [["SRV-R740-G2", "45800.00", "Huachen R740 dual-socket rack server", "unit"],
                       ["SW-BAK-STD", "12800.00", "", ""]]


def import_price_list(actor, upload, *, name: str, effective_from: date | None,
                      effective_to: date | None) -> PriceList:
    """Create a price list from a file of SKU → list price. Dates are checked before the file is
    read, so an overlapping list is refused without a file report."""
    errors = services.check_dates(effective_from, effective_to)
    if not (name or "").strip():
        errors["name"] = _l("Enter a name for the price list.")
    if errors:
        raise ValidationError(_l("The price list was not created."), errors)
    rows = import_rows(price_list_spec(), upload)
    ids = dict(db.session.execute(select(Product.sku, Product.id)).all())
    items = {ids[r.values["sku"]]: r.values["list_price"] for r in rows}
    named = {r.values["sku"]: r.values for r in rows if r.values["name_en"] or r.values["unit_en"]}
    if named:  # the English names and units the list carries
        for product in db.session.scalars(select(Product).where(Product.sku.in_(named))):
            v = named[product.sku]
            product.name_en = v["name_en"] or product.name_en
            product.unit_en = v["unit_en"] or product.unit_en
    return services.create_price_list(actor, name=name, effective_from=effective_from,
                                      effective_to=effective_to, items=items)
