"""Bulk order upload (CSV/XLSX): one row per order line, grouped into orders by contract number.

Built on the catalogue's generic importer (`portal.core.importer`): every row is parsed and
every order validated and priced exactly as the form does it before anything is written; one bad
row rejects the whole file with a row-by-row report.
"""
from __future__ import annotations

from sqlalchemy import select

from portal.core import audit
from portal.core.errors import ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.core.importer import (
    Field,
    ImportRejected,
    ImportSpec,
    RowError,
    import_rows,
    integer,
    iso_date,
    text,
)
from portal.deals.models import Customer, DealRegistration
from portal.extensions import db
from portal.orders import notices, services

SPEC = ImportSpec(
    fields=[
        Field("contract_no", _l("Contract number"), text(60), aliases=("合同号", "contract")),
        Field("order_date", _l("Order date"), iso_date(), aliases=("订单日期", "date")),
        Field("customer", _l("End customer"), text(200), required=False, default="",
              aliases=("最终用户", "客户", "customer_name")),
        Field("deal", _l("Registration number"), text(20), required=False, default="",
              aliases=("报备编号", "deal_number", "registration")),
        Field("sku", _l("SKU"), text(40), aliases=("物料号", "型号")),
        Field("quantity", _l("Quantity"), integer(0, 1_000_000), aliases=("数量", "qty")),
    ],
    max_rows=5_000,
)

EXAMPLE_ROWS = [["HT-2026-001", "2026-01-15", "某某科技有限公司", "", "SRV-R740", 2]]


def import_orders(actor, upload) -> list:
    """Validate the whole file, then create every order in it (submitted). Raises ImportRejected."""
    rows = import_rows(SPEC, upload)
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row.values["contract_no"].casefold(), []).append(row)
    dealer_id = actor.dealer_id
    customers = {c.name: c.id for c in db.session.scalars(
        select(Customer).where(Customer.dealer_id == dealer_id))}
    deal_numbers = {r.values["deal"] for r in rows if r.values["deal"]}
    deals = dict(db.session.execute(select(DealRegistration.number, DealRegistration.id).where(
        DealRegistration.dealer_id == dealer_id,
        DealRegistration.number.in_(deal_numbers))).all()) if deal_numbers else {}

    errors: list[RowError] = []
    drafts = []
    for group in groups.values():
        first = group[0]
        v = first.values
        for row in group[1:]:
            for key in ("order_date", "customer", "deal"):
                if row.values[key] != v[key]:
                    errors.append(RowError(row.number, SPEC.label(key), _l(
                        "Differs from row %(row)d of the same contract number.", row=first.number)))
        data = {"contract_no": v["contract_no"], "order_date": v["order_date"],
                "customer_name": v["customer"], "customer_id": customers.get(v["customer"]) or ""}
        if v["deal"]:
            if v["deal"] not in deals:
                errors.append(RowError(first.number, SPEC.label("deal"),
                                       _l("Unknown registration %(no)s.", no=v["deal"])))
                continue
            data["deal_id"] = deals[v["deal"]]
        lines = [{"sku": r.values["sku"], "quantity": r.values["quantity"]} for r in group]
        try:
            drafts.append(services.clean_order(actor, data, lines))
        except ValidationError as exc:
            for key, message in exc.errors.items():
                if key.startswith("line-"):
                    row = group[int(key[5:])]
                    errors.append(RowError(row.number, SPEC.label("sku"), message))
                else:
                    column = {"customer_name": "customer", "customer_id": "customer",
                              "deal_id": "deal"}.get(key, key)
                    errors.append(RowError(first.number, SPEC.label(column), message))
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.row))
    orders = []
    for draft in drafts:
        try:
            orders.append(services.create_order(actor, draft, notify_managers=False))
        except ValidationError as exc:
            # Two orders of the file asking for the same exception units: the second fails here.
            raise ImportRejected([RowError(0, SPEC.label("contract_no"), _l(
                "%(no)s: %(msg)s", no=draft.contract_no, msg=exc.message))]) from exc
    audit.record(actor, "order.imported", object_type="sales_order", dealer_id=dealer_id,
                 after={"orders": len(orders), "numbers": [o.number for o in orders]})
    if len(orders) == 1:
        notices.notify_managers(orders[0], "order.submitted", services.N_(
            "Order %(number)s from %(dealer)s awaits your confirmation."))
    elif orders:
        services.notify_managers_of_upload(orders)
    return orders
