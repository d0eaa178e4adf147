"""Staffing norms, shortages by school, stage and subject, and the posts generated from them.

Shortages are computed for many schools at once from three grouped queries (schools with their
stages, teacher counts per school and subject, the scarce-subject list), never one query per school.
Services flush; the caller commits.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from trainhub import audit
from trainhub.errors import UserError
from trainhub.extensions import db
from trainhub.schools.models import STAGE_ORDER, ScarceSubject, School, Subject, Unit
from trainhub.scoping import unscoped
from trainhub.staffing.models import PairRule, Post, StaffingNorm
from trainhub.teachers.models import Teacher
from trainhub.in_lists import in_chunks

NORM_STAGES = ("primary", "junior", "senior")

# Share of a stage's teaching need per subject, from the weekly class hours of the national
# curriculum plans (compulsory education 2022, senior high 2017). The rest of the norm is
# management and support staff. Provinces edit these on the settings page.
DEFAULT_CURRICULUM_SHARES = {
    "primary": {"chinese": 0.25, "math": 0.15, "english": 0.07, "moral_law": 0.07, "science": 0.07, "pe": 0.11,
                "music": 0.06, "art": 0.06, "it": 0.03, "labour": 0.03, "mental_health": 0.02},
    "junior": {"chinese": 0.14, "math": 0.13, "english": 0.12, "moral_law": 0.06, "physics": 0.06,
               "chemistry": 0.04, "biology": 0.05, "history": 0.06, "geography": 0.05, "pe": 0.10, "music": 0.04,
               "art": 0.04, "it": 0.03, "labour": 0.02, "mental_health": 0.02},
    "senior": {"chinese": 0.12, "math": 0.12, "english": 0.12, "moral_law": 0.06, "physics": 0.08,
               "chemistry": 0.07, "biology": 0.06, "history": 0.06, "geography": 0.06, "pe": 0.07,
               "music": 0.03, "art": 0.03, "it": 0.04, "mental_health": 0.02},
}

# Points that make up a post's weight: one for any post, more for each priority it carries.
BASE_POINTS = 1
PRIORITY_POINTS = {
    "key_aid_county": 2,
    "relocation_site": 2,
    "small_rural": 1,
    "scarce_subject": 2,
    "severe_shortage": 2,  # the school is at least SEVERE_SHORTAGE_SHARE below its norm
    "shortage": 1,  # at least SHORTAGE_SHARE below
}
SEVERE_SHORTAGE_SHARE = 0.20
SHORTAGE_SHARE = 0.10
PRIORITY_LABELS = {
    "base": _l("Any post"),
    "key_aid_county": _l("Key-aid county"),
    "relocation_site": _l("Relocation-site school"),
    "small_rural": _l("Small rural school or teaching point"),
    "scarce_subject": _l("Scarce subject"),
    "severe_shortage": _l("At least 20% below the norm"),
    "shortage": _l("At least 10% below the norm"),
}
# A generated post needs at least this much unmet need (in staff members) for one seat.
SEAT_THRESHOLD = 0.5


# ---- norms ---------------------------------------------------------------------------------------

def province_code(path: str) -> str:
    return path.strip("/").split("/")[0]


def default_norm(unit_id: int | None = None) -> StaffingNorm:
    """Return an unsaved norm holding the national defaults."""
    columns = StaffingNorm.__table__.columns
    values = {column.name: column.default.arg for column in columns if column.default is not None
              and not callable(column.default.arg)}
    norm = StaffingNorm(**values, unit_id=unit_id)
    norm.curriculum_shares = {stage: dict(shares) for stage, shares in DEFAULT_CURRICULUM_SHARES.items()}
    return norm


def norms_by_province() -> dict[str, StaffingNorm]:
    """Return the saved norms keyed by province code (a handful of rows)."""
    with unscoped():
        rows = db.session.scalars(sa.select(StaffingNorm).options(joinedload(StaffingNorm.unit))).all()
    return {row.unit.code: row for row in rows}


def norm_for_path(path: str, cache: dict[str, StaffingNorm] | None = None) -> StaffingNorm:
    """Return the norm of the province above a unit path, or the defaults when it has none."""
    cache = norms_by_province() if cache is None else cache
    code = province_code(path)
    if code not in cache:
        cache[code] = default_norm()
    return cache[code]


def province_norm(province: Unit) -> StaffingNorm:
    """Return the province's saved norm, or an unsaved one with the defaults."""
    found = db.session.scalars(sa.select(StaffingNorm).where(StaffingNorm.unit_id == province.id)).first()
    return found or default_norm(province.id)


