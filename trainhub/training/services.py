"""Training: programmes, seat quotas, enrolment with its seat rules, attendance, completion, the hours ledger.

Seat rule: a programme's seats are counted in `Programme.seats_taken` (and per unit in
`SeatQuota.seats_taken`); every change of those counters happens while the programme row is
locked (SELECT ... FOR UPDATE; SQLite serialises writers), and check constraints in the database
keep them within capacity. A duplicate application is stopped by the unique (programme, teacher)
constraint.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from trainhub import audit
from trainhub.accounts.models import UNIT_ROLES
from trainhub.errors import UserError
from trainhub.exchange.formats import chinese_choices, label_in, vocabulary_lookup
from trainhub.exchange.imports import Batch, ImportKind, RowCheck, lookup_key
from trainhub.extensions import db
from trainhub.idnumber import InvalidIdNumber, parse
from trainhub.idnumber import make as make_id_number
from trainhub.schools.models import School, Unit
from trainhub.scoping import ancestor_paths, unscoped
from trainhub.teachers.models import Teacher
from trainhub.training.models import (
    ACTIVE, SEAT_HOLDING, Attendance, Enrolment, HoursRecord, Notification, Programme, ProgrammeSession,
    SeatQuota, TrainingTarget, school_organiser_path)
from trainhub.spreadsheets import Column, Sheet
from trainhub.training.vocab import (COUNTY_OR_ABOVE, ENROLMENT_STATUSES, EVIDENCE_TIERS, TARGET_ROLES, TIERS,
                                     setting)
from trainhub.vocab import STAGES
from trainhub.vocab import label as vocab_label
from trainhub.in_lists import in_chunks

# ---- programmes ----------------------------------------------------------------------------------

# The tiers each role organises.
TIERS_BY_ROLE = {
    "province_admin": ("provincial", "national"),
    "prefecture_admin": ("prefecture",),
    "county_officer": ("county",),
    "school_admin": ("school",),
}


def creatable_tiers(user) -> tuple[str, ...]:
    return TIERS_BY_ROLE.get(user.role, ())


def credits_for(mode: str, hours: float) -> float:
    """Convert hours to credits by the mode's rate (a local setting)."""
    per_credit = setting("TRAINING_CREDIT_HOURS").get(mode) or 10
    return round(hours / per_credit, 1)


@dataclass(frozen=True)
class ProgrammeInput:
    code: str
    title: str
    tier: str
    sub_project: str | None
    year: int
    mode: str
    hours: int
    capacity: int
    start_date: date
    end_date: date
    apply_from: date
    apply_until: date
    quota_release_date: date | None
    target_stages: list[str]
    target_subject_ids: list[int]
    target_roles: list[str]
    rural_only: bool
    eligible_county_ids: list[int]
    approval: str


def save_programme(programme: Programme | None, data: ProgrammeInput, user) -> Programme:
    """Create a programme organised by the user's unit or school, or update one; check before changing."""
    if data.tier not in creatable_tiers(user):
        raise UserError(_l("Your unit organises programmes of these tiers only: %(tiers)s.",
                           tiers=", ".join(str(TIERS[t]) for t in creatable_tiers(user)) or "-"), "tier")
    if data.end_date < data.start_date:
        raise UserError(_l("The programme cannot end before it starts."), "end_date")
    if data.apply_until < data.apply_from:
        raise UserError(_l("The application window cannot close before it opens."), "apply_until")
    if data.apply_until > data.end_date:
        raise UserError(_l("Applications must close by the last day of the programme."), "apply_until")
    if data.quota_release_date and not data.apply_from <= data.quota_release_date <= data.end_date:
        raise UserError(_l("The quota release date must fall between the opening of applications and the "
                           "end of the programme."), "quota_release_date")
    if programme is not None and data.capacity < programme.seats_taken:
        raise UserError(_l("%(taken)d seats are already taken; the capacity cannot be smaller.",
                           taken=programme.seats_taken), "capacity")
    if programme is not None and data.capacity < sum(quota.seats for quota in programme.quotas):
        raise UserError(_l("The seat quotas add up to more than this capacity; change the quotas first."),
                        "capacity")
    code = data.code.strip().upper()
    same_code = sa.select(Programme.id).where(Programme.code == code)
    if programme is not None:
        same_code = same_code.where(Programme.id != programme.id)
    with unscoped():  # programme codes are unique everywhere
        if db.session.scalar(same_code) is not None:
            raise UserError(_l("A programme with this code already exists."), "code")

    is_new = programme is None
    if is_new:
        programme = Programme(status="draft", seats_taken=0)
        if user.role == "school_admin":
            programme.organiser_school = user.school
            programme.organiser_path = school_organiser_path(user.school)
        else:
            programme.organiser_unit = user.unit
            programme.organiser_path = user.unit.path
    programme.code, programme.title, programme.tier = code, data.title.strip(), data.tier
    programme.sub_project = (data.sub_project or "").strip() or None
    programme.year, programme.mode, programme.hours = data.year, data.mode, data.hours
    programme.credits = credits_for(data.mode, data.hours)
    programme.capacity = data.capacity
    programme.start_date, programme.end_date = data.start_date, data.end_date
    programme.apply_from, programme.apply_until = data.apply_from, data.apply_until
    programme.quota_release_date = data.quota_release_date
    programme.target_stages, programme.target_subject_ids = list(data.target_stages), list(data.target_subject_ids)
    programme.target_roles, programme.rural_only = list(data.target_roles), data.rural_only
    programme.eligible_county_ids, programme.approval = list(data.eligible_county_ids), data.approval
    try:
        # A parallel request may take the same code between the check above and this write.
        with db.session.begin_nested():
            db.session.add(programme)
            db.session.flush()
    except IntegrityError:
        raise UserError(_l("A programme with this code already exists."), "code") from None
    return programme


def change_status(programme: Programme, status: str) -> None:
    from trainhub.training.vocab import PROGRAMME_TRANSITIONS

    if status not in PROGRAMME_TRANSITIONS.get(programme.status, ()):
        raise UserError(_l("This programme cannot move to that status from its current one."))
    if status == "open" and not programme.sessions:
        raise UserError(_l("Add at least one session before opening the programme."))
    programme.status = status
    db.session.flush()


def add_session(programme: Programme, day: date, title: str, hours: float) -> ProgrammeSession:
    if not programme.start_date <= day <= programme.end_date:
        raise UserError(_l("A session must fall between the programme's first and last day."), "day")
    if hours <= 0:
        raise UserError(_l("A session needs a positive number of hours."), "hours")
    if sum(row.hours for row in programme.sessions) + hours > programme.hours:
        raise UserError(_l("The sessions would add up to more than the programme's %(hours)d hours.",
                           hours=programme.hours), "hours")
    session = ProgrammeSession(programme=programme, day=day, title=title.strip(), hours=hours)
    db.session.add(session)
    db.session.flush()
    return session


