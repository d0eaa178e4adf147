"""Demo training data: five tiers of programmes 2021–2026, completions, hours, a year of quotas, targets.

Called by `flask seed-demo` after the registry exists. Rows go in with Core executemany in
chunks and explicit ids (so certificates and ledger lines can refer to enrolments without a
round trip); PostgreSQL sequences are moved past them at the end.
"""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from trainhub.extensions import db
from trainhub.schools.models import School, Unit
from trainhub.teachers.models import Teacher
from trainhub.training.models import (Enrolment, HoursRecord, Programme, ProgrammeSession, SeatQuota,
                                      TrainingTarget)

YEARS = range(2021, 2027)
# Seed 001 (Linxia 2016–2020): 25,500 teachers in all, 9,000 / 4,000 / 4,000 / 3,000 / 3,000 / 2,500 by
# year; the demo repeats the pattern for 2021–2026.
PREFECTURE_TARGETS = dict(zip(YEARS, (9000, 4000, 4000, 3000, 3000, 2500)))

# tier -> (share of teachers completing one programme of the tier a year, hours range, month, mode)
TIER_PLAN = {
    "national": (0.07, (80, 120), 7, "blended"),
    "provincial": (0.16, (40, 80), 8, "face_to_face"),
    "prefecture": (0.21, (30, 50), 10, "face_to_face"),
    "county": (0.55, (24, 40), 11, "countryside"),
    "school": (0.88, (20, 30), 4, "workshop"),
}
TITLES = {
    "national": [("国培计划—中西部项目乡村教师访名校研修", "中西部项目"),
                 ("国培计划—示范性项目骨干教师高端研修", "示范性项目"),
                 ("国培计划—幼师国培乡村幼儿园教师培训", "幼师国培"),
                 ("国培计划—中西部项目乡村教师网络研修与校本研修整合培训", "中西部项目")],
    "provincial": [("甘肃省乡村骨干教师能力提升培训", None), ("甘肃省中小学班主任专题培训", None),
                   ("甘肃省紧缺学科教师培训", None), ("甘肃省乡村校长（园长）领导力提升培训", None)],
    "prefecture": [("临夏州班主任培训", None), ("临夏州学科骨干教师培训", None),
                   ("临夏州参与式教学能力提升培训班", None), ("临夏州培训者队伍培训班", None)],
    "county": [("{county}送教下乡培训", None), ("{county}学科教师培训班", None),
               ("{county}教育行政人员管理培训班", None)],
    "school": [("{school}校本研修", None)],
}
INDUCTION_TITLE = "临夏州新入职教师岗前培训"
INDUCTION_HOURS = 120
CHUNK = 20_000
SCALE_PROGRAMMES = {"small": 1, "prefecture": 3}  # programmes per tier and organiser a year (before sharing)


