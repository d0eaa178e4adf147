"""Request-wide protections: the user's scope on the session, security headers, the user loader."""
import sqlalchemy as sa
from flask import Request, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import ImmutableMultiDict

from trainhub.extensions import db, login_manager
from trainhub.scoping import Scope, set_scope

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


# The largest whole number a query or form parameter may carry: a database INTEGER (ids, years, pages).
LARGEST_INT_PARAMETER = 2**31 - 1


def _bounded_int(value) -> int:
    number = int(value)
    if abs(number) > LARGEST_INT_PARAMETER:
        raise ValueError("out of range")
    return number


class BoundedParameters(ImmutableMultiDict):
    """Query and form parameters whose `get(name, type=int)` treats a number too large for the
    database like one that is not a number at all: the default is used (a hostile ?page= or ?year=
    of thirty digits must not reach SQL)."""

    def get(self, key, default=None, type=None):
        return super().get(key, default, _bounded_int if type is int else type)


class TrainHubRequest(Request):
    parameter_storage_class = BoundedParameters


def scope_for(user) -> Scope:
    """Return what a signed-in user may see: a unit subtree, a school, or one teacher."""
    from trainhub.accounts.models import UNIT_ROLES

    if user.role in UNIT_ROLES and user.unit is not None:
        return Scope(unit_path=user.unit.path, home_path=user.unit.path)
    if user.role == "school_admin" and user.school is not None:
        return Scope(home_path=user.school.county.path, school_id=user.school_id)
    if user.role == "teacher" and user.teacher is not None:
        return Scope(home_path=user.teacher.school.county.path, school_id=user.teacher.school_id,
                     teacher_id=user.teacher_id)
    return Scope.nothing()


def init_app(app) -> None:
    app.request_class = TrainHubRequest
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def _load_user(user_id: str):
        from trainhub.accounts.models import User
        from trainhub.schools.models import Unit

        # Unit roles (all but school administrators and teachers) come with the unit scope_for reads
        # and the unit above it (the reports' breadcrumb; always within their scope), in one query
        # instead of two or three. Joining the school and teacher chains too cost more than it saved.
        query = sa.select(User).where(User.id == int(user_id)).options(joinedload(User.unit).joinedload(Unit.parent))
        return db.session.scalars(query).first()

    @app.before_request
    def _scope_the_session():
        # Loading the user and their unit happens unscoped; everything after is scoped.
        set_scope(db.session, None)
        if current_user.is_authenticated:
            set_scope(db.session, scope_for(current_user))
        else:
            set_scope(db.session, Scope.nothing())

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
