"""A notification's text: its msgid translated into the current locale, then filled in."""
from __future__ import annotations

from flask_babel import gettext

from portal.notifications.models import Notification


def render(note: Notification) -> str:
    """The notification's text in the current locale."""
    try:
        return gettext(note.message) % note.params if note.params else gettext(note.message)
    except (KeyError, ValueError, TypeError):
        return gettext(note.message)