def programme_list(year: int | None = None, tier: str = "", status: str = "", q: str = "") -> sa.Select:
    query = sa.select(Programme).options(joinedload(Programme.organiser_unit), joinedload(Programme.organiser_school))
    if year:
        query = query.where(Programme.year == year)
    if tier in TIERS:
        query = query.where(Programme.tier == tier)
    if status:
        query = query.where(Programme.status == status)
    if q:
        query = query.where(sa.or_(Programme.title.contains(q, autoescape=True),
                                   Programme.code.startswith(q.upper(), autoescape=True)))
    return query.order_by(Programme.start_date.desc(), Programme.id.desc())


def enrolment_list(programme: Programme, status: str = "") -> sa.Select:
    """The programme's enrolments the user may see, with teacher and school loaded."""
    query = (sa.select(Enrolment).where(Enrolment.programme_id == programme.id)
             .options(joinedload(Enrolment.teacher).joinedload(Teacher.school).joinedload(School.county)))
    if status:
        query = query.where(Enrolment.status == status)
    return query.order_by(Enrolment.id)


def enrolment_counts(programme: Programme) -> dict[str, int]:
    """Status -> number of enrolments the user may see."""
    rows = db.session.execute(sa.select(Enrolment.status, sa.func.count()).where(
        Enrolment.programme_id == programme.id).group_by(Enrolment.status))
    return dict(rows.all())


# ---- eligibility and enrolment -------------------------------------------------------------------

def is_new_teacher(teacher: Teacher, today: date) -> bool:
    years = setting("TRAINING_NEW_TEACHER_YEARS")
    return teacher.hire_date is not None and (today - teacher.hire_date).days < 365.25 * years


def _teacher_in_reach(programme: Programme, teacher: Teacher) -> bool:
    """Whether the teacher works below the programme's organiser."""
    if programme.organiser_school_id is not None:
        return teacher.school_id == programme.organiser_school_id
    return teacher.school.county.path.startswith(programme.organiser_path)


def eligibility_problem(programme: Programme, teacher: Teacher, today: date):
    """Return the first audience criterion the teacher misses (a translated reason), or None."""
    if teacher.status != "active":
        return _l("%(name)s is not an active teacher.", name=teacher.name)
    if not _teacher_in_reach(programme, teacher):
        return _l("%(name)s does not work under %(organiser)s, which organises this programme.",
                  name=teacher.name, organiser=programme.organiser_name)
    if programme.eligible_county_ids and teacher.school.county_id not in programme.eligible_county_ids:
        return _l("%(name)s works in %(county)s, which is not among the programme's counties.",
                  name=teacher.name, county=teacher.school.county.name)
    if programme.rural_only and teacher.school.locality != "rural":
        return _l("%(name)s does not teach at a rural school; the programme is for rural teachers.",
                  name=teacher.name)
    if programme.target_stages and not set(programme.target_stages) & set(teacher.certificate_stages or []):
        return _l("%(name)s does not teach at the stages the programme is for: %(stages)s.", name=teacher.name,
                  stages=", ".join(str(STAGES[s]) for s in programme.target_stages if s in STAGES))
    if programme.target_subject_ids:
        subjects = {teacher.subject_id} | {subject.id for subject in teacher.other_subjects}
        if not subjects & set(programme.target_subject_ids):
            return _l("%(name)s does not teach a subject the programme is for.", name=teacher.name)
    if programme.target_roles:
        roles = {
            "principal": teacher.is_principal,
            "homeroom": teacher.is_homeroom_teacher,
            "key_teacher": teacher.is_key_teacher,
            "new_teacher": is_new_teacher(teacher, today),
        }
        if not any(roles[role] for role in programme.target_roles if role in roles):
            return _l("%(name)s is not one of those the programme is for: %(roles)s.", name=teacher.name,
                      roles=", ".join(str(TARGET_ROLES[r]) for r in programme.target_roles if r in TARGET_ROLES))
    return None


def _enrolment_problem(programme: Programme, teacher: Teacher, today: date):
    """Return why the teacher cannot enter the programme now, or None."""
    if programme.status != "open":
        return _l("The programme is not open for applications.")
    if not programme.apply_from <= today <= programme.apply_until:
        return _l("Applications are accepted from %(start)s to %(end)s.",
                  start=format_date(programme.apply_from), end=format_date(programme.apply_until))
    problem = eligibility_problem(programme, teacher, today)
    if problem:
        return problem
    with unscoped():  # the teacher's other programmes may be organised anywhere
        existing = db.session.execute(
            sa.select(Enrolment.programme_id, Programme.title, Programme.start_date, Programme.end_date)
            .join(Programme, Enrolment.programme_id == Programme.id)
            .where(Enrolment.teacher_id == teacher.id, Enrolment.status.in_(ACTIVE))).all()
    for other_id, title, start, end in existing:
        if other_id == programme.id:
            return _l("%(name)s has already applied to this programme.", name=teacher.name)
        if start <= programme.end_date and programme.start_date <= end:
            return _l("%(name)s is already in “%(title)s” on overlapping dates.", name=teacher.name, title=title)
    return None


APPROVAL_STAGES = {"none": (), "school": ("school",), "school_county": ("school", "county")}


def pending_stage(enrolment: Enrolment) -> str | None:
    """Return the approval the enrolment still waits for ("school", "county"), or None."""
    for stage in APPROVAL_STAGES[enrolment.programme.approval]:
        if stage == "school" and enrolment.school_approved_at is None:
            return "school"
        if stage == "county" and enrolment.county_approved_at is None:
            return "county"
    return None


@dataclass
class Outcome:
    """What happened to one teacher's application or nomination."""

    teacher: Teacher
    enrolment: Enrolment | None = None
    problem: object = None  # a translated reason when refused


def enrol(programme: Programme, teacher: Teacher, user, today: date) -> Enrolment:
    """Apply (a teacher for themself) or nominate (a school or bureau); take a seat if no approval is pending.

    Raise UserError, writing nothing, when the teacher may not enter the programme.
    """
    problem = _enrolment_problem(programme, teacher, today)
    if problem:
        raise UserError(problem)
    programme = _lock(programme.id)  # before inserting: the insert's foreign-key check also locks the row
    now = datetime.utcnow()
    enrolment = Enrolment(programme=programme, teacher=teacher, status="applied", applied_at=now)
    if user.role != "teacher":
        enrolment.nominated_by_id = user.id
        enrolment.school_approved_at = now  # a nomination is the school's (or a bureau's) approval
        if user.role in UNIT_ROLES:
            enrolment.county_approved_at = now
    try:
        with db.session.begin_nested():
            db.session.add(enrolment)
            db.session.flush()
    except IntegrityError:  # a parallel request got there first
        raise UserError(_l("%(name)s has already applied to this programme.", name=teacher.name)) from None
    if pending_stage(enrolment) is None:
        _place(programme, enrolment, today)
    return enrolment


