"""Training programmes, their seats, enrolments, attendance, the hours ledger, targets and notifications."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainhub.extensions import db
from trainhub.schools.models import School, Unit
from trainhub.scoping import Scope, ancestor_paths, scope_rule
from trainhub.teachers.models import Teacher

# Statuses in which an enrolment holds one of the programme's seats.
SEAT_HOLDING = ("enrolled", "attended", "completed", "failed")
# Statuses in which an enrolment still counts against the teacher's calendar and duplicates.
ACTIVE = ("applied", "enrolled", "waitlisted", "attended")


def school_organiser_path(school: School) -> str:
    """Return the organiser path of a school: below its county, so county users see it."""
    return f"{school.county.path}s{school.id}/"


class Programme(db.Model):
    """A training programme (培训项目) of one tier, organised by a unit or a school."""

    __table_args__ = (
        sa.CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200), index=True)
    tier: Mapped[str] = mapped_column(sa.String(12), index=True)
    sub_project: Mapped[str | None] = mapped_column(sa.String(60))
    organiser_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    organiser_school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id"), index=True)
    # The organiser's unit path; a school organiser is "<county path>s<school id>/".
    organiser_path: Mapped[str] = mapped_column(sa.String(220), index=True)
    year: Mapped[int] = mapped_column(index=True)
    mode: Mapped[str] = mapped_column(sa.String(16))
    hours: Mapped[int]
    credits: Mapped[float]
    capacity: Mapped[int]
    seats_taken: Mapped[int] = mapped_column(default=0)
    start_date: Mapped[date]
    end_date: Mapped[date]
    apply_from: Mapped[date]
    apply_until: Mapped[date]
    # From this day unused quota seats return to a common pool.
    quota_release_date: Mapped[date | None]
    target_stages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    target_subject_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    target_roles: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    rural_only: Mapped[bool] = mapped_column(default=False)
    eligible_county_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    approval: Mapped[str] = mapped_column(sa.String(14), default="none")
    status: Mapped[str] = mapped_column(sa.String(10), default="draft", index=True)
    created_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)

    organiser_unit: Mapped[Unit | None] = relationship()
    organiser_school: Mapped[School | None] = relationship()
    sessions: Mapped[list[ProgrammeSession]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="ProgrammeSession.day")
    quotas: Mapped[list[SeatQuota]] = relationship(back_populates="programme", cascade="all, delete-orphan")

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def organiser_name(self) -> str:
        if self.organiser_school is not None:
            return self.organiser_school.name
        return self.organiser_unit.name if self.organiser_unit is not None else ""


class ProgrammeSession(db.Model):
    """One day (or half-day) of a programme, with its hours: the unit of attendance."""

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    day: Mapped[date]
    title: Mapped[str] = mapped_column(sa.String(200))
    hours: Mapped[float]

    programme: Mapped[Programme] = relationship(back_populates="sessions")


class SeatQuota(db.Model):
    """Seats (名额) of a programme reserved for one child unit or one school."""

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "unit_id", "school_id"),
        sa.CheckConstraint("seats_taken >= 0 AND seats_taken <= seats", name="seats_within_quota"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id"), index=True)
    seats: Mapped[int]
    seats_taken: Mapped[int] = mapped_column(default=0)
    # The need figure the seats were weighted by, when the engine split them.
    need: Mapped[float | None]

    programme: Mapped[Programme] = relationship(back_populates="quotas")
    unit: Mapped[Unit | None] = relationship()
    school: Mapped[School | None] = relationship()

    @property
    def holder_name(self) -> str:
        return self.school.name if self.school is not None else self.unit.name


class Enrolment(db.Model):
    """A teacher's place in a programme, from application to completion."""

    __table_args__ = (sa.UniqueConstraint("programme_id", "teacher_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("teacher.id"), index=True)
    quota_id: Mapped[int | None] = mapped_column(sa.ForeignKey("seat_quota.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(12), index=True)
    nominated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    school_approved_at: Mapped[datetime | None]
    county_approved_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(sa.String(300))  # of a withdrawal or rejection
    waitlist_reason: Mapped[str | None] = mapped_column(sa.String(8))  # quota, full
    hours_attended: Mapped[float | None]
    score: Mapped[float | None]
    certificate_no: Mapped[str | None] = mapped_column(sa.String(24), unique=True)
    applied_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)
    waitlisted_at: Mapped[datetime | None]
    completed_at: Mapped[date | None]

    programme: Mapped[Programme] = relationship()
    teacher: Mapped[Teacher] = relationship()

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_HOLDING


class Attendance(db.Model):
    __table_args__ = (sa.UniqueConstraint("enrolment_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolment.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("programme_session.id", ondelete="CASCADE"),
                                            index=True)
    present: Mapped[bool] = mapped_column(default=True)


class HoursRecord(db.Model):
    """One line of a teacher's hours ledger: a completion, or past or external hours entered as evidence."""

    __table_args__ = (
        sa.Index("ix_hours_record_teacher_id_day", "teacher_id", "day"),
        # The quota report sums a year's completions per teacher from this index alone on PostgreSQL,
        # instead of visiting a heap page for nearly every one of them.
        sa.Index("ix_hours_record_source_day", "source", "day", postgresql_include=["teacher_id", "hours", "tier"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("teacher.id"))
    tier: Mapped[str] = mapped_column(sa.String(12))
    hours: Mapped[float]
    day: Mapped[date] = mapped_column(index=True)
    source: Mapped[str] = mapped_column(sa.String(10))  # completion, evidence
    is_induction: Mapped[bool] = mapped_column(default=False)
    enrolment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enrolment.id"), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    note: Mapped[str | None] = mapped_column(sa.String(300))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)


class TrainingTarget(db.Model):
    """An annual target of persons trained, set for a unit by the unit above."""

    __table_args__ = (sa.UniqueConstraint("unit_id", "tier", "year", "rural_only"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    tier: Mapped[str] = mapped_column(sa.String(12))  # a tier, or "all"
    year: Mapped[int] = mapped_column(index=True)
    persons: Mapped[int]
    rural_only: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)

    unit: Mapped[Unit] = relationship()


class Notification(db.Model):
    """A message for a teacher inside the app; `message` is an English msgid, `params` its values."""

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("teacher.id"), index=True)
    message: Mapped[str] = mapped_column(sa.String(200))
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    is_read: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=datetime.utcnow, index=True)


# ---- scope rules ---------------------------------------------------------------------------------

@scope_rule(Programme)
def _programme(scope: Scope):
    """Visible: programmes organised in the user's subtree, by a unit above, or by the user's school."""
    chain = ancestor_paths(scope.home_path or "")
    if scope.unit_path:
        root = scope.unit_path
        return lambda cls: sa.or_(cls.organiser_path.startswith(root), cls.organiser_path.in_(chain))
    if scope.school_id is not None:
        own = chain + [f"{scope.home_path}s{scope.school_id}/"]
        return lambda cls: cls.organiser_path.in_(own)
    return lambda cls: cls.organiser_path.in_(chain)


@scope_rule(Enrolment)
def _enrolment(scope: Scope):
    return lambda cls: cls.teacher_id.in_(sa.select(Teacher.id))


@scope_rule(SeatQuota)
def _seat_quota(scope: Scope):
    return lambda cls: sa.or_(cls.unit_id.in_(sa.select(Unit.id)), cls.school_id.in_(sa.select(School.id)))


@scope_rule(HoursRecord)
def _hours_record(scope: Scope):
    return lambda cls: cls.teacher_id.in_(sa.select(Teacher.id))


@scope_rule(Notification)
def _notification(scope: Scope):
    return lambda cls: cls.teacher_id.in_(sa.select(Teacher.id))


@scope_rule(TrainingTarget)
def _training_target(scope: Scope):
    return lambda cls: cls.unit_id.in_(sa.select(Unit.id))


@scope_rule(Attendance)
def _attendance(scope: Scope):
    return lambda cls: cls.enrolment_id.in_(sa.select(Enrolment.id))
