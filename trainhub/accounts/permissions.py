"""What each role may do. Views declare the capability they need; data reach is the scope's job."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

# capability -> roles that have it
CAPABILITIES = {
    "view_registry": {"province_admin", "prefecture_admin", "county_officer", "school_admin", "inspector"},
    "edit_registry": {"province_admin", "prefecture_admin", "county_officer", "school_admin"},
    "edit_schools": {"province_admin", "prefecture_admin", "county_officer"},
    "view_full_id": {"province_admin", "prefecture_admin", "county_officer"},
}


def define_capability(name: str, roles: set[str]) -> None:
    """Declare a capability of a domain (called when the domain's package is imported)."""
    CAPABILITIES[name] = set(roles)


def can(capability: str, user=None) -> bool:
    user = user or current_user
    return user.is_authenticated and user.role in CAPABILITIES[capability]


def requires(capability: str):
    """Let the view run only for signed-in users whose role has the capability (else 403)."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not can(capability):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate
