"""Build .xlsx uploads in memory for the exchange tests."""
import io

from openpyxl import Workbook


def xlsx(rows, sheet_title="Sheet1") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


TEACHER_HEADER = ["姓名", "身份证号", "出生日期", "学校代码", "主教学科", "用工类型", "职称"]


def teacher_file(rows) -> bytes:
    return xlsx([TEACHER_HEADER, *rows])
