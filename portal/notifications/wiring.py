"""How the notifications domain plugs into the app: the inbox and the e-mail of notifications.

`portal.app.DOMAINS` lists this module; `create_app`, the CLI and the worker go through that list.
"""
from __future__ import annotations

from portal.notifications import jobs, views  # noqa: F401  (jobs: the worker runs them)


def init_app(app) -> None:
    app.register_blueprint(views.bp)
