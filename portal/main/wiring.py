"""How the main domain plugs into the app: the dashboard and the pages every user has.

`portal.app.DOMAINS` lists this module; `create_app`, the CLI and the worker go through that list.
"""
from __future__ import annotations

from portal.main import views


def init_app(app) -> None:
    app.register_blueprint(views.bp)
