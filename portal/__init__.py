"""The Dealer Portal: a vendor and its dealers run their channel business in one place.

Importing any `portal.…` module runs this file first, so it stays light: the app factory and
everything it wires live in `portal.app`, imported when an app is made.
"""
from __future__ import annotations


def create_app(config: dict | None = None):
    """The Flask app (see `portal.app.create_app`)."""
    from portal.app import create_app as build

    return build(config)
