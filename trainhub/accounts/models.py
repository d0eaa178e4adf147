"""User accounts, roles and the audit log."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from trainhub.extensions import db
from trainhub.schools.models import School, Unit
from trainhub.teachers.models import Teacher

ROLES = {
    "province_admin": _l("Province administrator"),
    "prefecture_admin": _l("Prefecture administrator"),
    "county_officer": _l("County officer"),
    "school_admin": _l("School administrator"),
    "teacher": _l("Teacher"),
    "inspector": _l("Inspector"),
}

# Roles bound to an org unit (their scope is the unit's subtree).
UNIT_ROLES = {"province_admin", "prefecture_admin", "county_officer", "inspector"}


def password_hash_method() -> str:
    """Return the configured hashing method (tests set a cheap one; production keeps the default)."""
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(60), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(60))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(sa.String(20), index=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id"), index=True)
    teacher_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teacher.id"), index=True, unique=True)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)

    unit: Mapped[Unit | None] = relationship()
    school: Mapped[School | None] = relationship()
    teacher: Mapped[Teacher | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.is_enabled

    def set_password(self, password: str) -> None:
        from trainhub.accounts.passwords import check_password_rules

        check_password_rules(password, self.username)
        self.password_hash = generate_password_hash(password, method=password_hash_method())

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class AuditEvent(db.Model):
    """Who did what, when: logins, full ID displays, exports, approvals, overrides."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=datetime.utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    detail: Mapped[str | None] = mapped_column(sa.Text)
    ip: Mapped[str | None] = mapped_column(sa.String(45))

    user: Mapped[User | None] = relationship()