@dataclass
class NormInput:
    students_per_staff: dict[str, float]
    staff_per_class: dict[str, float]
    curriculum_shares: dict[str, dict[str, float]]
    rotation_years: int
    rotation_min_share: float
    min_key_teacher_share: float
    special_post_max_age: int
    special_post_max_age_master: int
    silver_age_max_age: int
    term_years: dict[str, int]


def parse_shares(text: str, known_codes: set[str]) -> dict[str, float]:
    """Read "code: share" lines; raise UserError naming the bad line."""
    shares = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        code, separator, value = line.partition(":")
        code = code.strip()
        try:
            share = float(value)
        except ValueError:
            share = None
        if not separator or share is None or not 0 <= share <= 1:
            raise UserError(_l("Line %(line)d: write a subject code, a colon and a share between 0 and 1.",
                               line=number))
        if code not in known_codes:
            raise UserError(_l("Line %(line)d: %(code)s is not a subject code.", line=number, code=code))
        shares[code] = share
    if sum(shares.values()) > 1.0 + 1e-9:
        raise UserError(_l("The shares of one stage add up to more than 1."))
    return shares


def save_norm(province: Unit, data: NormInput, user) -> StaffingNorm:
    """Save a province's norms and audit the change."""
    if province.kind != "province":
        raise UserError(_l("Norms are set per province."))
    norm = db.session.scalars(sa.select(StaffingNorm).where(StaffingNorm.unit_id == province.id)).first()
    if norm is None:
        norm = default_norm(province.id)
        db.session.add(norm)
    norm.students_per_staff_primary = data.students_per_staff["primary"]
    norm.students_per_staff_junior = data.students_per_staff["junior"]
    norm.students_per_staff_senior = data.students_per_staff["senior"]
    norm.staff_per_class_primary = data.staff_per_class["primary"]
    norm.staff_per_class_junior = data.staff_per_class["junior"]
    norm.curriculum_shares = data.curriculum_shares
    norm.rotation_years = data.rotation_years
    norm.rotation_min_share = data.rotation_min_share
    norm.min_key_teacher_share = data.min_key_teacher_share
    norm.special_post_max_age = data.special_post_max_age
    norm.special_post_max_age_master = data.special_post_max_age_master
    norm.silver_age_max_age = data.silver_age_max_age
    norm.special_post_term_years = data.term_years["special_post"]
    norm.rotation_term_years = data.term_years["rotation"]
    norm.support_term_years = data.term_years["support"]
    norm.silver_age_term_years = data.term_years["silver_age"]
    norm.updated_by_id = getattr(user, "id", None)
    db.session.flush()
    audit.record("staffing_norm_saved", norm, f"province {province.code}", user=user)
    return norm


def scarce_subject_ids(province: Unit, year: int) -> set[int]:
    return set(db.session.scalars(sa.select(ScarceSubject.subject_id).where(
        ScarceSubject.unit_id == province.id, ScarceSubject.year == year)))


def save_scarce_subjects(province: Unit, year: int, subject_ids: set[int], user) -> None:
    """Replace a province's scarce-subject list for one year."""
    current = {row.subject_id: row for row in db.session.scalars(sa.select(ScarceSubject).where(
        ScarceSubject.unit_id == province.id, ScarceSubject.year == year))}
    for subject_id, row in current.items():
        if subject_id not in subject_ids:
            db.session.delete(row)
    for subject_id in subject_ids - current.keys():
        db.session.add(ScarceSubject(unit_id=province.id, subject_id=subject_id, year=year))
    db.session.flush()
    audit.record("scarce_subjects_saved", province, f"{year}: {sorted(subject_ids)}", user=user)


# ---- shortages -----------------------------------------------------------------------------------

