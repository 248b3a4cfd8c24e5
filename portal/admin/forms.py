"""Forms of the back office: a dealer's status and the policy settings."""
from __future__ import annotations

from flask import request
from wtforms import StringField
from wtforms.validators import InputRequired

from portal.core.fields import IntegerText, MatrixForm, RowsForm
from portal.core.i18n import lazy_gettext as _l


class DealerStatusForm(RowsForm):
    status = StringField(default="")
    reason = StringField(default="")


def settings_form(keys, current: dict) -> MatrixForm:
    """One whole number of days (1–3650) per policy setting; `current` fills a page not sent."""
    message = _l("Enter a whole number between 1 and 3650.")
    cells = {key: IntegerText(validators=[InputRequired(message)], minimum=1, maximum=3650,
                              message=message) for key in keys}
    return MatrixForm.of(cells, request.form if request.method == "POST" else None, data=current)
