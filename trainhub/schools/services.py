"""Schools: the list with its filters and teacher counts, and saving a school with its stages."""
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from trainhub.errors import UserError
from trainhub.extensions import db
from trainhub.schools.models import School, SchoolStage, Unit
from trainhub.scoping import unscoped
from trainhub.teachers.models import Teacher
from trainhub.vocab import SCHOOL_FLAGS, STAGES

SORTS = {
    "name": _l("Name"),
    "code": _l("School code"),
    "county": _l("County"),
    "teachers": _l("Teachers (most first)"),
    "students": _l("Students (most first)"),
}


@dataclass(frozen=True)
class SchoolFilters:
    q: str = ""
    county_id: int | None = None
    locality: str = ""
    flag: str = ""
    stage: str = ""
    sort: str = "name"


def counties():
    """Return the counties the user may see (the Unit query is scoped), by code."""
    return db.session.scalars(sa.select(Unit).where(Unit.kind == "county").order_by(Unit.code)).all()


def active_teacher_counts(only=None):
    """One grouped subquery: school_id -> number of active teachers (of the school ids `only`, if given)."""
    query = sa.select(Teacher.school_id, sa.func.count(Teacher.id).label("teacher_count")).where(
        Teacher.status == "active")
    if only is not None:
        query = query.where(Teacher.school_id.in_(only))
    return query.group_by(Teacher.school_id).subquery()


def student_counts(only=None):
    """One grouped subquery: school_id -> students over all stages (of the school ids `only`, if given)."""
    query = sa.select(SchoolStage.school_id, sa.func.sum(SchoolStage.students).label("students"))
    if only is not None:
        query = query.where(SchoolStage.school_id.in_(only))
    return query.group_by(SchoolStage.school_id).subquery()


def school_ids(filters: SchoolFilters) -> sa.Select:
    """Return a select of the matching schools' ids, unordered: what the list counts."""
    query = sa.select(School.id)
    if filters.q:
        query = query.where(sa.or_(School.name.contains(filters.q, autoescape=True),
                                   School.code.startswith(filters.q, autoescape=True)))
    if filters.county_id:
        query = query.where(School.county_id == filters.county_id)
    if filters.locality:
        query = query.where(School.locality == filters.locality)
    if filters.flag in SCHOOL_FLAGS:
        query = query.where(getattr(School, filters.flag).is_(True))
    if filters.stage in STAGES:
        query = query.where(School.stages.any(SchoolStage.stage == filters.stage))
    return query


def sorted_school_ids(filters: SchoolFilters) -> sa.Select:
    """Return the matching ids in list order; only the sorts by a count group all teachers or stages."""
    query = school_ids(filters)
    if filters.sort == "county":
        return query.join(School.county).order_by(Unit.code, School.name, School.id)
    if filters.sort in ("teachers", "students"):
        counts = active_teacher_counts() if filters.sort == "teachers" else student_counts()
        total = sa.func.coalesce(counts.c.teacher_count if filters.sort == "teachers" else counts.c.students, 0)
        query = query.outerjoin(counts, counts.c.school_id == School.id)
        return query.order_by(total.desc(), School.name, School.id)
    return query.order_by(School.code if filters.sort == "code" else School.name, School.id)


def load_schools(ids: list[int]) -> list[tuple[School, int, int]]:
    """Return (school, active teachers, students) for `ids`, in their order, counting those schools only."""
    if not ids:
        return []
    teachers, students = active_teacher_counts(ids), student_counts(ids)
    query = (
        sa.select(School, sa.func.coalesce(teachers.c.teacher_count, 0), sa.func.coalesce(students.c.students, 0))
        .where(School.id.in_(ids))
        .outerjoin(teachers, teachers.c.school_id == School.id)
        .outerjoin(students, students.c.school_id == School.id)
        .options(joinedload(School.county), selectinload(School.stages))
    )
    by_id = {row[0].id: tuple(row) for row in db.session.execute(query)}
    return [by_id[school_id] for school_id in ids if school_id in by_id]


def teacher_count(school: School) -> int:
    return db.session.scalar(sa.select(sa.func.count(Teacher.id))
                             .where(Teacher.school_id == school.id, Teacher.status == "active"))


@dataclass(frozen=True)
class SchoolInput:
    code: str
    name: str
    county_id: int
    township: str | None
    locality: str
    is_small_rural: bool
    is_boarding: bool
    is_relocation_site: bool
    is_teaching_point: bool
    lat: float | None
    lon: float | None
    stages: dict  # stage -> (students, classes)


def save_school(school: School | None, data: SchoolInput) -> School:
    """Create a school (school=None) or update one; check everything before changing anything."""
    code = data.code.strip().upper()
    county = db.session.scalars(sa.select(Unit).where(Unit.id == data.county_id, Unit.kind == "county")).first()
    if county is None:  # outside the user's area, or not a county
        raise UserError(_l("Choose a county from the list."), "county_id")
    same_code = sa.select(School.id).where(School.code == code)
    if school is not None:
        same_code = same_code.where(School.id != school.id)
    with unscoped():  # a school code is unique across the whole country, not just the user's area
        taken = db.session.scalar(same_code)
    if taken is not None:
        raise UserError(_l("A school with this code is already registered."), "code")
    if not data.stages:
        raise UserError(_l("Enter students and classes for at least one stage."))
    for stage, (students, classes) in data.stages.items():
        if students > 0 and classes == 0:
            raise UserError(_l("%(stage)s: a stage with students needs at least one class.",
                               stage=STAGES[stage]))

    if school is None:
        school = School()
        db.session.add(school)
    school.code, school.name, school.county = code, data.name.strip(), county
    school.township = (data.township or "").strip() or None
    school.locality = data.locality
    school.is_small_rural, school.is_boarding = data.is_small_rural, data.is_boarding
    school.is_relocation_site, school.is_teaching_point = data.is_relocation_site, data.is_teaching_point
    school.lat, school.lon = data.lat, data.lon
    existing = {row.stage: row for row in school.stages}
    rows = []
    for stage, (students, classes) in data.stages.items():
        row = existing.get(stage) or SchoolStage(stage=stage)
        row.students, row.classes = students, classes
        rows.append(row)
    school.stages = rows
    db.session.flush()
    return school
