"""Build the demo registry: units, subjects, the scarce-subject list, schools and teachers.

Everything is generated as plain rows first and written with bulk inserts, so the whole
prefecture (about 1,500 schools and 25,000 teachers) takes seconds rather than minutes.
The session is flushed, never committed: the command commits once at the end.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from trainhub.demo import geography
from trainhub.demo.geography import County
from trainhub.demo.names import person_name
from trainhub.extensions import db
from trainhub.idnumber import make as make_id_number
from trainhub.schools.models import ScarceSubject, School, SchoolStage, Subject, Unit
from trainhub.teachers.models import Teacher, teacher_other_subject

SUBJECTS = (
    ("chinese", "语文", "Chinese"),
    ("math", "数学", "Mathematics"),
    ("english", "英语", "English"),
    ("physics", "物理", "Physics"),
    ("chemistry", "化学", "Chemistry"),
    ("biology", "生物", "Biology"),
    ("history", "历史", "History"),
    ("geography", "地理", "Geography"),
    ("moral_law", "道德与法治", "Morality and Law"),
    ("science", "科学", "Science"),
    ("it", "信息技术", "Information Technology"),
    ("pe", "体育", "Physical Education"),
    ("music", "音乐", "Music"),
    ("art", "美术", "Art"),
    ("mental_health", "心理健康", "Mental Health"),
    ("labour", "劳动", "Labour"),
    ("special_ed", "特殊教育", "Special Education"),
)

# The province's scarce-subject list by year; it changes a little every year.
SCARCE_SUBJECTS = {
    2024: ("pe", "music", "art", "english", "it", "science", "mental_health"),
    2025: ("pe", "music", "art", "english", "it", "science", "mental_health", "special_ed"),
    2026: ("pe", "music", "art", "english", "it", "science", "mental_health", "labour", "moral_law"),
}

# Share of a stage's teachers by subject. Scarce subjects are deliberately thin: that is the
# shortage the staffing and training tools exist to fix.
SUBJECT_MIX = {
    "primary": {"chinese": 33, "math": 29, "english": 7, "science": 5, "moral_law": 6, "pe": 6, "music": 4,
                "art": 4, "it": 2, "mental_health": 1, "labour": 1, "special_ed": 0.4},
    "junior": {"chinese": 16, "math": 15, "english": 13, "physics": 7, "chemistry": 5, "biology": 6,
               "history": 6, "geography": 6, "moral_law": 7, "pe": 6, "music": 3, "art": 3, "it": 3,
               "mental_health": 1, "labour": 1},
    "senior": {"chinese": 14, "math": 14, "english": 13, "physics": 9, "chemistry": 8, "biology": 8,
               "history": 7, "geography": 7, "moral_law": 7, "pe": 5, "music": 2, "art": 2, "it": 3,
               "mental_health": 1},
    "teaching_point": {"chinese": 46, "math": 44, "english": 3, "pe": 2, "music": 2, "art": 2, "moral_law": 1},
}
# Subjects a rural primary teacher commonly teaches besides their own.
SIDE_SUBJECTS = ("moral_law", "music", "art", "pe", "science", "labour")

# Staffing norm (2014 unified standard): students per staff member by stage.
STUDENTS_PER_TEACHER = {"primary": 19.0, "junior": 13.5, "senior": 12.5}

# The box around Linxia that every school lies in.
LATITUDES = (35.2, 36.1)
LONGITUDES = (102.8, 103.9)

PHONE_PREFIXES = ("133", "135", "137", "138", "139", "150", "151", "152", "153", "157", "158", "159",
                  "177", "180", "181", "186", "187", "188", "189", "191", "199")


@dataclass(frozen=True)
class Scale:
    counties: tuple[str, ...]
    small: bool  # a fixed handful of schools per county instead of the full prefecture


SCALES = {
    "small": Scale(geography.SMALL_COUNTIES, small=True),
    "prefecture": Scale(tuple(county.code for county in geography.COUNTIES), small=False),
}


@dataclass
class PlannedSchool:
    county: County
    kind: str  # senior, junior, nine_year, seat_primary, central_primary, village_primary, teaching_point
    name: str
    township: str
    locality: str
    stages: dict[str, tuple[int, int]]  # stage -> (students, classes)
    is_boarding: bool = False
    is_relocation_site: bool = False
    teachers: int = 0
    row: dict = field(default_factory=dict)

    @property
    def students(self) -> int:
        return sum(students for students, _classes in self.stages.values())

    @property
    def classes(self) -> int:
        return sum(classes for _students, classes in self.stages.values())


@dataclass
class Registry:
    """What was written, for the accounts and the summary."""

    province_id: int
    prefecture_id: int
    county_ids: dict[str, int]  # county code -> unit id
    subject_ids: dict[str, int]
    school_ids: list[int]
    schools: list[PlannedSchool]
    teacher_rows: list[dict]  # with "id" filled after the insert
    counts: dict[str, int]


def build(scale_name: str, rng: random.Random, today: date | None = None) -> Registry:
    """Write the whole registry for a scale; return what was written."""
    today = today or date.today()
    scale = SCALES[scale_name]
    counties = [county for county in geography.COUNTIES if county.code in scale.counties]

    province_id, prefecture_id, county_ids = _insert_units(counties)
    subject_ids = _insert_subjects()
    scarce_rows = _insert_scarce_subjects(province_id, subject_ids)

    planned = []
    for county in counties:
        planned += _plan_small(county, rng) if scale.small else _plan_county(county, rng)
    school_ids = _insert_schools(planned, county_ids, rng)

    teacher_rows, side_subjects = _teachers(planned, school_ids, subject_ids, rng, today)
    teacher_ids = _bulk_insert(Teacher, teacher_rows, "id_number")
    for row, teacher_id in zip(teacher_rows, teacher_ids):
        row["id"] = teacher_id
    links = [{"teacher_id": teacher_ids[index], "subject_id": subject_id} for index, subject_id in side_subjects]
    if links:
        db.session.execute(teacher_other_subject.insert(), links)
    db.session.flush()

    counts = {
        "units": 2 + len(counties),
        "subjects": len(subject_ids),
        "scarce_subjects": scarce_rows,
        "schools": len(planned),
        "students": sum(school.students for school in planned),
        "teachers": len(teacher_rows),
    }
    return Registry(province_id, prefecture_id, county_ids, subject_ids, school_ids, planned, teacher_rows, counts)


# ---- units, subjects ----------------------------------------------------------------------------

def _insert_units(counties: list[County]) -> tuple[int, int, dict[str, int]]:
    province = Unit(kind="province", path=f"/{geography.PROVINCE['code']}/", **geography.PROVINCE)
    prefecture = Unit(kind="prefecture", parent=province, path=f"{province.path}{geography.PREFECTURE['code']}/",
                      **geography.PREFECTURE)
    county_units = {
        county.code: Unit(code=county.code, name=county.name, name_en=county.name_en, kind="county",
                          parent=prefecture, path=f"{prefecture.path}{county.code}/",
                          is_key_aid_county=county.is_key_aid_county, is_border_county=False)
        for county in counties
    }
    db.session.add_all([province, prefecture, *county_units.values()])
    db.session.flush()
    return province.id, prefecture.id, {code: unit.id for code, unit in county_units.items()}


def _insert_subjects() -> dict[str, int]:
    rows = [{"code": code, "name_zh": zh, "name_en": en} for code, zh, en in SUBJECTS]
    ids = _bulk_insert(Subject, rows, "code")
    return {row["code"]: subject_id for row, subject_id in zip(rows, ids)}


def _insert_scarce_subjects(province_id: int, subject_ids: dict[str, int]) -> int:
    rows = [{"unit_id": province_id, "subject_id": subject_ids[code], "year": year}
            for year, codes in SCARCE_SUBJECTS.items() for code in codes]
    db.session.execute(ScarceSubject.__table__.insert(), rows)
    return len(rows)


def _bulk_insert(model, rows: list[dict], key: str) -> list[int]:
    """Insert rows in bulk and return their new ids in the order of the rows, found by a unique key.

    A Core executemany on the table: the ORM's bulk path splits batches wherever a value is None,
    and its RETURNING path gets slow at tens of thousands of rows.
    """
    if not rows:
        return []
    db.session.execute(model.__table__.insert(), rows)
    column = getattr(model, key)
    ids = dict(db.session.execute(sa.select(column, model.id).where(column.in_({row[key] for row in rows}))).all())
    return [ids[row[key]] for row in rows]


# ---- schools --------------------------------------------------------------------------------------

def _plan_county(county: County, rng: random.Random) -> list[PlannedSchool]:
    """Lay out a county's schools: county-town schools, one centre per township, villages."""
    namer = _Namer(county, rng)
    seat, townships = county.seat, county.townships
    rural_townships = [town for town in townships if not town.endswith("街道")]
    outer_townships = [town for town in rural_townships if town != seat] or list(townships)
    schools: list[PlannedSchool] = []

    seniors = 4 if county.is_city else (3 if county.schools >= 200 else 2)
    for number in range(1, seniors + 1):
        schools.append(_senior(county, namer.numbered(number, "中学"), seat, rng))
    if not county.is_city:
        schools.append(_senior(county, f"{county.short_name}民族中学", seat, rng))

    seat_juniors = 5 if county.is_city else 2
    for number in range(1, seat_juniors + 1):
        schools.append(_junior(county, namer.numbered(number, "初级中学"), seat, rng, in_seat=True))
    for town in outer_townships[: max(4, int(len(outer_townships) * 0.7))]:
        schools.append(_junior(county, f"{county.short_name}{town}初级中学", town, rng, in_seat=False))

    seat_primaries = 14 if county.is_city else 4
    primary_names = ["实验小学"] + [f"第{_numeral(n)}小学" for n in range(1, seat_primaries)]
    street_towns = [town for town in townships if town.endswith("街道")] or [seat]
    for index, suffix in enumerate(primary_names):
        town = street_towns[index % len(street_towns)] if county.is_city else seat
        schools.append(_seat_primary(county, f"{county.short_name}{suffix}", town, rng))

    for town in rural_townships:
        schools.append(_central_primary(county, f"{county.short_name}{town}中心小学", town, rng))

    if county.is_key_aid_county:
        for town in rng.sample(outer_townships, min(3, len(outer_townships))):
            schools.append(_relocation_school(county, f"{county.short_name}{town}{namer.village()}安置区学校",
                                              town, rng))

    nine_year = max(2, county.schools // 25)
    for _ in range(nine_year):
        town = rng.choice(outer_townships)
        schools.append(_nine_year(county, f"{county.short_name}{town}{namer.village()}九年制学校", town, rng))

    remaining = county.schools - len(schools)
    teaching_points = int(remaining * (0.2 if county.is_city else 0.36))
    for _ in range(remaining - teaching_points):
        town = rng.choice(outer_townships)
        schools.append(_village_primary(county, f"{county.short_name}{town}{namer.village()}小学", town, rng))
    for _ in range(teaching_points):
        town = rng.choice(outer_townships)
        schools.append(_teaching_point(county, f"{county.short_name}{town}{namer.village()}村教学点", town, rng))
    return schools


def _plan_small(county: County, rng: random.Random) -> list[PlannedSchool]:
    """Ten schools of every kind but senior high, small enough for tests and browser journeys."""
    namer = _Namer(county, rng)
    seat = county.seat
    towns = [town for town in county.townships if town != seat]
    first, second = towns[0], towns[1]
    return [
        _junior(county, f"{county.short_name}{first}初级中学", first, rng, in_seat=False, students=(480, 620)),
        _central_primary(county, f"{county.short_name}{seat}中心小学", seat, rng, students=(380, 480)),
        _central_primary(county, f"{county.short_name}{first}中心小学", first, rng, students=(300, 400)),
        _relocation_school(county, f"{county.short_name}{second}{namer.village()}安置区学校", second, rng,
                           primary=(260, 320), junior=(0, 0)),
        _village_primary(county, f"{county.short_name}{first}{namer.village()}小学", first, rng, students=(120, 180)),
        _village_primary(county, f"{county.short_name}{second}{namer.village()}小学", second, rng, students=(90, 140)),
        _village_primary(county, f"{county.short_name}{second}{namer.village()}小学", second, rng, students=(50, 90)),
        _teaching_point(county, f"{county.short_name}{first}{namer.village()}村教学点", first, rng),
        _teaching_point(county, f"{county.short_name}{second}{namer.village()}村教学点", second, rng),
        _teaching_point(county, f"{county.short_name}{second}{namer.village()}村教学点", second, rng),
    ]


_DIGITS = "〇一二三四五六七八九"


def _numeral(number: int) -> str:
    """Chinese numeral for 1..99: 一, 十, 十二, 二十三."""
    tens, ones = divmod(number, 10)
    if not tens:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


class _Namer:
    """Hand out unique village names and numbered school names within a county."""

    def __init__(self, county: County, rng: random.Random):
        self.county, self.rng, self.used = county, rng, set()

    def numbered(self, number: int, suffix: str) -> str:
        return f"{self.county.short_name}第{_numeral(number)}{suffix}"

    def village(self) -> str:
        while True:
            name = self.rng.choice(geography.VILLAGE_HEADS) + self.rng.choice(geography.VILLAGE_TAILS)
            if name not in self.used:
                self.used.add(name)
                return name


def _classes(students: int, size: float) -> int:
    return max(1, round(students / size))


def _senior(county, name, town, rng) -> PlannedSchool:
    students = rng.randint(1700, 3400)
    return PlannedSchool(county, "senior", name, town, "urban", {"senior": (students, _classes(students, rng.uniform(52, 64)))},
                         is_boarding=rng.random() < 0.9)


def _junior(county, name, town, rng, *, in_seat: bool, students=None) -> PlannedSchool:
    low, high = students or ((1000, 2200) if in_seat else (220, 850))
    count = rng.randint(low, high)
    size = rng.uniform(50, 62) if in_seat else rng.uniform(40, 54)
    return PlannedSchool(county, "junior", name, town, "urban" if in_seat else "town",
                         {"junior": (count, _classes(count, size))}, is_boarding=not in_seat and rng.random() < 0.8)


def _seat_primary(county, name, town, rng) -> PlannedSchool:
    students = rng.randint(1100, 2400)
    return PlannedSchool(county, "seat_primary", name, town, "urban",
                         {"primary": (students, _classes(students, rng.uniform(46, 60)))})


def _central_primary(county, name, town, rng, students=None) -> PlannedSchool:
    low, high = students or (200, 700)
    count = rng.randint(low, high)
    locality = "urban" if town == county.seat or town.endswith("街道") else "town"
    return PlannedSchool(county, "central_primary", name, town, locality,
                         {"primary": (count, max(6, _classes(count, rng.uniform(36, 48))))},
                         is_boarding=rng.random() < 0.3)


def _relocation_school(county, name, town, rng, primary=(400, 1000), junior=(150, 500)) -> PlannedSchool:
    stages = {}
    pupils = rng.randint(*primary)
    stages["primary"] = (pupils, max(6, _classes(pupils, rng.uniform(40, 50))))
    if junior[1]:
        students = rng.randint(*junior)
        stages["junior"] = (students, max(3, _classes(students, rng.uniform(42, 52))))
    return PlannedSchool(county, "relocation", name, town, "town", stages,
                         is_boarding=rng.random() < 0.7, is_relocation_site=True)


def _nine_year(county, name, town, rng) -> PlannedSchool:
    pupils, students = rng.randint(150, 500), rng.randint(100, 380)
    return PlannedSchool(county, "nine_year", name, town, "rural",
                         {"primary": (pupils, max(6, _classes(pupils, rng.uniform(32, 45)))),
                          "junior": (students, max(3, _classes(students, rng.uniform(38, 50))))},
                         is_boarding=rng.random() < 0.6)


def _village_primary(county, name, town, rng, students=None) -> PlannedSchool:
    low, high = students or (25, 230)
    count = rng.randint(low, high)
    classes = max(6, _classes(count, 42)) if count >= 90 else rng.randint(3, 6)
    return PlannedSchool(county, "village_primary", name, town, "rural", {"primary": (count, classes)})


def _teaching_point(county, name, town, rng) -> PlannedSchool:
    pupils = rng.randint(6, 70)
    classes = min(4, max(1, math.ceil(pupils / 18)))
    return PlannedSchool(county, "teaching_point", name, town, "rural", {"primary": (pupils, classes)})


def _insert_schools(planned: list[PlannedSchool], county_ids: dict[str, int], rng: random.Random) -> list[int]:
    """Write schools and their stages; fill in each plan's teacher count."""
    rows, sequence = [], {}
    for school in planned:
        county = school.county
        sequence[county.code] = sequence.get(county.code, 0) + 1
        # 学校标识码: 10 digits; here 21 + the county code's last four digits + a serial.
        code = f"21{county.code[2:]}{sequence[county.code]:04d}"
        spread = 0.05 if school.locality == "urban" else 0.22
        students = school.students
        rows.append({
            "code": code, "name": school.name, "county_id": county_ids[county.code], "township": school.township,
            "locality": school.locality,
            "is_small_rural": school.locality == "rural" and students < 100,
            "is_boarding": school.is_boarding, "is_relocation_site": school.is_relocation_site,
            "is_teaching_point": school.kind == "teaching_point",
            "lat": _near(county.lat, spread, LATITUDES, rng),
            "lon": _near(county.lon, spread * 1.2, LONGITUDES, rng),
        })
        school.teachers = _staff_count(school, rng)
    ids = _bulk_insert(School, rows, "code")
    stage_rows = [{"school_id": school_id, "stage": stage, "students": students, "classes": classes}
                  for school, school_id in zip(planned, ids) for stage, (students, classes) in school.stages.items()]
    db.session.execute(SchoolStage.__table__.insert(), stage_rows)
    return ids


def _near(centre: float, spread: float, bounds: tuple[float, float], rng: random.Random) -> float:
    """A coordinate within `spread` of the centre, kept inside the prefecture's box."""
    low, high = max(bounds[0], centre - spread), min(bounds[1], centre + spread)
    return round(rng.uniform(low, high), 5)


def _staff_count(school: PlannedSchool, rng: random.Random) -> int:
    """How many teachers a school has now: the norm times a staffing level, so most fall short."""
    if school.kind == "teaching_point":
        return max(1, school.classes + rng.choice((-1, 0, 0, 1)))
    norm = sum(students / STUDENTS_PER_TEACHER[stage] for stage, (students, _c) in school.stages.items())
    if school.locality == "rural":
        norm = max(norm, school.classes * 1.25)  # village schools: the larger of student and class ratios
    level = rng.uniform(0.85, 1.05) if school.locality == "urban" else rng.uniform(0.72, 1.0)
    return max(2, round(norm * level))


# ---- teachers ------------------------------------------------------------------------------------

def _teachers(planned, school_ids, subject_ids, rng: random.Random, today: date):
    """Generate teacher rows for every school; return them and (row index, subject id) side subjects."""
    used_id_numbers: set[str] = set()
    used_phones: set[str] = set()
    rows: list[dict] = []
    side_subjects: list[tuple[int, int]] = []
    for school, school_id in zip(planned, school_ids):
        first = len(rows)
        stage_weights = _stage_weights(school)
        for _ in range(school.teachers):
            stage = rng.choices(list(stage_weights), list(stage_weights.values()))[0]
            row = _teacher(school, school_id, stage, subject_ids, rng, today, used_id_numbers, used_phones)
            if stage == "primary" and school.locality != "urban" and rng.random() < 0.4:
                own = row["subject_id"]
                extra = {subject_ids[code] for code in rng.sample(SIDE_SUBJECTS, rng.randint(1, 2))} - {own}
                side_subjects += [(len(rows), subject_id) for subject_id in sorted(extra)]
            rows.append(row)
        _appoint(rows[first:], school, subject_ids, rng, today)
    return rows, side_subjects


def _stage_weights(school: PlannedSchool) -> dict[str, float]:
    if school.kind == "teaching_point":
        return {"teaching_point": 1.0}
    return {stage: students / STUDENTS_PER_TEACHER[stage] + 0.1 for stage, (students, _c) in school.stages.items()}


def _teacher(school, school_id, stage, subject_ids, rng, today, used_id_numbers, used_phones) -> dict:
    rural = school.locality != "urban"
    employment = _employment_type(rural, rng)
    gender = "female" if rng.random() < {"senior": 0.45, "junior": 0.52}.get(stage, 0.6) else "male"
    age = _age(employment, gender, rng)
    status = "active"
    if employment == "regular" and rng.random() < 0.012:
        status, age = "retired", rng.randint(56 if gender == "female" else 60, 64)
    birth = _birth_date(age, rng, today)
    area = school.county.code if rng.random() < 0.85 else rng.choice(geography.OTHER_GANSU_AREAS)
    mix = SUBJECT_MIX[stage]
    subject = rng.choices(list(mix), list(mix.values()))[0]
    school_stage = "primary" if stage == "teaching_point" else stage
    hire_date, at_school_since, term_start, term_end = _dates(employment, age, birth, rng, today)
    certificates = [] if employment == "substitute" and rng.random() < 0.5 else [school_stage]
    if school_stage == "primary" and certificates and rng.random() < 0.2:
        certificates.append("junior")
    return {
        "id_number": _unique_id_number(area, birth, gender, rng, used_id_numbers),
        "name": person_name(rng, gender),
        "gender": gender,
        "birth_date": birth,
        "phone": _unique_phone(rng, used_phones),
        "school_id": school_id,
        "employment_type": employment,
        "term_start": term_start,
        "term_end": term_end,
        "subject_id": subject_ids[subject],
        "certificate_stages": certificates,
        "degree": _degree(employment, age, stage, rng),
        "title": _title(employment, age, rng),
        "key_teacher_level": "none",
        "is_principal": False,
        "is_homeroom_teacher": False,
        "hire_date": hire_date,
        "at_school_since": at_school_since,
        "status": status,
    }


def _employment_type(rural: bool, rng: random.Random) -> str:
    draw = rng.random()
    if not rural:
        return "regular" if draw < 0.985 else "substitute"
    for kind, share in (("special_post", 0.11), ("support", 0.02), ("silver_age", 0.008), ("substitute", 0.03)):
        if draw < share:
            return kind
        draw -= share
    return "regular"


def _age(employment: str, gender: str, rng: random.Random) -> int:
    if employment == "special_post":
        return rng.randint(23, 32)
    if employment == "silver_age":
        return rng.randint(60, 65)
    if employment == "support":
        return rng.randint(30, 50)
    if employment == "substitute":
        return rng.randint(22, 40)
    oldest = 55 if gender == "female" else 60
    band = rng.choices(((22, 30), (31, 40), (41, 50), (51, oldest)), (24, 29, 28, 19))[0]
    return rng.randint(*band)


def _birth_date(age: int, rng: random.Random, today: date) -> date:
    """A birth date that makes the person exactly `age` today."""
    latest = _years_before(today, age)
    return latest - timedelta(days=rng.randint(0, 364))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _school_year_start(today: date, years_back: int = 0) -> date:
    year = today.year if today.month >= 9 else today.year - 1
    return date(year - years_back, 9, 1)


def _dates(employment, age, birth, rng, today):
    """Hire date, at-school-since date and the term of a fixed-term teacher."""
    if employment == "special_post":
        start = _school_year_start(today, rng.choice((0, 1, 2)))
        return start, start, start, date(start.year + 3, 8, 31)
    if employment in ("support", "silver_age"):
        start = _school_year_start(today)
        hired = date(birth.year + rng.randint(22, 25), 9, 1)
        return hired, start, start, date(start.year + 1, 7, 31)
    if employment == "substitute":
        start = _school_year_start(today, rng.randint(0, 4))
        return start, start, None, None
    hired = date(birth.year + rng.randint(21, 25), 9, 1)
    if hired > today:
        hired = _school_year_start(today)
    years_served = max(0, (today - hired).days // 365)
    # Most teachers have moved at least once; a third stayed more than six years at their school.
    moved = rng.randint(0, years_served) if rng.random() < 0.7 else years_served
    since = max(hired, _school_year_start(today, moved))
    return hired, since, None, None


def _degree(employment, age, stage, rng) -> str:
    if employment == "substitute":
        return rng.choices(("secondary", "associate", "bachelor"), (2, 6, 2))[0]
    if employment == "special_post":
        return "master" if rng.random() < 0.06 else "bachelor"
    if age < 35:
        weights = (0, 12, 80, 8) if stage == "senior" else (1, 18, 78, 3)
    elif age < 50:
        weights = (2, 30, 64, 4) if stage == "senior" else (5, 38, 56, 1)
    else:
        weights = (18, 50, 31, 1)
    return rng.choices(("secondary", "associate", "bachelor", "master"), weights)[0]


def _title(employment, age, rng) -> str:
    if employment == "substitute":
        return "none"
    if employment == "special_post":
        return "junior" if age >= 26 and rng.random() < 0.5 else "none"
    if employment in ("support", "silver_age"):
        return rng.choices(("intermediate", "senior"), (6, 4))[0]
    bands = ((25, (70, 30, 0, 0, 0)), (32, (10, 68, 22, 0, 0)), (42, (2, 28, 55, 15, 0)),
             (52, (0, 14, 50, 34, 2)), (99, (0, 10, 44, 43, 3)))
    weights = next(weights for upper, weights in bands if age <= upper)
    return rng.choices(("none", "junior", "intermediate", "senior", "full_senior"), weights)[0]


def _unique_id_number(area: str, birth: date, gender: str, rng: random.Random, used: set[str]) -> str:
    """A checksum-valid ID number; the sequence is odd for men and even for women."""
    while True:
        sequence = rng.randrange(0, 500) * 2 + (1 if gender == "male" else 0)
        value = make_id_number(area, birth, sequence)
        if value not in used:
            used.add(value)
            return value


def _unique_phone(rng: random.Random, used: set[str]) -> str:
    while True:
        phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if phone not in used:
            used.add(phone)
            return phone


def _appoint(rows: list[dict], school: PlannedSchool, subject_ids, rng: random.Random, today: date) -> None:
    """Name the principal, the homeroom teachers and the key teachers of one school."""
    active = [row for row in rows if row["status"] == "active"]
    if not active:  # a one-teacher school whose teacher has retired: keep the school staffed
        rows[0]["status"] = "active"
        active = rows[:1]
    regulars = [row for row in active if row["employment_type"] == "regular"] or active
    senior_enough = [row for row in regulars if _age_of(row, today) >= 38] or regulars
    principal = rng.choice(senior_enough)
    principal["is_principal"] = True
    if principal["title"] in ("none", "junior") and _age_of(principal, today) >= 35:
        principal["title"] = "intermediate"

    core = {subject_ids["chinese"], subject_ids["math"]}
    candidates = sorted((row for row in active if not row["is_principal"]),
                        key=lambda row: (row["subject_id"] not in core, rng.random()))
    for row in candidates[: school.classes]:
        row["is_homeroom_teacher"] = True
    if not candidates:
        principal["is_homeroom_teacher"] = True

    for row in active:
        if row["employment_type"] != "regular" or _age_of(row, today) < 28:
            continue
        chance = {"senior": 0.2, "full_senior": 0.35, "intermediate": 0.085, "junior": 0.025}.get(row["title"], 0)
        draw = rng.random()
        if draw < chance:
            row["key_teacher_level"] = rng.choices(("county", "prefecture", "province"), (60, 28, 12))[0]
        elif draw < chance + 0.05:
            row["key_teacher_level"] = "school"


def _age_of(row: dict, today: date) -> int:
    birth = row["birth_date"]
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
