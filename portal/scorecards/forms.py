"""Form input of the scorecards: the target form, the scoring policy and the tier change.

Read as plain form data; every number is bounded here (a huge, negative, non-ASCII or fractional
value is an error message, never an exception) and the services validate the rest.
"""
from __future__ import annotations

from wtforms import StringField

from portal.core.fields import RowsForm
from portal.core.i18n import lazy_gettext as _l
from portal.core.money import MoneyError, parse_yuan
from portal.scorecards import scoring


def small_int(value, low: int, high: int) -> int | None:
    """A whole number in [low, high] from form text, or None."""
    value = (value or "").strip()
    if not value or len(value) > 6 or not value.isascii() or not value.lstrip("-").isdigit():
        return None
    number = int(value)
    return number if low <= number <= high else None


def target_input(form) -> tuple[dict, dict]:
    """(values, errors) of the target form: year, quarter, line (optional), target in yuan
    (empty: remove the target)."""
    errors: dict = {}
    year = small_int(form.get("year"), 2000, 2100)
    if year is None:
        errors["year"] = _l("A year from %(a)d to %(b)d.", a=2000, b=2100)
    quarter = small_int(form.get("quarter"), 1, 4)
    if quarter is None:
        errors["quarter"] = _l("Choose a quarter.")
    line_id = None
    if form.get("line_id"):
        line_id = small_int(form.get("line_id"), 1, 10**6)
        if line_id is None:
            errors["line_id"] = _l("Choose a product line.")
    target_fen = None
    raw = (form.get("target") or "").strip()
    if raw:
        if len(raw) > 20 or not raw.isascii():
            errors["target"] = _l("Enter an amount in yuan, e.g. 1500000.00.")
            return {"year": year, "quarter": quarter, "line_id": line_id, "target_fen": None}, errors
        try:
            target_fen = parse_yuan(raw)
        except (MoneyError, ArithmeticError):
            errors["target"] = _l("Enter an amount in yuan, e.g. 1500000.00.")
    return {"year": year, "quarter": quarter, "line_id": line_id, "target_fen": target_fen}, errors


def policy_input(form) -> tuple[dict, dict, dict]:
    """(weights, thresholds, errors) of the scoring policy form."""
    errors: dict = {}
    weights, thresholds = {}, {}
    for key in scoring.WEIGHTED:
        value = small_int(form.get(f"weight_{key}"), 0, scoring.MAX_WEIGHT)
        if value is None:
            errors[f"weight_{key}"] = _l("A whole number from 0 to %(max)d.", max=scoring.MAX_WEIGHT)
        weights[key] = value
    for key in (scoring.PROMOTE, scoring.KEEP, scoring.WATCH):
        value = small_int(form.get(f"threshold_{key}"), 0, 100)
        if value is None:
            errors[f"threshold_{key}"] = _l("A whole number from 0 to 100.")
        thresholds[key] = value
    return weights, thresholds, errors


class TargetForm(RowsForm):
    """The target form; `parsed()` → (values, errors) through `target_input`."""

    def parsed(self) -> tuple[dict, dict]:
        return target_input(self.formdata or {})

    def shown(self):
        return self.formdata or {}


class PolicyForm(RowsForm):
    """The scoring policy; `parsed()` → (weights, thresholds, errors) through `policy_input`."""

    def parsed(self):
        return policy_input(self.formdata or {})


class TierForm(RowsForm):
    tier = StringField(default="", filters=[lambda text: (text or "")[:20]])
    reason = StringField(default="", filters=[lambda text: (text or "")[:2000]])

    def shown(self):
        return self.formdata or {}
