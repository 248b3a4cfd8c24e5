"""The app factory: extensions, request handling (`portal.web`), then every domain of `DOMAINS`."""
from __future__ import annotations

import importlib
import logging
import os

from flask import Flask

from portal import cli, web
from portal.accounts import auth
from portal.config import ROOT, load_config
from portal.core.jobs import huey
from portal.core.unit_of_work import PortalFlask
from portal.db import is_model_table, ping_when_idle
from portal.extensions import babel, csrf, db, limiter, login_manager, migrate
from portal.logs import configure

#: The domain packages, in order. Each has `portal.<name>.wiring.init_app(app)`, which registers
#: its blueprints, CLI commands, dashboard widgets, admin pages and labels; importing the wiring
#: module imports the domain's jobs. `create_app` (hence the CLI) and the worker go through this
#: list and nothing else; a domain that is not installed is skipped.
DOMAINS = ["main", "accounts", "notifications", "admin", "catalog", "pricing", "deals",
           "conflicts", "orders", "rebates", "api", "scorecards", "inbox"]


def create_app(config: dict | None = None) -> Flask:
    # Named "portal" as before the factory moved here: its logger and root path stay the same.
    app = PortalFlask("portal", template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"), instance_path=str(ROOT / "instance"))
    app.config.update(load_config(config))
    os.makedirs(app.config["STORAGE_DIR"], exist_ok=True)
    _logging(app)

    db.init_app(app)
    if app.config["DATABASE_PING_IDLE_SECONDS"] > 0:
        with app.app_context():
            for engine in db.engines.values():
                ping_when_idle(engine, app.config["DATABASE_PING_IDLE_SECONDS"])
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True,
                     render_as_batch=True, include_name=is_model_table)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale, timezone_selector=web.select_timezone,
                   default_translation_directories=";".join(translation_directories()))
    login_manager.init_app(app)
    huey.immediate = bool(app.config["HUEY_IMMEDIATE"] or app.config["TESTING"])

    auth.init_login(login_manager)
    web.init_app(app)
    _import_models()
    for wiring in domain_wirings():
        wiring.init_app(app)
    cli.init_app(app)
    return app


def domain_wirings() -> list:
    """The `wiring` module of each installed domain of `DOMAINS`, in order."""
    found = []
    for name in DOMAINS:
        try:
            found.append(importlib.import_module(f"portal.{name}.wiring"))
        except ModuleNotFoundError as exc:
            if exc.name not in (f"portal.{name}", f"portal.{name}.wiring"):
                raise
    return found


def _import_models() -> None:
    """Import every domain's models so that the metadata is complete (migrations, mappers)."""
    for name in ["accounts", "notifications", "core.audit", "core.settings", *DOMAINS]:
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
    configure(app.config.get("LOG_LEVEL", logging.INFO), json_logs=app.config["PORTAL_ENV"] == "production")
