"""Lazily translated texts that stay text when a page shows them.

Flask-Babel's `LazyString` tells Jinja that it is already HTML (`__html__` returns it as is), so
a message such as "Unknown SKU %(sku)s" with a user's value interpolated would reach the page as
live markup. The lazy texts of this module escape every interpolated value when they are rendered
into HTML (`__html__`), and stay plain text everywhere else (`str()`: logs, e-mails, CSV, JSON).
Every module imports `lazy_gettext` and `lazy_pgettext` from here; a test refuses the others.
"""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext, pgettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape


def _escaped(value):
    """A value as it may enter HTML: numbers stay numbers (for `%d` and `%.2f`), the rest is
    escaped (a lazy text escapes its own values)."""
    if isinstance(value, (bool, int, float, Decimal)):
        return value
    return escape(value)


class LazyText(LazyString):
    """A lazy translation whose interpolated values are escaped in HTML."""

    def __html__(self) -> Markup:
        if not self._kwargs:
            return escape(str(self))
        return Markup(self._func(*self._args, **{k: _escaped(v) for k, v in self._kwargs.items()}))


def lazy_gettext(string: str, **variables) -> LazyText:
    return LazyText(gettext, string, **variables)


def lazy_pgettext(context: str, string: str, **variables) -> LazyText:
    return LazyText(pgettext, context, string, **variables)
