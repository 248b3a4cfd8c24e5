"""Forms of the catalogue domain."""
from __future__ import annotations

from flask import request
from wtforms import StringField

from portal.core.fields import (
    MAX_FEN,
    DateText,
    IdText,
    IntegerText,
    MatrixForm,
    MoneyText,
    PercentText,
    RowsForm,
)

#: A cell's sanity bound; the service answers discounts outside 0 … 99.99 % with its own message.
_ANY_BP = 10**9


def discount_matrix(tiers, lines) -> MatrixForm:
    """The tier × product line discounts (`<tier>-<line id>`, percent → basis points; empty = 0)."""
    cells = {f"{tier.value}-{line.id}": PercentText(minimum_bp=-_ANY_BP, maximum_bp=_ANY_BP)
             for tier in tiers for line in lines}
    return MatrixForm.of(cells, request.form)


class LineForm(RowsForm):
    code = StringField(default="")
    name_zh = StringField(default="")
    name_en = StringField(default="")
    sort = IntegerText(minimum=-10**6, maximum=10**6)


class ProductForm(RowsForm):
    sku = StringField(default="")
    name = StringField(default="")
    name_en = StringField(default="")
    line_id = IdText()
    unit = StringField(default="")
    unit_en = StringField(default="")
    active = StringField(default="")
    #: Optional (empty: no floor); the service answers a price out of its range in its own words.
    floor_price = MoneyText(minimum_fen=-MAX_FEN)

    def shown(self) -> dict:
        """The page's values as typed."""
        values = dict(self.formdata or {})
        values["active"] = bool(self.active.data)
        return values


class PriceListForm(RowsForm):
    name = StringField(default="")
    #: A date that does not parse is None: the service says what is missing.
    effective_from = DateText()
    effective_to = DateText()
