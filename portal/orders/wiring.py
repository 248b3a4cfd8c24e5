"""How the orders domain plugs into the app: orders and their lines, bulk upload, confirmation.

`portal.app.DOMAINS` lists this module; `create_app`, the CLI and the worker go through that list.
"""
from __future__ import annotations

from portal.orders import models, views


def init_app(app) -> None:
    models.register_labels()
    app.register_blueprint(views.bp)