@dataclass
class SchoolStaffing:
    """Required, actual and shortage of one school, by stage and by subject."""

    school: School
    required_by_stage: dict[str, float] = field(default_factory=dict)
    actual_by_stage: dict[str, float] = field(default_factory=dict)
    # (stage, subject code) -> required; subject code -> actual teachers
    required_by_subject: dict[tuple[str, str], float] = field(default_factory=dict)
    actual_by_subject: dict[str, int] = field(default_factory=dict)
    scarce_codes: frozenset[str] = frozenset()

    @property
    def required(self) -> int:
        return math.ceil(sum(self.required_by_stage.values()) - 1e-9)

    @property
    def actual(self) -> int:
        return sum(self.actual_by_subject.values())

    @property
    def shortage(self) -> int:
        return max(0, self.required - self.actual)

    @property
    def shortage_share(self) -> float:
        return self.shortage / self.required if self.required else 0.0

    def stage_rows(self) -> list[tuple[str, float, float, float]]:
        """(stage, required, actual, shortage) for each normed stage."""
        return [(stage, round(need, 1), round(self.actual_by_stage.get(stage, 0.0), 1),
                 round(max(0.0, need - self.actual_by_stage.get(stage, 0.0)), 1))
                for stage, need in sorted(self.required_by_stage.items(), key=lambda item: STAGE_ORDER.get(item[0], 9))]

    def subject_rows(self) -> list[tuple[str, float, int, float]]:
        """(subject code, required, actual, shortage) over all stages, largest shortage first."""
        need: dict[str, float] = {}
        for (_stage, code), value in self.required_by_subject.items():
            need[code] = need.get(code, 0.0) + value
        codes = set(need) | set(self.actual_by_subject)
        rows = [(code, round(need.get(code, 0.0), 1), self.actual_by_subject.get(code, 0),
                 round(max(0.0, need.get(code, 0.0) - self.actual_by_subject.get(code, 0)), 1)) for code in codes]
        return sorted(rows, key=lambda row: (-row[3], row[0]))

    def stage_subject_shortages(self) -> dict[tuple[str, str], float]:
        """Unmet need per (stage, subject): a subject's teachers are shared across stages by need."""
        need_per_subject: dict[str, float] = {}
        for (_stage, code), value in self.required_by_subject.items():
            need_per_subject[code] = need_per_subject.get(code, 0.0) + value
        gaps = {}
        for (stage, code), value in self.required_by_subject.items():
            total = need_per_subject[code]
            actual = self.actual_by_subject.get(code, 0) * value / total if total else 0.0
            if value - actual > 0:
                gaps[(stage, code)] = value - actual
        return gaps

    @property
    def uncovered_scarce(self) -> list[str]:
        """Scarce subjects the school needs but has no teacher of."""
        needed = {code for (_stage, code), value in self.required_by_subject.items() if value > 0}
        return sorted(code for code in self.scarce_codes & needed if not self.actual_by_subject.get(code))


def required_for_stage(norm: StaffingNorm, school: School, stage: str, students: int, classes: int) -> float | None:
    """Staff a stage needs: students over the ratio, or for small schools the class ratio when larger."""
    ratio = norm.students_per_staff(stage)
    if not ratio:
        return None
    need = students / ratio
    per_class = norm.staff_per_class(stage)
    if per_class and (school.is_small_rural or school.is_teaching_point):
        need = max(need, classes * per_class)
    return need


def school_staffing(schools: list[School], year: int) -> list[SchoolStaffing]:
    """Compute required, actual and shortage for the given schools (stages and county loaded)."""
    if not schools:
        return []
    ids = [school.id for school in schools]
    codes = dict(db.session.execute(sa.select(Subject.id, Subject.code)).all())
    counts: dict[int, dict[str, int]] = {}
    for chunk in in_chunks(ids):
        rows = db.session.execute(
            sa.select(Teacher.school_id, Teacher.subject_id, sa.func.count())
            .where(Teacher.school_id.in_(chunk), Teacher.status == "active")
            .group_by(Teacher.school_id, Teacher.subject_id)
        )
        for school_id, subject_id, count in rows:
            counts.setdefault(school_id, {})[codes[subject_id]] = count
    norms = norms_by_province()
    scarce = _scarce_codes_by_province(year)
    result = []
    for school in schools:
        province = province_code(school.county.path)
        norm = norm_for_path(school.county.path, norms)
        staffing = SchoolStaffing(school, actual_by_subject=counts.get(school.id, {}),
                                  scarce_codes=frozenset(scarce.get(province, ())))
        for row in school.stages:
            need = required_for_stage(norm, school, row.stage, row.students, row.classes)
            if need is None:
                continue
            staffing.required_by_stage[row.stage] = need
            for code, share in (norm.curriculum_shares or {}).get(row.stage, {}).items():
                staffing.required_by_subject[(row.stage, code)] = need * share
        total_need = sum(staffing.required_by_stage.values())
        for stage, need in staffing.required_by_stage.items():
            staffing.actual_by_stage[stage] = staffing.actual * need / total_need if total_need else 0.0
        result.append(staffing)
    return result