def nominate(programme: Programme, teachers: list[Teacher], user, today: date) -> list[Outcome]:
    """Nominate several teachers; each gets an outcome, refused ones with their reason."""
    outcomes = []
    for teacher in teachers:
        try:
            outcomes.append(Outcome(teacher, enrol(programme, teacher, user, today)))
        except UserError as error:
            outcomes.append(Outcome(teacher, problem=error.message))
    return outcomes


def approve(enrolment: Enrolment, user, today: date) -> None:
    """Give the approval the enrolment waits for; after the last one it takes a seat or joins the waitlist."""
    programme = _lock(enrolment.programme_id)
    db.session.refresh(enrolment)  # under the lock: a parallel approval may have placed it meanwhile
    if enrolment.status != "applied":
        raise UserError(_l("Only applications waiting for approval can be approved."))
    stage = pending_stage(enrolment)
    now = datetime.utcnow()
    if stage == "school":
        if user.role != "school_admin" and user.role not in UNIT_ROLES:
            raise UserError(_l("The teacher's school approves this application first."))
        enrolment.school_approved_at = now
    elif stage == "county":
        if user.role not in UNIT_ROLES:
            raise UserError(_l("The county bureau approves this application after the school."))
        enrolment.county_approved_at = now
    audit.record("training_approve", enrolment, f"stage={stage}")
    db.session.flush()
    if pending_stage(enrolment) is None:
        _place(programme, enrolment, today)


def reject(enrolment: Enrolment, reason: str, user, today: date) -> None:
    _end(enrolment, "rejected", reason, today)
    notify(enrolment.teacher_id, "rejected", title=enrolment.programme.title, reason=reason.strip())
    audit.record("training_reject", enrolment, reason.strip())


def withdraw(enrolment: Enrolment, reason: str, user, today: date) -> None:
    _end(enrolment, "withdrawn", reason, today)
    if user.role != "teacher":
        notify(enrolment.teacher_id, "withdrawn", title=enrolment.programme.title, reason=reason.strip())


def _end(enrolment: Enrolment, status: str, reason: str, today: date) -> None:
    """Withdraw or reject; a freed seat goes to the first waitlisted teacher who may take it."""
    if not reason or not reason.strip():
        raise UserError(_l("Give a reason."), "reason")
    programme = _lock(enrolment.programme_id)
    db.session.refresh(enrolment)  # under the lock: a parallel request may have promoted or ended it meanwhile
    if enrolment.status not in ACTIVE:
        raise UserError(_l("This enrolment has already ended."))
    held = enrolment.holds_seat
    enrolment.status, enrolment.reason = status, reason.strip()[:300]
    if held:
        programme.seats_taken -= 1
        if enrolment.quota_id is not None:
            quota = db.session.get(SeatQuota, enrolment.quota_id, populate_existing=True)
            quota.seats_taken -= 1
        enrolment.quota_id = None
        db.session.flush()
        fill_free_seats(programme, today)
    db.session.flush()


def _lock(programme_id: int) -> Programme:
    """Load the programme row locked (FOR NO KEY UPDATE): seat counting happens one request at a time.

    NO KEY leaves the foreign-key checks of rows inserted for the programme unblocked.
    """
    with unscoped():
        return db.session.scalars(
            sa.select(Programme).where(Programme.id == programme_id).with_for_update(key_share=True)
            .execution_options(populate_existing=True)).one()


def _quota_for(programme: Programme, teacher: Teacher, quotas: list[SeatQuota]) -> SeatQuota | None:
    """The quota row that covers the teacher: their school's, or that of a unit above the school."""
    unit_ids = set(db.session.scalars(sa.select(Unit.id).where(
        Unit.path.in_(ancestor_paths(teacher.school.county.path)))))
    for quota in quotas:
        if quota.school_id == teacher.school_id or (quota.unit_id is not None and quota.unit_id in unit_ids):
            return quota
    return None


def _seat_for(programme: Programme, teacher: Teacher, today: date) -> tuple[SeatQuota | None, str | None]:
    """Return (quota to charge, None) when the teacher may take a seat now, or (None, waitlist reason).

    Before the quota release date a teacher takes a seat of their unit's quota while it lasts,
    else one of the seats no quota reserves (the common pool). From the release date unused
    quota seats join the pool, so only the capacity counts.
    """
    if programme.seats_taken >= programme.capacity:
        return None, "full"
    with unscoped():
        quotas = db.session.scalars(sa.select(SeatQuota).where(SeatQuota.programme_id == programme.id)
                                    .execution_options(populate_existing=True)).all()
        if not quotas:
            return None, None
        quota = _quota_for(programme, teacher, quotas)
    has_room = quota is not None and quota.seats_taken < quota.seats
    released = programme.quota_release_date is not None and today >= programme.quota_release_date
    if released:
        return (quota if has_room else None), None
    if has_room:
        return quota, None
    reserved = sum(row.seats for row in quotas)
    pool_taken = programme.seats_taken - sum(row.seats_taken for row in quotas)
    if pool_taken < programme.capacity - reserved:
        return None, None
    return None, ("quota" if quota is not None else "full")


def _place(programme: Programme, enrolment: Enrolment, today: date) -> None:
    """With the programme locked, give the approved enrolment a seat or put it on the waitlist."""
    quota, reason = _seat_for(programme, enrolment.teacher, today)
    if reason:
        enrolment.status, enrolment.waitlist_reason = "waitlisted", reason
        enrolment.waitlisted_at = enrolment.waitlisted_at or datetime.utcnow()
    else:
        _take(programme, enrolment, quota)
    db.session.flush()


def _take(programme: Programme, enrolment: Enrolment, quota: SeatQuota | None) -> None:
    programme.seats_taken += 1
    if quota is not None:
        quota.seats_taken += 1
        enrolment.quota_id = quota.id
    enrolment.status, enrolment.waitlist_reason = "enrolled", None


def fill_free_seats(programme: Programme, today: date) -> list[Enrolment]:
    """Enrol waitlisted teachers, first come first served, while seats they may take are free; notify them."""
    with unscoped():
        waiting = db.session.scalars(
            sa.select(Enrolment).where(Enrolment.programme_id == programme.id, Enrolment.status == "waitlisted")
            .options(joinedload(Enrolment.teacher).joinedload(Teacher.school).joinedload(School.county))
            .order_by(Enrolment.waitlisted_at, Enrolment.id)).all()
        promoted = []
        for enrolment in waiting:
            if programme.seats_taken >= programme.capacity:
                break
            quota, reason = _seat_for(programme, enrolment.teacher, today)
            if reason is None:
                _take(programme, enrolment, quota)
                notify(enrolment.teacher_id, "promoted", title=programme.title)
                promoted.append(enrolment)
        db.session.flush()
    return promoted


