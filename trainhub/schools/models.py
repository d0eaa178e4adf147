"""Org units (province > prefecture > county), schools and subjects."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainhub.extensions import db
from trainhub.scoping import Scope, ancestor_paths, scope_rule


class Unit(db.Model):
    """An education bureau's area: province, prefecture or county (GB/T 2260 code)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str | None] = mapped_column(sa.String(100))
    kind: Mapped[str] = mapped_column(sa.String(12), index=True)  # province, prefecture, county
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    # Materialised path of codes, "/620000/622900/622921/", so a subtree is one prefix match.
    path: Mapped[str] = mapped_column(sa.String(200), unique=True)
    is_key_aid_county: Mapped[bool] = mapped_column(default=False)
    is_border_county: Mapped[bool] = mapped_column(default=False)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name}>"


class School(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), index=True)
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    township: Mapped[str | None] = mapped_column(sa.String(60))
    locality: Mapped[str] = mapped_column(sa.String(10), index=True)  # urban, town, rural
    is_small_rural: Mapped[bool] = mapped_column(default=False, index=True)
    is_boarding: Mapped[bool] = mapped_column(default=False)
    is_relocation_site: Mapped[bool] = mapped_column(default=False)
    is_teaching_point: Mapped[bool] = mapped_column(default=False)
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)

    county: Mapped[Unit] = relationship()
    stages: Mapped[list[SchoolStage]] = relationship(
        back_populates="school", cascade="all, delete-orphan"
    )

    @property
    def stage_codes(self) -> list[str]:
        return [row.stage for row in sorted(self.stages, key=lambda row: row.stage_order)]

    @property
    def students(self) -> int:
        return sum(row.students for row in self.stages)

    @property
    def classes(self) -> int:
        return sum(row.classes for row in self.stages)


STAGE_ORDER = {"kindergarten": 0, "primary": 1, "junior": 2, "senior": 3}


class SchoolStage(db.Model):
    """Enrolment and classes of one stage at one school."""

    __table_args__ = (sa.UniqueConstraint("school_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(sa.String(12), index=True)
    students: Mapped[int] = mapped_column(default=0)
    classes: Mapped[int] = mapped_column(default=0)

    school: Mapped[School] = relationship(back_populates="stages")

    @property
    def stage_order(self) -> int:
        return STAGE_ORDER.get(self.stage, 9)


class Subject(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name_zh: Mapped[str] = mapped_column(sa.String(40))
    name_en: Mapped[str] = mapped_column(sa.String(60))

    def display_name(self, locale: str) -> str:
        return self.name_en if locale.startswith("en") else self.name_zh


class ScarceSubject(db.Model):
    """A subject on a province's scarce-subject list for one year (the list changes yearly)."""

    __table_args__ = (sa.UniqueConstraint("unit_id", "subject_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subject.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)

    subject: Mapped[Subject] = relationship()


# Who sees which units and schools. A unit is visible when it lies in the user's subtree or is
# the user's own unit or one above it (seen by name, as the parent of what the user works in).
@scope_rule(Unit)
def _unit(scope: Scope):
    root, chain = scope.unit_path, ancestor_paths(scope.home_path or "")
    if root:
        return lambda cls: sa.or_(cls.path.startswith(root), cls.path.in_(chain))
    return lambda cls: cls.path.in_(chain)


@scope_rule(School)
def _school(scope: Scope):
    if scope.school_id is not None:
        school_id = scope.school_id
        return lambda cls: cls.id == school_id
    root = scope.unit_path
    return lambda cls: cls.county_id.in_(sa.select(Unit.id).where(Unit.path.startswith(root)))