def _scarce_codes_by_province(year: int) -> dict[str, set[str]]:
    with unscoped():
        rows = db.session.execute(
            sa.select(Unit.code, Subject.code).select_from(ScarceSubject)
            .join(Unit, ScarceSubject.unit_id == Unit.id).join(Subject, ScarceSubject.subject_id == Subject.id)
            .where(ScarceSubject.year == year)
        ).all()
    found: dict[str, set[str]] = {}
    for unit_code, subject_code in rows:
        found.setdefault(unit_code, set()).add(subject_code)
    return found


def schools_under(unit: Unit | None) -> list[School]:
    """Schools (in scope) under a unit, with stages and county loaded for the shortage computation."""
    query = sa.select(School).options(selectinload(School.stages), joinedload(School.county))
    if unit is not None:
        query = query.join(Unit, School.county_id == Unit.id).where(Unit.path.startswith(unit.path))
    return list(db.session.scalars(query.order_by(School.id)).unique())


def shortage_report(unit: Unit | None, year: int) -> list[SchoolStaffing]:
    """Every school under the unit, furthest below its norm first."""
    rows = school_staffing(schools_under(unit), year)
    return sorted(rows, key=lambda row: (-row.shortage_share, -row.shortage, row.school.name))


@dataclass
class UnitSummary:
    unit: Unit
    schools: int = 0
    required: int = 0
    actual: int = 0
    shortage: int = 0
    schools_below_norm: int = 0
    uncovered_scarce: dict[str, int] = field(default_factory=dict)  # subject code -> schools lacking it


def summarise_by_county(rows: list[SchoolStaffing]) -> list[UnitSummary]:
    """Totals per county, largest shortage first."""
    by_county: dict[int, UnitSummary] = {}
    for row in rows:
        summary = by_county.setdefault(row.school.county_id, UnitSummary(row.school.county))
        summary.schools += 1
        summary.required += row.required
        summary.actual += row.actual
        summary.shortage += row.shortage
        summary.schools_below_norm += row.shortage > 0
        for code in row.uncovered_scarce:
            summary.uncovered_scarce[code] = summary.uncovered_scarce.get(code, 0) + 1
    return sorted(by_county.values(), key=lambda item: (-item.shortage, item.unit.code))


# ---- posts ---------------------------------------------------------------------------------------

def weight_parts(school: School, subject_code: str, staffing: SchoolStaffing) -> list[dict]:
    """The priorities a post carries, each with its points (shown next to the weight)."""
    parts = [{"code": "base", "points": BASE_POINTS}]
    if school.county.is_key_aid_county:
        parts.append({"code": "key_aid_county", "points": PRIORITY_POINTS["key_aid_county"]})
    if school.is_relocation_site:
        parts.append({"code": "relocation_site", "points": PRIORITY_POINTS["relocation_site"]})
    if school.is_small_rural or school.is_teaching_point:
        parts.append({"code": "small_rural", "points": PRIORITY_POINTS["small_rural"]})
    if subject_code in staffing.scarce_codes:
        parts.append({"code": "scarce_subject", "points": PRIORITY_POINTS["scarce_subject"]})
    if staffing.shortage_share >= SEVERE_SHORTAGE_SHARE:
        parts.append({"code": "severe_shortage", "points": PRIORITY_POINTS["severe_shortage"]})
    elif staffing.shortage_share >= SHORTAGE_SHARE:
        parts.append({"code": "shortage", "points": PRIORITY_POINTS["shortage"]})
    return parts


