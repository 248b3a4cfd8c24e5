"""`flask deals expire`: end protection that has run out and send expiry reminders.
`flask deals rekey`: recompute every customer's blocking keys after the matcher's rules change."""
from __future__ import annotations

from datetime import date

import click

from portal.core.unit_of_work import CommandGroup, committed
from portal.deals.customers import rekey_batch
from portal.deals.jobs import run_daily

deals_cli = CommandGroup("deals", help="Deal registrations.")


@deals_cli.command("expire")
@click.option("--on", "on_date", default=None, help="Business date (YYYY-MM-DD); default today.")
def expire(on_date):
    """Expire registrations past their protection and remind those expiring within 7 days."""
    expired, reminded = run_daily(date.fromisoformat(on_date) if on_date else None)
    click.echo(f"{expired} registration(s) expired, {reminded} reminder(s) sent.")


@deals_cli.command("rekey")
@click.option("--batch", default=2000, show_default=True, type=click.IntRange(1, 50_000),
              help="Customers per transaction.")
def rekey(batch):
    """Recompute the normalised names and blocking keys the conflict check searches, for every
    customer whose stored ones differ from the matcher's current rules. Each batch commits on
    its own, so an interrupted run keeps what it did and may simply be run again."""
    after, read, rewritten = 0, 0, 0
    while True:
        last, seen, changed = committed(rekey_batch)(after, batch)
        if last is None:
            break
        after, read, rewritten = last, read + seen, rewritten + changed
    click.echo(f"{rewritten} of {read} customer(s) had their keys recomputed.")


def init_app(app) -> None:
    app.cli.add_command(deals_cli)
