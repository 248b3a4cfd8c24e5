"""Forms of the orders domain: the order with its line rows, a return, and the decision buttons.

The order's fields and lines are checked by `services.clean_order`, which the bulk upload shares
(one set of messages for the page, the upload report and the tests); these forms only carry the
text typed. A return's quantities are parsed by `services.record_return` for the same reason.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField

#: Line rows read from a submitted order (`sku-<i>`, `quantity-<i>`); the page shows 5 and adds
#: more with JavaScript.
MAX_LINE_ROWS = 60


class _KeepsFormdata(FlaskForm):
    """A form that also reads fields named by row (`sku-3`, `qty-17`) from the submitted data."""

    class Meta:
        csrf = False  # CSRFProtect checks every POST of the app

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        self.formdata = self.meta.wrap_formdata(self, formdata)
        super().process(self.formdata, obj, data, extra_filters, **kwargs)


class OrderForm(_KeepsFormdata):
    contract_no = StringField(default="")
    order_date = StringField(default="")
    deal_id = StringField(default="")
    customer_id = StringField(default="")
    customer_name = StringField(default="")
    notes = StringField(default="")
    action = StringField(default="")

    @property
    def previewing(self) -> bool:
        return self.action.data == "preview"

    def values(self) -> dict:
        return {name: field.data for name, field in self._fields.items()}

    def lines(self) -> list[dict]:
        """The line rows that were sent ({sku, quantity} as typed)."""
        sent = self.formdata or {}
        return [{"sku": sent.get(f"sku-{i}", ""), "quantity": sent.get(f"quantity-{i}", "")}
                for i in range(MAX_LINE_ROWS) if f"sku-{i}" in sent or f"quantity-{i}" in sent]


class DecisionForm(_KeepsFormdata):
    """Confirm, reject (with a reason) or cancel; `next` is where to go back to."""

    reason = StringField(default="")
    next = StringField(default="")


class ReturnForm(_KeepsFormdata):
    return_date = StringField(default="")
    reason = StringField(default="")

    def quantities(self, lines) -> dict[int, str]:
        """{order line id: quantity as typed} for the order's lines (`qty-<line id>`)."""
        sent = self.formdata or {}
        return {line.id: sent.get(f"qty-{line.id}", "") for line in lines}

    def values(self, lines) -> dict:
        return {"return_date": self.return_date.data, "reason": self.reason.data,
                **{f"qty-{line_id}": text for line_id, text in self.quantities(lines).items()}}
