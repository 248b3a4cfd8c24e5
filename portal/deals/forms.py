"""Form input of the deals domain.

The registration form's fields are parsed by the shared field types (`portal.core.fields`): an
amount in yuan, a date, ids and quantities, each with its message when the text is no such value.
The parsed `DealInput` goes to `services.clean_deal_input`, which checks what needs the database
(the customer in the dealer's scope, products, lines). The API and the seed build the same
`DealInput` with `deal_input(values, rows)`.

A registration has any number of line rows up to `MAX_ROWS` (`line_<i>`, `product_<i>`, `qty_<i>`,
whatever numbers were sent); the customer is chosen by a search as you type (`customer_q`, a
radio `customer_id`) or, without JavaScript, looked up from the text typed when the form is sent.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import StringField

from portal.catalog.models import Product, ProductLine
from portal.core.fields import (
    MAX_FEN,
    DateText,
    IdText,
    IntegerText,
    LinesForm,
    MatrixForm,
    MoneyText,
    RowsForm,
)
from portal.core.i18n import lazy_gettext as _l
from portal.core.parse import to_id
from portal.deals.models import STAGE_LABELS
from portal.extensions import db

#: Line rows of a new registration form ("Add a line" adds more).
FIRST_ROWS = 3
#: The most line rows a registration may have.
MAX_ROWS = 50
_ROW = re.compile(r"(line|product|qty)_([0-9]{1,6})")

DEAL_FIELDS = ("project_name", "customer_id", "customer_q", "estimated_value",
               "expected_close_date", "stage", "competitors", "notes") + tuple(
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


@dataclass
class DealInput:
    """A registration's values as parsed; `errors` holds what did not parse."""

    project_name: str = ""
    customer_id: int | None = None
    new_customer: bool = False  # "a new customer" was chosen
    customer_q: str = ""  # the customer search as typed (looked up when no customer is chosen)
    customer: dict = field(default_factory=dict)  # the new customer's fields, as typed
    estimated_value_fen: int | None = None
    expected_close_date: date | None = None
    stage: str = ""
    competitors: str = ""
    notes: str = ""
    lines: list[dict] = field(default_factory=list)  # {line_id, product_id, quantity}: ints or None
    errors: dict = field(default_factory=dict)


class DealForm(LinesForm):
    """A registration as typed: its fields and line rows. `action`: save, submit, add_line,
    remove-<i>."""

    project_name = StringField(default="")
    customer_id = IdText(blank=("", "new"),
                         message=_l("Choose one of your customers, or enter a new one."))
    customer_q = StringField(default="")
    estimated_value = MoneyText(minimum_fen=-MAX_FEN, message=_l(
        "Enter the estimated value in yuan, e.g. 1,250,000.00."))
    expected_close_date = DateText(message=_l("Enter the expected close date (YYYY-MM-DD)."))
    stage = StringField(default="")
    competitors = StringField(default="")
    notes = StringField(default="")

    def texts(self) -> dict:
        """The fields as typed (the customer's too), for the page shown again."""
        data = {f: self.sent(f) for f in DEAL_FIELDS}
        return data

    def rows(self) -> list[dict]:
        return sent_rows(self.formdata or MultiDict())

    def deal_input(self) -> DealInput:
        self.validate()
        return _input_of(self, self.rows())


def sent_rows(formdata) -> list[dict]:
    numbers = sorted({int(m.group(2)) for name in formdata.keys() if (m := _ROW.fullmatch(name))})
    return [{"line_id": formdata.get(f"line_{i}", ""), "product_id": formdata.get(f"product_{i}", ""),
             "quantity": formdata.get(f"qty_{i}", "")} for i in numbers]


def _input_of(form: DealForm, rows: list[dict]) -> DealInput:
    errors = {name: str(f.errors[0]) for name, f in form._fields.items() if f.errors}
    values = DealInput(
        project_name=(form.project_name.data or "").strip(), customer_id=form.customer_id.data,
        new_customer=(form.customer_id.raw or "") == "new",
        customer_q=(form.customer_q.data or "").strip()[:100],
        customer={f: form.sent(f"customer_{f}") for f in CUSTOMER_LABELS},
        estimated_value_fen=form.estimated_value.data,
        expected_close_date=form.expected_close_date.data, stage=form.stage.data or "",
        competitors=(form.competitors.data or "").strip()[:2000],
        notes=(form.notes.data or "").strip()[:5000], errors=errors)
    rows = [r for r in rows if any(str(r.get(k) or "").strip() for k in ("line_id", "product_id"))]
    if len(rows) > MAX_ROWS:
        errors["lines"] = _l("At most %(n)d product lines per registration.", n=MAX_ROWS)
        return values
    cells = {}
    for i, _row in enumerate(rows):
        cells[f"l{i}"] = IdText()
        cells[f"p{i}"] = IdText()
        cells[f"q{i}"] = IntegerText(minimum=1, maximum=1_000_000)
    parsed = MatrixForm.of(cells, MultiDict({f"{k}{i}": str(r.get(name) or "")
                                             for i, r in enumerate(rows)
                                             for k, name in (("l", "line_id"), ("p", "product_id"),
                                                             ("q", "quantity"))}))
    bad = parsed.cell_errors()
    if any(k.startswith("q") for k in bad):
        errors["lines"] = _l("Quantities are whole numbers from 1 to 1,000,000.")
    elif bad:
        errors["lines"] = _l("One of the products does not exist; choose it again.")
    v = parsed.values()
    values.lines = [{"line_id": v[f"l{i}"], "product_id": v[f"p{i}"], "quantity": v[f"q{i}"]}
                    for i in range(len(rows))]
    return values


def deal_input(values: dict, rows: list[dict]) -> DealInput:
    """A `DealInput` from values that come from elsewhere than the page (the API, the seed):
    turned into text and parsed by the same fields as the form."""
    def text(value) -> str:
        if value is None:
            return ""
        return value.isoformat() if isinstance(value, date) else str(value)

    flat = {k: text(v) for k, v in values.items()}
    for i, row in enumerate(rows):
        flat.update({f"line_{i}": text(row.get("line_id")), f"product_{i}": text(row.get("product_id")),
                     f"qty_{i}": text(row.get("quantity"))})
    form = DealForm(formdata=MultiDict(flat))
    return form.deal_input()


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
            "customer_q": deal.customer.name,
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
