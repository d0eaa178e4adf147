"""Staffing fixtures: subjects, a scarce-subject list, schools short of teachers, a special-post pool."""
import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from tests.conftest import make_school, make_subject, make_teacher
from trainhub.extensions import db
from trainhub.idnumber import make as make_id_number
from trainhub.schools.models import ScarceSubject
from trainhub.scoping import set_scope
from trainhub.staffing import pools, services
from trainhub.staffing.models import Candidate, Post

YEAR = 2024
HEADER = ["姓名", "身份证号", "学历", "学科", "教师资格学段", "笔试成绩", "面试成绩", "志愿（岗位编号或县）"]


def applicant_row(n, *, name=None, birth=date(1998, 3, 1), degree="本科", subjects="数学", stages="小学",
                  exam=80.0, interview=85.0, choices=""):
    return [name or f"考生{n}", make_id_number("622921", birth, n), degree, subjects, stages, exam, interview, choices]


def workbook_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def staffed(world):
    """world plus: subjects, music scarce in 2024, and schools short of staff in both counties.

    county_a (key-aid): school_a (primary 300 pupils, 8 classes, 1 teacher) and a small rural
    teaching point; county_b: school_b (primary, 1 teacher) and an urban junior school with surplus.
    """
    math = make_subject("math", "数学", "Mathematics")
    music = make_subject("music", "音乐", "Music")
    chinese = make_subject("chinese", "语文", "Chinese")
    db.session.add(ScarceSubject(unit_id=world["province"].id, subject_id=music.id, year=YEAR))
    small = make_school(world["county_a"], name="马集教学点", is_small_rural=True, is_teaching_point=True,
                        stages={"primary": (40, 4)})
    urban = make_school(world["county_b"], name="康乐县城关中学", locality="urban", stages={"junior": (270, 6)})
    for n in range(30):
        make_teacher(urban, subject=math if n % 2 else chinese, at_school_since=date(2010, 9, 1),
                     certificate_stages=["junior", "primary"], key_teacher_level="county" if n < 8 else "none",
                     title="intermediate" if n < 12 else "junior")
    db.session.commit()
    set_scope(db.session, None)
    return world | {"math": math, "music": music, "chinese": chinese, "small": small, "urban": urban}


@pytest.fixture(autouse=True)
def request_context(app):
    """Services' refusals are translated messages: give the tests a request to translate them in."""
    with app.test_request_context():
        yield


def post_of(school, subject_code):
    return db.session.scalars(sa.select(Post).join(Post.subject).where(
        Post.school_id == school.id, sa.literal_column("subject.code") == subject_code)).one()


@pytest.fixture
def contest(staffed):
    """Two math applicants: the higher score prefers county_b's math post over the key-aid one.

    Merit gives county_b's post to the higher score and leaves the other applicant out; coverage
    fills both math posts and so creates one justified-envy pair.
    """
    services.generate_posts(staffed["prefecture"], YEAR)
    pool = pools.create_pool(staffed["prefecture"], "special_post", YEAR, "特岗", date(YEAR, 8, 31), date(YEAR, 9, 1))
    math_a, math_b = post_of(staffed["school_a"], "math"), post_of(staffed["school_b"], "math")
    rows = [applicant_row(1, name="高分", exam=90, choices=f"{math_b.label}、{math_a.label}"),
            applicant_row(2, name="低分", exam=70, choices=math_b.label),
            applicant_row(3, name="音乐", subjects="音乐", exam=60, choices="622921")]
    pools.import_applicants(pool, workbook_bytes(rows))
    db.session.commit()
    high, low, music = db.session.scalars(sa.select(Candidate).order_by(Candidate.id)).all()
    return staffed | {"pool": pool, "math_a": math_a, "math_b": math_b, "high": high, "low": low, "singer": music}
