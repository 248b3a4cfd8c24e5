"""The inbox's bulk decision: the items ticked, the action and a reason for rejections."""
from __future__ import annotations

from wtforms import SelectMultipleField, StringField

from portal.core.fields import RowsForm


class BulkDecisionForm(RowsForm):
    #: Keys such as `order:185`; the service parses each and loads it through its scoped query.
    item = SelectMultipleField(choices=[], validate_choice=False)
    action = StringField(default="")
    reason = StringField(default="")
