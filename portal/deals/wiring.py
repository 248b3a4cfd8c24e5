"""How the deals domain plugs into the app: customers, deal registrations, direct leads.

`portal.app.DOMAINS` lists this module; `create_app`, the CLI and the worker go through that list.
"""
from __future__ import annotations

from portal.core import labels
from portal.deals import cli, jobs, views, views_customers, views_leads  # noqa: F401  (routes on bp; jobs: the worker runs them)
from portal.deals.blueprint import bp
from portal.main.dashboard import register_figures


def init_app(app) -> None:
    labels.register(**views.LABELS)
    app.register_blueprint(bp)
    cli.init_app(app)
    register_figures("deals/_widget.html", views.dashboard_figures, order=20)
