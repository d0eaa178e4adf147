"""flask --app trainhub api-token create|list|revoke: manage API tokens."""
from datetime import datetime

import click
import sqlalchemy as sa

from trainhub.accounts.models import User
from trainhub.api.blueprint import bp
from trainhub.api.models import ApiToken
from trainhub.extensions import db


@bp.cli.command("create")
@click.argument("username")
@click.option("--name", default="", help="What the token is for, e.g. the reporting system's name.")
def create(username: str, name: str) -> None:
    """Create a token acting as USERNAME (with that user's role and unit); print it once."""
    user = db.session.scalars(sa.select(User).where(User.username == username)).first()
    if user is None:
        raise click.ClickException(f"No user called {username}.")
    if not user.is_enabled:
        raise click.ClickException(f"The user {username} is disabled.")
    record, token = ApiToken.issue(user, name or f"token for {username}")
    db.session.commit()
    click.echo(f"Token {record.id} for {username} (shown only now, keep it secret):")
    click.echo(token)


@bp.cli.command("list")
@click.argument("username", required=False)
def list_tokens(username: str | None) -> None:
    """List tokens (never their text), optionally of one user."""
    query = sa.select(ApiToken).join(ApiToken.user).order_by(ApiToken.id)
    if username:
        query = query.where(User.username == username)
    for record in db.session.scalars(query):
        state = f"revoked {record.revoked_at:%Y-%m-%d %H:%M}" if record.revoked_at else "active"
        used = f"{record.last_used_at:%Y-%m-%d %H:%M}" if record.last_used_at else "never"
        click.echo(f"{record.id}\t{record.user.username}\t{record.name}\t{state}\tlast used {used}")


@bp.cli.command("revoke")
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    """Revoke a token by its number (see list); it stops working at once."""
    record = db.session.get(ApiToken, token_id)
    if record is None:
        raise click.ClickException(f"No token {token_id}.")
    if record.revoked_at is None:
        record.revoked_at = datetime.utcnow()
        db.session.commit()
    click.echo(f"Token {token_id} is revoked.")
