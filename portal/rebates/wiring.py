"""How the rebates domain plugs into the app: rebate programs, runs, statements and their PDF.

`portal.app.DOMAINS` lists this module; `create_app`, the CLI and the worker go through that list.
"""
from __future__ import annotations

from portal.admin.views import add_page
from portal.main.dashboard import register_figures
from portal.rebates import jobs, models, views  # noqa: F401  (jobs: the worker runs them)


def init_app(app) -> None:
    models.register_labels()
    app.register_blueprint(views.bp)
    register_figures("rebates/_widget.html", views.widget_figures, order=40, finish=views.widget_context)
    for endpoint, label in views.ADMIN_PAGES:
        add_page(endpoint, label)
