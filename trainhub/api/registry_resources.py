"""The registry's resources: teachers (ID numbers masked), schools and units."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from trainhub import vocab
from trainhub.api.resources import Filter, Resource, register
from trainhub.schools.models import School, Unit
from trainhub.teachers.models import Teacher


def _day(value):
    return value.isoformat() if value else None


def serialize_teacher(teacher: Teacher) -> dict:
    return {
        "id": teacher.id, "name": teacher.name, "id_number_masked": teacher.id_number_masked,
        "gender": teacher.gender, "school_id": teacher.school_id, "school_code": teacher.school.code,
        "subject": teacher.subject.code, "other_subjects": [subject.code for subject in teacher.other_subjects],
        "employment_type": teacher.employment_type, "term_start": _day(teacher.term_start),
        "term_end": _day(teacher.term_end), "certificate_stages": list(teacher.certificate_stages or []),
        "degree": teacher.degree, "title": teacher.title, "key_teacher_level": teacher.key_teacher_level,
        "is_principal": teacher.is_principal, "is_homeroom_teacher": teacher.is_homeroom_teacher,
        "hire_date": _day(teacher.hire_date), "at_school_since": _day(teacher.at_school_since),
        "status": teacher.status,
    }


def serialize_school(school: School) -> dict:
    return {
        "id": school.id, "code": school.code, "name": school.name, "county_id": school.county_id,
        "county_code": school.county.code, "township": school.township, "locality": school.locality,
        **{flag: getattr(school, flag) for flag in vocab.SCHOOL_FLAGS},
        "stages": [{"stage": row.stage, "students": row.students, "classes": row.classes}
                   for row in sorted(school.stages, key=lambda row: row.stage_order)],
        "lat": school.lat, "lon": school.lon,
    }


def serialize_unit(unit: Unit) -> dict:
    return {"id": unit.id, "code": unit.code, "name": unit.name, "name_en": unit.name_en, "kind": unit.kind,
            "parent_id": unit.parent_id, "path": unit.path, "is_key_aid_county": unit.is_key_aid_county,
            "is_border_county": unit.is_border_county}


def _string(description=None, enum=None, nullable=False, format=None):
    schema = {"type": "string"}
    if description:
        schema["description"] = description
    if enum:
        schema["enum"] = list(enum)
    if format:
        schema["format"] = format
    if nullable:
        schema["nullable"] = True
    return schema


_INTEGER, _BOOLEAN, _NUMBER = {"type": "integer"}, {"type": "boolean"}, {"type": "number", "nullable": True}
_DATE = _string(format="date", nullable=True)

TEACHER_SCHEMA = {"type": "object", "properties": {
    "id": _INTEGER, "name": _string(), "id_number_masked": _string("Resident ID number with birth date hidden"),
    "gender": _string(enum=vocab.GENDERS), "school_id": _INTEGER, "school_code": _string(),
    "subject": _string("Subject code"), "other_subjects": {"type": "array", "items": _string()},
    "employment_type": _string(enum=vocab.EMPLOYMENT_TYPES), "term_start": _DATE, "term_end": _DATE,
    "certificate_stages": {"type": "array", "items": _string(enum=vocab.STAGES)},
    "degree": _string(enum=vocab.DEGREES), "title": _string(enum=vocab.TITLES),
    "key_teacher_level": _string(enum=vocab.KEY_TEACHER_LEVELS), "is_principal": _BOOLEAN,
    "is_homeroom_teacher": _BOOLEAN, "hire_date": _DATE, "at_school_since": _DATE,
    "status": _string(enum=vocab.TEACHER_STATUSES),
}}

SCHOOL_SCHEMA = {"type": "object", "properties": {
    "id": _INTEGER, "code": _string(), "name": _string(), "county_id": _INTEGER, "county_code": _string(),
    "township": _string(nullable=True), "locality": _string(enum=vocab.LOCALITIES),
    **{flag: _BOOLEAN for flag in vocab.SCHOOL_FLAGS},
    "stages": {"type": "array", "items": {"type": "object", "properties": {
        "stage": _string(enum=vocab.STAGES), "students": _INTEGER, "classes": _INTEGER}}},
    "lat": _NUMBER, "lon": _NUMBER,
}}

UNIT_SCHEMA = {"type": "object", "properties": {
    "id": _INTEGER, "code": _string("GB/T 2260 area code"), "name": _string(), "name_en": _string(nullable=True),
    "kind": _string(enum=vocab.UNIT_KINDS), "parent_id": {"type": "integer", "nullable": True},
    "path": _string("Codes from the province down, /620000/622900/622921/"),
    "is_key_aid_county": _BOOLEAN, "is_border_county": _BOOLEAN,
}}


def _in_county(select, county_id):
    return select.where(Teacher.school_id.in_(sa.select(School.id).where(School.county_id == county_id)))


register(Resource(
    "teachers", Teacher, serialize_teacher, TEACHER_SCHEMA, "Teachers in the token user's unit; ID numbers masked.",
    filters=(Filter("county", int, "County unit id", apply=_in_county),
             Filter("school", int, "School id", column="school_id"),
             Filter("subject", int, "Primary subject id", column="subject_id"),
             Filter("employment_type", str, "Employment type", choices=tuple(vocab.EMPLOYMENT_TYPES)),
             Filter("status", str, "Status", choices=tuple(vocab.TEACHER_STATUSES))),
    options=(joinedload(Teacher.school), joinedload(Teacher.subject), selectinload(Teacher.other_subjects)),
))
register(Resource(
    "schools", School, serialize_school, SCHOOL_SCHEMA, "Schools in the token user's unit.",
    filters=(Filter("county", int, "County unit id", column="county_id"),
             Filter("locality", str, "Urban, town or rural", choices=tuple(vocab.LOCALITIES))),
    options=(joinedload(School.county), selectinload(School.stages)),
))
register(Resource(
    "units", Unit, serialize_unit, UNIT_SCHEMA, "The token user's unit, the units below it and those above it.",
    filters=(Filter("kind", str, "Province, prefecture or county", choices=tuple(vocab.UNIT_KINDS)),
             Filter("parent", int, "Parent unit id", column="parent_id")),
))
