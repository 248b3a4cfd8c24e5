"""How the catalog domain plugs into the app: product lines, products, price lists, tier discounts and their import.

`portal.app.DOMAINS` lists this module; `create_app`, the CLI and the worker go through that list.
"""
from __future__ import annotations

from portal.admin.views import add_page
from portal.catalog import views


def init_app(app) -> None:
    app.register_blueprint(views.bp)
    for endpoint, label in views.ADMIN_PAGES:
        add_page(endpoint, label)
