"""Command-line entry points: `flask seed demo` and the domains' own commands."""
from __future__ import annotations

import importlib

import click
from flask import current_app

from portal.accounts.models import User
from portal.core.unit_of_work import CommandGroup
from portal.extensions import db
from portal.seed.accounts import DEMO_LOGINS, DEMO_PASSWORD

seed_cli = CommandGroup("seed", help="Load data.")

#: Demo seeding steps in dependency order; a domain not installed is skipped.
DEMO_STEPS = ["portal.seed.accounts", "portal.catalog.seed", "portal.deals.seed",
              "portal.conflicts.seed", "portal.pricing.seed", "portal.orders.seed",
              "portal.rebates.seed", "portal.scorecards.seed"]


@seed_cli.command("demo")
def seed_demo():
    """Load the demo: dealers, users, catalogue, deals, conflicts, exceptions, orders, rebates."""
    from sqlalchemy import func, select

    users = db.session.scalar(select(func.count()).select_from(User))
    if users and current_app.config["PORTAL_ENV"] == "production":
        raise click.ClickException("Refusing to load demo data into a production database that "
                                   "already holds data.")
    if db.session.scalar(select(User.id).where(User.email == "admin@example.com")):
        click.echo("Demo data is already loaded; nothing changed.")
        _print_logins()
        return
    ctx: dict = {}
    for name in DEMO_STEPS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name or name.startswith(exc.name + "."):
                continue
            raise
        module.seed_demo(ctx)
        db.session.flush()
    click.echo("Demo data loaded.")
    _print_logins()


def _print_logins() -> None:
    click.echo(f"Demo logins (password {DEMO_PASSWORD}):")
    for email, label in DEMO_LOGINS:
        click.echo(f"  {email:<28} {label}")


def init_app(app) -> None:
    """The app's own commands; each domain adds its commands in its `wiring.init_app`."""
    app.cli.add_command(seed_cli)
