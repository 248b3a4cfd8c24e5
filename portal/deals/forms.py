"""Form input of the deals domain.

The registration form has a variable number of line rows (product line, optional SKU, quantity),
so it is read as plain form data and validated by the service (`clean_deal_input`), which keeps
one set of messages for the page, the htmx path and the tests.
"""
from __future__ import annotations

from sqlalchemy import select

from portal.catalog.models import Product, ProductLine
from portal.core.i18n import lazy_gettext as _l
from portal.deals.models import STAGE_LABELS
from portal.extensions import db

#: Line rows shown on the registration form (the page works without JavaScript).
LINE_ROWS = 5

DEAL_FIELDS = ("project_name", "customer_id", "estimated_value", "expected_close_date", "stage",
               "competitors", "notes") + tuple(
    f"customer_{f}" for f in ("name", "uscc", "domain", "phone", "province", "city", "industry"))

CUSTOMER_LABELS = {
    "name": _l("Legal name"),
    "uscc": _l("Unified social credit code"),
    "domain": _l("Website or e-mail domain"),
    "phone": _l("Phone"),
    "province": _l("Province"),
    "city": _l("City"),
    "industry": _l("Industry"),
}


def deal_input(form) -> tuple[dict, list[dict]]:
    """(fields, line rows) from a submitted registration form."""
    data = {f: form.get(f, "") for f in DEAL_FIELDS}
    rows = []
    for i in range(LINE_ROWS):
        rows.append({"line_id": form.get(f"line_{i}", ""), "product_id": form.get(f"product_{i}", ""),
                     "quantity": form.get(f"qty_{i}", "")})
    return data, rows


def deal_as_input(deal) -> tuple[dict, list[dict]]:
    """The form's values for an existing draft."""
    data = {"project_name": deal.project_name, "customer_id": str(deal.customer_id),
            "estimated_value": str(deal.estimated_value_fen // 100) if deal.estimated_value_fen else "",
            "expected_close_date": deal.expected_close_date.isoformat(), "stage": deal.stage,
            "competitors": deal.competitors, "notes": deal.notes}
    rows = [{"line_id": str(ln.line_id), "product_id": str(ln.product_id or ""),
             "quantity": str(ln.quantity)} for ln in deal.lines]
    return data, rows


def stage_choices():
    return [(s.value, label) for s, label in STAGE_LABELS.items()]


def catalogue_choices():
    """(product lines, active products) for the line rows."""
    lines = list(db.session.scalars(select(ProductLine).order_by(ProductLine.sort, ProductLine.id)))
    products = list(db.session.scalars(select(Product).where(Product.active.is_(True))
                                       .order_by(Product.line_id, Product.sku)))
    return lines, products
