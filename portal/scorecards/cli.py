"""`flask scorecards rebuild-figures`, `flask scorecards bump-stamp`: after writes that bypass
the portal's sessions (COPY, psql, a restored table), recompute what the scorecards keep."""
from __future__ import annotations

import click

from portal.core.unit_of_work import CommandGroup
from portal.extensions import db
from portal.scorecards import sources, stamp

scorecards_cli = CommandGroup("scorecards", help="Dealer scorecards.")


@scorecards_cli.command("rebuild-figures")
def rebuild_figures():
    """Recompute every dealer's monthly figures from the rows, and change the stamp."""
    months = sources.rebuild(db.session)
    stamp.bump(db.session)
    click.echo(f"{months} dealer month(s) rebuilt.")


@scorecards_cli.command("bump-stamp")
def bump_stamp():
    """Change the stamp: every process recomputes its kept ranked lists on their next view."""
    stamp.bump(db.session)
    click.echo("Stamp changed.")


def init_app(app) -> None:
    app.cli.add_command(scorecards_cli)