def release_quotas(today: date) -> int:
    """Fill free seats of open programmes whose quota release date has come; return the teachers promoted."""
    with unscoped():
        ids = db.session.scalars(sa.select(Programme.id).where(
            Programme.status.in_(("open", "closed")), Programme.quota_release_date <= today,
            Programme.seats_taken < Programme.capacity)).all()
    return sum(len(fill_free_seats(_lock(programme_id), today)) for programme_id in ids)


# ---- seat quotas ---------------------------------------------------------------------------------

@dataclass
class QuotaLine:
    """One child unit (or school) of the organiser with its need figures and current quota."""

    key: str  # "u<id>" or "s<id>"
    name: str
    teachers: int = 0
    rural_teachers: int = 0
    behind: int = 0  # teachers behind the pro-rata cycle hours
    key_aid: bool = False
    seats: int = 0
    seats_taken: int = 0
    need: float | None = None

    @property
    def rural_share(self) -> float:
        return self.rural_teachers / self.teachers if self.teachers else 0.0


# Need weights for splitting seats: rural teachers and key-aid counties come first.
RURAL_WEIGHT = 1.0  # a unit of all-rural teachers counts double
KEY_AID_WEIGHT = 0.5  # a key-aid county counts half as much again


def need_score(line: QuotaLine) -> float:
    return round(line.behind * (1 + RURAL_WEIGHT * line.rural_share) * (1 + KEY_AID_WEIGHT * line.key_aid), 2)


def quota_lines(programme: Programme, today: date) -> list[QuotaLine]:
    """The organiser's children (units, or schools of a county) with need figures and current quotas.

    One grouped query over the teachers below the organiser; counts are system-wide, not the user's reach.
    """
    if programme.organiser_unit is None:
        return []
    organiser = programme.organiser_unit
    cycle = cycle_of(today.year)
    elapsed = min(today.year - cycle.start_year + 1, cycle.years)
    expected = setting("TRAINING_CYCLE_HOURS") * elapsed / cycle.years
    hours = (sa.select(HoursRecord.teacher_id, sa.func.sum(HoursRecord.hours).label("hours"))
             .where(HoursRecord.day.between(cycle.start, cycle.end)).group_by(HoursRecord.teacher_id).subquery())
    county = sa.orm.aliased(Unit)
    if organiser.kind == "county":
        child = School.id
        names_query = sa.select(School.id, School.name).where(School.county_id == organiser.id).order_by(School.code)
        prefix = "s"
    else:
        child = county.id if organiser.kind == "prefecture" else county.parent_id
        names_query = sa.select(Unit.id, Unit.name).where(Unit.parent_id == organiser.id).order_by(Unit.code)
        prefix = "u"
    query = (sa.select(child, sa.func.count(Teacher.id),
                       sa.func.sum(sa.case((School.locality == "rural", 1), else_=0)),
                       sa.func.sum(sa.case((sa.func.coalesce(hours.c.hours, 0) < expected, 1), else_=0)))
             .select_from(Teacher).join(School, Teacher.school_id == School.id)
             .join(county, School.county_id == county.id)
             .outerjoin(hours, hours.c.teacher_id == Teacher.id)
             .where(Teacher.status == "active", county.path.startswith(organiser.path))
             .group_by(child))
    with unscoped():
        names = db.session.execute(names_query).all()
        figures = {row[0]: row[1:] for row in db.session.execute(query)}
        key_aid = set(db.session.scalars(sa.select(Unit.id).where(Unit.is_key_aid_county.is_(True),
                                                                  Unit.path.startswith(organiser.path))))
        quotas = db.session.scalars(sa.select(SeatQuota).where(SeatQuota.programme_id == programme.id)).all()
    by_key = {(f"s{q.school_id}" if q.school_id else f"u{q.unit_id}"): q for q in quotas}
    lines = []
    for child_id, name in names:
        teachers, rural, behind = figures.get(child_id, (0, 0, 0))
        line = QuotaLine(key=f"{prefix}{child_id}", name=name, teachers=teachers, rural_teachers=rural or 0,
                         behind=behind or 0,
                         key_aid=(organiser.id in key_aid) if prefix == "s" else child_id in key_aid)
        quota = by_key.get(line.key)
        if quota is not None:
            line.seats, line.seats_taken, line.need = quota.seats, quota.seats_taken, quota.need
        lines.append(line)
    return lines


def set_quotas(programme: Programme, seats: dict[str, int], today: date, needs: dict[str, float] | None = None):
    """Replace the programme's quotas with `seats` (child key -> seats); check everything first."""
    lines = {line.key: line for line in quota_lines(programme, today)}
    programme = _lock(programme.id)
    unknown = set(seats) - set(lines)
    if unknown:
        raise UserError(_l("Seats can go only to units directly below the organiser."))
    for key, number in seats.items():
        if number < 0:
            raise UserError(_l("%(unit)s: seats cannot be negative.", unit=lines[key].name))
        if number < lines[key].seats_taken:
            raise UserError(_l("%(unit)s: %(taken)d of its seats are already taken.",
                               unit=lines[key].name, taken=lines[key].seats_taken))
    total = sum(seats.values())
    if total > programme.capacity:
        raise UserError(_l("The quotas add up to %(total)d seats, more than the capacity of %(capacity)d.",
                           total=total, capacity=programme.capacity))
    with unscoped():
        existing = {(f"s{q.school_id}" if q.school_id else f"u{q.unit_id}"): q
                    for q in db.session.scalars(sa.select(SeatQuota).where(SeatQuota.programme_id == programme.id))}
    for key, number in seats.items():
        quota = existing.get(key)
        if number == 0 and (quota is None or quota.seats_taken == 0):
            if quota is not None:
                db.session.delete(quota)
            continue
        if quota is None:
            quota = SeatQuota(programme_id=programme.id, seats_taken=0,
                              **({"school_id": int(key[1:])} if key[0] == "s" else {"unit_id": int(key[1:])}))
            db.session.add(quota)
        quota.seats = number
        quota.need = (needs or {}).get(key)
    db.session.flush()
    fill_free_seats(programme, today)


def apportion_quotas(programme: Programme, today: date) -> list[QuotaLine]:
    """Split the whole capacity among the children by need with the engine, and save the result."""
    try:
        from allocation.apportion import apportion
        from allocation.errors import ProblemError
    except ImportError:
        raise UserError(_l("Splitting seats by need is not available yet; enter the seats by hand.")) from None
    lines = quota_lines(programme, today)
    if not lines:
        raise UserError(_l("There are no units below the organiser to split seats among."))
    needs = {line.key: need_score(line) for line in lines}
    units = [{"id": line.key, "need": needs[line.key], "min": line.seats_taken, "max": line.teachers}
             for line in lines]
    try:
        result = apportion(programme.capacity, units=units)
    except ProblemError as error:
        raise UserError(_l("The seats could not be split: %(reason)s", reason=str(error))) from None
    set_quotas(programme, {row["id"]: int(row["seats"]) for row in result}, today, needs)
    return quota_lines(programme, today)


