"""Command-line tasks of the staffing domain: flask --app trainhub staffing <command>."""
from datetime import date

import click

from trainhub.extensions import db
from trainhub.staffing import runs
from trainhub.staffing.blueprint import bp


@bp.cli.command("refresh-postings")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to refresh for (default: today).")
def refresh_postings(today) -> None:
    """Start planned postings and end finished ones (run it daily)."""
    day = today.date() if today else date.today()
    changed = runs.refresh_posting_statuses(day)
    db.session.commit()
    click.echo(f"{changed} postings changed status on {day.isoformat()}.")
