"""The dashboard's numbers: every figure is one grouped query, limited by the user's scope."""
from dataclasses import dataclass, field

import sqlalchemy as sa

from trainhub.extensions import db
from trainhub.schools.models import School, SchoolStage, Unit
from trainhub.teachers.models import Teacher
from trainhub.vocab import SCHOOL_FLAGS

ACTIVE = Teacher.status == "active"


@dataclass
class CountyRow:
    name: str
    schools: int = 0
    teachers: int = 0
    students: int = 0


@dataclass
class Overview:
    schools: int
    teachers: int
    students: int
    counties: list[CountyRow] = field(default_factory=list)
    by_locality: dict[str, int] = field(default_factory=dict)
    by_flag: dict[str, int] = field(default_factory=dict)
    by_employment_type: dict[str, int] = field(default_factory=dict)


def overview() -> Overview:
    """Count schools, active teachers and students in the user's area, in total and by group."""
    students_by_county = dict(db.session.execute(
        sa.select(School.county_id, sa.func.sum(SchoolStage.students))
        .join(SchoolStage, SchoolStage.school_id == School.id).group_by(School.county_id)).all())
    teachers_by_county = dict(db.session.execute(
        sa.select(School.county_id, sa.func.count(Teacher.id))
        .join(Teacher, Teacher.school_id == School.id).where(ACTIVE).group_by(School.county_id)).all())
    counties = []
    for county_id, name, schools in db.session.execute(
            sa.select(Unit.id, Unit.name, sa.func.count(School.id))
            .join(School, School.county_id == Unit.id).group_by(Unit.id, Unit.name, Unit.code)
            .order_by(Unit.code)):
        counties.append(CountyRow(name, schools, teachers_by_county.get(county_id, 0),
                                  int(students_by_county.get(county_id) or 0)))

    by_locality = dict(db.session.execute(
        sa.select(School.locality, sa.func.count(School.id)).group_by(School.locality)).all())
    flag_counts = db.session.execute(sa.select(*(
        sa.func.count(School.id).filter(getattr(School, flag).is_(True)) for flag in SCHOOL_FLAGS))).one()
    by_employment_type = dict(db.session.execute(
        sa.select(Teacher.employment_type, sa.func.count(Teacher.id)).where(ACTIVE)
        .group_by(Teacher.employment_type)).all())
    return Overview(
        schools=sum(row.schools for row in counties),
        teachers=sum(by_employment_type.values()),
        students=sum(row.students for row in counties),
        counties=counties,
        by_locality=by_locality,
        by_flag=dict(zip(SCHOOL_FLAGS, flag_counts)),
        by_employment_type=by_employment_type,
    )
