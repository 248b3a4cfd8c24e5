"""Forms of the rebates domain: a program with its bands, a manual adjustment of a run, and a
statement's settlement.

`ProgramForm` parses a program's fields and its band rows with the shared field types; the rules
between them (a period's dates, bands that join up, codes not taken) are checked by
`programs.clean_program`, which says what a value must be in its own words."""
from __future__ import annotations

from wtforms import StringField

from portal.core.fields import MAX_FEN, DateText, IdList, MatrixForm, MoneyText, PercentText, RowsForm
from portal.core.i18n import lazy_gettext as _l

#: Rates are parsed without bounds here: `clean_program` says which range each must be in.
_ANY_BP = MAX_FEN
_PERCENT = _l("Enter a percentage, e.g. 2.5.")
_DATE = _l("Enter a date as YYYY-MM-DD.")


class AdjustmentForm(RowsForm):
    dealer = StringField(default="")
    #: Yuan, signed (a deduction is negative); what does not parse is 0, which the service refuses.
    amount = MoneyText(minimum_fen=-MAX_FEN, maximum_fen=MAX_FEN)
    reason = StringField(default="")


class PaymentForm(RowsForm):
    paid_on = StringField(default="")
    reference = StringField(default="")


def _percent():
    return PercentText(minimum_bp=-_ANY_BP, maximum_bp=_ANY_BP, message=_PERCENT)


class ProgramForm(RowsForm):
    """A rebate program; its bands are rows `band-<i>-from`, `band-<i>-to`, `band-<i>-rate`."""

    name = StringField(default="")
    code = StringField(default="")
    period_code = StringField(default="")
    period_start = DateText(message=_DATE)
    period_end = DateText(message=_DATE)
    mode = StringField(default="")
    exception_treatment = StringField(default="")
    exception_rate = _percent()
    growth_pct = _percent()
    growth_bonus = _percent()
    cap = MoneyText(message=_l("Enter the cap in yuan, or leave it empty."))
    eligible_line_ids = IdList(message=_l("Unknown product line."))

    def bands(self, rows: int) -> list[dict]:
        """The band rows as typed (shown again with an error)."""
        return [{"from": self.sent(f"band-{i}-from"), "to": self.sent(f"band-{i}-to"),
                 "rate": self.sent(f"band-{i}-rate")} for i in range(rows)]

    def band_values(self, rows: int) -> list[dict]:
        """The band rows parsed: {from, to (fen or None), rate (bp or None), typed (anything
        typed in the row), invalid (a cell that does not parse)}."""
        cells = {}
        for i in range(rows):
            cells[f"band-{i}-from"] = MoneyText(minimum_fen=-MAX_FEN)
            cells[f"band-{i}-to"] = MoneyText(minimum_fen=-MAX_FEN)
            cells[f"band-{i}-rate"] = PercentText(minimum_bp=-_ANY_BP, maximum_bp=_ANY_BP)
        matrix = MatrixForm.of(cells, self.formdata)
        values, texts, errors = matrix.values(), matrix.texts(), matrix.cell_errors()
        names = [(f"band-{i}-from", f"band-{i}-to", f"band-{i}-rate") for i in range(rows)]
        return [{"from": values[a], "to": values[b], "rate": values[c],
                 "typed": any((texts[n] or "").strip() for n in (a, b, c)),
                 "invalid": any(n in errors for n in (a, b, c))} for a, b, c in names]

    def program_values(self) -> dict:
        """The parsed fields, with the ticked tiers (checked against the list by the service)."""
        self.validate()
        return {**self.values(), "eligible_tiers": self.chosen("eligible_tiers")}

    def chosen(self, name: str) -> list[str]:
        """The ticked boxes of `eligible_tiers` / `eligible_line_ids`."""
        return self.formdata.getlist(name) if self.formdata else []
