"""WTForms fields for what users type: whole numbers, ids, amounts, rates and dates, parsed in one
place with bounds (`portal.core.parse`, `portal.core.money`).

Each keeps the text as typed (shown again when the form comes back with an error) and puts the
parsed value in `data`: an `int` (fen for amounts, basis points for rates), a `date`, or `None`
for an empty field (whether empty is allowed is the validators' business: `InputRequired`).
Text that does not parse, or a value outside the bounds, is the field's error with its `message`;
nothing raises past the form.
"""
from __future__ import annotations

import re
from datetime import date, datetime

from flask_wtf import FlaskForm
from wtforms import Field, Form, StringField
from wtforms.fields.core import UnboundField

from portal.core.i18n import lazy_gettext as _l
from portal.core.money import MoneyError, fen_to_decimal, parse_percent, parse_yuan
from portal.core.parse import MAX_ID, plain, to_id, to_int

#: The largest amount a money column holds (a signed 64-bit integer of fen, with room to add up).
MAX_FEN = 10**15


class ParsedField(StringField):
    """Base: `parse(text)` gives the value or raises ValueError; `message` says what to type."""

    message = _l("Enter a valid value.")

    def __init__(self, label=None, validators=None, *, message=None, blank=("",), **kwargs):
        super().__init__(label, validators, **kwargs)
        if message is not None:
            self.message = message
        self.blank = blank  # texts that mean "nothing typed" (`-` for "any" in the matrix)
        self.raw: str | None = None

    def parse(self, text: str):
        raise NotImplementedError

    def shown(self, value) -> str:
        return "" if value is None else str(value)

    def process_formdata(self, valuelist):
        self.raw = plain(valuelist[0]) if valuelist else ""
        self.data = None
        if self.raw not in self.blank and self.raw:
            try:
                self.data = self.parse(self.raw)
            except (ValueError, MoneyError):
                raise ValueError(str(self.message)) from None

    def _value(self):
        return self.raw if self.raw is not None else self.shown(self.data)


class IntegerText(ParsedField):
    """A whole number within [minimum, maximum] (full-width digits and thousands commas allowed)."""

    def __init__(self, label=None, validators=None, *, minimum: int = 0, maximum: int = 10**9,
                 message=None, **kwargs):
        self.minimum, self.maximum = minimum, maximum
        super().__init__(label, validators, message=message or _l(
            "Enter a whole number from %(min)d to %(max)d.", min=minimum, max=maximum), **kwargs)

    def parse(self, text):
        value = to_int(text, self.minimum, self.maximum)
        if value is None:
            raise ValueError(text)
        return value


class IdText(IntegerText):
    """The id of a row, as a form sends it (a select, a hidden field); load it through the same
    scoped query as an id in the URL."""

    def __init__(self, label=None, validators=None, *, message=None, **kwargs):
        super().__init__(label, validators, minimum=1, maximum=MAX_ID,
                         message=message or _l("Choose one of the listed entries."), **kwargs)


class MoneyText(ParsedField):
    """An amount typed in yuan (`1,234.50`, `¥99`, `１２３`) → integer fen within the bounds."""

    message = _l("Enter an amount in yuan, e.g. 12800.00.")

    def __init__(self, label=None, validators=None, *, minimum_fen: int = 0,
                 maximum_fen: int = MAX_FEN, message=None, **kwargs):
        self.minimum_fen, self.maximum_fen = minimum_fen, maximum_fen
        super().__init__(label, validators, message=message, **kwargs)

    def parse(self, text):
        fen = parse_yuan(text)
        if not self.minimum_fen <= fen <= self.maximum_fen:
            raise ValueError(text)
        return fen

    def shown(self, value):
        return "" if value is None else str(fen_to_decimal(value))


class PercentText(ParsedField):
    """A percentage typed as `12.5` or `12.5%` → basis points (at most two decimals) within the
    bounds (default 0–100 %)."""

    message = _l("Enter a percentage with at most two decimals.")

    def __init__(self, label=None, validators=None, *, minimum_bp: int = 0,
                 maximum_bp: int = 10_000, message=None, **kwargs):
        self.minimum_bp, self.maximum_bp = minimum_bp, maximum_bp
        super().__init__(label, validators, message=message, **kwargs)

    def parse(self, text):
        bp = parse_percent(text)
        if not self.minimum_bp <= bp <= self.maximum_bp:
            raise ValueError(text)
        return bp

    def shown(self, value):
        from decimal import Decimal

        return "" if value is None else str(Decimal(value) / 100)


