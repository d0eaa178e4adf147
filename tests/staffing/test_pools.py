"""Special-post applicants from Excel, and teachers eligible for rotation, support and silver-age pools."""
from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import make_teacher
from tests.staffing.conftest import YEAR, applicant_row, workbook_bytes
from trainhub.errors import UserError
from trainhub.extensions import db
from trainhub.staffing import pools, services
from trainhub.staffing.models import Candidate


def _pool(world, kind="special_post", unit="prefecture"):
    return pools.create_pool(world[unit], kind, YEAR, "2024年特岗计划", date(YEAR, 8, 31), date(YEAR, 9, 1))


def _count(pool):
    return db.session.scalar(sa.select(sa.func.count()).where(Candidate.pool_id == pool.id))


def test_valid_spreadsheet_is_imported_with_choices_and_scores(staffed):
    services.generate_posts(staffed["prefecture"], YEAR)
    pool = _pool(staffed)
    rows = [applicant_row(1, subjects="数学、音乐", stages="小学、初中", choices="622921、康乐县"),
            applicant_row(2, degree="硕士", birth=date(1991, 1, 1), exam=91, interview=None)]
    assert pools.import_applicants(pool, workbook_bytes(rows)) == 2
    first, second = db.session.scalars(sa.select(Candidate).order_by(Candidate.id)).all()
    assert first.subjects == ["math", "music"] and first.stages == ["primary", "junior"]
    assert first.choices == ["622921", "622922"]
    assert (second.degree, second.exam_score, second.interview_score) == ("master", 91.0, None)


def test_one_bad_row_refuses_the_whole_file_and_lists_each_problem(staffed):
    pool = _pool(staffed)
    rows = [applicant_row(1),
            applicant_row(2, birth=date(1990, 1, 1)),  # 34 with a bachelor's degree
            applicant_row(3, degree="大专"),
            ["考生4", "110105194912310021", "本科", "数学", "小学", 70, 70, ""],  # wrong check character
            applicant_row(5, subjects="天文"),
            applicant_row(6, exam="很高", choices="P99999")]
    with pytest.raises(pools.ImportRefused) as refused:
        pools.import_applicants(pool, workbook_bytes(rows))
    problems = {(p.row, p.column) for p in refused.value.problems}
    assert problems == {(3, "身份证号"), (4, "学历"), (5, "身份证号"), (6, "学科"), (7, "笔试成绩"),
                        (7, "志愿（岗位编号或县）")}
    assert _count(pool) == 0


def test_age_limit_is_thirty_five_with_a_masters_degree(staffed):
    pool = _pool(staffed)
    too_old = applicant_row(1, degree="硕士", birth=date(1988, 8, 30))  # 36 on 31 August 2024
    with pytest.raises(pools.ImportRefused) as refused:
        pools.import_applicants(pool, workbook_bytes([too_old]))
    assert "36" in refused.value.problems[0].reason
    assert pools.import_applicants(pool, workbook_bytes([applicant_row(2, degree="硕士", birth=date(1989, 9, 1))])) == 1


def test_duplicates_in_the_file_and_in_the_pool_are_refused(staffed):
    pool = _pool(staffed)
    pools.import_applicants(pool, workbook_bytes([applicant_row(1)]))
    with pytest.raises(pools.ImportRefused) as refused:
        pools.import_applicants(pool, workbook_bytes([applicant_row(2), applicant_row(2), applicant_row(1)]))
    assert [p.row for p in refused.value.problems] == [3, 4]
    assert _count(pool) == 1


def test_not_a_workbook_and_missing_columns_are_refused(staffed):
    pool = _pool(staffed)
    with pytest.raises(pools.ImportRefused):
        pools.import_applicants(pool, b"name,id\nx,y\n")
    with pytest.raises(pools.ImportRefused) as refused:
        pools.import_applicants(pool, workbook_bytes([["张三"]], header=["姓名"]))
    reason = refused.value.problems[0].reason
    assert "身份证号" in reason and "笔试成绩" in reason
    assert _count(pool) == 0


def test_headers_in_english_and_subjects_and_stages_in_either_language_are_read(staffed):
    pool = _pool(staffed)
    header = ["Name", "ID number", "Degree", "Subjects", "Certificate stages", "Exam score", "Interview score",
              "Choices (post numbers or counties)"]
    row = applicant_row(1, degree="bachelor", subjects="Mathematics, music", stages="Primary; 初中")
    assert pools.import_applicants(pool, workbook_bytes([row], header=header)) == 1
    candidate = db.session.scalars(sa.select(Candidate)).one()
    assert (candidate.degree, candidate.subjects, candidate.stages) == ("bachelor", ["math", "music"],
                                                                        ["primary", "junior"])


def test_the_template_imports_after_its_example_row_is_filled(staffed):
    from io import BytesIO

    from openpyxl import load_workbook

    from trainhub.exchange.flow import template_bytes

    pool = _pool(staffed)
    workbook = load_workbook(BytesIO(template_bytes(pools.APPLICANTS)))
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]][:2] == ["*姓名\nName", "*身份证号\nID number"]
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["B"].width >= 10
    sheet.append(applicant_row(1, choices="622921"))
    buffer = BytesIO()
    workbook.save(buffer)
    assert pools.import_applicants(pool, buffer.getvalue()) == 1


def test_rotation_takes_teachers_long_at_urban_schools_with_bounds(staffed):
    urban = staffed["urban"]
    make_teacher(urban, at_school_since=date(2022, 9, 1))  # too recent
    make_teacher(staffed["school_a"], at_school_since=date(2001, 9, 1))  # a rural school
    pool = _pool(staffed, "rotation")
    assert pools.add_eligible_teachers(pool) == 30
    assert pools.add_eligible_teachers(pool) == 0  # no duplicates
    rows = {row.school.id: row for row in services.school_staffing([urban], YEAR)}
    bounds = pools.source_school_bounds(pool, {urban.id: rows[urban.id].required},
                                        {urban.id: rows[urban.id].actual})
    assert bounds == [(urban.id, 3, 11)]  # 10% of 30; 31 teachers for a norm of 20


def test_school_below_its_norm_sends_nobody(staffed):
    pool = _pool(staffed, "rotation")
    pools.add_eligible_teachers(pool)
    assert pools.source_school_bounds(pool, {staffed["urban"].id: 40}, {staffed["urban"].id: 30}) == \
        [(staffed["urban"].id, 0, 0)]


def test_support_needs_an_intermediate_title_and_excludes_special_post(staffed):
    make_teacher(staffed["urban"], title="senior", employment_type="special_post")
    pool = _pool(staffed, "support")
    assert pools.add_eligible_teachers(pool) == 12


def test_silver_age_takes_retired_teachers_aged_65_or_under(staffed):
    make_teacher(staffed["school_b"], status="retired", birth_date=date(1959, 9, 2))  # 64 on 1 Sep 2024
    make_teacher(staffed["school_b"], status="retired", birth_date=date(1958, 9, 1))  # 66
    make_teacher(staffed["school_b"], status="retired", birth_date=date(1959, 9, 1))  # 65 that day
    pool = _pool(staffed, "silver_age")
    assert pools.add_eligible_teachers(pool) == 2


def test_teachers_are_not_imported_into_special_post_pools(staffed):
    with pytest.raises(UserError):
        pools.add_eligible_teachers(_pool(staffed))