# ---- attendance and completion -------------------------------------------------------------------

def attendance_grid(programme_session: ProgrammeSession) -> tuple[list[Enrolment], set[int]]:
    """Seat-holding enrolments the user may see, and the ids of those marked present."""
    enrolments = db.session.scalars(
        enrolment_list(programme_session.programme).where(Enrolment.status.in_(SEAT_HOLDING))).all()
    present = set(db.session.scalars(sa.select(Attendance.enrolment_id).where(
        Attendance.session_id == programme_session.id, Attendance.present.is_(True))))
    return enrolments, present


def record_attendance(programme_session: ProgrammeSession, present_ids: set[int]) -> int:
    """Save who was present at a session; update hours attended. Return the number present."""
    enrolments, _ = attendance_grid(programme_session)
    existing = {row.enrolment_id: row for row in db.session.scalars(
        sa.select(Attendance).where(Attendance.session_id == programme_session.id))}
    for enrolment in enrolments:
        row = existing.get(enrolment.id)
        if row is None:
            row = Attendance(enrolment_id=enrolment.id, session_id=programme_session.id)
            db.session.add(row)
        row.present = enrolment.id in present_ids
    db.session.flush()
    attended = dict(db.session.execute(
        sa.select(Attendance.enrolment_id, sa.func.sum(ProgrammeSession.hours))
        .join(ProgrammeSession, Attendance.session_id == ProgrammeSession.id)
        .where(ProgrammeSession.programme_id == programme_session.programme_id, Attendance.present.is_(True))
        .group_by(Attendance.enrolment_id)).all())
    for enrolment in enrolments:
        enrolment.hours_attended = attended.get(enrolment.id, 0)
        if enrolment.status == "enrolled" and enrolment.hours_attended:
            enrolment.status = "attended"
    db.session.flush()
    return sum(1 for enrolment in enrolments if enrolment.id in present_ids)


def certificate_number(enrolment: Enrolment) -> str:
    """PX-<year>-<enrolment id, six digits>: unique because enrolment ids are."""
    return f"{setting('TRAINING_CERTIFICATE_PREFIX')}-{enrolment.programme.year}-{enrolment.id:06d}"


def record_result(enrolment: Enrolment, hours: float, score: float | None, passed: bool, user=None) -> None:
    """Complete or fail a seat-holding enrolment; a completion issues a certificate and enters the hours."""
    if enrolment.status not in SEAT_HOLDING:
        raise UserError(_l("Only teachers holding a seat can get a result."))
    programme = enrolment.programme
    enrolment.hours_attended, enrolment.score = hours, score
    enrolment.status = "completed" if passed else "failed"
    ledger = db.session.scalars(sa.select(HoursRecord).where(HoursRecord.enrolment_id == enrolment.id)).first()
    if not passed:
        enrolment.certificate_no, enrolment.completed_at = None, None
        if ledger is not None:
            db.session.delete(ledger)
        db.session.flush()
        return
    enrolment.completed_at = programme.end_date
    enrolment.certificate_no = certificate_number(enrolment)
    if ledger is None:
        ledger = HoursRecord(teacher_id=enrolment.teacher_id, enrolment_id=enrolment.id, source="completion",
                             created_by_id=getattr(user, "id", None))
        db.session.add(ledger)
    ledger.tier, ledger.hours, ledger.day = programme.tier, hours, programme.end_date
    ledger.title, ledger.is_induction = programme.title, "new_teacher" in programme.target_roles
    db.session.flush()


# ---- results and past hours from Excel -----------------------------------------------------------

PASS_WORDS = {"pass": True, "passed": True, "合格": True, "通过": True, "是": True, "y": True, "yes": True,
              "fail": False, "failed": False, "不合格": False, "未通过": False, "否": False, "n": False, "no": False}
MAX_RESULT_ROWS = 20_000
MAX_COMPLETION_ROWS = 10_000
def result_columns() -> list[Column]:
    return [
        Column("id_number", "身份证号", "ID number", required=True,
               note="18位居民身份证号，请设为文本格式 / 18-character resident ID number, as text"),
        Column("hours", "学时", "Hours", "float", required=True,
               note="不超过项目学时 / At most the programme's hours"),
        Column("score", "成绩", "Score", "float", note="0–100，可不填 / 0 to 100, may be empty"),
        Column("passed", "是否合格", "Pass or fail", required=True, choices=("合格", "不合格")),
    ]


def result_example() -> dict:
    return {"id_number": make_id_number("622921", date(1990, 5, 12), 21), "hours": 40, "score": 92, "passed": "合格"}


def check_results(sheet: Sheet, programme: Programme) -> Batch:
    """Check every result row (ID number, hours, score, pass or fail) against the programme's seats."""
    batch = Batch(rows=len(sheet.rows), problems=list(sheet.problems))
    columns = {column.key: column for column in result_columns()}
    lookups = {"rows_with_problems": {problem.row for problem in sheet.problems}}
    enrolments = {id_number: (enrolment_id, status) for id_number, enrolment_id, status in db.session.execute(
        sa.select(Teacher.id_number, Enrolment.id, Enrolment.status).join(Enrolment.teacher)
        .where(Enrolment.programme_id == programme.id))}  # the scope limits both to the user's reach
    first_row_of: dict[str, int] = {}
    for row in sheet.rows:
        check, values = RowCheck(batch, row, columns, lookups), row.values
        parsed = check.id_number()
        id_number = parsed.value if parsed else None
        if id_number in first_row_of:
            check.problem("id_number", _l("The same ID number is already on row %(row)d.", row=first_row_of[id_number]))
        elif id_number is not None:
            first_row_of[id_number] = row.number
            enrolment = enrolments.get(id_number)
            if enrolment is None:
                check.problem("id_number", _l("No teacher with this ID number is in the programme."))
            elif enrolment[1] not in SEAT_HOLDING:
                check.problem("id_number", _l("This teacher holds no seat in the programme (%(status)s).",
                                              status=vocab_label(ENROLMENT_STATUSES, enrolment[1])))
        if values["hours"] is not None and not 0 <= values["hours"] <= programme.hours:
            check.problem("hours", _l("Hours must be a number from 0 to %(max)d.", max=programme.hours))
        if values["score"] is not None and not 0 <= values["score"] <= 100:
            check.problem("score", _l("The score must be a number from 0 to 100, or empty."))
        passed = PASS_WORDS.get(lookup_key(values["passed"])) if values["passed"] is not None else None
        if values["passed"] is not None and passed is None:
            check.problem("passed", _l("Write pass or fail (合格 or 不合格)."))
        if not check.failed:
            batch.records.append({"enrolment_id": enrolments[id_number][0], "hours": values["hours"],
                                  "score": values["score"], "passed": passed})
    batch.problems.sort(key=lambda problem: problem.row or 0)
    return batch


