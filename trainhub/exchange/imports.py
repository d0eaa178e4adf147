"""Registry imports: check every row of an upload, then insert all of it or nothing.

Checking prefetches what it compares against (schools by code, subjects, counties, registered ID
numbers and school codes) in a few queries, so a 25,000-row file costs a handful of round trips.
Duplicates are checked against the whole database, but the answer only says "already
registered": it does not reveal where.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from trainhub import vocab
from trainhub.exchange import formats
from trainhub.extensions import db
from trainhub.idnumber import IdNumber, InvalidIdNumber, parse
from trainhub.schools.models import School, SchoolStage, Subject, Unit
from trainhub.scoping import unscoped
from trainhub.spreadsheets import Column, Problem, Row, Sheet
from trainhub.teachers.models import Teacher, teacher_other_subject
from trainhub.in_lists import in_chunks

MAX_STUDENTS_PER_STAGE = 20000
MAX_CLASSES_PER_STAGE = 400
_SCHOOL_CODE = re.compile(r"^[0-9A-Z-]{4,20}$")
_PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")


@dataclass
class Batch:
    """The outcome of checking an upload: problems by row, and the records ready to insert."""

    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems and bool(self.records)


@dataclass(frozen=True)
class ImportKind:
    """One kind of spreadsheet import: its columns and template, how rows are checked and inserted.

    check(sheet, context) -> Batch and insert(batch, context, user) -> count. The context is what a
    domain imports into (a programme, a pool), None for the registry's kinds; the insert flushes,
    the request commits.
    """

    name: str
    title: object  # lazy string
    capability: str
    columns: Callable[[], list[Column]]
    example: Callable[[], dict]
    check: Callable[[Sheet, object], Batch]
    insert: Callable[[Batch, object, object], int]
    max_rows: int
    instructions: tuple = ()  # lines for the template's guide sheet, after the general ones


def register_kind(kind: ImportKind) -> ImportKind:
    """Offer a kind on the import page (/imports/); a domain calls it from its blueprint's `init_app`."""
    KINDS[kind.name] = kind
    return kind


def lookup_key(text: str) -> str:
    """How codes and names are compared: case-folded, without spaces."""
    return "".join(str(text).split()).casefold()


class RowCheck:
    """Collect the problems of one row, naming the column in the user's language."""

    def __init__(self, batch: Batch, row: Row, columns: dict[str, Column], lookups: dict):
        self.batch, self.row, self.columns, self.lookups = batch, row, columns, lookups
        self.failed = row.number in lookups["rows_with_problems"]

    def problem(self, key: str | None, reason) -> None:
        column = self.columns[key].label() if key else None
        self.batch.problems.append(Problem(self.row.number, column, str(reason)))
        self.failed = True

    def unreadable(self, key: str) -> bool:
        """Whether the cell could not be read as its column's type (read_rows has said why)."""
        label = self.columns[key].label()
        return any(problem.row == self.row.number and problem.column == label for problem in self.batch.problems)

    def id_number(self, key: str = "id_number") -> IdNumber | None:
        """Return the row's resident ID number, checked, or None (with the problem said) when it is wrong."""
        value = self.row.values.get(key)
        if value is None:
            return None
        try:
            return parse(value)
        except InvalidIdNumber as error:
            self.problem(key, error)
            return None

    def vocabulary(self, key: str, vocabulary: dict, default: str | None):
        """Return the code for a value written as a code or a label in Chinese or English."""
        value = self.row.values.get(key)
        if value is None:
            return default
        if id(vocabulary) not in self.lookups:
            self.lookups[id(vocabulary)] = formats.vocabulary_lookup(vocabulary)
        code = self.lookups[id(vocabulary)].get(lookup_key(value))
        if code is None:
            choices = "、".join(str(text) for text in vocabulary.values())
            self.problem(key, _l("“%(value)s” is not a known value. Use one of: %(choices)s.",
                                 value=value, choices=choices))
        return code


# ---- teachers ---------------------------------------------------------------------------------

