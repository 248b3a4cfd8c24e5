"""How the inbox plugs into the app: the head-office work queue and its dashboard widgets.

`portal.app.DOMAINS` lists this module; `create_app`, the CLI and the worker go through that list.
"""
from __future__ import annotations

from portal.inbox import dashboard
from portal.inbox.views import bp


def init_app(app) -> None:
    app.register_blueprint(bp)
    dashboard.register()
