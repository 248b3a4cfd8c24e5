"""Forms of the orders domain: the order with its line rows, a return, and the decision buttons.

The order's fields and lines are checked by `services.clean_order`, which the bulk upload shares
(one set of messages for the page, the upload report and the tests); these forms only carry the
text typed. A return's quantities are parsed by `services.record_return` for the same reason.
"""
from __future__ import annotations

from wtforms import StringField

from portal.core.fields import RowsForm

#: Line rows read from a submitted order (`sku-<i>`, `quantity-<i>`); the page shows 5 and adds
#: more with JavaScript.
MAX_LINE_ROWS = 60


class OrderForm(RowsForm):
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

    def lines(self) -> list[dict]:
        """The line rows that were sent ({sku, quantity} as typed)."""
        return [{"sku": self.sent(f"sku-{i}"), "quantity": self.sent(f"quantity-{i}")}
                for i in range(MAX_LINE_ROWS) if self.has(f"sku-{i}") or self.has(f"quantity-{i}")]


class DecisionForm(RowsForm):
    """Confirm, reject (with a reason) or cancel; `next` is where to go back to."""

    reason = StringField(default="")
    next = StringField(default="")


class ReturnForm(RowsForm):
    return_date = StringField(default="")
    reason = StringField(default="")

    def quantities(self, lines) -> dict[int, str]:
        """{order line id: quantity as typed} for the order's lines (`qty-<line id>`)."""
        return {line.id: self.sent(f"qty-{line.id}") for line in lines}

    def values(self, lines) -> dict:
        return {"return_date": self.return_date.data, "reason": self.reason.data,
                **{f"qty-{line_id}": text for line_id, text in self.quantities(lines).items()}}
