"""Forms of the pricing domain: an exception request with its lines, an approver's decision with
counter-offers, and the approval matrix (the shared `MatrixForm` of `portal.core.fields`, like
the tier discounts)."""
from __future__ import annotations

from flask import request
from wtforms import StringField
from wtforms.validators import InputRequired

from portal.core.fields import IdText, IntegerText, MatrixForm, MoneyText, PercentText, RowsForm
from portal.core.i18n import lazy_gettext as _l
from portal.pricing.workflow import MAX_LINES

#: Rows of the approval matrix page.
RULE_ROWS = 5
APPROVER_COLUMNS = 3
_ANY_BP = 10**9


def rule_cells(i: int) -> dict:
    level = _l("Enter a whole number from 0 to 100.")
    days = _l("Enter a whole number from 0 to 365.")
    return {
        f"level-{i}": IntegerText(validators=[InputRequired(level)], minimum=0, maximum=100,
                                  message=level),
        # empty or "-": from any depth
        f"depth-{i}": PercentText(minimum_bp=-_ANY_BP, maximum_bp=_ANY_BP, blank=("", "-"),
                                  message=_l("Enter percentage points, e.g. 5.")),
        f"value-{i}": MoneyText(message=_l("Enter an amount in yuan.")),
        f"days-{i}": IntegerText(validators=[InputRequired(days)], minimum=0, maximum=365,
                                 message=days),
        **{f"approver-{i}-{k}": StringField(default="") for k in range(APPROVER_COLUMNS)},
    }


def rules_matrix() -> tuple[list[dict], list[dict], dict]:
    """(rows as typed, rows parsed, errors by input name) of the rows the admin filled in; a row
    with neither a level nor an approver is left out."""
    rows, parsed, errors = [], [], {}
    for i in range(RULE_ROWS):
        form = MatrixForm.of(rule_cells(i), request.form)
        values, texts = form.values(), form.texts()
        approvers = [values[f"approver-{i}-{k}"] for k in range(APPROVER_COLUMNS)
                     if values[f"approver-{i}-{k}"]]
        if not texts[f"level-{i}"] and not approvers:
            continue
        rows.append({"level": texts[f"level-{i}"], "depth": texts[f"depth-{i}"],
                     "value": texts[f"value-{i}"], "days": texts[f"days-{i}"],
                     "approvers": approvers})
        errors.update(form.cell_errors())
        depth = values[f"depth-{i}"]
        parsed.append({"level": values[f"level-{i}"] or 0,
                       "depth_above_bp": -1 if depth is None else depth,
                       "value_from_fen": values[f"value-{i}"], "approvers": approvers,
                       "target_business_days": values[f"days-{i}"] or 0})
    return rows, parsed, errors


class ExceptionRequestForm(RowsForm):
    """A price exception request: its registration, reason and line rows (`sku-<i>`,
    `quantity-<i>`, `price-<i>`, checked by `workflow.save_request`). `action`: preview,
    add_row, draft or submit."""

    deal_id = StringField(default="")
    reason = StringField(default="")
    action = StringField(default="preview")
    rows = IntegerText(minimum=1, maximum=MAX_LINES)

    def row_count(self) -> int:
        count = self.rows.data or 3
        return min(count + 1, MAX_LINES) if self.action.data == "add_row" else count

    @property
    def removed_row(self) -> int | None:
        """The row whose "Remove" button was pressed (`remove-<i>`), else None."""
        text = self.action.data or ""
        return int(text[7:]) if text.startswith("remove-") and text[7:].isdigit() and \
            len(text) < 14 else None

    def lines(self) -> list[dict]:
        rows = [(self.sent(f"sku-{i}"), self.sent(f"quantity-{i}"), self.sent(f"price-{i}"))
                for i in range(self.row_count()) if i != self.removed_row]
        return [{"index": i, "sku": sku, "quantity": qty, "price": price}
                for i, (sku, qty, price) in enumerate(rows or [("", "", "")])]


class ExceptionDecisionForm(RowsForm):
    """An approver's decision on a step, with counter-offer prices per line (`price-<line id>`)."""

    step_id = IdText()
    decision = StringField(default="")
    comment = StringField(default="")
    floor_reason = StringField(default="")

    def prices(self, lines) -> dict[int, str]:
        return {line.id: self.sent(f"price-{line.id}") for line in lines}

    def shown(self, lines) -> dict:
        """What the page shows again: the comment, the reason and the prices as typed."""
        return {"comment": self.comment.data, "floor_reason": self.floor_reason.data,
                **{f"price-{line_id}": text for line_id, text in self.prices(lines).items()}}
