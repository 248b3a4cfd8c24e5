"""Forms of the rebates domain: a program with its bands, a manual adjustment of a run, and a
statement's settlement.

A program's fields and band rows are checked by `programs.clean_program` (one set of messages
for the page and the tests); `ProgramForm` carries what was typed."""
from __future__ import annotations

from wtforms import StringField

from portal.core.fields import MAX_FEN, MoneyText, RowsForm


class AdjustmentForm(RowsForm):
    dealer = StringField(default="")
    #: Yuan, signed (a deduction is negative); what does not parse is 0, which the service refuses.
    amount = MoneyText(minimum_fen=-MAX_FEN, maximum_fen=MAX_FEN)
    reason = StringField(default="")


class PaymentForm(RowsForm):
    paid_on = StringField(default="")
    reference = StringField(default="")


class ProgramForm(RowsForm):
    """A rebate program; its bands are rows `band-<i>-from`, `band-<i>-to`, `band-<i>-rate`."""

    def bands(self, rows: int) -> list[dict]:
        return [{"from": self.sent(f"band-{i}-from"), "to": self.sent(f"band-{i}-to"),
                 "rate": self.sent(f"band-{i}-rate")} for i in range(rows)]

    def chosen(self, name: str) -> list[str]:
        """The ticked boxes of `eligible_tiers` / `eligible_line_ids`."""
        return self.formdata.getlist(name) if self.formdata else []
