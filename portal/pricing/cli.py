"""`flask pricing expire` — run the exception expiry by hand (the worker runs it daily)."""
from __future__ import annotations

import click

from portal.core.unit_of_work import CommandGroup
from portal.pricing.workflow import expire_due

pricing_cli = CommandGroup("pricing", help="Price exceptions.")


@pricing_cli.command("expire")
def expire() -> None:
    """Mark approved exceptions past their validity as expired."""
    count = expire_due()
    click.echo(f"{count} exception(s) expired.")


def init_app(app) -> None:
    app.cli.add_command(pricing_cli)
