"""Forms of the orders domain: the order with its line rows, a return, and the decision buttons.

The order's fields are parsed here by the shared field types (`portal.core.fields`): a date, ids
and whole-number quantities, each with its message when the text is no such value. The parsed
`OrderInput` goes to `services.clean_order`, which checks what needs the database (contract
number, registration, customer, SKUs, prices). The bulk upload, the API and the seed build the
same `OrderInput` with `order_input(values, lines)`, so one set of parsers and messages serves all.

An order has any number of lines up to `MAX_LINES`: the rows are read by their numbers
(`sku-<i>`, `quantity-<i>`), whatever numbers were sent, and shown again numbered from 0.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from werkzeug.datastructures import MultiDict
from wtforms import StringField

from portal.core.fields import DateText, IdText, IntegerText, LinesForm, MatrixForm, RowsForm
from portal.core.i18n import lazy_gettext as _l

#: The most lines one order (form, upload group or API call) may have.
MAX_LINES = 200
#: Empty line rows of a new order form ("Add a line" adds more).
FIRST_ROWS = 3
_ROW = re.compile(r"(sku|quantity)-([0-9]{1,6})")


@dataclass
class LineInput:
    sku: str
    quantity: int | None  # None: nothing typed, or text that is no whole number


@dataclass
class OrderInput:
    """An order's values as parsed; `errors` holds what did not parse ({field name: message})."""

    contract_no: str = ""
    order_date: date | None = None
    deal_id: int | None = None
    customer_id: int | None = None
    customer_name: str = ""
    notes: str = ""
    lines: list[LineInput] = field(default_factory=list)
    errors: dict = field(default_factory=dict)


class OrderForm(LinesForm):
    contract_no = StringField(default="")
    order_date = DateText(message=_l("Enter the order date as YYYY-MM-DD."))
    deal_id = IdText(message=_l("Choose one of your approved, protected registrations."))
    customer_id = IdText(message=_l("Choose one of your customers."))
    customer_name = StringField(default="")
    notes = StringField(default="")

    @property
    def previewing(self) -> bool:
        return self.action.data == "preview"

    def texts(self) -> dict:
        """The fields as typed, for the page shown again."""
        return {name: f._value() if hasattr(f, "raw") else (f.data or "")
                for name, f in self._fields.items()}

    def line_rows(self) -> list[dict]:
        """The line rows sent, in the order of their numbers, as typed ({sku, quantity})."""
        return sent_rows(self.formdata or MultiDict())

    def order_input(self) -> OrderInput:
        self.validate()
        return _input_of(self, self.line_rows())


def sent_rows(formdata) -> list[dict]:
    numbers = sorted({int(m.group(2)) for name in formdata.keys()
                      if (m := _ROW.fullmatch(name))})
    return [{"sku": formdata.get(f"sku-{i}", ""), "quantity": formdata.get(f"quantity-{i}", "")}
            for i in numbers]


def _input_of(form: OrderForm, rows: list[dict]) -> OrderInput:
    errors = {name: str(f.errors[0]) for name, f in form._fields.items() if f.errors}
    values = OrderInput(contract_no=(form.contract_no.data or "").strip(),
                        order_date=form.order_date.data, deal_id=form.deal_id.data,
                        customer_id=form.customer_id.data,
                        customer_name=(form.customer_name.data or "").strip(),
                        notes=(form.notes.data or "").strip()[:2000], errors=errors)
    filled = [r for r in rows if str(r.get("sku") or "").strip() or str(r.get("quantity") or "").strip()]
    if len(filled) > MAX_LINES:
        errors["lines"] = _l("At most %(n)d lines per order: split it into several orders.",
                             n=MAX_LINES)
        return values
    quantities = MatrixForm.of({f"q{i}": IntegerText(minimum=-10**9, maximum=10**9)
                                for i in range(len(rows))},
                               MultiDict({f"q{i}": str(r.get("quantity") or "")
                                          for i, r in enumerate(rows)}))
    values.lines = [LineInput(sku=str(r.get("sku") or "").strip()[:60],
                              quantity=quantities.values()[f"q{i}"]) for i, r in enumerate(rows)]
    return values


def order_input(values: dict, lines: list[dict]) -> OrderInput:
    """An `OrderInput` from values that come from elsewhere than this page (the upload, the API,
    the seed): each is turned into text and parsed by the same fields as the form."""
    def text(value) -> str:
        if value is None:
            return ""
        return value.isoformat() if isinstance(value, date) else str(value)

    form = OrderForm(formdata=MultiDict({k: text(v) for k, v in values.items()}))
    form.validate()
    return _input_of(form, [{"sku": text(ln.get("sku")), "quantity": text(ln.get("quantity"))}
                            for ln in lines])


class DecisionForm(RowsForm):
    """Confirm, reject (with a reason) or cancel; `next` is where to go back to."""

    reason = StringField(default="")
    next = StringField(default="")


@dataclass
class ReturnInput:
    """A return's values as parsed; `errors` holds what did not parse ({field name: message})."""

    return_date: date | None = None
    reason: str = ""
    #: {order line id: units returned}; None: nothing typed (a text that is no whole number of
    #: units is in `errors` under `qty-<line id>`)
    quantities: dict[int, int | None] = field(default_factory=dict)
    errors: dict = field(default_factory=dict)


class ReturnForm(RowsForm):
    return_date = DateText(message=_l("Enter the return date as YYYY-MM-DD."))
    reason = StringField(default="")

    def quantities(self, lines) -> dict[int, str]:
        """{order line id: quantity as typed} for the order's lines (`qty-<line id>`)."""
        return {line.id: self.sent(f"qty-{line.id}") for line in lines}

    def values(self, lines) -> dict:
        """The fields as typed, for the page shown again."""
        return {"return_date": self.return_date._value(), "reason": self.reason.data or "",
                **{f"qty-{line_id}": text for line_id, text in self.quantities(lines).items()}}

    def return_input(self, lines) -> ReturnInput:
        self.validate()
        return _return_input_of(self, self.quantities(lines))


def _return_input_of(form: ReturnForm, typed: dict[int, str]) -> ReturnInput:
    errors = {name: str(f.errors[0]) for name, f in form._fields.items() if f.errors}
    cells = MatrixForm.of({f"qty-{line_id}": IntegerText(
        minimum=0, maximum=10**9, message=_l("Enter a whole number of units."))
        for line_id in typed}, MultiDict({f"qty-{line_id}": str(text or "")
                                          for line_id, text in typed.items()}))
    errors.update(cells.cell_errors())
    values = cells.values()
    return ReturnInput(return_date=form.return_date.data, reason=(form.reason.data or "").strip(),
                       quantities={line_id: values[f"qty-{line_id}"] for line_id in typed},
                       errors=errors)


def return_input(values: dict, quantities: dict) -> ReturnInput:
    """A `ReturnInput` from values that come from elsewhere than the page (the demo seed): parsed
    by the same fields as the form."""
    form = ReturnForm(formdata=MultiDict({"return_date": str(values.get("return_date") or ""),
                                          "reason": str(values.get("reason") or "")}))
    form.validate()
    return _return_input_of(form, {line_id: str(q) for line_id, q in quantities.items()})