def insert_results(batch: Batch, programme: Programme, user) -> int:
    """Record every checked result: completions get a certificate and their hours in the ledger."""
    if not batch.ready:
        raise ValueError("insert_results needs a batch without problems")
    enrolments = {}
    for chunk in in_chunks(record["enrolment_id"] for record in batch.records):
        enrolments |= {enrolment.id: enrolment for enrolment in db.session.scalars(
            sa.select(Enrolment).where(Enrolment.id.in_(chunk)).options(joinedload(Enrolment.programme)))}
    for record in batch.records:
        record_result(enrolments[record["enrolment_id"]], record["hours"], record["score"], record["passed"], user)
    return len(batch.records)


RESULTS = ImportKind("results", _l("Training results"), "manage_training", result_columns, result_example,
                     check_results, insert_results, max_rows=MAX_RESULT_ROWS, instructions=(
                         _l("One row per teacher holding a seat. Pass or fail: 合格 or 不合格. Hours at most the "
                            "programme's; the score may be empty."),))


def completion_columns() -> list[Column]:
    return [
        Column("id_number", "身份证号", "ID number", required=True,
               note="18位居民身份证号，请设为文本格式 / 18-character resident ID number, as text"),
        Column("name", "姓名", "Name", max_length=40, note="可不填；填写时须与登记一致 / Optional; must agree with the registry"),
        Column("day", "完成日期", "Finished on", "date", required=True),
        Column("hours", "学时", "Hours", "float", required=True),
        Column("tier", "培训级别", "Tier", choices=chinese_choices(EVIDENCE_TIERS),
               note="填写项目代码时可不填 / May be empty when a programme code is given"),
        Column("title", "培训名称", "Training", max_length=200,
               note="填写项目代码时可不填 / May be empty when a programme code is given"),
        Column("note", "证明材料", "Evidence", max_length=300,
               note="证书编号和发证机构 / Certificate number and issuing body"),
        Column("is_induction", "新教师入职培训", "Induction training", "bool", choices=("是", "否")),
        Column("programme", "项目代码", "Programme code", max_length=30,
               note="本系统中的培训项目代码，可不填 / The code of a TrainHub programme, if it was one"),
    ]


def completion_example() -> dict:
    return {"id_number": make_id_number("622921", date(1990, 5, 12), 21), "name": "张明", "day": "2023-07-15",
            "hours": 24, "tier": label_in("zh_CN", EVIDENCE_TIERS["external"]), "title": "外省骨干教师研修",
            "note": "证书 GS-2023-0088，甘肃省教育厅", "is_induction": "否", "programme": ""}


def _tier_lookup() -> dict[str, str]:
    """Tiers by code, label in either language, or the short word in brackets: 国培, 校本 ..."""
    lookup = vocabulary_lookup(EVIDENCE_TIERS)
    for code, text in EVIDENCE_TIERS.items():
        english = label_in("en", text)
        if "(" in english:
            lookup[lookup_key(english.split("(", 1)[1].rstrip(")"))] = code
    return lookup


def check_completions(sheet: Sheet, context=None) -> Batch:
    """Check rows of past or external hours: teachers in the user's reach, the evidence rules, no duplicates."""
    batch = Batch(rows=len(sheet.rows), problems=list(sheet.problems))
    columns = {column.key: column for column in completion_columns()}
    lookups = {"rows_with_problems": {problem.row for problem in sheet.problems}}
    today = date.today()
    id_numbers = set()
    for row in sheet.rows:
        try:
            id_numbers.add(parse(row.values["id_number"] or "").value)
        except InvalidIdNumber:
            continue
    teachers = {}
    for chunk in in_chunks(id_numbers):  # the scope keeps teachers outside the user's unit out
        teachers |= {teacher.id_number: teacher for teacher in db.session.scalars(
            sa.select(Teacher).where(Teacher.id_number.in_(chunk)))}
    codes = {str(row.values["programme"]).strip().upper() for row in sheet.rows if row.values["programme"]}
    programmes = {}
    for chunk in in_chunks(codes):
        programmes |= {programme.code.upper(): programme for programme in db.session.scalars(
            sa.select(Programme).where(sa.func.upper(Programme.code).in_(chunk)))}
    entered, completed = _ledger_keys([teacher.id for teacher in teachers.values()])
    tiers = _tier_lookup()
    first_row_of: dict[tuple, int] = {}

    for row in sheet.rows:
        check, values = RowCheck(batch, row, columns, lookups), row.values
        parsed = check.id_number()
        id_number = parsed.value if parsed else None
        teacher = teachers.get(id_number)
        if id_number is not None and teacher is None:
            check.problem("id_number", _l("No teacher with this ID number is registered in your unit."))
        if teacher is not None and values["name"] and lookup_key(values["name"]) != lookup_key(teacher.name):
            check.problem("name", _l("The name differs from the registered teacher's: %(name)s.", name=teacher.name))
        for key, reason in evidence_problems(values["hours"], values["day"], today):
            check.problem(key, reason)

        programme = None
        if values["programme"]:
            code = str(values["programme"]).strip().upper()
            programme = programmes.get(code)
            if programme is None:
                check.problem("programme", _l("No programme has the code %(code)s.", code=code))
            elif teacher is not None and (teacher.id, programme.id) in completed:
                check.problem("programme", _l("This programme's completion is already in the teacher's hours."))
        tier = tiers.get(lookup_key(values["tier"])) if values["tier"] is not None else None
        if values["tier"] is not None and tier is None:
            check.problem("tier", _l("“%(value)s” is not a known value. Use one of: %(choices)s.", value=values["tier"],
                                     choices="、".join(str(text) for text in EVIDENCE_TIERS.values())))
        elif values["tier"] is None and not values["programme"]:
            check.problem("tier", _l("Enter the tier, or the code of the programme."))
        if values["title"] is None and not values["programme"]:
            check.problem("title", _l("Enter the training's title, or the code of the programme."))
        if values["note"] is None and not values["programme"]:
            check.problem("note", _l("Describe the evidence (certificate number, issuing body)."))
        tier = tier or (programme.tier if programme else None)
        title = values["title"] or (programme.title if programme else None)
        note = " ".join(part for part in (programme.code if programme else None, values["note"]) if part)

        if teacher is not None and values["day"] is not None and title:
            key = (teacher.id, values["day"], lookup_key(title))
            if key in first_row_of:
                check.problem(None, _l("The same training on the same day is on row %(row)d.", row=first_row_of[key]))
            else:
                first_row_of[key] = row.number
            if key in entered:
                check.problem(None, _l("These hours are already in the teacher's ledger."))
        if check.failed:
            continue
        is_induction = values["is_induction"]
        if is_induction is None:
            is_induction = programme is not None and "new_teacher" in programme.target_roles
        batch.records.append({"teacher_id": teacher.id, "tier": tier, "hours": values["hours"], "day": values["day"],
                              "title": title.strip()[:200], "note": note[:300], "is_induction": is_induction})
    batch.problems.sort(key=lambda problem: problem.row or 0)
    return batch


