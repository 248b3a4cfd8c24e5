"""How the pricing domain plugs into the app: prices, price exceptions and their approval matrix.

`portal.app.DOMAINS` lists this module; `create_app`, the CLI and the worker go through that list.
"""
from __future__ import annotations

from portal.admin.views import add_page
from portal.pricing import cli, jobs, models, views  # noqa: F401  (jobs: the worker runs them)


def init_app(app) -> None:
    models.register_labels()
    app.register_blueprint(views.bp)
    cli.init_app(app)
    views.register_widget()
    for endpoint, label in views.ADMIN_PAGES:
        add_page(endpoint, label)
