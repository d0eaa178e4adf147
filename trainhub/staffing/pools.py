"""Candidate pools: special-post applicants from Excel, and teachers who may rotate, support or volunteer.

An import checks every row (ID number, age and degree rules, subjects, stages, scores, choices)
and writes nothing when any row is wrong; the refusal lists each problem by row and column.
"""
from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from sqlalchemy.orm import joinedload

from trainhub.errors import UserError
from trainhub.extensions import db
from trainhub.idnumber import InvalidIdNumber, parse
from trainhub.schools.models import School, Subject, Unit
from trainhub.staffing.models import Candidate, CandidatePool, Post
from trainhub.staffing.services import norm_for_path
from trainhub.teachers.models import Teacher

MAX_IMPORT_ROWS = 20_000
SUPPORT_TITLES = ("intermediate", "senior", "full_senior")
STRONG_LOCALITIES = ("urban", "town")
DEGREE_RANK = {"secondary": 0, "associate": 1, "bachelor": 2, "master": 3, "doctor": 4}
DEGREE_WORDS = {"中专": "secondary", "大专": "associate", "专科": "associate", "本科": "bachelor", "学士": "bachelor",
                "硕士": "master", "研究生": "master", "博士": "doctor"}
STAGE_WORDS = {"小学": "primary", "初中": "junior", "高中": "senior", "幼儿园": "kindergarten"}

# The applicant spreadsheet: key, Chinese header, English header. Either header row is accepted.
COLUMNS = (
    ("name", "姓名", "Name"),
    ("id_number", "身份证号", "ID number"),
    ("degree", "学历", "Degree"),
    ("subjects", "学科", "Subjects"),
    ("stages", "教师资格学段", "Certificate stages"),
    ("exam_score", "笔试成绩", "Exam score"),
    ("interview_score", "面试成绩", "Interview score"),
    ("choices", "志愿（岗位编号或县）", "Choices (post numbers or counties)"),
)
# Optional columns: directed-training graduates, with their service obligation.
OPTIONAL_COLUMNS = (
    ("directed_programme", "定向培养项目", "Directed programme"),
    ("obligation_years", "服务年限", "Service years"),
    ("obligation_county", "定向服务县", "Service county"),
)
PROGRAMME_WORDS = {"公费师范生": "free_normal", "优师计划": "excellent_teacher"}
MAX_OBLIGATION_YEARS = 10
SEPARATORS = ("、", "，", ",", "；", ";", "/", "\n")


@dataclass(frozen=True)
class RowProblem:
    row: int | None
    column: str | None
    reason: str


class ImportRefused(UserError):
    """The upload was refused; `problems` lists every bad cell."""

    def __init__(self, problems: list[RowProblem]):
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

