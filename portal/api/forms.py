"""Forms of the API's account pages: a new token's name."""
from __future__ import annotations

from wtforms import StringField

from portal.core.fields import RowsForm


class TokenForm(RowsForm):
    name = StringField(default="")
