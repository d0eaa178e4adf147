"""Teachers: the filtered list, saving a record from the form, and showing a full ID number."""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload, selectinload

from trainhub import audit, vocab
from trainhub.errors import UserError
from trainhub.extensions import db
from trainhub.idnumber import InvalidIdNumber, mask, parse
from trainhub.schools.models import School, Subject, Unit
from trainhub.scoping import unscoped
from trainhub.teachers.models import Teacher

SORTS = {
    "name": _l("Name"),
    "school": _l("School"),
    "hire_date": _l("Hire date (earliest first)"),
    "term_end": _l("Term end (soonest first)"),
}
# Employment types that come with a fixed term.
TERM_TYPES = {"special_post", "support", "silver_age"}
NOT_KEY_LEVELS = ("none", "school")
ID_NUMBER_TAKEN = _l("A teacher with this ID number is already registered. "
                     "Check the number, or ask the bureau to transfer the existing record.")


@dataclass(frozen=True)
class TeacherFilters:
    q: str = ""
    county_id: int | None = None
    school_id: int | None = None
    subject_id: int | None = None
    employment_type: str = ""
    status: str = ""
    title: str = ""
    key_teacher: str = ""
    sort: str = "name"


def schools():
    """Return the schools the user may see (the School query is scoped), by name."""
    return db.session.scalars(sa.select(School).order_by(School.name, School.id)).all()


def schools_to_offer(county_id: int | None, school_id: int | None) -> list[sa.Row]:
    """Return (id, name) of the schools the list's filter offers: one county's, never a prefecture's 1,500.

    Without a county only the school already chosen is offered (a link from the school list
    brings ?school= alone). The School query is scoped, so other areas' schools are not found.
    """
    if county_id:
        query = sa.select(School.id, School.name).where(School.county_id == county_id)
    elif school_id:
        query = sa.select(School.id, School.name).where(School.id == school_id)
    else:
        return []
    return db.session.execute(query.order_by(School.name, School.id)).all()


def subjects():
    return db.session.scalars(sa.select(Subject).order_by(Subject.code)).all()


def filter_teachers(query: sa.Select, filters: TeacherFilters) -> sa.Select:
    """Narrow a select over Teacher to the filters (the list and the exports share this).

    Filters on the school are subqueries on teacher.school_id, so the select needs no join.
    """
    if filters.q:
        codes = sa.select(School.id).where(School.code.startswith(filters.q, autoescape=True))
        query = query.where(sa.or_(Teacher.name.contains(filters.q, autoescape=True), Teacher.school_id.in_(codes)))
    if filters.county_id:
        query = query.where(Teacher.school_id.in_(sa.select(School.id).where(School.county_id == filters.county_id)))
    if filters.school_id:
        query = query.where(Teacher.school_id == filters.school_id)
    if filters.subject_id:
        query = query.where(Teacher.subject_id == filters.subject_id)
    if filters.employment_type:
        query = query.where(Teacher.employment_type == filters.employment_type)
    if filters.status:
        query = query.where(Teacher.status == filters.status)
    if filters.title:
        query = query.where(Teacher.title == filters.title)
    if filters.key_teacher == "yes":
        query = query.where(Teacher.key_teacher_level.not_in(NOT_KEY_LEVELS))
    elif filters.key_teacher == "no":
        query = query.where(Teacher.key_teacher_level.in_(NOT_KEY_LEVELS))
    return query


def teacher_ids(filters: TeacherFilters) -> sa.Select:
    """Return a select of the matching teachers' ids, unordered: what the list counts."""
    return filter_teachers(sa.select(Teacher.id), filters)


