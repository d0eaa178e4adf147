"""Registry exports: the teacher and school lists as spreadsheets, ID numbers masked by default."""
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from trainhub import audit, vocab
from trainhub.extensions import db
from trainhub.schools.models import School, Subject, Unit
from trainhub.teachers.models import Teacher
from trainhub.teachers.services import TeacherFilters, filter_teachers


@dataclass(frozen=True)
class ExportFilters:
    """The list pages' filters, by the same query parameter names."""

    county_id: int | None = None
    school_id: int | None = None
    subject_id: int | None = None
    employment_type: str = ""

    @classmethod
    def from_args(cls, args) -> "ExportFilters":
        employment_type = args.get("employment_type", "")
        return cls(county_id=args.get("county", type=int), school_id=args.get("school", type=int),
                   subject_id=args.get("subject", type=int),
                   employment_type=employment_type if employment_type in vocab.EMPLOYMENT_TYPES else "")

    def for_teachers(self) -> TeacherFilters:
        """The same filters in the teacher list's terms, so both apply them in one place."""
        return TeacherFilters(county_id=self.county_id, school_id=self.school_id, subject_id=self.subject_id,
                              employment_type=self.employment_type)

    def describe(self) -> str:
        return ", ".join(f"{name}={value}" for name, value in (
            ("county", self.county_id), ("school", self.school_id), ("subject", self.subject_id),
            ("employment_type", self.employment_type)) if value) or "all"


def _yes_no(value: bool) -> str:
    return str(_l("Yes") if value else _l("No"))


TEACHER_HEADERS = (_l("Full name"), _l("ID number"), _l("Gender"), _l("School code"), _l("School"), _l("County"),
                   _l("Subject"), _l("Employment type"), _l("Term end"), _l("Degree"), _l("Title"),
                   _l("Key teacher"), _l("Principal"), _l("Homeroom teacher"), _l("Hire date"),
                   _l("At school since"), _l("Status"))


def teacher_rows(filters: ExportFilters, locale: str, full_ids: bool) -> tuple[list[str], list[list]]:
    """Return headers and rows of the teachers the user may see; writes an audit record for full IDs."""
    query = (sa.select(Teacher).join(Teacher.school)
             .options(joinedload(Teacher.school).joinedload(School.county), joinedload(Teacher.subject))
             .order_by(School.code, Teacher.name, Teacher.id))
    teachers = db.session.scalars(filter_teachers(query, filters.for_teachers())).all()
    if full_ids:
        audit.record("export_full_ids", detail=f"teachers: {len(teachers)} rows; filters {filters.describe()}")
    rows = [[
        teacher.name, teacher.id_number if full_ids else teacher.id_number_masked,
        vocab.label(vocab.GENDERS, teacher.gender), teacher.school.code, teacher.school.name,
        teacher.school.county.name, teacher.subject.display_name(locale),
        vocab.label(vocab.EMPLOYMENT_TYPES, teacher.employment_type), teacher.term_end,
        vocab.label(vocab.DEGREES, teacher.degree), vocab.label(vocab.TITLES, teacher.title),
        vocab.label(vocab.KEY_TEACHER_LEVELS, teacher.key_teacher_level), _yes_no(teacher.is_principal),
        _yes_no(teacher.is_homeroom_teacher), teacher.hire_date, teacher.at_school_since,
        vocab.label(vocab.TEACHER_STATUSES, teacher.status),
    ] for teacher in teachers]
    return [str(header) for header in TEACHER_HEADERS], rows


def school_rows(filters: ExportFilters) -> tuple[list[str], list[list]]:
    """Return headers and rows of the schools the user may see, with active teachers counted in one query."""
    teacher_counts = (sa.select(Teacher.school_id, sa.func.count(Teacher.id).label("teachers"))
                      .where(Teacher.status == "active").group_by(Teacher.school_id).subquery())
    query = (sa.select(School, sa.func.coalesce(teacher_counts.c.teachers, 0))
             .join(School.county).outerjoin(teacher_counts, teacher_counts.c.school_id == School.id)
             .options(joinedload(School.county), selectinload(School.stages))
             .order_by(Unit.code, School.code))
    if filters.county_id:
        query = query.where(School.county_id == filters.county_id)
    if filters.school_id:
        query = query.where(School.id == filters.school_id)
    headers = [_l("School code"), _l("School name"), _l("County"), _l("Township"), _l("Locality"),
               *vocab.SCHOOL_FLAGS.values()]
    for stage_label in vocab.STAGES.values():
        headers += [_l("%(stage)s students", stage=stage_label), _l("%(stage)s classes", stage=stage_label)]
    headers += [_l("Active teachers"), _l("Latitude"), _l("Longitude")]
    rows = []
    for school, teachers in db.session.execute(query).unique():
        by_stage = {row.stage: row for row in school.stages}
        stage_cells = []
        for stage in vocab.STAGES:
            row = by_stage.get(stage)
            stage_cells += [row.students, row.classes] if row else [None, None]
        rows.append([school.code, school.name, school.county.name, school.township,
                     vocab.label(vocab.LOCALITIES, school.locality),
                     *[_yes_no(getattr(school, flag)) for flag in vocab.SCHOOL_FLAGS],
                     *stage_cells, teachers, school.lat, school.lon])
    return [str(header) for header in headers], rows


def filter_choices() -> dict:
    """The counties, schools and subjects the user may filter by (scoped like every query)."""
    return {
        "counties": db.session.scalars(sa.select(Unit).where(Unit.kind == "county").order_by(Unit.code)).all(),
        "schools": db.session.scalars(sa.select(School).order_by(School.code)).all(),
        "subjects": db.session.scalars(sa.select(Subject).order_by(Subject.code)).all(),
    }
