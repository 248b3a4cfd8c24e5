"""Forms of the rebates domain: a manual adjustment of a run and a statement's settlement.

(The program form, with its band rows, is read by `programs.clean_program`.)"""
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