def _ledger_keys(teacher_ids: list[int]) -> tuple[set[tuple], set[tuple[int, int]]]:
    """What the teachers' ledgers hold: (teacher, day, title key) lines, and (teacher, programme) completions."""
    entered, completed = set(), set()
    for chunk in in_chunks(teacher_ids):
        for teacher_id, day, title in db.session.execute(sa.select(
                HoursRecord.teacher_id, HoursRecord.day, HoursRecord.title).where(HoursRecord.teacher_id.in_(chunk))):
            entered.add((teacher_id, day, lookup_key(title)))
        completed |= {(teacher_id, programme_id) for teacher_id, programme_id in db.session.execute(
            sa.select(HoursRecord.teacher_id, Enrolment.programme_id).join(Enrolment, HoursRecord.enrolment_id == Enrolment.id)
            .where(HoursRecord.teacher_id.in_(chunk)))}
    return entered, completed


def insert_completions(batch: Batch, context, user) -> int:
    """Enter every checked line of past or external hours as evidence, in bulk."""
    if not batch.ready:
        raise ValueError("insert_completions needs a batch without problems")
    now = datetime.utcnow()
    db.session.execute(sa.insert(HoursRecord), [
        record | {"source": "evidence", "created_by_id": user.id, "created_at": now} for record in batch.records])
    db.session.flush()
    return len(batch.records)


COMPLETIONS = ImportKind(
    "completions", _l("Past or external training hours"), "manage_training", completion_columns,
    completion_example, check_completions, insert_completions, max_rows=MAX_COMPLETION_ROWS, instructions=(
        _l("One row per training a teacher finished: the hours go into the teacher's ledger as evidence."),
        _l("For a programme run in TrainHub, give its code: tier and title may then be left empty.")))


# ---- the hours ledger ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Cycle:
    start_year: int
    years: int

    @property
    def end_year(self) -> int:
        return self.start_year + self.years - 1

    @property
    def start(self) -> date:
        return date(self.start_year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.end_year, 12, 31)

    @property
    def label(self) -> str:
        return f"{self.start_year}–{self.end_year}"


def cycle_of(year: int) -> Cycle:
    """Return the five-year cycle (from the configured start year) that contains `year`."""
    first, length = setting("TRAINING_CYCLE_START_YEAR"), setting("TRAINING_CYCLE_YEARS")
    return Cycle(first + (year - first) // length * length, length)


@dataclass
class CycleProgress:
    """A teacher's hours in one cycle against the requirements.

    A new teacher is one hired within the cycle; they also owe the induction hours, which are
    hours from programmes aimed at new teachers or evidence marked as induction.
    """

    teacher_id: int
    by_tier: dict[str, float] = field(default_factory=dict)
    induction_hours: float = 0.0
    is_new_teacher: bool = False
    required_total: int = 360
    required_county_or_above: int = 180
    required_induction: int = 0

    @property
    def total(self) -> float:
        return sum(self.by_tier.values())

    @property
    def county_or_above(self) -> float:
        return sum(hours for tier, hours in self.by_tier.items() if tier in COUNTY_OR_ABOVE)

    @property
    def total_met(self) -> bool:
        return self.total >= self.required_total

    @property
    def county_or_above_met(self) -> bool:
        return self.county_or_above >= self.required_county_or_above

    @property
    def induction_met(self) -> bool:
        return self.induction_hours >= self.required_induction

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.total / self.required_total)) if self.required_total else 100


def cycle_progress(teacher_ids, cycle: Cycle) -> dict[int, CycleProgress]:
    """Return teacher id -> CycleProgress, from one grouped query over the ledger (scoped as the caller is)."""
    ids = list(teacher_ids)
    if not ids:
        return {}
    induction = sa.func.sum(sa.case((HoursRecord.is_induction.is_(True), HoursRecord.hours), else_=0))
    rows = db.session.execute(
        sa.select(Teacher.id, Teacher.hire_date, HoursRecord.tier, sa.func.sum(HoursRecord.hours), induction)
        .select_from(Teacher)
        .outerjoin(HoursRecord, sa.and_(HoursRecord.teacher_id == Teacher.id,
                                        HoursRecord.day.between(cycle.start, cycle.end)))
        .where(Teacher.id.in_(ids))
        .group_by(Teacher.id, Teacher.hire_date, HoursRecord.tier))
    required = {"required_total": setting("TRAINING_CYCLE_HOURS"),
                "required_county_or_above": setting("TRAINING_COUNTY_OR_ABOVE_HOURS")}
    result: dict[int, CycleProgress] = {}
    for teacher_id, hire_date, tier, hours, induction_hours in rows:
        progress = result.get(teacher_id)
        if progress is None:
            is_new = hire_date is not None and cycle.start <= hire_date <= cycle.end
            progress = result[teacher_id] = CycleProgress(
                teacher_id, is_new_teacher=is_new,
                required_induction=setting("TRAINING_INDUCTION_HOURS") if is_new else 0, **required)
        if tier is not None:
            progress.by_tier[tier] = progress.by_tier.get(tier, 0) + float(hours or 0)
            progress.induction_hours += float(induction_hours or 0)
    return result


def ledger(teacher: Teacher, cycle: Cycle) -> list[HoursRecord]:
    return db.session.scalars(sa.select(HoursRecord).where(
        HoursRecord.teacher_id == teacher.id, HoursRecord.day.between(cycle.start, cycle.end))
        .order_by(HoursRecord.day.desc(), HoursRecord.id.desc())).all()


def evidence_problems(hours: float | None, day: date | None, today: date) -> list[tuple[str, object]]:
    """The rules for past or external hours, as (field, reason) for each one broken."""
    problems = []
    most = setting("TRAINING_MAX_HOURS")
    if hours is not None and not 0 < hours <= most:
        problems.append(("hours", _l("Hours must be more than 0 and at most %(max)d.", max=most)))
    if day is not None and day > today:
        problems.append(("day", _l("Hours can be entered only for training that has taken place.")))
    return problems


def add_evidence(teacher: Teacher, tier: str, hours: float, day: date, title: str, note: str,
                 is_induction: bool, user, today: date) -> HoursRecord:
    """Enter past or external hours with the evidence noted."""
    for field_name, reason in evidence_problems(hours, day, today):
        raise UserError(reason, field_name)
    if not (note or "").strip():
        raise UserError(_l("Describe the evidence (certificate number, issuing body)."), "note")
    record = HoursRecord(teacher_id=teacher.id, tier=tier, hours=hours, day=day, source="evidence",
                         is_induction=is_induction, title=title.strip(), note=note.strip()[:300],
                         created_by_id=user.id)
    db.session.add(record)
    db.session.flush()
    audit.record("training_evidence", record, f"teacher={teacher.id} hours={hours}")
    return record


# ---- targets -------------------------------------------------------------------------------------

