"""Training commands: flask --app trainhub training <command>."""
from datetime import date

import click

from trainhub.extensions import db
from trainhub.training.blueprint import bp
from trainhub.training.services import release_quotas


@bp.cli.command("release-seats")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Run as of this day.")
def release_seats(today):
    """Return unused quota seats to the pool and enrol waitlisted teachers (run daily)."""
    day = today.date() if today else date.today()
    promoted = release_quotas(day)
    db.session.commit()
    click.echo(f"{promoted} waitlisted teachers enrolled")
