"""Form input of the deals domain.

The registration form has a variable number of line rows (product line, optional SKU, quantity),
so it is read as plain form data and validated by the service (`clean_deal_input`), which keeps
one set of messages for the page, the htmx path and the tests.
"""
from __future__ import annotations

from sqlalchemy import select
from wtforms import StringField

from portal.catalog.models import Product, ProductLine
from portal.core.fields import IdText, RowsForm
from portal.core.i18n import lazy_gettext as _l
from portal.core.parse import to_id
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


class DealForm(RowsForm):
    """A registration as typed: its fields (`DEAL_FIELDS`, checked by `clean_deal_input`) and
    its line rows (`line_<i>`, `product_<i>`, `qty_<i>`). `action`: save or submit."""

    action = StringField(default="")

    def deal_input(self) -> tuple[dict, list[dict]]:
        """(fields, line rows) as typed."""
        data = {f: self.sent(f) for f in DEAL_FIELDS}
        rows = [{"line_id": self.sent(f"line_{i}"), "product_id": self.sent(f"product_{i}"),
                 "quantity": self.sent(f"qty_{i}")} for i in range(LINE_ROWS)]
        return data, rows


class DealActionForm(RowsForm):
    """The buttons on a registration: approve or reject (`action`, `comment`), an extension
    (`reason`; a manager's `action` approve/decline and `comment`), closing (`outcome`, `reason`)."""

    action = StringField(default="")
    comment = StringField(default="")
    reason = StringField(default="")
    outcome = StringField(default="")


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


class CustomerForm(RowsForm):
    """A customer record: its fields (`services.CUSTOMER_FIELDS`, checked by `save_customer`),
    key account, and (head office) the owning sales rep."""

    key_account = StringField(default="")
    #: A rep's id; empty for none. Text that is no id is refused by the service like an unknown id.
    owner_rep_id = StringField(default="")

    def fields(self, names) -> dict:
        return {name: self.sent(name) for name in names}

    def owner_rep(self) -> int | None:
        text = self.owner_rep_id.data.strip()
        return (to_id(text) or 0) if text else None


class CustomerLinkForm(RowsForm):
    other_id = IdText()
    action = StringField(default="")


class AliasForm(RowsForm):
    name = StringField(default="")


class LeadForm(RowsForm):
    """A direct lead: what `views_leads.lead_new` reads (customer fields prefixed `customer_`,
    product lines `line_ids`)."""

    def values(self) -> dict:
        return dict(self.formdata or {})

    def line_ids(self) -> list[str]:
        return self.formdata.getlist("line_ids") if self.formdata else []


class CloseForm(RowsForm):
    reason = StringField(default="")
