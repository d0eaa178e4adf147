"""The steps of every spreadsheet import, shared by the import page and the domains' own pages.

1. The template: the kind's columns in Chinese over English, with a guide sheet.
2. The dry run reads the upload with `read_rows` (which refuses hostile or wrong files), checks
   every row with the kind's `check`, and shows the report: every problem by row, column and
   reason, or "N rows are ready" with a button to import them. A file that is ready waits under a
   token bound to the user, the kind and what it imports into (a programme, a pool), so the import
   reads exactly the bytes that were checked.
3. The import checks the kept file again (the data may have changed meanwhile) and inserts all of
   it or nothing, in the request's one commit.

The functions here answer requests; the kinds' check and insert functions do the domain's work.
"""
from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from flask import current_app, flash, redirect, render_template, send_file
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from trainhub import audit
from trainhub.errors import UserError
from trainhub.exchange import uploads
from trainhub.exchange.forms import ConfirmForm
from trainhub.exchange.imports import Batch, ImportKind
from trainhub.extensions import db
from trainhub.spreadsheets import XLSX_CONTENT_TYPE, SpreadsheetRefused, read_rows, write_template

MAX_PROBLEMS_SHOWN = 500


@dataclass(frozen=True)
class Pages:
    """Where the report leads: the confirm form's action, the upload page, the page after importing."""

    confirm_url: str
    back_url: str
    done_url: str


def check_bytes(kind: ImportKind, data: bytes, context=None) -> Batch:
    """Read and check an upload; raise SpreadsheetRefused when the file as a whole is refused."""
    sheet = read_rows(data, kind.columns(), max_rows=kind.max_rows,
                      max_bytes=current_app.config["MAX_CONTENT_LENGTH"])
    return kind.check(sheet, context)


def template_bytes(kind: ImportKind) -> bytes:
    """The kind's import template: the header row in Chinese over English, lists, notes and a guide sheet."""
    instructions = [
        _("Fill in one row per record on the first sheet, starting at row 2. Columns marked * are required."),
        _("Keep the header row. Columns may be in any order; headers may be in Chinese or English."),
        _("Type values, not formulas. Dates as 2024-09-01. Yes/no columns: 是 or 否."),
        _("Upload the file on the import page: it is checked first and nothing is saved until you confirm."),
        *(str(line) for line in kind.instructions),
    ]
    return write_template(kind.columns(), kind.example(), str(kind.title), instructions)


def template_download(kind: ImportKind, download_name: str):
    return send_file(BytesIO(template_bytes(kind)), mimetype=XLSX_CONTENT_TYPE, as_attachment=True,
                     download_name=download_name)


def dry_run(kind: ImportKind, upload, pages: Pages, context=None):
    """Check an uploaded file and show the report; raise SpreadsheetRefused for a refused file."""
    data = upload.stream.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)
    batch = check_bytes(kind, data, context)
    filename = upload.filename or ""
    token = uploads.keep(data, _binding(kind, context), current_user.id, filename) if batch.ready else None
    return report(kind, batch, filename, token, pages)


def confirm(kind: ImportKind, token: str | None, pages: Pages, context=None):
    """Import the kept file after checking it again: every row, or nothing and the report."""
    kept = uploads.load(token, _binding(kind, context), current_user.id) if token else None
    if kept is None:
        flash(_("The checked file is no longer available. Please upload it again."), "warning")
        return redirect(pages.back_url)
    data, filename = kept
    try:
        batch = check_bytes(kind, data, context)
    except SpreadsheetRefused as refusal:  # not expected for a file that passed, but never a 500
        flash(str(refusal.message), "danger")
        return redirect(pages.back_url)
    if not batch.ready:
        uploads.discard(token)
        return report(kind, batch, filename, None, pages)
    try:
        count = kind.insert(batch, context, current_user)
        audit.record(f"import_{kind.name}", context, f"{count} rows from {filename}"[:500])
        db.session.commit()
    except IntegrityError:  # someone registered the same record between our check and insert
        db.session.rollback()
        flash(_("Some records were registered by someone else meanwhile. Nothing was imported; "
                "please upload the file again to see which."), "danger")
        return redirect(pages.back_url)
    except UserError as error:  # a rule the insert enforces itself; nothing of it is kept
        db.session.rollback()
        flash(str(error.message), "danger")
        return redirect(pages.back_url)
    uploads.discard(token)
    flash(_("Imported %(count)d rows from %(file)s.", count=count, file=filename), "success")
    return redirect(pages.done_url)


def report(kind: ImportKind, batch: Batch, filename: str, token: str | None, pages: Pages):
    return render_template("exchange/report.html", kind=kind, batch=batch, filename=filename, pages=pages,
                           problems=batch.problems[:MAX_PROBLEMS_SHOWN],
                           confirm_form=ConfirmForm(token=token) if token else None,
                           problem_rows=len({problem.row for problem in batch.problems}))


def _binding(kind: ImportKind, context) -> str:
    """What a kept file belongs to besides its user: the kind, and the programme or pool it goes into."""
    return kind.name if context is None else f"{kind.name}:{type(context).__name__}:{context.id}"