def template_workbook() -> bytes:
    """An empty applicant spreadsheet with both header rows explained in a note row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "applicants"
    sheet.append([zh for _key, zh, _en in COLUMNS + OPTIONAL_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(["张三", "11010519491231002X", "本科", "数学、物理", "小学、初中", 82.5, 88, "P12、P7、622921",
                  "", "", ""])
    for column, width in zip("ABCDEFGHIJK", (10, 22, 8, 16, 16, 10, 10, 28, 14, 10, 14)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _split(value) -> list[str]:
    text = "" if value is None else str(value)
    for separator in SEPARATORS[1:]:
        text = text.replace(separator, SEPARATORS[0])
    return [part.strip() for part in text.split(SEPARATORS[0]) if part.strip()]


def _number(value):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError
    return float(value)


def read_applicants(pool: CandidatePool, data: bytes) -> list[dict]:
    """Check every row of an applicant spreadsheet; return the rows or raise ImportRefused."""
    if not data.startswith(b"PK"):
        raise ImportRefused([RowProblem(None, None, str(_l("The file is not an .xlsx workbook.")))])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportRefused([RowProblem(None, None, str(_l("The file is not an .xlsx workbook.")))]) from None
    try:
        rows = workbook.active.iter_rows(values_only=True)
        header = next(rows, None)
        columns = _header_columns(header)
        context = _ImportContext.load(pool)
        records, problems = [], []
        for number, values in enumerate(rows, start=2):
            if number - 1 > MAX_IMPORT_ROWS:
                problems.append(RowProblem(number, None, str(_l("At most %(count)d rows can be imported at once.",
                                                               count=MAX_IMPORT_ROWS))))
                break
            raw = {key: None for key, _zh, _en in OPTIONAL_COLUMNS}
            raw |= {key: values[index] if index < len(values) else None for key, index in columns.items()}
            if all(value is None or str(value).strip() == "" for value in raw.values()):
                continue
            record = context.check_row(number, raw, problems)
            if record is not None:
                records.append(record)
    finally:
        workbook.close()
    if not records and not problems:
        problems.append(RowProblem(None, None, str(_l("The file has no applicant rows."))))
    if problems:
        raise ImportRefused(problems)
    return records


def _header_columns(header) -> dict[str, int]:
    texts = [str(cell).strip() if cell is not None else "" for cell in (header or ())]
    columns, missing = {}, []
    for key, zh, en in COLUMNS:
        for index, text in enumerate(texts):
            if text in (zh, en, key):
                columns[key] = index
                break
        else:
            missing.append(zh)
    if missing:
        raise ImportRefused([RowProblem(1, column, str(_l("This column is missing from the header row.")))
                             for column in missing])
    for key, zh, en in OPTIONAL_COLUMNS:
        found = next((index for index, text in enumerate(texts) if text in (zh, en, key)), None)
        if found is not None:
            columns[key] = found
    return columns


@dataclass
class _ImportContext:
    pool: CandidatePool
    max_age: int
    max_age_master: int
    subjects: dict[str, str]  # code, Chinese or English name -> code
    posts: set[str]
    counties: dict[str, str]  # code or name -> code
    taken: set[str]
    seen: dict[str, int]

    @classmethod
    def load(cls, pool: CandidatePool) -> _ImportContext:
        norm = norm_for_path(pool.unit.path)
        subjects = {}
        for subject in db.session.scalars(sa.select(Subject)):
            for name in (subject.code, subject.name_zh, subject.name_en):
                subjects[name.lower()] = subject.code
        posts = {f"P{post_id}" for post_id in db.session.scalars(pool_posts(pool).with_only_columns(Post.id))}
        counties = {}
        for unit in db.session.scalars(sa.select(Unit).where(Unit.kind == "county",
                                                             Unit.path.startswith(pool.unit.path))):
            counties[unit.code] = counties[unit.name] = unit.code
        taken = set(db.session.scalars(sa.select(Candidate.id_number).where(Candidate.pool_id == pool.id)))
        return cls(pool, norm.special_post_max_age, norm.special_post_max_age_master, subjects, posts, counties,
                   taken, {})

    def check_row(self, number: int, raw: dict, problems: list[RowProblem]) -> dict | None:
        found = len(problems)

        def refuse(key: str, reason) -> None:
            header = next(zh for column, zh, _en in COLUMNS + OPTIONAL_COLUMNS if column == key)
            problems.append(RowProblem(number, header, str(reason)))

        name = str(raw["name"] or "").strip()
        if not name or len(name) > 40:
            refuse("name", _l("A name of 1 to 40 characters is required."))
        degree_text = str(raw["degree"] or "").strip()
        degree = DEGREE_WORDS.get(degree_text, degree_text.lower())
        if degree not in DEGREE_RANK:
            refuse("degree", _l("Unknown degree; write 本科, 硕士 or 博士."))
        elif DEGREE_RANK[degree] < DEGREE_RANK["bachelor"]:
            refuse("degree", _l("Special-post applicants need a bachelor's degree or above."))
        parsed = None
        try:
            parsed = parse(str(raw["id_number"] or ""))
        except InvalidIdNumber as error:
            refuse("id_number", error)
        if parsed is not None:
            if parsed.value in self.taken:
                refuse("id_number", _l("This applicant is already in the pool."))
            elif parsed.value in self.seen:
                refuse("id_number", _l("The same ID number is on row %(row)d.", row=self.seen[parsed.value]))
            self.seen.setdefault(parsed.value, number)
            if degree in DEGREE_RANK:
                limit = self.max_age_master if DEGREE_RANK[degree] >= DEGREE_RANK["master"] else self.max_age
                age = age_on(parsed.birth_date, self.pool.reference_date)
                if age > limit:
                    refuse("id_number", _l("Aged %(age)d on %(day)s; the limit is %(limit)d (%(master)d with a "
                                           "master's degree).", age=age, day=self.pool.reference_date.isoformat(),
                                           limit=self.max_age, master=self.max_age_master))
        subjects = []
        for word in _split(raw["subjects"]):
            code = self.subjects.get(word.lower())
            if code is None:
                refuse("subjects", _l("Unknown subject: %(name)s.", name=word))
            elif code not in subjects:
                subjects.append(code)
        if not subjects and raw["subjects"] in (None, ""):
            refuse("subjects", _l("At least one subject is required."))
        stages = []
        for word in _split(raw["stages"]):
            stage = STAGE_WORDS.get(word, word.lower())
            if stage not in ("primary", "junior", "senior", "kindergarten"):
                refuse("stages", _l("Unknown stage: %(name)s.", name=word))
            elif stage not in stages:
                stages.append(stage)
        if not stages and raw["stages"] in (None, ""):
            refuse("stages", _l("At least one certificate stage is required."))
        scores = {}
        for key in ("exam_score", "interview_score"):
            try:
                scores[key] = _number(raw[key])
            except (TypeError, ValueError):
                refuse(key, _l("A score is a number."))
                continue
            if scores[key] is not None and not 0 <= scores[key] <= 1000:
                refuse(key, _l("A score lies between 0 and 1000."))
        if scores.get("exam_score") is None and "exam_score" in scores:
            refuse("exam_score", _l("The exam score is required."))
        choices = []
        for word in _split(raw["choices"]):
            choice = word.upper() if word.upper() in self.posts else self.counties.get(word)
            if choice is None:
                refuse("choices", _l("%(choice)s is neither an open post of this pool nor one of its counties.",
                                     choice=word))
            elif choice not in choices:
                choices.append(choice)
        directed = self._directed(raw, refuse)
        if directed["directed_programme"] and not choices:
            choices = [directed["obligation_county"]]
        if len(problems) > found:
            return None
        return directed | {"name": name, "id_number": parsed.value, "gender": parsed.gender, "birth_date": parsed.birth_date,
                "degree": degree, "subjects": subjects, "stages": stages, "exam_score": scores["exam_score"],
                "interview_score": scores["interview_score"], "choices": choices}


    def _directed(self, raw: dict, refuse) -> dict:
        """The directed-training programme, service years and county, all three or none."""
        none = {"directed_programme": None, "obligation_years": None, "obligation_county": None}
        text = str(raw["directed_programme"] or "").strip()
        if not text:
            if raw["obligation_years"] not in (None, "") or raw["obligation_county"] not in (None, ""):
                refuse("directed_programme", _l("Service years and county are for directed-training graduates; "
                                                "write 公费师范生 or 优师计划 here."))
            return none
        programme = PROGRAMME_WORDS.get(text, text.lower())
        if programme not in PROGRAMME_WORDS.values():
            refuse("directed_programme", _l("Unknown programme; write 公费师范生 or 优师计划."))
        try:
            years = int(_number(raw["obligation_years"]) or 0)
        except (TypeError, ValueError):
            years = 0
        if not 1 <= years <= MAX_OBLIGATION_YEARS:
            refuse("obligation_years", _l("Service years are a whole number from 1 to %(most)d.",
                                          most=MAX_OBLIGATION_YEARS))
        county = self.counties.get(str(raw["obligation_county"] or "").strip())
        if county is None:
            refuse("obligation_county", _l("The service county must be one of this pool's counties."))
        return {"directed_programme": programme, "obligation_years": years, "obligation_county": county}


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def import_applicants(pool: CandidatePool, data: bytes) -> int:
    """Add the applicants of a spreadsheet to a special-post pool; all rows or none."""
    require_open(pool)
    if pool.kind != "special_post":
        raise UserError(_l("Applicants are imported into special-post pools only."))
    records = read_applicants(pool, data)
    db.session.execute(sa.insert(Candidate), [{"pool_id": pool.id, **record} for record in records])
    db.session.flush()
    return len(records)


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