def target_units(user) -> list[Unit]:
    """The units a user sets targets for: those directly below the user's unit."""
    if user.role not in UNIT_ROLES or user.unit is None:
        return []
    return db.session.scalars(sa.select(Unit).where(Unit.parent_id == user.unit_id).order_by(Unit.code)).all()


def save_target(user, unit_id: int, tier: str, year: int, persons: int, rural_only: bool) -> TrainingTarget:
    unit = next((unit for unit in target_units(user) if unit.id == unit_id), None)
    if unit is None:
        raise UserError(_l("Targets are set by the unit directly above; choose a unit from the list."), "unit_id")
    if persons <= 0:
        raise UserError(_l("A target needs a positive number of persons."), "persons")
    target = db.session.scalars(sa.select(TrainingTarget).where(
        TrainingTarget.unit_id == unit_id, TrainingTarget.tier == tier, TrainingTarget.year == year,
        TrainingTarget.rural_only.is_(rural_only))).first()
    if target is None:
        target = TrainingTarget(unit_id=unit_id, tier=tier, year=year, rural_only=rural_only)
        db.session.add(target)
    target.persons = persons
    db.session.flush()
    return target


@dataclass
class TargetProgress:
    target: TrainingTarget
    persons: int = 0  # distinct teachers who completed
    person_times: int = 0  # completions

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.persons / self.target.persons)) if self.target.persons else 100


def target_progress(targets: list[TrainingTarget]) -> list[TargetProgress]:
    """Count completions toward each target: two grouped queries (by tier, and over all tiers)."""
    if not targets:
        return []
    years = {target.year for target in targets}
    year = sa.extract("year", HoursRecord.day)
    rural = School.locality == "rural"
    base = (sa.select(Unit.path, rural, year, sa.func.count(sa.distinct(HoursRecord.teacher_id)), sa.func.count())
            .select_from(HoursRecord).join(Teacher, HoursRecord.teacher_id == Teacher.id)
            .join(School, Teacher.school_id == School.id).join(Unit, School.county_id == Unit.id)
            .where(HoursRecord.source == "completion",
                   HoursRecord.day.between(date(min(years), 1, 1), date(max(years), 12, 31))))
    with unscoped():  # a target counts every teacher below its unit, beyond the viewer's reach
        by_tier = db.session.execute(base.add_columns(HoursRecord.tier)
                                     .group_by(Unit.path, rural, year, HoursRecord.tier)).all()
        all_tiers = db.session.execute(base.add_columns(sa.literal("all"))
                                       .group_by(Unit.path, rural, year)).all()
    result = []
    for target in targets:
        progress = TargetProgress(target)
        for path, is_rural, row_year, persons, times, tier in (all_tiers if target.tier == "all" else by_tier):
            if (int(row_year) == target.year and tier == target.tier and path.startswith(target.unit.path)
                    and (is_rural or not target.rural_only)):
                # Distinct counts per county add up: a teacher belongs to one county.
                progress.persons += persons
                progress.person_times += times
        result.append(progress)
    return result


# ---- notifications -------------------------------------------------------------------------------

NOTIFICATIONS = {
    "promoted": _l("A seat in “%(title)s” became free: you are now enrolled."),
    "rejected": _l("Your application to “%(title)s” was rejected: %(reason)s"),
    "withdrawn": _l("You were withdrawn from “%(title)s”: %(reason)s"),
}


def notify(teacher_id: int, message: str, **params) -> None:
    db.session.add(Notification(teacher_id=teacher_id, message=message, params=params))


def notification_text(notification: Notification) -> str:
    template = NOTIFICATIONS.get(notification.message)
    return str(template) % notification.params if template is not None else notification.message


def unread_count(teacher_id: int | None) -> int:
    if teacher_id is None:
        return 0
    return db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.teacher_id == teacher_id, Notification.is_read.is_(False)))


def mark_read(teacher_id: int) -> None:
    db.session.execute(sa.update(Notification).where(Notification.teacher_id == teacher_id,
                                                     Notification.is_read.is_(False)).values(is_read=True))


# ---- teacher self-service ------------------------------------------------------------------------

def open_programmes_for(teacher: Teacher, today: date) -> list[Programme]:
    """Open programmes the teacher can see whose window is open and whose audience includes them."""
    candidates = db.session.scalars(
        programme_list(status="open").where(Programme.apply_from <= today, Programme.apply_until >= today)
        .limit(200)).all()
    return [programme for programme in candidates if eligibility_problem(programme, teacher, today) is None]


def enrolments_of(teacher: Teacher) -> list[Enrolment]:
    return db.session.scalars(sa.select(Enrolment).where(Enrolment.teacher_id == teacher.id)
                              .options(joinedload(Enrolment.programme)).order_by(Enrolment.applied_at.desc())).all()


def nominee_ids(programme: Programme, q: str = "", school_id: int | None = None) -> sa.Select:
    """Return the ids of the active teachers the user may see and nominate, not yet in the programme.

    Unordered: what the nomination page counts.
    """
    query = (sa.select(Teacher.id).where(Teacher.status == "active")
             .where(~Teacher.id.in_(sa.select(Enrolment.teacher_id).where(Enrolment.programme_id == programme.id))))
    if q:
        query = query.where(Teacher.name.contains(q, autoescape=True))
    if school_id:
        query = query.where(Teacher.school_id == school_id)
    if programme.rural_only:
        query = query.where(Teacher.school_id.in_(sa.select(School.id).where(School.locality == "rural")))
    if programme.eligible_county_ids:
        query = query.where(Teacher.school_id.in_(sa.select(School.id).where(
            School.county_id.in_(programme.eligible_county_ids))))
    return query


def nominee_rows(programme: Programme, q: str = "", school_id: int | None = None) -> sa.Select:
    """Return the nomination page's rows of those teachers, in its order: by school, then name.

    Only the columns shown, in one query: whole teachers with their schools, counties and other
    subjects cost more to build than the query took.
    """
    county = aliased(Unit)
    return (nominee_ids(programme, q, school_id)
            .add_columns(Teacher.name, School.name.label("school_name"), county.name.label("county_name"),
                         Teacher.certificate_stages)
            .outerjoin(School, Teacher.school_id == School.id).outerjoin(county, School.county_id == county.id)
            .order_by(Teacher.school_id, Teacher.name, Teacher.id))


def teachers_to_nominate(ids: list[int]) -> list[Teacher]:
    """Load the ticked teachers the user may see, with the school and county their eligibility is checked on."""
    return db.session.scalars(sa.select(Teacher).where(Teacher.id.in_(ids))
                              .options(joinedload(Teacher.school).joinedload(School.county))).all()


def nominee_school_options() -> list[sa.Row]:
    """Return (id, name) of the first 500 schools the user may see, by name, for the page's filter."""
    return db.session.execute(sa.select(School.id, School.name).order_by(School.name).limit(500)).all()
