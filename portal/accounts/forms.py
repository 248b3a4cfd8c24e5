"""Forms of the accounts domain (login, users, dealers)."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.accounts.models import TIER_LABELS
from portal.core.i18n import lazy_gettext as _l
from portal.core.parse import coerce_id
from portal.core.permissions import ROLE_LABELS

LOCALE_CHOICES = [("zh_CN", "中文"), ("en", "English")]


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Enter your e-mail address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(_l("Enter a valid e-mail address.")), Length(max=254)])
    name = StringField(_l("Full name"), validators=[DataRequired(_l("Enter the person's name.")), Length(max=100)])
    role = SelectField(_l("Role"), choices=[(r.value, label) for r, label in ROLE_LABELS.items()])
    dealer_id = SelectField(_l("Dealer"), coerce=coerce_id, choices=[], validate_choice=False)
    region_ids = SelectMultipleField(_l("Regions"), coerce=coerce_id, choices=[], validate_choice=False)
    locale = SelectField(_l("Language"), choices=LOCALE_CHOICES)
    password = PasswordField(_l("Initial password"), validators=[Optional(), Length(min=10, message=_l("Use at least %(min)d characters."))])
    active = BooleanField(_l("Account is active"), default=True)


class DealerForm(FlaskForm):
    code = StringField(_l("Dealer code"), validators=[DataRequired(_l("Enter the dealer code.")), Length(max=20)])
    name = StringField(_l("Legal name"), validators=[DataRequired(_l("Enter the dealer's legal name.")), Length(max=200)])
    uscc = StringField(_l("Unified social credit code"), validators=[Optional(), Length(max=30)])
    tier = SelectField(_l("Tier"), choices=[(t.value, label) for t, label in TIER_LABELS.items()])
    region_id = SelectField(_l("Region"), coerce=coerce_id, choices=[], validate_choice=False)
    city = StringField(_l("City"), validators=[Optional(), Length(max=50)])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, message=_l("Use at least %(min)d characters."))])


class LanguageForm(FlaskForm):
    """The language switcher in the page header (CSRFProtect checks the POST)."""

    class Meta:
        csrf = False

    locale = StringField(default="")
    next = StringField(default="")