def subject_lookup() -> dict[str, int]:
    """Map each subject's code and Chinese and English names (as lookup keys) to its id."""
    lookup = {}
    for subject in db.session.scalars(sa.select(Subject)):
        for name in (subject.code, subject.name_zh, subject.name_en):
            lookup[lookup_key(name)] = subject.id
    return lookup


def _schools_by_code(codes: set[str]) -> tuple[dict[str, School], set[str]]:
    """Return the schools the user may reach by code, and the codes registered outside their reach."""
    visible = {}
    for chunk in in_chunks(codes):
        visible |= {school.code: school for school in db.session.scalars(sa.select(School).where(School.code.in_(chunk)))}
    elsewhere = set()
    with unscoped():
        for chunk in in_chunks(codes - visible.keys()):
            elsewhere |= set(db.session.scalars(sa.select(School.code).where(School.code.in_(chunk))))
    return visible, elsewhere


def _registered_id_numbers(id_numbers: set[str]) -> set[str]:
    found = set()
    with unscoped():  # unique across the whole registry, not only the user's unit
        for chunk in in_chunks(id_numbers):
            found |= set(db.session.scalars(sa.select(Teacher.id_number).where(Teacher.id_number.in_(chunk))))
    return found


def _school_code(value) -> str:
    return str(value or "").strip().upper()


def check_teachers(sheet: Sheet, context=None) -> Batch:
    """Check every row of a teacher upload; return the problems, or the records to insert."""
    batch = Batch(rows=len(sheet.rows), problems=list(sheet.problems))
    columns = {column.key: column for column in formats.teacher_columns()}
    subjects = subject_lookup()
    schools, schools_elsewhere = _schools_by_code({_school_code(row.values["school"]) for row in sheet.rows
                                                   if row.values.get("school")})
    candidate_ids = {str(row.values["id_number"]).strip().upper() for row in sheet.rows if row.values.get("id_number")}
    registered = _registered_id_numbers(candidate_ids)
    first_row_of: dict[str, int] = {}
    lookups = {"rows_with_problems": {problem.row for problem in sheet.problems}}
    today = date.today()
    stage_lookup = formats.vocabulary_lookup(vocab.STAGES)

    for row in sheet.rows:
        check, values = RowCheck(batch, row, columns, lookups), row.values
        parsed = check.id_number()
        if parsed is not None:
            if parsed.value in first_row_of:
                check.problem("id_number", _l("The same ID number is on row %(row)d.", row=first_row_of[parsed.value]))
            else:
                first_row_of[parsed.value] = row.number
            if parsed.value in registered:
                check.problem("id_number", _l("This ID number is already registered."))
            if values["birth_date"] is not None and values["birth_date"] != parsed.birth_date:
                check.problem("birth_date", _l("The birth date disagrees with the ID number, which gives %(date)s.",
                                               date=parsed.birth_date.isoformat()))
        gender = check.vocabulary("gender", vocab.GENDERS, None)
        if gender and parsed and gender != parsed.gender:
            check.problem("gender", _l("The gender disagrees with the ID number."))

        school = None
        if values["school"] is not None:
            code = _school_code(values["school"])
            school = schools.get(code)
            if school is None and code in schools_elsewhere:
                check.problem("school", _l("School %(code)s is outside your unit.", code=code))
            elif school is None:
                check.problem("school", _l("No school has the code %(code)s.", code=code))

        subject_id = None
        if values["subject"] is not None:
            subject_id = subjects.get(lookup_key(values["subject"]))
            if subject_id is None:
                check.problem("subject", _l("Unknown subject “%(value)s”.", value=values["subject"]))
        other_subject_ids = []
        for name in values["other_subjects"] or []:
            found = subjects.get(lookup_key(name))
            if found is None:
                check.problem("other_subjects", _l("Unknown subject “%(value)s”.", value=name))
            elif found != subject_id and found not in other_subject_ids:
                other_subject_ids.append(found)

        employment_type = check.vocabulary("employment_type", vocab.EMPLOYMENT_TYPES, "regular")
        degree = check.vocabulary("degree", vocab.DEGREES, "bachelor")
        title = check.vocabulary("title", vocab.TITLES, "none")
        key_level = check.vocabulary("key_teacher_level", vocab.KEY_TEACHER_LEVELS, "none")
        stages = []
        for name in values["certificate_stages"] or []:
            stage = stage_lookup.get(lookup_key(name))
            if stage is None:
                check.problem("certificate_stages", _l("“%(value)s” is not a school stage. Use one of: %(choices)s.",
                                                       value=name, choices="、".join(map(str, vocab.STAGES.values()))))
            elif stage not in stages:
                stages.append(stage)

        if values["term_start"] and values["term_end"] and values["term_end"] < values["term_start"]:
            check.problem("term_end", _l("The term ends before it starts."))
        for key in ("hire_date", "at_school_since"):
            day = values[key]
            if day is None:
                continue
            if day > today:
                check.problem(key, _l("The date is in the future."))
            elif parsed and day < _add_years(parsed.birth_date, 16):
                check.problem(key, _l("The date is before the teacher's 16th birthday."))
        if values["phone"] and not _PHONE.match(values["phone"]):
            check.problem("phone", _l("“%(value)s” is not a phone number.", value=values["phone"]))

        if check.failed:
            continue
        batch.records.append({
            "id_number": parsed.value, "name": values["name"], "gender": parsed.gender,
            "birth_date": parsed.birth_date, "phone": values["phone"], "school_id": school.id,
            "employment_type": employment_type, "term_start": values["term_start"], "term_end": values["term_end"],
            "subject_id": subject_id, "certificate_stages": stages, "degree": degree, "title": title,
            "key_teacher_level": key_level, "is_principal": bool(values["is_principal"]),
            "is_homeroom_teacher": bool(values["is_homeroom_teacher"]), "hire_date": values["hire_date"],
            "at_school_since": values["at_school_since"], "status": "active",
            "other_subject_ids": other_subject_ids,
        })
    batch.problems.sort(key=lambda problem: (problem.row or 0))
    return batch


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def insert_teachers(batch: Batch, context=None, user=None) -> int:
    """Insert every checked teacher in bulk; the caller commits (or rolls back) all of it."""
    if not batch.ready:
        raise ValueError("insert_teachers needs a batch without problems")
    rows = [{key: value for key, value in record.items() if key != "other_subject_ids"} for record in batch.records]
    new_ids = db.session.scalars(sa.insert(Teacher).returning(Teacher.id, sort_by_parameter_order=True), rows).all()
    links = [{"teacher_id": teacher_id, "subject_id": subject_id}
             for teacher_id, record in zip(new_ids, batch.records) for subject_id in record["other_subject_ids"]]
    if links:
        db.session.execute(sa.insert(teacher_other_subject), links)
    db.session.flush()
    return len(new_ids)


