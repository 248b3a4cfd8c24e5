"""Forms of the conflict desk: a case's decision and a possible overlap's dismissal."""
from __future__ import annotations

from wtforms import StringField

from portal.core.fields import IntegerText, RowsForm
from portal.core.parse import MAX_ID


class CaseDecisionForm(RowsForm):
    decision = StringField(default="")
    reason = StringField(default="")
    #: The case's version the decider saw (a stale page loses to a newer decision).
    version = IntegerText(minimum=0, maximum=MAX_ID)


class OverlapForm(RowsForm):
    reason = StringField(default="")
