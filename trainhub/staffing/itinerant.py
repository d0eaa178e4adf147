"""Itinerant teaching (走教): a county's scarce-subject lessons at small schools, shared out among
travelling teachers by the engine's itinerant model, and shown as each teacher's weekly circuit."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from trainhub.errors import UserError
from trainhub.extensions import db
from trainhub.schools.models import School, Subject, Unit
from trainhub.scoping import unscoped
from trainhub.staffing.models import ItinerantPlan
from trainhub.staffing.services import school_staffing, schools_under
from trainhub.teachers.models import Teacher

DOCUMENT_FORMAT = "trainhub-itinerant/1"
# Weekly periods one class needs of a subject (compulsory-education curriculum plan, rounded).
PERIODS_PER_CLASS = {"pe": 3, "music": 2, "art": 2, "english": 2, "science": 2, "it": 1, "mental_health": 1,
                     "moral_law": 2, "labour": 1, "special_ed": 2}
DEFAULT_PERIODS_PER_CLASS = 2
# Periods a week a teacher can give to other schools beside their own timetable.
CAPACITY_PERIODS = 10
DEFAULT_TIME_LIMIT = 20.0


def build_problem(county: Unit, year: int) -> dict:
    """Demands of small schools lacking a scarce subject, and the county's teachers of those subjects."""
    schools = schools_under(county)
    small = [school for school in schools if school.is_small_rural or school.is_teaching_point]
    demands = []
    for staffing in school_staffing(small, year):
        classes = staffing.school.classes
        for code in staffing.uncovered_scarce:
            periods = classes * PERIODS_PER_CLASS.get(code, DEFAULT_PERIODS_PER_CLASS)
            if periods > 0:
                demands.append({"id": f"D{staffing.school.id}-{code}", "school": f"S{staffing.school.id}",
                                "subject": code, "periods": periods})
    codes = {demand["subject"] for demand in demands}
    teachers = db.session.scalars(
        sa.select(Teacher).join(Teacher.subject).join(Teacher.school)
        .where(School.county_id == county.id, Teacher.status == "active", Subject.code.in_(codes),
               School.is_small_rural.is_(False), School.is_teaching_point.is_(False))
        .options(joinedload(Teacher.subject)).order_by(Teacher.id)).all() if codes else []
    used = {school.id: school for school in small} | {school.id: school for school in schools
                                                      if school.id in {t.school_id for t in teachers}}
    return {
        "format": DOCUMENT_FORMAT, "kind": "itinerant",
        "schools": [{"id": f"S{school.id}", **({"lat": school.lat, "lon": school.lon}
                                               if school.lat is not None and school.lon is not None else {})}
                    for school in used.values()],
        "teachers": [{"id": f"T{teacher.id}", "home_school": f"S{teacher.school_id}",
                      "capacity_periods": CAPACITY_PERIODS, "subjects": [teacher.subject.code]}
                     for teacher in teachers],
        "demands": demands,
    }


def queue_plan(county: Unit, year: int, user) -> ItinerantPlan:
    if county.kind != "county":
        raise UserError(_l("Itinerant plans are made per county."))
    plan = ItinerantPlan(county_id=county.id, year=year, created_by_id=getattr(user, "id", None))
    plan.problem = build_problem(county, year)
    if not plan.problem["demands"]:
        raise UserError(_l("No small school in this county lacks a scarce subject for this year."))
    if not plan.problem["teachers"]:
        raise UserError(_l("No teacher of the missing subjects works in this county's larger schools."))
    db.session.add(plan)
    db.session.flush()
    return plan


def execute_plan(plan_id: int) -> None:
    """The job: solve the plan's document and store the result. Commits."""
    from allocation import ProblemError
    from allocation.itinerant import solve_itinerant_document

    with unscoped():
        plan = db.session.get(ItinerantPlan, plan_id)
        if plan is None or plan.status != "queued":
            return
        plan.status, plan.started_at = "running", datetime.utcnow()
        db.session.commit()
        try:
            limit = current_app.config.get("STAFFING_TIME_LIMIT", DEFAULT_TIME_LIMIT)
            plan.result = solve_itinerant_document(plan.problem, time_limit=limit)
            plan.status = "finished"
        except ProblemError as error:
            db.session.rollback()
            plan.status, plan.error = "failed", str(error)
        plan.finished_at = datetime.utcnow()
        db.session.commit()


def circuits(plan: ItinerantPlan) -> list[dict]:
    """Each teacher's weekly circuit: the schools visited, with periods taught and travel overhead."""
    result = plan.result or {}
    by_teacher: dict[str, list[dict]] = defaultdict(list)
    for row in result.get("assignments", []):
        by_teacher[row["teacher"]].append(row)
    if not by_teacher:
        return []
    teacher_ids = [int(label[1:]) for label in by_teacher]
    school_ids = {int(row["demand"][1:].split("-")[0]) for rows in by_teacher.values() for row in rows}
    teachers = {t.id: t for t in db.session.scalars(sa.select(Teacher).where(Teacher.id.in_(teacher_ids))
                                                    .options(joinedload(Teacher.school), joinedload(Teacher.subject)))}
    schools = {s.id: s for s in db.session.scalars(sa.select(School).where(School.id.in_(school_ids | {
        t.school_id for t in teachers.values()})))}
    loads = {row["teacher"]: row for row in result.get("loads", [])}
    found = []
    for label, rows in sorted(by_teacher.items(), key=lambda item: int(item[0][1:])):
        teacher = teachers.get(int(label[1:]))
        if teacher is None:
            continue
        stops = [{"school": schools.get(int(row["demand"][1:].split("-")[0])), "subject": row["demand"].split("-")[1],
                  "periods": row["periods"], "overhead": row["overhead_periods"], "cost": row["cost"]}
                 for row in rows]
        found.append({"teacher": teacher, "stops": stops, "load": loads.get(label, {})})
    return found
