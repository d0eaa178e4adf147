"""A run's result as an Excel workbook (Chinese headers, frozen header row, columns sized to their
content), and the names the translated reasons need."""
from __future__ import annotations

import sqlalchemy as sa

from trainhub import vocab
from trainhub.extensions import db
from trainhub.i18n import current_language
from trainhub.schools.models import School, Subject, Unit
from trainhub.staffing import runs
from trainhub.staffing.models import AllocationRun
from trainhub.spreadsheets import write_xlsx_sheets
from trainhub.staffing.reasons import Names, translate
from trainhub.in_lists import in_chunks

# Sheet headers are part of the file format: Chinese, the language of the bureaus that read them.
ASSIGNMENT_HEADERS = ("候选人编号", "姓名", "岗位编号", "县区", "学校", "学科", "学段", "志愿序号", "原因")
UNFILLED_HEADERS = ("岗位编号", "县区", "学校", "学科", "学段", "空缺名额", "原因")
UNASSIGNED_HEADERS = ("候选人编号", "姓名", "成绩", "原因")


def reason_names(run: AllocationRun) -> Names:
    """Names for the subjects, counties, schools and candidates a run's reasons mention."""
    english = current_language().startswith("en")
    subjects = {code: (name_en if english else name_zh) for code, name_zh, name_en in
                db.session.execute(sa.select(Subject.code, Subject.name_zh, Subject.name_en))}
    problem = run.problem or {}
    county_codes = {school["county"] for school in problem.get("schools", [])}
    counties = dict(db.session.execute(sa.select(Unit.code, Unit.name).where(Unit.code.in_(county_codes))).all()) \
        if county_codes else {}
    school_ids = [int(school["id"][1:]) for school in problem.get("schools", [])]
    schools = {}
    for chunk in in_chunks(school_ids):
        schools |= {f"S{i}": name for i, name in db.session.execute(
            sa.select(School.id, School.name).where(School.id.in_(chunk)))}
    return Names(subjects, counties, schools, {})


def result_workbook(run: AllocationRun) -> bytes:
    reviewed = runs.review(run)
    names = reason_names(run)

    def reasons(row, about):
        return "；".join(translate(reason, about, names) for reason in row.reasons)

    def post_cells(post):
        if post is None:
            return ["", "", "", "", ""]
        subject = names.subjects.get(post.subject.code, post.subject.code)
        return [post.label, post.school.county.name, post.school.name, subject, vocab.label(vocab.STAGES, post.stage)]

    return write_xlsx_sheets([
        ("录用名单", ASSIGNMENT_HEADERS, (
            [row.candidate.label if row.candidate else "", row.candidate.name if row.candidate else ""]
            + post_cells(row.post) + [row.rank, reasons(row, "assignment")]
            for row in reviewed["assignments"])),
        ("空缺岗位", UNFILLED_HEADERS, (
            post_cells(row.post) + [row.rank, reasons(row, "post")] for row in reviewed["unfilled"])),
        ("未录用", UNASSIGNED_HEADERS, (
            [row.candidate.label if row.candidate else "", row.candidate.name if row.candidate else "",
             row.candidate.exam_score if row.candidate else None, reasons(row, "candidate")]
            for row in reviewed["unassigned"])),
    ])
