"""Sign-in with throttling."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from werkzeug.security import check_password_hash, generate_password_hash

from trainhub import audit
from trainhub.accounts.models import AuditEvent, User
from trainhub.extensions import db


FAILED_SIGN_IN_ACTIONS = ("login_failed", "login_locked", "login_throttled")


@cache
def _decoy_hash() -> str:
    """A hash to check against when the username is unknown, so both paths take the same time."""
    return generate_password_hash("decoy password")


@dataclass(frozen=True)
class SignIn:
    user: User | None
    locked: bool = False
    throttled: bool = False


def _address_is_throttled(now: datetime) -> bool:
    """Tell whether this address failed too often lately, whatever usernames it tried."""
    if not has_request_context() or not request.remote_addr:
        return False
    since = now - timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    failures = db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.at >= since, AuditEvent.ip == request.remote_addr,
            AuditEvent.action.in_(FAILED_SIGN_IN_ACTIONS))
    )
    return failures >= current_app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]


def authenticate(username: str, password: str, now: datetime | None = None) -> SignIn:
    """Check a username and password; lock an account, or refuse an address, after too many failures."""
    now = now or datetime.utcnow()
    if _address_is_throttled(now):
        audit.record("login_throttled", detail=username[:60])
        return SignIn(None, throttled=True)
    user = db.session.scalars(sa.select(User).where(User.username == username.strip())).first()
    if user is None:
        check_password_hash(_decoy_hash(), password)
        audit.record("login_failed", detail=username[:60])
        return SignIn(None)
    if user.locked_until and user.locked_until > now:
        audit.record("login_locked", user, user=user)
        return SignIn(None, locked=True)
    if not user.is_enabled or not user.check_password(password):
        user.failed_logins += 1
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
            user.failed_logins = 0
        audit.record("login_failed", user, user=user)
        db.session.flush()
        return SignIn(None, locked=user.locked_until is not None and user.locked_until > now)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record("login", user, user=user)
    db.session.flush()
    return SignIn(user)
