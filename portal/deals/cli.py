"""`flask deals expire`: end protection that has run out and send expiry reminders."""
from __future__ import annotations

from datetime import date

import click

from portal.core.unit_of_work import CommandGroup
from portal.deals.jobs import run_daily

deals_cli = CommandGroup("deals", help="Deal registrations.")


@deals_cli.command("expire")
@click.option("--on", "on_date", default=None, help="Business date (YYYY-MM-DD); default today.")
def expire(on_date):
    """Expire registrations past their protection and remind those expiring within 7 days."""
    expired, reminded = run_daily(date.fromisoformat(on_date) if on_date else None)
    click.echo(f"{expired} registration(s) expired, {reminded} reminder(s) sent.")


def init_app(app) -> None:
    app.cli.add_command(deals_cli)