def sorted_teacher_ids(filters: TeacherFilters) -> sa.Select:
    """Return the matching ids in list order.

    The list pages over ids first: sorting narrow (id, sort key) rows and loading one page of
    teachers afterwards is what keeps a middle page of 25,000 teachers fast. Sorting the
    joined rows spilled to disk on PostgreSQL.
    """
    query = teacher_ids(filters)
    if filters.sort == "school":
        query = query.join(Teacher.school)
    order = {
        "school": [School.name, Teacher.name],
        "hire_date": [Teacher.hire_date.asc().nulls_last(), Teacher.name],
        "term_end": [Teacher.term_end.asc().nulls_last(), Teacher.name],
    }.get(filters.sort, [Teacher.name])
    return query.order_by(*order, Teacher.id)


@dataclass(frozen=True)
class TeacherListRow:
    """One line of the teacher list: the columns it shows, the ID number already masked."""

    id: int
    name: str
    id_number_masked: str
    gender: str
    school_name: str | None
    county_name: str | None
    subject_name_zh: str | None
    subject_name_en: str | None
    employment_type: str
    term_end: date | None
    title: str
    key_teacher_level: str
    status: str

    def subject_name(self, locale: str) -> str | None:
        return self.subject_name_en if locale.startswith("en") else self.subject_name_zh


def load_teachers(ids: list[int]) -> list[TeacherListRow]:
    """Load the list's columns of these teachers, with school, county and subject names, in the order of `ids`.

    One query of the shown columns: building whole Teacher, School, Unit and Subject objects
    for 50 rows cost more than the query itself.
    """
    if not ids:
        return []
    county = aliased(Unit)
    query = (sa.select(Teacher.id, Teacher.name, Teacher.id_number, Teacher.gender, School.name, county.name,
                       Subject.name_zh, Subject.name_en, Teacher.employment_type, Teacher.term_end, Teacher.title,
                       Teacher.key_teacher_level, Teacher.status)
             .outerjoin(School, Teacher.school_id == School.id).outerjoin(county, School.county_id == county.id)
             .outerjoin(Subject, Teacher.subject_id == Subject.id).where(Teacher.id.in_(ids)))
    by_id = {row[0]: TeacherListRow(row[0], row[1], mask(row[2]), *row[3:]) for row in db.session.execute(query)}
    return [by_id[teacher_id] for teacher_id in ids if teacher_id in by_id]


def load_teacher_options():
    """Loader options for a teacher's detail page: everything it shows, in two queries."""
    return (joinedload(Teacher.school).joinedload(School.county), joinedload(Teacher.subject),
            selectinload(Teacher.other_subjects))


@dataclass(frozen=True)
class TeacherInput:
    name: str
    id_number: str
    school_id: int | None
    subject_id: int | None
    birth_date: date | None = None
    phone: str | None = None
    other_subject_ids: list = field(default_factory=list)
    certificate_stages: list = field(default_factory=list)
    employment_type: str = "regular"
    term_start: date | None = None
    term_end: date | None = None
    degree: str = "bachelor"
    title: str = "none"
    key_teacher_level: str = "none"
    is_principal: bool = False
    is_homeroom_teacher: bool = False
    hire_date: date | None = None
    at_school_since: date | None = None
    status: str = "active"