# ---- schools ----------------------------------------------------------------------------------

def _counties_by_code_or_name(values: set[str]) -> tuple[dict[str, Unit], set[str]]:
    """Return the counties the user may reach, keyed by code and by name, and names known elsewhere."""
    reachable = {}
    for county in db.session.scalars(sa.select(Unit).where(Unit.kind == "county")):
        reachable[lookup_key(county.code)] = county
        reachable[lookup_key(county.name)] = county
    elsewhere = set()
    unknown = [value for value in values if lookup_key(value) not in reachable]
    with unscoped():
        for chunk in in_chunks(unknown):
            for code, name in db.session.execute(sa.select(Unit.code, Unit.name).where(
                    Unit.kind == "county", sa.or_(Unit.code.in_(chunk), Unit.name.in_(chunk)))):
                elsewhere |= {lookup_key(code), lookup_key(name)}
    return reachable, elsewhere


def check_schools(sheet: Sheet, context=None) -> Batch:
    """Check every row of a school upload; return the problems, or the records to insert."""
    batch = Batch(rows=len(sheet.rows), problems=list(sheet.problems))
    columns = {column.key: column for column in formats.school_columns()}
    counties, counties_elsewhere = _counties_by_code_or_name(
        {str(row.values["county"]).strip() for row in sheet.rows if row.values.get("county")})
    codes = {_school_code(row.values["code"]) for row in sheet.rows if row.values.get("code")}
    registered = set()
    with unscoped():  # school codes are unique nationwide
        for chunk in in_chunks(codes):
            registered |= set(db.session.scalars(sa.select(School.code).where(School.code.in_(chunk))))
    first_row_of: dict[str, int] = {}
    lookups = {"rows_with_problems": {problem.row for problem in sheet.problems}}

    for row in sheet.rows:
        check, values = RowCheck(batch, row, columns, lookups), row.values
        code = _school_code(values["code"]) if values["code"] is not None else None
        if code is not None:
            if not _SCHOOL_CODE.match(code):
                check.problem("code", _l("A school code is 4 to 20 letters, digits or hyphens."))
            elif code in first_row_of:
                check.problem("code", _l("The same school code is on row %(row)d.", row=first_row_of[code]))
            else:
                first_row_of[code] = row.number
            if code in registered:
                check.problem("code", _l("A school with this code is already registered."))
        county = None
        if values["county"] is not None:
            county = counties.get(lookup_key(values["county"]))
            if county is None and lookup_key(values["county"]) in counties_elsewhere:
                check.problem("county", _l("County %(county)s is outside your unit.", county=values["county"]))
            elif county is None:
                check.problem("county", _l("No county has the code or name %(county)s.", county=values["county"]))
        locality = check.vocabulary("locality", vocab.LOCALITIES, None)

        stages = {}
        for stage in vocab.STAGES:
            students, classes = values[f"{stage}_students"], values[f"{stage}_classes"]
            if students is None and classes is None:
                continue
            students, classes = students or 0, classes or 0
            if not 0 <= students <= MAX_STUDENTS_PER_STAGE:
                check.problem(f"{stage}_students", _l("Must be between 0 and %(most)d.", most=MAX_STUDENTS_PER_STAGE))
            if not 0 <= classes <= MAX_CLASSES_PER_STAGE:
                check.problem(f"{stage}_classes", _l("Must be between 0 and %(most)d.", most=MAX_CLASSES_PER_STAGE))
            elif students > 0 and classes == 0:
                check.problem(f"{stage}_classes", _l("A stage with students needs at least one class."))
            stages[stage] = (students, classes)
        if not stages:
            check.problem(None, _l("Enter students and classes for at least one stage."))
        for key, limit in (("lat", 90), ("lon", 180)):
            if values[key] is not None and not -limit <= values[key] <= limit:
                check.problem(key, _l("Must be between %(least)d and %(most)d.", least=-limit, most=limit))

        if check.failed:
            continue
        batch.records.append({
            "code": code, "name": values["name"], "county_id": county.id, "township": values["township"],
            "locality": locality, "lat": values["lat"], "lon": values["lon"],
            **{flag: bool(values[flag]) for flag in vocab.SCHOOL_FLAGS},
            "stages": stages,
        })
    batch.problems.sort(key=lambda problem: (problem.row or 0))
    return batch


