"""Policy settings kept as data and editable by admins (protection days, validity, …)."""
from __future__ import annotations

from flask import g, has_app_context
from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.core import audit
from portal.core.i18n import lazy_gettext as _l
from portal.db import Base
from portal.extensions import db

#: Every setting with its default; admins can override any of them in /admin/settings.
DEFAULTS: dict[str, int] = {
    "deal_protection_days": 90,
    "deal_extension_days": 30,
    "deal_reminder_days": 7,
    "deal_max_close_months": 6,
    "exception_validity_days": 30,
    "conflict_flag_business_days": 2,
    # What the inbox's due times count from (DESIGN §3.9); exception steps use the matrix.
    "inbox_registration_business_days": 2,
    "inbox_extension_business_days": 2,
    "inbox_order_business_days": 1,
    "inbox_overlap_business_days": 2,
}


class Setting(Base):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int | str | dict] = mapped_column(JSON)


def get_setting(key: str):
    """The current value of a policy setting (admin override or default)."""
    # A setting left at its default has no row; `session.get` would ask the database again at
    # every call (a list page asked once per row). The request remembers which are absent.
    absent = g.setdefault("_absent_settings", set()) if has_app_context() else set()
    if key in absent:
        return DEFAULTS[key]
    row = db.session.get(Setting, key)
    if row is None:
        absent.add(key)
        return DEFAULTS[key]
    return row.value


def setting_value(key: str):
    """An integer setting as a SQL expression (admin override or default), so that a query can
    use it without a round trip of its own (the dashboard's widgets)."""
    from sqlalchemy import Integer, String, cast, func, select

    stored = select(cast(Setting.value, String)).where(Setting.key == key).scalar_subquery()
    return func.coalesce(cast(stored, Integer), int(DEFAULTS[key]))


def set_setting(actor, key: str, value) -> None:
    if key not in DEFAULTS:
        raise KeyError(key)
    old = get_setting(key)
    if has_app_context():
        g.setdefault("_absent_settings", set()).discard(key)
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
    audit.record(actor, "setting.changed", object_type="setting", before={key: old},
                 after={key: value})


def _labels():
    return {
        "deal_protection_days": _l("Registration protection (days after approval)"),
        "deal_extension_days": _l("Protection extension (days)"),
        "deal_reminder_days": _l("Expiry reminder (days before)"),
        "deal_max_close_months": _l("Latest expected close date (months ahead)"),
        "exception_validity_days": _l("Exception validity (days)"),
        "conflict_flag_business_days": _l("Flag conflict cases older than (business days)"),
        "inbox_registration_business_days": _l("Inbox: registrations due within (business days)"),
        "inbox_extension_business_days": _l("Inbox: extension requests due within (business days)"),
        "inbox_order_business_days": _l("Inbox: orders to confirm due within (business days)"),
        "inbox_overlap_business_days": _l("Inbox: possible overlaps due within (business days)"),
    }


SETTING_LABELS = _labels()
