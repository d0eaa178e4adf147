"""Read and write spreadsheets safely: the one place uploads are opened and exports are built.

`read_rows` refuses, with a reason the user can act on, anything that is not a plain .xlsx
workbook of a sensible size: other formats renamed to .xlsx, zip bombs, sheets declaring more
rows than allowed, and formula cells (an import takes values, never calculations). It returns
typed values per row with the row number as Excel shows it, plus a `Problem` for every cell
that cannot be read as its column's type.

`write_xlsx` and `write_csv` build exports; text is always written as text, so a value such as
"=HYPERLINK(...)" typed into the registry never becomes a live formula in someone's Excel.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from trainhub.errors import UserError

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_WORKBOOK_PART_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_ZIP_SIGNATURE = b"PK\x03\x04"
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old .xls (and .doc) container

# Zip-bomb limits, checked on the zip directory before anything is decompressed. Python's zipfile
# stops inflating a member at its declared size, so the declared sizes bound the real work.
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100  # spreadsheet XML compresses 5-20 times; bombs thousands of times
_RATIO_CHECK_FROM_BYTES = 1024 * 1024  # tiny members may compress oddly; only large ones matter
MAX_COLUMNS = 200
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

TRUE_WORDS = {"是", "有", "√", "✓", "y", "yes", "true", "1", "t", "x"}
FALSE_WORDS = {"否", "无", "×", "n", "no", "false", "0", "f"}
_DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_LIST_SEPARATORS = re.compile(r"[、,，;；/\n]+")


class SpreadsheetRefused(UserError):
    """The whole file is refused (wrong format, too large, hostile); `message` says why."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an upload: the Excel row (None: the whole file), the column, the reason."""

    row: int | None
    column: str | None
    reason: str


@dataclass(frozen=True)
class Column:
    """One column of an exchange file: its key, its header in Chinese and English, its type.

    Headers are part of the file format, so both languages are fixed text rather than
    translations: a file filled in by a Chinese user imports for an English user too.
    kind: text, int, float, date, bool or list (several values separated by 、 , ; or /).
    """

    key: str
    zh: str
    en: str
    kind: str = "text"
    required: bool = False
    note: str = ""  # shown as a comment on the template's header cell
    choices: tuple[str, ...] = ()  # offered as a drop-down list in the template
    max_length: int | None = None

    def label(self) -> str:
        """The header in the user's language."""
        return self.en if str(get_locale() or "zh").startswith("en") else self.zh


@dataclass(frozen=True)
class Row:
    number: int  # as Excel numbers it: the header is row 1
    values: dict


@dataclass
class Sheet:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def header_key(text) -> str:
    return re.sub(r"\s+", "", str(text)).strip("*＊").casefold()


def match_headers(header_cells: Sequence, columns: Sequence[Column]) -> dict[int, Column]:
    """Map cell positions to columns by the Chinese or English header (or both, on two lines).

    Raise SpreadsheetRefused when a required column is missing or a column appears twice.
    """
    by_name = {}
    for column in columns:
        for name in (column.zh, column.en, column.key):
            by_name[header_key(name)] = column
    found: dict[int, Column] = {}
    for position, cell in enumerate(header_cells):
        if cell is None:
            continue
        column = next((by_name[name] for name in _header_names(str(cell)) if name in by_name), None)
        if column is None:
            continue
        if column in found.values():
            raise SpreadsheetRefused(_l("The column “%(column)s” appears twice in the header row.",
                                        column=column.label()))
        found[position] = column
    missing = [column.label() for column in columns if column.required and column not in found.values()]
    if missing:
        raise SpreadsheetRefused(_l("The header row (row 1) lacks these columns: %(columns)s. "
                                    "Download the template and keep its header row.",
                                    columns="、".join(missing)))
    return found


def _header_names(text: str) -> list[str]:
    """The names a header cell may stand for: the whole text, each line, then each part of a line.

    A header such as "志愿（岗位编号或县）\nChoices (post numbers or counties)" matches its column
    by its first line as a whole; "*姓名 Name" split on brackets or slashes matches by a part.
    """
    lines = text.split("\n")
    parts = [part for line in lines for part in re.split(r"[()（）/]", line)]
    names = [header_key(name) for name in (text, *lines, *parts)]
    return [name for name in dict.fromkeys(names) if name]