def seed(scale: str, rng: random.Random, today: date | None = None) -> dict[str, int]:
    """Write the training demo data for the registry in the database; return counts."""
    today = today or date.today()
    units = db.session.execute(sa.select(Unit.id, Unit.kind, Unit.name, Unit.path, Unit.parent_id)).all()
    province = next(u for u in units if u.kind == "province")
    prefecture = next(u for u in units if u.kind == "prefecture")
    counties = [u for u in units if u.kind == "county"]
    schools = db.session.execute(sa.select(School.id, School.name, School.county_id)).all()
    teachers = db.session.execute(sa.select(Teacher.id, Teacher.school_id, Teacher.hire_date).where(
        Teacher.status == "active")).all()
    county_by_id = {c.id: c for c in counties}
    school_county = {s.id: s.county_id for s in schools}
    per_programme = SCALE_PROGRAMMES.get(scale, 1)

    ids = _IdCounter()
    programmes, sessions, quotas, enrolments, ledger = [], [], [], [], []

    def add_programme(year, tier, title, sub_project, organiser_unit=None, school=None, hours=None,
                      month=None, mode=None, roles=(), start=None):
        share, hour_range, default_month, default_mode = TIER_PLAN[tier]
        month = month or default_month
        start = start or date(year, month, rng.randint(1, 20))
        days = 5 if tier in ("national", "provincial") else 3
        hours = hours or rng.randrange(hour_range[0], hour_range[1] + 1, 4)
        ended = start + timedelta(days=days) < today
        row = {
            "id": ids.next("programme"), "code": f"{tier[:3].upper()}-{year}-{ids.peek('programme'):05d}",
            "title": title, "tier": tier, "sub_project": sub_project,
            "organiser_unit_id": organiser_unit.id if organiser_unit else None,
            "organiser_school_id": school.id if school else None,
            "organiser_path": organiser_unit.path if organiser_unit else
            f"{county_by_id[school.county_id].path}s{school.id}/",
            "year": year, "mode": mode or default_mode, "hours": hours, "credits": round(hours / 10, 1),
            "capacity": 0, "seats_taken": 0, "start_date": start, "end_date": start + timedelta(days=days),
            "apply_from": start - timedelta(days=40), "apply_until": start - timedelta(days=7),
            "quota_release_date": start - timedelta(days=14), "target_stages": [], "target_subject_ids": [],
            "target_roles": list(roles), "rural_only": tier in ("national", "provincial"),
            "eligible_county_ids": [], "approval": "school_county" if tier in ("national", "provincial") else
            "school" if tier in ("prefecture", "county") else "none",
            "status": "finished" if ended else "open", "created_at": datetime(year, 1, 10),
        }
        programmes.append(row)
        per_day = hours / (days + 1)
        for offset in range(days + 1):
            sessions.append({"id": ids.next("session"), "programme_id": row["id"], "day": start + timedelta(days=offset),
                             "title": f"第{offset + 1}天", "hours": round(per_day, 1)})
        return row

    # Programmes: who organises what, per year.
    offered = defaultdict(list)  # (year, tier, organiser key) -> programme rows
    for year in YEARS:
        for tier in ("national", "provincial"):
            for title, sub in rng.sample(TITLES[tier], min(len(TITLES[tier]), per_programme + 1)):
                offered[(year, tier, "all")].append(add_programme(year, tier, f"{year}年{title}", sub, province))
        for title, sub in rng.sample(TITLES["prefecture"], min(4, per_programme + 1)):
            offered[(year, "prefecture", "all")].append(add_programme(year, "prefecture", f"{year}年{title}", sub,
                                                                      prefecture))
        offered[(year, "induction", "all")].append(add_programme(
            year, "prefecture", f"{year}年{INDUCTION_TITLE}", None, prefecture, hours=INDUCTION_HOURS, month=9,
            roles=("new_teacher",)))
        for county in counties:
            for title, sub in rng.sample(TITLES["county"], min(3, per_programme)):
                offered[(year, "county", county.id)].append(add_programme(
                    year, "county", f"{year}年{title.format(county=county.name)}", sub, county))
        for school in schools:
            offered[(year, "school", school.id)].append(add_programme(
                year, "school", f"{year}年{TITLES['school'][0][0].format(school=school.name)}", None, school=school))

    # Completions: each teacher has an engagement level, so cycle progress spreads out.
    programme_by_id = {row["id"]: row for row in programmes}
    seats = defaultdict(int)
    for teacher in teachers:
        engagement = rng.choice((0.35, 0.6, 0.85, 1.0, 1.0, 1.15, 1.3))
        county_id = school_county[teacher.school_id]
        for year in YEARS:
            taken = []
            if teacher.hire_date and teacher.hire_date.year in (year, year - 1) and rng.random() < 0.9:
                taken.append((rng.choice(offered[(year, "induction", "all")]), "induction"))
            for tier, (share, _hours, _month, _mode) in TIER_PLAN.items():
                key = {"county": county_id, "school": teacher.school_id}.get(tier, "all")
                if offered[(year, tier, key)] and rng.random() < share * engagement:
                    taken.append((rng.choice(offered[(year, tier, key)]), tier))
            for programme, _kind in taken:
                if programme["status"] != "finished" and rng.random() < 0.7:
                    continue  # the year's later programmes are still taking applications
                seats[programme["id"]] += 1
                enrolments.append(_enrolment(ids, programme, teacher.id, rng, today))
                if enrolments[-1]["status"] == "completed":
                    ledger.append(_ledger_line(ids, programme, enrolments[-1]))

    for programme_id, taken in seats.items():
        row = programme_by_id[programme_id]
        row["seats_taken"] = taken
        row["capacity"] = taken + rng.randint(0, max(2, taken // 10))
    for row in programmes:
        row["capacity"] = row["capacity"] or rng.randint(30, 120)

    # Two programmes opening now, so the application and approval pages have something to show.
    for tier, organiser, (title, sub) in (("provincial", province, TITLES["provincial"][0]),
                                          ("prefecture", prefecture, TITLES["prefecture"][0])):
        upcoming = today + timedelta(days=35)
        row = add_programme(upcoming.year, tier, f"{upcoming.year}年{title}", sub, organiser, start=upcoming)
        row["capacity"] = 200 if tier == "provincial" else 400

    # A year of quotas: the latest year's prefecture, provincial and national programmes split among the counties.
    teachers_by_county = defaultdict(int)
    for teacher in teachers:
        teachers_by_county[school_county[teacher.school_id]] += 1
    total_teachers = sum(teachers_by_county.values()) or 1
    for row in programmes:
        if row["year"] >= YEARS[-1] and row["tier"] in ("provincial", "prefecture", "national"):
            for county in counties:
                seats_for_county = row["capacity"] * teachers_by_county[county.id] // total_teachers
                quota_row = {"id": ids.next("quota"), "programme_id": row["id"], "unit_id": county.id,
                             "school_id": None, "seats": seats_for_county, "seats_taken": 0, "need": None}
                quotas.append(quota_row)
    # Seats in open programmes were taken before quotas existed in the demo: keep them in the pool.

    targets = [{"unit_id": prefecture.id, "tier": "all", "year": year, "persons": persons, "rural_only": False}
               for year, persons in PREFECTURE_TARGETS.items()]
    for year, persons in PREFECTURE_TARGETS.items():
        for county in counties:
            targets.append({"unit_id": county.id, "tier": "all", "year": year, "rural_only": False,
                            "persons": max(1, persons * teachers_by_county[county.id] // total_teachers)})

    _insert(Programme, programmes)
    _insert(ProgrammeSession, sessions)
    _insert(SeatQuota, quotas)
    _insert(Enrolment, enrolments)
    _insert(HoursRecord, ledger)
    _insert(TrainingTarget, targets)
    _advance_sequences(("programme", "programme_session", "seat_quota", "enrolment", "hours_record"))
    return {"programmes": len(programmes), "sessions": len(sessions), "seat quotas": len(quotas),
            "enrolments": len(enrolments), "completions": len(ledger), "targets": len(targets)}


class _IdCounter:
    def __init__(self):
        self._last = {}

    def next(self, table: str) -> int:
        if table not in self._last:
            name = {"session": "programme_session", "quota": "seat_quota"}.get(table, table)
            self._last[table] = db.session.scalar(sa.text(f"SELECT COALESCE(MAX(id), 0) FROM {name}"))
        self._last[table] += 1
        return self._last[table]

    def peek(self, table: str) -> int:
        return self._last[table]


def _enrolment(ids: _IdCounter, programme: dict, teacher_id: int, rng: random.Random, today: date) -> dict:
    enrolment_id = ids.next("enrolment")
    applied = datetime.combine(programme["apply_from"], datetime.min.time()) + timedelta(days=rng.randint(0, 20))
    row = {"id": enrolment_id, "programme_id": programme["id"], "teacher_id": teacher_id, "quota_id": None,
           "nominated_by_id": None, "school_approved_at": applied + timedelta(days=2),
           "county_approved_at": applied + timedelta(days=4), "reason": None, "waitlist_reason": None,
           "hours_attended": None, "score": None, "certificate_no": None, "applied_at": applied,
           "waitlisted_at": None, "completed_at": None, "status": "enrolled"}
    if programme["status"] == "finished":
        passed = rng.random() < 0.95
        hours = programme["hours"] if passed else round(programme["hours"] * rng.uniform(0.3, 0.7))
        row |= {"status": "completed" if passed else "failed", "hours_attended": hours,
                "score": round(rng.uniform(75, 98) if passed else rng.uniform(40, 59), 1)}
        if passed:
            row["completed_at"] = programme["end_date"]
            row["certificate_no"] = f"PX-{programme['year']}-{enrolment_id:06d}"
    return row


def _ledger_line(ids: _IdCounter, programme: dict, enrolment: dict) -> dict:
    return {"id": ids.next("hours_record"), "teacher_id": enrolment["teacher_id"], "tier": programme["tier"],
            "hours": enrolment["hours_attended"], "day": programme["end_date"], "source": "completion",
            "is_induction": "new_teacher" in programme["target_roles"], "enrolment_id": enrolment["id"],
            "title": programme["title"], "note": None, "created_by_id": None,
            "created_at": datetime.combine(programme["end_date"], datetime.min.time())}


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(model.__table__.insert(), rows[start:start + CHUNK])


def _advance_sequences(tables) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move them past the largest id."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in tables:
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))"))
