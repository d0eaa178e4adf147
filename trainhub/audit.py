"""Write audit records: logins, full ID displays, exports, approvals, overrides."""
from flask import has_request_context, request
from flask_login import current_user

from trainhub.extensions import db


def record(action: str, obj=None, detail: str | None = None, user=None) -> None:
    """Add an audit event for the current (or given) user; the request's commit saves it."""
    from trainhub.accounts.models import AuditEvent

    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    event = AuditEvent(
        user_id=getattr(user, "id", None),
        action=action,
        object_type=type(obj).__name__.lower() if obj is not None else None,
        object_id=getattr(obj, "id", None),
        detail=detail,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
