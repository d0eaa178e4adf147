"""Candidate pools: special-post applicants from Excel, and teachers who may rotate, support or volunteer.

An import checks every row (ID number, age and degree rules, subjects, stages, scores, choices)
and writes nothing when any row is wrong; the refusal lists each problem by row and column.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from trainhub import vocab
from trainhub.errors import UserError
from trainhub.exchange.formats import vocabulary_lookup
from trainhub.exchange.imports import Batch, ImportKind, RowCheck, lookup_key
from trainhub.extensions import db
from trainhub.idnumber import make as make_id_number
from trainhub.schools.models import School, Subject, Unit
from trainhub.staffing.models import Candidate, CandidatePool, Post
from trainhub.staffing.services import norm_for_path
from trainhub.spreadsheets import Column, Problem, Sheet, SpreadsheetRefused, read_rows
from trainhub.teachers.models import Teacher

MAX_IMPORT_ROWS = 20_000
SUPPORT_TITLES = ("intermediate", "senior", "full_senior")
STRONG_LOCALITIES = ("urban", "town")
DEGREE_RANK = {"secondary": 0, "associate": 1, "bachelor": 2, "master": 3, "doctor": 4}
DEGREE_WORDS = {"中专": "secondary", "大专": "associate", "专科": "associate", "本科": "bachelor", "学士": "bachelor",
                "硕士": "master", "研究生": "master", "博士": "doctor"}
STAGE_WORDS = {"小学": "primary", "初中": "junior", "高中": "senior", "幼儿园": "kindergarten"}

PROGRAMME_WORDS = {"公费师范生": "free_normal", "优师计划": "excellent_teacher"}
MAX_OBLIGATION_YEARS = 10


def applicant_columns() -> list[Column]:
    """The applicant spreadsheet; the last three columns only for directed-training graduates."""
    return [
        Column("name", "姓名", "Name", required=True, max_length=40),
        Column("id_number", "身份证号", "ID number", required=True,
               note="18位居民身份证号，请设为文本格式 / 18-character resident ID number, as text"),
        Column("degree", "学历", "Degree", required=True, choices=("本科", "硕士", "博士")),
        Column("subjects", "学科", "Subjects", "list", required=True,
               note="多个学科用顿号分隔，如 数学、物理 / Separate several with 、 or ,"),
        Column("stages", "教师资格学段", "Certificate stages", "list", required=True,
               note="如 小学、初中 / e.g. Primary, Junior high"),
        Column("exam_score", "笔试成绩", "Exam score", "float", required=True),
        Column("interview_score", "面试成绩", "Interview score", "float"),
        Column("choices", "志愿（岗位编号或县）", "Choices (post numbers or counties)", "list",
               note="岗位编号（如 P12）或县区代码、名称，按志愿顺序 / Post numbers (e.g. P12) or counties, in order"),
        Column("directed_programme", "定向培养项目", "Directed programme", choices=tuple(PROGRAMME_WORDS),
               note="公费师范生或优师计划；其他考生不填 / Directed-training graduates only"),
        Column("obligation_years", "服务年限", "Service years", "int"),
        Column("obligation_county", "定向服务县", "Service county"),
    ]


def applicant_example() -> dict:
    return {"name": "张三", "id_number": make_id_number("622921", date(1998, 3, 1), 1), "degree": "本科",
            "subjects": "数学、物理", "stages": "小学、初中", "exam_score": 82.5, "interview_score": 88,
            "choices": "P12、P7、622921"}


class ImportRefused(UserError):
    """The upload was refused; `problems` lists every bad cell (or the reason the file was refused)."""

    def __init__(self, problems: list[Problem]):
        super().__init__(_l("The file was not imported: %(count)d problems. Nothing was saved.", count=len(problems)))
        self.problems = problems


# ---- pools ---------------------------------------------------------------------------------------

def create_pool(unit: Unit, kind: str, year: int, name: str, reference_date: date, term_start: date) -> CandidatePool:
    if unit.kind not in ("county", "prefecture", "province"):
        raise UserError(_l("Choose a county, prefecture or province."))
    if not name.strip():
        raise UserError(_l("Give the pool a name."), "name")
    pool = CandidatePool(unit_id=unit.id, unit=unit, kind=kind, year=year, name=name.strip(),
                         reference_date=reference_date, term_start=term_start)
    db.session.add(pool)
    db.session.flush()
    return pool


def pool_posts(pool: CandidatePool, open_only: bool = True):
    """A select of the posts a pool fills: its year and kind, under its unit."""
    query = (sa.select(Post).join(Post.school).join(Unit, School.county_id == Unit.id)
             .where(Post.year == pool.year, Post.kind == pool.kind, Unit.path.startswith(pool.unit.path)))
    if open_only:
        query = query.where(Post.filled_by_run_id.is_(None))
    return query


def require_open(pool: CandidatePool) -> None:
    if pool.status != "open":
        raise UserError(_l("This pool has an approved run and is closed."))


# ---- special-post applicants from Excel ----------------------------------------------------------

def check_applicants(sheet: Sheet, pool: CandidatePool) -> Batch:
    """Check every applicant row (ID number, age and degree rules, subjects, stages, scores, choices)."""
    batch = Batch(rows=len(sheet.rows), problems=list(sheet.problems))
    context = _ApplicantCheck.load(pool)
    lookups = {"rows_with_problems": {problem.row for problem in sheet.problems}}
    columns = {column.key: column for column in applicant_columns()}
    for row in sheet.rows:
        record = context.check_row(RowCheck(batch, row, columns, lookups), row.values)
        if record is not None:
            batch.records.append(record)
    batch.problems.sort(key=lambda problem: problem.row or 0)
    return batch


def insert_applicants(batch: Batch, pool: CandidatePool, user=None) -> int:
    """Add the checked applicants to a special-post pool in bulk; the caller commits."""
    if not batch.ready:
        raise ValueError("insert_applicants needs a batch without problems")
    require_applicants(pool)
    db.session.execute(sa.insert(Candidate), [{"pool_id": pool.id, **record} for record in batch.records])
    db.session.flush()
    return len(batch.records)


APPLICANTS = ImportKind("applicants", _l("Special-post applicants"), "manage_staffing", applicant_columns,
                        applicant_example, check_applicants, insert_applicants, max_rows=MAX_IMPORT_ROWS,
                        instructions=(_l("Choices: post numbers (P12) or counties, in order of preference. "
                                         "Directed-training graduates also fill in the last three columns."),))


def require_applicants(pool: CandidatePool) -> None:
    """Applicants go into open special-post pools only."""
    require_open(pool)
    if pool.kind != "special_post":
        raise UserError(_l("Applicants are imported into special-post pools only."))


def import_applicants(pool: CandidatePool, data: bytes) -> int:
    """Check a spreadsheet and add all its applicants to the pool, or raise ImportRefused and add none."""
    require_applicants(pool)
    try:
        sheet = read_rows(data, applicant_columns(), max_rows=MAX_IMPORT_ROWS,
                          max_bytes=current_app.config["MAX_CONTENT_LENGTH"])
    except SpreadsheetRefused as refusal:
        raise ImportRefused([Problem(None, None, str(refusal.message))]) from None
    batch = check_applicants(sheet, pool)
    if batch.problems:
        raise ImportRefused(batch.problems)
    return insert_applicants(batch, pool)


@dataclass
class _ApplicantCheck:
    pool: CandidatePool
    max_age: int
    max_age_master: int
    subjects: dict[str, str]  # lookup key of a code, Chinese or English name -> code
    degrees: dict[str, str]  # lookup key of a code or label -> code
    stages: dict[str, str]
    posts: set[str]
    counties: dict[str, str]  # code or name -> code
    taken: set[str]
    seen: dict[str, int]

    @classmethod
    def load(cls, pool: CandidatePool) -> _ApplicantCheck:
        norm = norm_for_path(pool.unit.path)
        subjects = {}
        for subject in db.session.scalars(sa.select(Subject)):
            for name in (subject.code, subject.name_zh, subject.name_en):
                subjects[lookup_key(name)] = subject.code
        posts = {f"P{post_id}" for post_id in db.session.scalars(pool_posts(pool).with_only_columns(Post.id))}
        counties = {}
        for unit in db.session.scalars(sa.select(Unit).where(Unit.kind == "county",
                                                             Unit.path.startswith(pool.unit.path))):
            counties[unit.code] = counties[unit.name] = unit.code
        taken = set(db.session.scalars(sa.select(Candidate.id_number).where(Candidate.pool_id == pool.id)))
        return cls(pool, norm.special_post_max_age, norm.special_post_max_age_master, subjects,
                   vocabulary_lookup(vocab.DEGREES), vocabulary_lookup(vocab.STAGES), posts, counties, taken, {})

    def check_row(self, check: RowCheck, values: dict) -> dict | None:
        number = check.row.number
        degree = None
        if values["degree"] is not None:
            degree = DEGREE_WORDS.get(values["degree"]) or self.degrees.get(lookup_key(values["degree"]))
            if degree is None:
                check.problem("degree", _l("Unknown degree; write 本科, 硕士 or 博士."))
            elif DEGREE_RANK[degree] < DEGREE_RANK["bachelor"]:
                check.problem("degree", _l("Special-post applicants need a bachelor's degree or above."))
        parsed = check.id_number()
        if parsed is not None:
            if parsed.value in self.taken:
                check.problem("id_number", _l("This applicant is already in the pool."))
            elif parsed.value in self.seen:
                check.problem("id_number", _l("The same ID number is on row %(row)d.", row=self.seen[parsed.value]))
            self.seen.setdefault(parsed.value, number)
            if degree is not None:
                limit = self.max_age_master if DEGREE_RANK[degree] >= DEGREE_RANK["master"] else self.max_age
                age = age_on(parsed.birth_date, self.pool.reference_date)
                if age > limit:
                    check.problem("id_number", _l("Aged %(age)d on %(day)s; the limit is %(limit)d (%(master)d with "
                                                  "a master's degree).", age=age,
                                                  day=self.pool.reference_date.isoformat(), limit=self.max_age,
                                                  master=self.max_age_master))
        subjects = []
        for word in values["subjects"] or []:
            code = self.subjects.get(lookup_key(word))
            if code is None:
                check.problem("subjects", _l("Unknown subject: %(name)s.", name=word))
            elif code not in subjects:
                subjects.append(code)
        stages = []
        for word in values["stages"] or []:
            stage = STAGE_WORDS.get(word) or self.stages.get(lookup_key(word))
            if stage is None:
                check.problem("stages", _l("Unknown stage: %(name)s.", name=word))
            elif stage not in stages:
                stages.append(stage)
        for key in ("exam_score", "interview_score"):
            if values[key] is not None and not 0 <= values[key] <= 1000:
                check.problem(key, _l("A score lies between 0 and 1000."))
        choices = []
        for word in values["choices"] or []:
            choice = word.upper() if word.upper() in self.posts else self.counties.get(word)
            if choice is None:
                check.problem("choices", _l("%(choice)s is neither an open post of this pool nor one of its "
                                            "counties.", choice=word))
            elif choice not in choices:
                choices.append(choice)
        directed = self._directed(check, values)
        if directed["directed_programme"] and not choices:
            choices = [directed["obligation_county"]]
        if check.failed:
            return None
        return directed | {"name": values["name"], "id_number": parsed.value, "gender": parsed.gender,
                           "birth_date": parsed.birth_date, "degree": degree, "subjects": subjects, "stages": stages,
                           "exam_score": values["exam_score"], "interview_score": values["interview_score"],
                           "choices": choices}

    def _directed(self, check: RowCheck, values: dict) -> dict:
        """The directed-training programme, service years and county, all three or none."""
        none = {"directed_programme": None, "obligation_years": None, "obligation_county": None}
        text = values["directed_programme"]
        if not text:
            if values["obligation_years"] is not None or values["obligation_county"] is not None:
                check.problem("directed_programme", _l("Service years and county are for directed-training "
                                                       "graduates; write 公费师范生 or 优师计划 here."))
            return none
        programme = PROGRAMME_WORDS.get(text, text.lower())
        if programme not in PROGRAMME_WORDS.values():
            check.problem("directed_programme", _l("Unknown programme; write 公费师范生 or 优师计划."))
        years = values["obligation_years"]
        if not 1 <= (years or 0) <= MAX_OBLIGATION_YEARS and not check.unreadable("obligation_years"):
            check.problem("obligation_years", _l("Service years are a whole number from 1 to %(most)d.",
                                                 most=MAX_OBLIGATION_YEARS))
        county = self.counties.get(values["obligation_county"] or "")
        if county is None:
            check.problem("obligation_county", _l("The service county must be one of this pool's counties."))
        return {"directed_programme": programme, "obligation_years": years, "obligation_county": county}


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# ---- teachers as candidates ----------------------------------------------------------------------

def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def eligible_teachers(pool: CandidatePool):
    """A select of the teachers who may join a rotation, support or silver-age pool."""
    norm = norm_for_path(pool.unit.path)
    query = (sa.select(Teacher).join(Teacher.school).join(Unit, School.county_id == Unit.id)
             .where(Unit.path.startswith(pool.unit.path)))
    if pool.kind == "rotation":
        # Years at the same school, counted at the start of the term, at urban or town schools.
        since = _years_before(pool.term_start, norm.rotation_years)
        return query.where(Teacher.status == "active", Teacher.employment_type == "regular",
                           School.locality.in_(STRONG_LOCALITIES), Teacher.at_school_since <= since)
    if pool.kind == "support":
        return query.where(Teacher.status == "active", Teacher.employment_type != "special_post",
                           School.locality.in_(STRONG_LOCALITIES), Teacher.title.in_(SUPPORT_TITLES))
    if pool.kind == "silver_age":
        oldest = _years_before(pool.term_start, norm.silver_age_max_age + 1)
        return query.where(Teacher.status == "retired", Teacher.birth_date > oldest)
    raise UserError(_l("Special-post pools take applicants from a spreadsheet."))


def add_eligible_teachers(pool: CandidatePool) -> int:
    """Add every eligible teacher not yet in the pool; return how many were added."""
    require_open(pool)
    present = set(db.session.scalars(sa.select(Candidate.teacher_id).where(Candidate.pool_id == pool.id)))
    teachers = db.session.scalars(eligible_teachers(pool).options(
        joinedload(Teacher.subject), joinedload(Teacher.other_subjects))).unique().all()
    rows = []
    for teacher in teachers:
        if teacher.id in present:
            continue
        subjects = [teacher.subject.code] + [s.code for s in teacher.other_subjects if s.code != teacher.subject.code]
        rows.append({"pool_id": pool.id, "name": teacher.name, "id_number": teacher.id_number,
                     "gender": teacher.gender, "birth_date": teacher.birth_date, "degree": teacher.degree,
                     "subjects": subjects, "stages": list(teacher.certificate_stages or []), "choices": [],
                     "teacher_id": teacher.id, "home_school_id": teacher.school_id,
                     "is_key_teacher": teacher.is_key_teacher})
    if rows:
        db.session.execute(sa.insert(Candidate), rows)
    db.session.flush()
    return len(rows)


def source_school_bounds(pool: CandidatePool, required_by_school: dict[int, int],
                         actual_by_school: dict[int, int]) -> list[tuple[int, int, int]]:
    """(school id, min_out, max_out) for each home school of a rotation pool.

    At least the rotation share of the school's eligible teachers (rounded up) leave, and no more
    than keep the school at its norm; a school already below its norm sends nobody.
    """
    norm = norm_for_path(pool.unit.path)
    eligible = dict(db.session.execute(
        sa.select(Candidate.home_school_id, sa.func.count()).where(
            Candidate.pool_id == pool.id, Candidate.home_school_id.is_not(None))
        .group_by(Candidate.home_school_id)).all())
    bounds = []
    for school_id, count in sorted(eligible.items()):
        surplus = max(0, actual_by_school.get(school_id, 0) - required_by_school.get(school_id, 0))
        max_out = min(count, surplus)
        min_out = min(math.ceil(norm.rotation_min_share * count - 1e-9), max_out)
        bounds.append((school_id, min_out, max_out))
    return bounds