def save_teacher(teacher: Teacher | None, data: TeacherInput) -> Teacher:
    """Create a teacher (teacher=None) or update one.

    Every rule is checked before anything changes, so a UserError leaves the database as it was.
    Gender and birth date always come from the ID number.
    """
    name = (data.name or "").strip()
    if not name:
        raise UserError(_l("Enter the teacher's name."), "name")
    try:
        id_number = parse(data.id_number)
    except InvalidIdNumber as error:
        raise UserError(error.args[0], "id_number") from None
    if data.birth_date is not None and data.birth_date != id_number.birth_date:
        raise UserError(_l("The birth date does not agree with the ID number (which gives %(date)s).",
                           date=id_number.birth_date.isoformat()), "birth_date")
    _check_id_number_is_free(id_number.value, teacher)
    # The School query is scoped: a school outside the user's area is not found.
    school = db.session.scalars(sa.select(School).where(School.id == data.school_id)).first() \
        if data.school_id else None
    if school is None:
        raise UserError(_l("Choose a school from the list."), "school_id")
    subject = db.session.get(Subject, data.subject_id) if data.subject_id else None
    if subject is None:
        raise UserError(_l("Choose a subject from the list."), "subject_id")
    other_ids = {subject_id for subject_id in data.other_subject_ids if subject_id} - {subject.id}
    others = db.session.scalars(sa.select(Subject).where(Subject.id.in_(other_ids))).all() if other_ids else []
    if len(others) != len(other_ids):
        raise UserError(_l("Choose subjects from the list."), "other_subject_ids")
    if not set(data.certificate_stages) <= set(vocab.STAGES):
        raise UserError(_l("Choose stages from the list."), "certificate_stages")
    for field_name, vocabulary in (("employment_type", vocab.EMPLOYMENT_TYPES), ("degree", vocab.DEGREES),
                                   ("title", vocab.TITLES), ("key_teacher_level", vocab.KEY_TEACHER_LEVELS),
                                   ("status", vocab.TEACHER_STATUSES)):
        if getattr(data, field_name) not in vocabulary:
            raise UserError(_l("Choose a value from the list."), field_name)
    term_start, term_end = _check_term(data)
    if data.hire_date and data.hire_date < id_number.birth_date:
        raise UserError(_l("The hire date is before the birth date."), "hire_date")
    if data.at_school_since and data.hire_date and data.at_school_since < data.hire_date:
        raise UserError(_l("A teacher cannot be at this school since before the hire date."), "at_school_since")

    # A savepoint: when a parallel request registers the same ID number between the check above and
    # this flush, the unique constraint refuses it and only this block is undone.
    try:
        with db.session.begin_nested():
            if teacher is None:
                teacher = Teacher()
                db.session.add(teacher)
            teacher.name, teacher.id_number = name, id_number.value
            teacher.gender, teacher.birth_date = id_number.gender, id_number.birth_date
            teacher.phone = (data.phone or "").strip() or None
            teacher.school, teacher.subject, teacher.other_subjects = school, subject, list(others)
            teacher.certificate_stages = [stage for stage in vocab.STAGES if stage in data.certificate_stages]
            teacher.employment_type, teacher.term_start = data.employment_type, term_start
            teacher.term_end, teacher.degree, teacher.title = term_end, data.degree, data.title
            teacher.key_teacher_level, teacher.status = data.key_teacher_level, data.status
            teacher.is_principal, teacher.is_homeroom_teacher = data.is_principal, data.is_homeroom_teacher
            teacher.hire_date, teacher.at_school_since = data.hire_date, data.at_school_since
            db.session.flush()
    except IntegrityError as error:
        if "id_number" not in str(error.orig):
            raise
        raise UserError(ID_NUMBER_TAKEN, "id_number") from None
    return teacher


def _check_id_number_is_free(value: str, teacher: Teacher | None) -> None:
    """An ID number belongs to one person nationwide, so look beyond the user's scope.

    The message says only that the number is taken: not by whom, nor where.
    """
    query = sa.select(Teacher.id).where(Teacher.id_number == value)
    if teacher is not None:
        query = query.where(Teacher.id != teacher.id)
    with unscoped():
        taken = db.session.scalar(query)
    if taken is not None:
        raise UserError(ID_NUMBER_TAKEN, "id_number")


def _check_term(data: TeacherInput) -> tuple[date | None, date | None]:
    """Special-post, support and silver-age teachers serve a term; others have none."""
    if data.employment_type not in TERM_TYPES:
        return None, None
    if data.term_start is None:
        raise UserError(_l("Enter the start of the term."), "term_start")
    if data.term_end is None:
        raise UserError(_l("Enter the end of the term."), "term_end")
    if data.term_end <= data.term_start:
        raise UserError(_l("The term must end after it starts."), "term_end")
    return data.term_start, data.term_end


def reveal_id_number(teacher: Teacher) -> str:
    """Return the full ID number and write the audit record that every full display needs."""
    audit.record("id_number_shown", teacher)
    db.session.flush()
    return teacher.id_number
