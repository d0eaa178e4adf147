"""A run's result as an Excel workbook (Chinese headers, frozen header row, set widths), and the names
the translated reasons need."""
from __future__ import annotations

import io

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.styles import Font

from trainhub import vocab
from trainhub.extensions import db
from trainhub.i18n import current_language
from trainhub.schools.models import School, Subject, Unit
from trainhub.staffing import runs
from trainhub.staffing.models import AllocationRun
from trainhub.staffing.reasons import Names, translate

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Sheet headers are part of the file format: Chinese, the language of the bureaus that read them.
ASSIGNMENT_HEADERS = (("候选人编号", 10), ("姓名", 10), ("岗位编号", 10), ("县区", 14), ("学校", 28), ("学科", 10),
                      ("学段", 8), ("志愿序号", 8), ("原因", 60))
UNFILLED_HEADERS = (("岗位编号", 10), ("县区", 14), ("学校", 28), ("学科", 10), ("学段", 8), ("空缺名额", 8),
                    ("原因", 60))
UNASSIGNED_HEADERS = (("候选人编号", 10), ("姓名", 10), ("成绩", 8), ("原因", 60))


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
    for start in range(0, len(school_ids), 900):
        schools |= {f"S{i}": name for i, name in db.session.execute(
            sa.select(School.id, School.name).where(School.id.in_(school_ids[start:start + 900])))}
    return Names(subjects, counties, schools, {})


def _sheet(workbook: Workbook, title: str, headers, rows, first: bool = False):
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    sheet.append([header for header, _width in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, (_header, width) in enumerate(headers):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([_plain(value) for value in row])


def _plain(value):
    """Write text as text: a value starting with = must never become a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


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

    workbook = Workbook()
    _sheet(workbook, "录用名单", ASSIGNMENT_HEADERS, (
        [row.candidate.label if row.candidate else "", row.candidate.name if row.candidate else ""]
        + post_cells(row.post) + [row.rank, reasons(row, "assignment")]
        for row in reviewed["assignments"]), first=True)
    _sheet(workbook, "空缺岗位", UNFILLED_HEADERS, (
        post_cells(row.post) + [row.rank, reasons(row, "post")] for row in reviewed["unfilled"]))
    _sheet(workbook, "未录用", UNASSIGNED_HEADERS, (
        [row.candidate.label if row.candidate else "", row.candidate.name if row.candidate else "",
         row.candidate.exam_score if row.candidate else None, reasons(row, "candidate")]
        for row in reviewed["unassigned"]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
