"""How the admin domain plugs into the app: settings, dealers and users; other domains add their pages with `views.add_page`.

`portal.app.DOMAINS` lists this module; `create_app`, the CLI and the worker go through that list.
"""
from __future__ import annotations

from portal.admin import views


def init_app(app) -> None:
    app.register_blueprint(views.bp)