def read_rows(source, columns: Sequence[Column], max_rows: int, max_bytes: int) -> Sheet:
    """Read the first worksheet of an uploaded .xlsx file into typed rows.

    `source` is a werkzeug FileStorage, a file object or bytes. Raise SpreadsheetRefused when the
    file as a whole cannot be accepted; cells that do not fit their column are listed as problems.
    """
    data = _read_limited(source, max_bytes)
    _check_container(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # a broken or unusual file: whatever openpyxl raises, the answer is the same
        raise SpreadsheetRefused(_l("The file could not be read as an Excel workbook. "
                                    "Open it in Excel or WPS and save it as .xlsx again.")) from None
    try:
        return _read_sheet(workbook.worksheets[0], columns, max_rows)
    finally:
        workbook.close()


def _read_limited(source, max_bytes: int) -> bytes:
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        stream = getattr(source, "stream", source)
        data = stream.read(max_bytes + 1)
    if not data:
        raise SpreadsheetRefused(_l("The file is empty."))
    if len(data) > max_bytes:
        raise SpreadsheetRefused(_l("The file is larger than %(megabytes)s MB. Split it into smaller files.",
                                    megabytes=f"{max_bytes / 1024 / 1024:.0f}"))
    return data


def _check_container(data: bytes) -> None:
    """Refuse anything but an .xlsx package of sane size, judging by content, not by name."""
    if data.startswith(_OLE_SIGNATURE):
        raise SpreadsheetRefused(_l("This is an old-style .xls file. Open it in Excel or WPS and save it "
                                    "as an Excel workbook (.xlsx)."))
    not_xlsx = _l("This file is not an Excel workbook (.xlsx). Save it from Excel or WPS as .xlsx "
                  "and upload it again.")
    if not data.startswith(_ZIP_SIGNATURE):
        raise SpreadsheetRefused(not_xlsx)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise SpreadsheetRefused(not_xlsx) from None
    with archive:
        total = 0
        for member in members:
            total += member.file_size
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > _RATIO_CHECK_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
                raise SpreadsheetRefused(_l("The file is refused: part of it expands to an implausible size "
                                            "(a compressed bomb). Save the data again from Excel or WPS."))
        if total > MAX_UNCOMPRESSED_BYTES:
            raise SpreadsheetRefused(_l("The file is refused: unpacked it would take more than %(megabytes)d MB.",
                                        megabytes=MAX_UNCOMPRESSED_BYTES // 1024 // 1024))
        try:
            content_types = archive.read("[Content_Types].xml")
        except (KeyError, zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
            raise SpreadsheetRefused(not_xlsx) from None
    if _WORKBOOK_PART_TYPE not in content_types:
        raise SpreadsheetRefused(not_xlsx)  # a .xlsm, .docx or other package renamed to .xlsx
    if b"<!DOCTYPE" in content_types or b"<!ENTITY" in content_types:
        raise SpreadsheetRefused(not_xlsx)


def _read_sheet(sheet, columns: Sequence[Column], max_rows: int) -> Sheet:
    declared = sheet.max_row  # from the <dimension> element, before any row is read
    if declared is not None and declared - 1 > max_rows:
        raise SpreadsheetRefused(_l("The sheet has %(rows)s rows; at most %(limit)s can be imported at once. "
                                    "Delete empty rows below the data or split the file.",
                                    rows=declared - 1, limit=max_rows))
    rows = sheet.iter_rows(max_col=MAX_COLUMNS)
    header = next(rows, None)
    if header is None:
        raise SpreadsheetRefused(_l("The sheet is empty: row 1 must hold the column headers."))
    _refuse_formulas(header)
    positions = match_headers([cell.value for cell in header], columns)

    result = Sheet()
    for cells in rows:
        if all(cell.value is None or str(cell.value).strip() == "" for cell in cells):
            continue
        _refuse_formulas(cells)
        number = next(cell.row for cell in cells if getattr(cell, "row", None))
        if len(result.rows) >= max_rows:
            raise SpreadsheetRefused(_l("The sheet has more than %(limit)s rows of data. Split it into smaller files.",
                                        limit=max_rows))
        values = {column.key: None for column in columns}
        for position, column in positions.items():
            raw = cells[position].value if position < len(cells) else None
            try:
                values[column.key] = convert(raw, column)
            except ValueError as error:
                result.problems.append(Problem(number, column.label(), str(error)))
        result.rows.append(Row(number, values))
    if not result.rows:
        raise SpreadsheetRefused(_l("The sheet has a header row but no data below it."))
    return result


def _refuse_formulas(cells) -> None:
    for cell in cells:
        if getattr(cell, "data_type", None) == "f":
            raise SpreadsheetRefused(_l("Cell %(cell)s holds a formula. Imports take values only: copy the "
                                        "sheet and paste it as values, then upload it again.",
                                        cell=cell.coordinate))


def convert(raw, column: Column):
    """Return the cell value as the column's type, None for an empty cell; ValueError says why not."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if column.required:
            raise ValueError(str(_l("This column must be filled in.")))
        return None
    if column.kind == "int":
        return _integer(raw)
    if column.kind == "float":
        return _number(raw)
    if column.kind == "date":
        return _date(raw)
    if column.kind == "bool":
        return _boolean(raw)
    text = _text(raw)
    if column.max_length and len(text) > column.max_length:
        raise ValueError(str(_l("At most %(count)d characters.", count=column.max_length)))
    if column.kind == "list":
        return [part.strip() for part in _LIST_SEPARATORS.split(text) if part.strip()]
    return text


def _text(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # a code typed as a number: 2100000001.0 -> "2100000001"
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == datetime.min.time() else raw.isoformat(sep=" ")
    return str(raw).strip()


def _number(raw) -> float:
    if isinstance(raw, bool):
        raise ValueError(str(_l("Enter a number.")))
    if isinstance(raw, int | float):
        return float(raw)
    try:
        return float(str(raw).strip().replace(",", ""))
    except ValueError:
        raise ValueError(str(_l("“%(value)s” is not a number.", value=_text(raw)))) from None


def _integer(raw) -> int:
    value = _number(raw)
    if not value.is_integer():
        raise ValueError(str(_l("“%(value)s” is not a whole number.", value=_text(raw))))
    return int(value)


def _date(raw) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = _text(raw)
    match = _DATE_TEXT.match(text) or (re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text))
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise ValueError(str(_l("“%(value)s” is not a date; write it as 2024-09-01.", value=text)))


def _boolean(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    word = _text(raw).casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(str(_l("“%(value)s” is not 是 or 否 (yes or no).", value=_text(raw))))


# ---- writing ----------------------------------------------------------------------------------

def _display_width(value) -> int:
    text = value.isoformat() if isinstance(value, date) else str(value if value is not None else "")
    longest = max((line for line in text.split("\n")), key=len, default="")
    return sum(2 if ord(character) > 0x2E80 else 1 for character in longest)  # CJK is double width


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence], sheet_title: str) -> bytes:
    """Return an .xlsx workbook: bold frozen header row, columns as wide as their content."""
    return write_xlsx_sheets([(sheet_title, headers, rows)])


def write_xlsx_sheets(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """Return an .xlsx workbook of several sheets, each (title, headers, rows) laid out as in write_xlsx."""
    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        _append_sheet(workbook, title, headers, list(rows))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _append_sheet(workbook: Workbook, title: str, headers: Sequence[str], rows: list[Sequence]) -> None:
    sheet = workbook.create_sheet(_sheet_title(title))
    sheet.freeze_panes = "A2"
    widths = [_display_width(header) for header in headers]
    for row in rows[:2000]:  # a sample is enough to size the columns
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], _display_width(value))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.data_type = "s"
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])


def _xlsx_value(sheet, value):
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text that looks like a formula stays text
        return cell
    if isinstance(value, date) and not isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


def _sheet_title(title: str) -> str:
    return re.sub(r"[\\/*?:\[\]]", " ", str(title))[:31] or "Sheet1"


def neutralise(value) -> str:
    """Make a CSV cell inert: text starting like a formula gets a leading apostrophe."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, date) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """Return UTF-8 CSV with a byte order mark (so Excel reads Chinese) and inert cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(header) for header in headers])
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def write_template(columns: Sequence[Column], example: dict, sheet_title: str, instructions: Sequence[str]) -> bytes:
    """Return an import template: the header row in Chinese over English, drop-down lists, notes.

    The example row sits on a second sheet with the instructions, so it is never imported by mistake.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(sheet_title)
    guide = workbook.create_sheet(_sheet_title("填写说明 Instructions"))
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=f"{'*' if column.required else ''}{column.zh}\n{column.en}")
        cell.font, cell.fill = Font(bold=True), header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if column.note:
            cell.comment = Comment(column.note, "TrainHub", width=300, height=120)
        sheet.column_dimensions[letter].width = max(_display_width(column.zh), len(column.en), 10) + 4
        if column.kind == "date":
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "yyyy-mm-dd"
        if column.kind == "text" or column.kind == "list":
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "@"  # keep codes and ID numbers as text
        if column.choices:
            validation = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"',
                                        allow_blank=not column.required)
            validation.error = "请从列表中选择 Choose a value from the list"
            validation.showErrorMessage = column.kind != "list"
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}30000")
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "A2"

    for line in instructions:
        guide.append([line])
    guide.append([])
    guide.append(["示例 Example:"])
    guide.append([f"{column.zh}\n{column.en}" for column in columns])
    guide.append([example.get(column.key) for column in columns])
    for index, column in enumerate(columns, start=1):
        guide.column_dimensions[get_column_letter(index)].width = max(_display_width(column.zh), len(column.en), 10) + 4
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
