"""How the api domain plugs into the app: the JSON API under /api/v1/ and its document.

`portal.app.DOMAINS` lists this module; `create_app`, the CLI and the worker go through that list.
"""
from __future__ import annotations

from portal.api import jobs, views  # noqa: F401  (jobs: the worker runs them)


def init_app(app) -> None:
    app.register_blueprint(views.bp)
