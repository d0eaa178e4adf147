"""The spreadsheet layer refuses hostile or wrong files with a reason, and writes inert exports."""
import csv
import io
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from tests.exchange.helpers import xlsx
from trainhub.spreadsheets import (Column, SpreadsheetRefused, neutralise, read_rows, write_csv, write_template,
                                   write_xlsx)

COLUMNS = [Column("name", "姓名", "Name", required=True), Column("hired", "参加工作日期", "Hire date", "date"),
           Column("classes", "班数", "Classes", "int"), Column("boarding", "寄宿制学校", "Boarding school", "bool")]
LIMITS = {"max_rows": 100, "max_bytes": 1024 * 1024}


@pytest.fixture
def ctx(app):
    """Messages are translated for a request's language."""
    with app.test_request_context():
        yield


def _refusal(data, **limits) -> str:
    with pytest.raises(SpreadsheetRefused) as caught:
        read_rows(data, COLUMNS, **(LIMITS | limits))
    return str(caught.value.message)


def test_reads_typed_values_with_excel_row_numbers_and_headers_in_either_language(ctx):
    data = xlsx([["Name", "参加工作日期\nHire date", "CLASSES", "寄宿制学校"],
                 ["张三", "2010-09-01", 8, "是"],
                 [None, None, None, None],
                 ["李四", date(2011, 3, 1), "12", "no"]])
    sheet = read_rows(data, COLUMNS, **LIMITS)
    assert sheet.problems == []
    assert [(row.number, row.values) for row in sheet.rows] == [
        (2, {"name": "张三", "hired": date(2010, 9, 1), "classes": 8, "boarding": True}),
        (4, {"name": "李四", "hired": date(2011, 3, 1), "classes": 12, "boarding": False}),
    ]


def test_cells_of_the_wrong_type_become_problems_with_row_and_column(ctx):
    data = xlsx([["姓名", "参加工作日期", "班数"], ["张三", "2010-13-45", "八"], [None, "2010-09-01", 2.5]])
    problems = read_rows(data, COLUMNS, **LIMITS).problems
    assert [(problem.row, problem.column) for problem in problems] == [
        (2, "参加工作日期"), (2, "班数"), (3, "姓名"), (3, "班数")]
    assert "2010-13-45" in problems[0].reason


def test_missing_required_column_is_refused_by_name(ctx):
    assert "姓名" in _refusal(xlsx([["班数"], [3]]))


def test_other_bytes_renamed_to_xlsx_are_refused(ctx):
    assert ".xlsx" in _refusal("name,classes\n张三,3\n".encode())
    assert ".xls" in _refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)


def test_a_zip_that_is_not_a_workbook_is_refused(ctx):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<Types><Override ContentType="application/vnd.openxmlformats-'
                         'officedocument.wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("word/document.xml", "<w:document/>")
    assert ".xlsx" in _refusal(buffer.getvalue())


def test_a_zip_bomb_member_is_refused_before_it_is_unpacked(ctx):
    buffer = io.BytesIO(xlsx([["姓名"], ["张三"]]))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (20 * 1024 * 1024))  # 20 MB that packs to ~20 kB
    assert len(buffer.getvalue()) < 200 * 1024
    assert "bomb" in _refusal(buffer.getvalue()).lower() or "炸弹" in _refusal(buffer.getvalue())


def test_a_formula_cell_is_refused_naming_the_cell(ctx):
    workbook = Workbook()
    workbook.active.append(["姓名", "班数"])
    workbook.active.append(["张三", "=1+2"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert "B2" in _refusal(buffer.getvalue())


def test_text_that_only_looks_like_a_formula_is_read_as_text(ctx):
    data = write_xlsx(["姓名"], [["=SUM(A1)"]], "教师")  # written as a text cell, not a formula
    sheet = read_rows(data, COLUMNS, **LIMITS)
    assert sheet.rows[0].values["name"] == "=SUM(A1)"


def test_too_many_rows_are_refused_from_the_declared_dimension(ctx):
    data = xlsx([["姓名"], *[[f"教师{n}"] for n in range(12)]])
    message = _refusal(data, max_rows=10)
    assert "12" in message and "10" in message


def test_too_large_a_file_is_refused(ctx):
    assert "MB" in _refusal(xlsx([["姓名"], ["张三"]]), max_bytes=1000)


def test_csv_cells_that_start_like_formulas_are_neutralised():
    data = write_csv(["姓名", "备注"], [["=1+2", "+86"], ["-3", "@SUM(A1)"], ["\tx", "平常"]])
    assert data.startswith(b"\xef\xbb\xbf")  # a byte order mark, so Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["姓名", "备注"], ["'=1+2", "'+86"], ["'-3", "'@SUM(A1)"], ["'\tx", "平常"]]
    assert neutralise(date(2024, 9, 1)) == "2024-09-01"


def test_xlsx_export_has_a_frozen_bold_header_sized_columns_and_no_formulas():
    data = write_xlsx(["姓名", "出生日期"], [["=HYPERLINK(\"http://x\")", date(1990, 1, 2)]], "教师名单")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "教师名单"
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "姓名" and sheet["A1"].font.b
    assert sheet["A2"].data_type == "s"
    assert sheet.column_dimensions["A"].width > 10


def test_template_has_bilingual_headers_lists_and_an_example_on_the_guide_sheet(ctx):
    columns = [Column("name", "姓名", "Name", required=True),
               Column("title", "职称", "Title", choices=("初级", "中级"))]
    data = write_template(columns, {"name": "张明", "title": "中级"}, "教师", ["说明"])
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    assert sheet["A1"].value == "*姓名\nName"
    assert sheet.data_validations.dataValidation[0].formula1 == '"初级,中级"'
    assert ["张明", "中级"] in [list(row) for row in workbook.worksheets[1].iter_rows(values_only=True)]
    # The blank template itself reads as "no data", not as an example record.
    with pytest.raises(SpreadsheetRefused):
        read_rows(data, columns, **LIMITS)


def test_a_header_matches_by_its_whole_text_a_line_or_a_part(ctx):
    columns = [Column("choices", "志愿（岗位编号或县）", "Choices (post numbers or counties)", "list", required=True),
               Column("name", "姓名", "Name", required=True)]
    for header in (["志愿（岗位编号或县）", "姓名"], ["*志愿（岗位编号或县）\nChoices (post numbers or counties)", "姓名 (Name)"],
                   ["choices (post numbers or counties)", "Name"]):
        sheet = read_rows(xlsx([header, ["P1、康乐县", "张三"]]), columns, **LIMITS)
        assert sheet.rows[0].values == {"choices": ["P1", "康乐县"], "name": "张三"}, header


def test_several_sheets_share_the_export_layout():
    from trainhub.spreadsheets import write_xlsx_sheets

    workbook = load_workbook(io.BytesIO(write_xlsx_sheets([("录用名单", ["学校"], [["临夏县第一实验小学"]]),
                                                           ("未录用", ["原因"], [["=没有对口岗位"]])])))
    assert workbook.sheetnames == ["录用名单", "未录用"]
    first, second = workbook.worksheets
    assert first.freeze_panes == "A2" and first["A1"].font.bold and first.column_dimensions["A"].width >= 18
    assert second["A2"].value == "=没有对口岗位" and second["A2"].data_type == "s"
