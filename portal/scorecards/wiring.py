"""How the scorecards domain plugs into the app: dealer scorecards, targets and their dashboard widget.

`portal.app.DOMAINS` lists this module; `create_app`, the CLI and the worker go through that list.
"""
from __future__ import annotations

from portal.admin.views import add_page
from portal.scorecards import cli, dashboard, models, views


def init_app(app) -> None:
    models.register_labels()
    app.register_blueprint(views.bp)
    cli.init_app(app)
    dashboard.register()
    for endpoint, label in views.ADMIN_PAGES:
        add_page(endpoint, label)