def planned_seats(staffing: SchoolStaffing) -> dict[tuple[str, str], int]:
    """Seats per (stage, subject): the largest gaps first, never more in all than the school's shortage."""
    seats = {}
    left = staffing.shortage
    for key, gap in sorted(staffing.stage_subject_shortages().items(), key=lambda item: (-item[1], item[0])):
        count = min(left, math.floor(gap + 1 - SEAT_THRESHOLD))
        if count <= 0:
            continue
        seats[key] = count
        left -= count
    return seats


def generate_posts(unit: Unit, year: int, kind: str = "special_post") -> int:
    """Create or refresh the year's posts of a kind under a unit from the current shortages.

    Posts already filled by an approved run are kept as they are; a weight override survives a
    refresh; unfilled posts that no shortage supports any more are removed. Returns the seats.
    """
    staffing_rows = school_staffing(schools_under(unit), year)
    subjects = {subject.code: subject for subject in db.session.scalars(sa.select(Subject))}
    existing = {(post.school_id, post.subject_id, post.stage): post for post in db.session.scalars(
        sa.select(Post).join(School).join(Unit, School.county_id == Unit.id)
        .where(Post.year == year, Post.kind == kind, Unit.path.startswith(unit.path)))}
    keep, total = set(), 0
    for staffing in staffing_rows:
        for (stage, code), seats in planned_seats(staffing).items():
            subject = subjects.get(code)
            if subject is None:
                continue
            key = (staffing.school.id, subject.id, stage)
            keep.add(key)
            post = existing.get(key)
            if post is not None and post.filled_by_run_id is not None:
                continue
            if post is None:
                post = Post(year=year, kind=kind, school_id=staffing.school.id, subject_id=subject.id, stage=stage)
                db.session.add(post)
            parts = weight_parts(staffing.school, code, staffing)
            post.seats = seats
            post.shortage = staffing.shortage
            post.weight_parts = parts
            post.weight_derived = sum(part["points"] for part in parts)
            total += seats
    stale = [post.id for key, post in existing.items() if key not in keep and post.filled_by_run_id is None]
    if stale:
        db.session.execute(sa.delete(PairRule).where(PairRule.post_id.in_(stale)))
        db.session.execute(sa.delete(Post).where(Post.id.in_(stale)))
    db.session.flush()
    return total


def post_list(unit: Unit | None, year: int, kind: str, subject_id: int | None = None, sort: str = "weight"):
    """A select of posts for the list page (school, county and subject loaded)."""
    query = (sa.select(Post).join(Post.school).join(Unit, School.county_id == Unit.id)
             .options(joinedload(Post.school).joinedload(School.county), joinedload(Post.subject))
             .where(Post.year == year, Post.kind == kind))
    if unit is not None:
        query = query.where(Unit.path.startswith(unit.path))
    if subject_id:
        query = query.where(Post.subject_id == subject_id)
    weight = sa.func.coalesce(Post.weight_override, Post.weight_derived)
    order = {"weight": (weight.desc(), Post.id), "school": (School.name, Post.id), "county": (Unit.code, Post.id)}
    return query.order_by(*order.get(sort, order["weight"]))


@dataclass
class PostInput:
    seats: int
    weight_override: int | None
    override_reason: str


def update_post(post: Post, data: PostInput, user) -> Post:
    """Change a post's seats or override its weight; an override needs a reason and is audited."""
    if post.filled_by_run_id is not None:
        raise UserError(_l("This post was filled by an approved run and can no longer change."))
    if data.seats < 1:
        raise UserError(_l("A post has at least one seat."), "seats")
    reason = (data.override_reason or "").strip()
    if data.weight_override is not None and data.weight_override < 1:
        raise UserError(_l("A weight is a whole number of at least 1."), "weight_override")
    if data.weight_override is not None and data.weight_override != post.weight_derived and not reason:
        raise UserError(_l("Give the reason for overriding the derived weight."), "override_reason")
    before = (post.seats, post.weight)
    post.seats = data.seats
    if data.weight_override is None or data.weight_override == post.weight_derived:
        post.weight_override, post.override_reason = None, None
    else:
        post.weight_override, post.override_reason = data.weight_override, reason
    db.session.flush()
    if before != (post.seats, post.weight) or post.weight_override is not None:
        audit.record("post_override", post, f"seats {before[0]}→{post.seats}, weight {before[1]}→{post.weight}"
                     + (f": {reason}" if post.weight_override is not None else ""), user=user)
    return post
