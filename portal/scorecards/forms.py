"""Forms of the scorecards: the target form, the scoring policy and the tier change.

WTForms classes with the shared bounded field types (`portal.core.fields`): a huge, negative,
non-ASCII or fractional number is the field's message, never an exception; the services check
the rest (a target's range, the policy's thresholds in order, the tier and its reason).
"""
from __future__ import annotations

from wtforms import StringField

from portal.core.fields import MAX_FEN, IdText, IntegerText, MoneyText, RowsForm
from portal.core.i18n import lazy_gettext as _l
from portal.core.parse import to_int
from portal.scorecards import scoring
from portal.scorecards.periods import MAX_YEAR, MIN_YEAR


def small_int(value, low: int, high: int) -> int | None:
    """A whole number in [low, high] from a query argument, or None."""
    return to_int((value or "")[:12], low, high)


class _Form(RowsForm):
    #: {field name: the message when it is left empty}
    REQUIRED: dict = {}

    def errors_by_field(self) -> dict:
        """{field name: the first message} after validation; an empty required field included."""
        self.validate()
        errors = {name: str(field.errors[0]) for name, field in self._fields.items()
                  if field.errors}
        for name, message in self.REQUIRED.items():
            if name not in errors and self[name].data is None:
                errors[name] = str(message)
        return errors

    def shown(self) -> dict:
        """The text typed in each field, to show the form again."""
        return {name: field._value() for name, field in self._fields.items()}


_YEAR = _l("A year from %(a)d to %(b)d.", a=MIN_YEAR, b=MAX_YEAR)
_QUARTER = _l("Choose a quarter.")


class TargetForm(_Form):
    """A quarter's target, all lines or one; an empty amount removes the target."""

    year = IntegerText(minimum=MIN_YEAR, maximum=MAX_YEAR, message=_YEAR)
    quarter = IntegerText(minimum=1, maximum=4, message=_QUARTER)
    line_id = IdText(message=_l("Choose a product line."))
    # The range (more than zero, at most the column's) is the service's: its message names it.
    target = MoneyText(minimum_fen=-MAX_FEN, maximum_fen=MAX_FEN,
                       message=_l("Enter an amount in yuan, e.g. 1500000.00."))
    REQUIRED = {"year": _YEAR, "quarter": _QUARTER}

    def parsed(self) -> tuple[dict, dict]:
        """(values for `services.set_target`, errors by field)."""
        errors = self.errors_by_field()
        return {"year": self.year.data, "quarter": self.quarter.data,
                "line_id": self.line_id.data, "target_fen": self.target.data}, errors


class PolicyForm(_Form):
    """A weight per weighted KPI (`weight_<kpi>`) and the three thresholds (`threshold_<advice>`),
    all required whole numbers."""

    def parsed(self):
        """(weights, thresholds, errors by field)."""
        errors = self.errors_by_field()
        weights = {key: self[f"weight_{key}"].data for key in scoring.WEIGHTED}
        thresholds = {key: self[f"threshold_{key}"].data for key in THRESHOLDS}
        return weights, thresholds, errors


THRESHOLDS = (scoring.PROMOTE, scoring.KEEP, scoring.WATCH)
_WEIGHT = _l("A whole number from 0 to %(max)d.", max=scoring.MAX_WEIGHT)
_THRESHOLD = _l("A whole number from 0 to 100.")
for _key in scoring.WEIGHTED:
    setattr(PolicyForm, f"weight_{_key}",
            IntegerText(minimum=0, maximum=scoring.MAX_WEIGHT, message=_WEIGHT))
for _key in THRESHOLDS:
    setattr(PolicyForm, f"threshold_{_key}",
            IntegerText(minimum=0, maximum=100, message=_THRESHOLD))
PolicyForm.REQUIRED = {**{f"weight_{k}": _WEIGHT for k in scoring.WEIGHTED},
                       **{f"threshold_{k}": _THRESHOLD for k in THRESHOLDS}}


class TierForm(_Form):
    """Admin's tier change: the tier and the reason (checked by `services.change_tier`)."""

    tier = StringField(default="", filters=[lambda text: (text or "")[:20]])
    reason = StringField(default="", filters=[lambda text: (text or "")[:2000]])
