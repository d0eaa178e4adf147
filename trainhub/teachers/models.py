"""Teachers: the registry of people, with their resident ID numbers."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainhub.extensions import db
from trainhub.idnumber import mask
from trainhub.schools.models import School, Subject, Unit
from trainhub.scoping import Scope, scope_rule

teacher_other_subject = sa.Table(
    "teacher_other_subject",
    db.metadata,
    sa.Column("teacher_id", sa.ForeignKey("teacher.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("subject_id", sa.ForeignKey("subject.id"), primary_key=True, index=True),
)


class Teacher(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(sa.String(18), unique=True)
    name: Mapped[str] = mapped_column(sa.String(40), index=True)
    gender: Mapped[str] = mapped_column(sa.String(6))  # derived from the ID number
    birth_date: Mapped[date]  # derived from the ID number
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    employment_type: Mapped[str] = mapped_column(sa.String(16), index=True, default="regular")
    term_start: Mapped[date | None]  # special-post, support and silver-age terms
    term_end: Mapped[date | None] = mapped_column(index=True)
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subject.id"), index=True)  # primary subject
    certificate_stages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    degree: Mapped[str] = mapped_column(sa.String(12), default="bachelor")
    title: Mapped[str] = mapped_column(sa.String(14), default="none", index=True)
    key_teacher_level: Mapped[str] = mapped_column(sa.String(12), default="none", index=True)
    is_principal: Mapped[bool] = mapped_column(default=False)
    is_homeroom_teacher: Mapped[bool] = mapped_column(default=False)
    hire_date: Mapped[date | None]
    at_school_since: Mapped[date | None]
    status: Mapped[str] = mapped_column(sa.String(8), default="active", index=True)
    created_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)

    school: Mapped[School] = relationship()
    subject: Mapped[Subject] = relationship()
    other_subjects: Mapped[list[Subject]] = relationship(secondary=teacher_other_subject)

    @property
    def id_number_masked(self) -> str:
        return mask(self.id_number)

    @property
    def is_key_teacher(self) -> bool:
        return self.key_teacher_level not in ("none", "school")

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


# A teacher sees themself, a school administrator their school's teachers, officers their subtree's.
@scope_rule(Teacher)
def _teacher(scope: Scope):
    if scope.teacher_id is not None:
        teacher_id = scope.teacher_id
        return lambda cls: cls.id == teacher_id
    if scope.school_id is not None:
        school_id = scope.school_id
        return lambda cls: cls.school_id == school_id
    root = scope.unit_path
    return lambda cls: cls.school_id.in_(
        sa.select(School.id).join(Unit, School.county_id == Unit.id).where(Unit.path.startswith(root))
    )