class DateText(ParsedField):
    """A date typed as YYYY-MM-DD (what `<input type=date>` sends)."""

    message = _l("Enter the date as YYYY-MM-DD.")

    def parse(self, text):
        # The date alone, or a timestamp whose date part comes first (`2026-03-05T00:00:00`):
        # anything after the date (`2026-03-05x`) is no date.
        if len(text) > 10 and text[10] == "T":
            return datetime.fromisoformat(text).date()
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)

    def shown(self, value):
        return "" if value is None else value.isoformat()


class IdList(Field):
    """Ids sent several times under one name (ticked boxes) → a list of ints, in the order sent;
    one that is not an id is the field's error (and `data` keeps only the valid ones)."""

    message = _l("Choose one of the listed entries.")

    def __init__(self, label=None, validators=None, *, message=None, **kwargs):
        super().__init__(label, validators, default=(), **kwargs)
        if message is not None:
            self.message = message
        self.raw: list[str] = []

    def process_formdata(self, valuelist):
        self.raw = [plain(v) for v in valuelist]
        ids = [to_id(v) for v in self.raw]
        self.data = [i for i in ids if i is not None]
        if None in ids:
            raise ValueError(str(self.message))

    def _value(self):
        return self.raw


class RowsForm(FlaskForm):
    """A form whose page also has inputs named by row (`sku-3`, `price-17`, `qty-17`): its
    fixed fields are WTForms fields, the row inputs are read with `sent(name)` from the same
    submitted data, and parsed where the rows are checked (the service, which an upload
    shares)."""

    class Meta:
        csrf = False  # CSRFProtect checks every POST of the app

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        self.formdata = self.meta.wrap_formdata(self, formdata)
        super().process(self.formdata, obj, data, extra_filters, **kwargs)

    def sent(self, name: str, default: str = "") -> str:
        return (self.formdata or {}).get(name, default)

    def has(self, name: str) -> bool:
        return name in (self.formdata or {})

    def values(self) -> dict:
        return {name: field.data for name, field in self._fields.items()}

    def messages(self) -> dict:
        """{field name: its first message} of the fields that did not parse (after `validate()`)."""
        return {name: str(field.errors[0]) for name, field in self._fields.items() if field.errors}


class LinesForm(RowsForm):
    """A form of any number of line rows, grown and shrunk by its buttons without JavaScript:
    `action` is `add_line`, `remove-<row>`, or the form's own actions."""

    action = StringField(default="")

    @property
    def adding_line(self) -> bool:
        return self.action.data == "add_line"

    @property
    def removed_row(self) -> int | None:
        """The row whose "Remove" button was pressed (`remove-<i>`), else None."""
        match = re.fullmatch(r"remove-([0-9]{1,12})", self.action.data or "")
        return int(match.group(1)) if match else None


class MatrixForm(Form):
    """A table of typed cells, named by row and column in the page (`gold-3`: tier × product
    line; `depth-0`: rule row × column): the tier discounts and the approval matrix.

    Built per request with `MatrixForm.of({input name: field}, formdata)`, since its rows come
    from the database. Each cell parses and checks itself like any field of this module."""

    class Meta:
        csrf = False  # CSRFProtect checks every POST of the app

    @classmethod
    def of(cls, cells: dict[str, UnboundField], formdata=None, data: dict | None = None):
        attrs = {}
        for i, (name, unbound) in enumerate(cells.items()):
            attrs[f"cell_{i}"] = UnboundField(unbound.field_class, *unbound.args,
                                              **{**unbound.kwargs, "name": name})
        form = type("Matrix", (cls,), attrs)(formdata, data=_by_attribute(cells, data or {}))
        form.validate()
        return form

    def cell(self, name: str):
        return next(field for field in self._fields.values() if field.name == name)

    def values(self) -> dict:
        """{input name: parsed value}."""
        return {field.name: field.data for field in self._fields.values()}

    def texts(self) -> dict:
        """{input name: text as typed}, for the page shown again."""
        return {field.name: field._value() for field in self._fields.values()}

    def cell_errors(self) -> dict:
        """{input name: its first message}."""
        return {field.name: str(field.errors[0]) for field in self._fields.values() if field.errors}


def _by_attribute(cells: dict, data: dict) -> dict:
    return {f"cell_{i}": data[name] for i, name in enumerate(cells) if name in data}


def parsed(form: Form) -> dict:
    """The form's values by field name (the parsed ones for the fields above)."""
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
