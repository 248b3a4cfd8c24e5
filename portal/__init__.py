"""The Dealer Portal: a vendor and its dealers run their channel business in one place."""
from __future__ import annotations

import importlib
import logging
import os

from flask import Flask

from portal.config import ROOT, load_config
from portal.core.unit_of_work import PortalFlask

#: Domain packages with a `views.bp` blueprint, registered when present.
BLUEPRINTS = ["main", "accounts", "notifications", "admin", "catalog", "pricing", "deals",
              "conflicts", "orders", "rebates", "api", "scorecards", "inbox"]


def create_app(config: dict | None = None) -> Flask:
    app = PortalFlask(__name__, template_folder=str(ROOT / "templates"),
                      static_folder=str(ROOT / "static"), instance_path=str(ROOT / "instance"))
    app.config.update(load_config(config))
    os.makedirs(app.config["STORAGE_DIR"], exist_ok=True)
    _logging(app)

    from portal import web
    from portal.core.jobs import huey
    from portal.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    if app.config["DATABASE_PING_IDLE_SECONDS"] > 0:
        from portal.db import ping_when_idle

        with app.app_context():
            for engine in db.engines.values():
                ping_when_idle(engine, app.config["DATABASE_PING_IDLE_SECONDS"])
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True,
                     render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale, timezone_selector=web.select_timezone,
                   default_translation_directories=";".join(translation_directories()))
    login_manager.init_app(app)
    huey.immediate = bool(app.config["HUEY_IMMEDIATE"] or app.config["TESTING"])

    from portal.accounts import auth

    auth.init_login(login_manager)
    web.init_app(app)
    _import_models()
    for name in BLUEPRINTS:
        try:
            views = importlib.import_module(f"portal.{name}.views")
        except ModuleNotFoundError as exc:
            if exc.name in (f"portal.{name}", f"portal.{name}.views"):
                continue
            raise
        app.register_blueprint(views.bp)

    from portal import cli

    cli.init_app(app)
    return app


def _import_models() -> None:
    """Import every domain's models so that the metadata is complete (migrations, mappers)."""
    for name in ["accounts", "notifications", "core.audit", "core.settings", *BLUEPRINTS]:
        module = name if name.startswith("core.") else f"{name}.models"
        try:
            importlib.import_module(f"portal.{module}")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"portal.{name}", f"portal.{module}"):
                raise


def translation_directories() -> list[str]:
    """Each domain keeps its own catalogue under portal/<domain>/translations; all are merged."""
    dirs = []
    for entry in sorted((ROOT / "portal").iterdir()):
        if (entry / "translations").is_dir():
            dirs.append(str(entry / "translations"))
    return dirs


def _logging(app: Flask) -> None:
    from portal.logs import configure

    configure(app.config.get("LOG_LEVEL", logging.INFO), json_logs=app.config["PORTAL_ENV"] == "production")