def insert_schools(batch: Batch, context=None, user=None) -> int:
    """Insert every checked school and its stages in bulk; the caller commits."""
    if not batch.ready:
        raise ValueError("insert_schools needs a batch without problems")
    rows = [{key: value for key, value in record.items() if key != "stages"} for record in batch.records]
    new_ids = db.session.scalars(sa.insert(School).returning(School.id, sort_by_parameter_order=True), rows).all()
    stages = [{"school_id": school_id, "stage": stage, "students": students, "classes": classes}
              for school_id, record in zip(new_ids, batch.records)
              for stage, (students, classes) in record["stages"].items()]
    db.session.execute(sa.insert(SchoolStage), stages)
    db.session.flush()
    return len(new_ids)


KINDS: dict[str, ImportKind] = {}
SCHOOLS = ImportKind("schools", _l("Schools"), "edit_schools", formats.school_columns, formats.school_example,
                     check_schools, insert_schools, max_rows=5000)
TEACHERS = ImportKind("teachers", _l("Teachers"), "edit_registry", formats.teacher_columns,
                      formats.teacher_example, check_teachers, insert_teachers, max_rows=30000)


def register_registry_kinds() -> None:
    """Offer the registry's schools and teachers on the import page."""
    register_kind(SCHOOLS)
    register_kind(TEACHERS)
