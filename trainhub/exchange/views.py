from datetime import date
from io import BytesIO

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from trainhub import audit, vocab
from trainhub.accounts.permissions import can, requires
from trainhub.exchange import bp, exports, uploads
from trainhub.exchange.forms import ConfirmForm, ExportForm, UploadForm
from trainhub.exchange.imports import KINDS, ImportKind
from trainhub.extensions import db
from trainhub.i18n import current_language
from trainhub.spreadsheets import XLSX_CONTENT_TYPE, SpreadsheetRefused, read_rows, write_csv, write_template, write_xlsx

MAX_PROBLEMS_SHOWN = 500


def _kind(name: str) -> ImportKind:
    kind = KINDS.get(name)
    if kind is None:
        abort(404)
    if not can(kind.capability):
        abort(403)
    return kind


def _imports_page(status: int = 200, forms: dict | None = None):
    kinds = [kind for kind in KINDS.values() if can(kind.capability)]
    forms = forms or {}
    return render_template("exchange/imports.html", kinds=kinds,
                           forms={kind.name: forms.get(kind.name) or UploadForm() for kind in kinds}), status


@bp.route("/imports/")
@requires("edit_registry")
def imports():
    return _imports_page()


@bp.route("/imports/<name>/template.xlsx")
@requires("edit_registry")
def template(name: str):
    kind = _kind(name)
    instructions = [
        _("Fill in one row per record on the first sheet, starting at row 2. Columns marked * are required."),
        _("Keep the header row. Columns may be in any order; headers may be in Chinese or English."),
        _("Type values, not formulas. Dates as 2024-09-01. Yes/no columns: 是 or 否."),
        _("Upload the file on the import page: it is checked first and nothing is saved until you confirm."),
    ]
    data = write_template(kind.columns(), kind.example(), str(kind.title), instructions)
    return send_file(BytesIO(data), mimetype=XLSX_CONTENT_TYPE, as_attachment=True,
                     download_name=f"trainhub-{kind.name}-template.xlsx")


@bp.route("/imports/<name>", methods=["POST"])
@requires("edit_registry")
def check(name: str):
    """The dry run: read and check the upload, keep it if it is ready, and show the report."""
    kind = _kind(name)
    form = UploadForm()
    if not form.validate_on_submit():
        return _imports_page(400, {kind.name: form})
    upload = form.file.data
    data = upload.stream.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)
    try:
        batch = _check(kind, data)
    except SpreadsheetRefused as refusal:
        form.file.errors = [str(refusal.message)]
        return _imports_page(400, {kind.name: form})
    token = uploads.keep(data, kind.name, current_user.id, upload.filename or "") if batch.ready else None
    return _report(kind, batch, upload.filename, token)


@bp.route("/imports/<name>/confirm", methods=["POST"])
@requires("edit_registry")
def confirm(name: str):
    """Import the checked upload: check it again (the registry may have changed), then insert all of it."""
    kind = _kind(name)
    form = ConfirmForm()
    kept = uploads.load(form.token.data, kind.name, current_user.id) if form.validate_on_submit() else None
    if kept is None:
        flash(_("The checked file is no longer available. Please upload it again."), "warning")
        return redirect(url_for("exchange.imports"))
    data, filename = kept
    try:
        batch = _check(kind, data)
    except SpreadsheetRefused as refusal:  # not expected for a file that passed, but never a 500
        flash(str(refusal.message), "danger")
        return redirect(url_for("exchange.imports"))
    if not batch.ready:
        uploads.discard(form.token.data)
        return _report(kind, batch, filename, None)
    try:
        count = kind.insert(batch)
        audit.record(f"import_{kind.name}", detail=f"{count} rows from {filename}"[:500])
        db.session.commit()
    except IntegrityError:  # someone registered the same record between our check and insert
        db.session.rollback()
        flash(_("Some records were registered by someone else meanwhile. Nothing was imported; "
                "please upload the file again to see which."), "danger")
        return redirect(url_for("exchange.imports"))
    uploads.discard(form.token.data)
    flash(_("Imported %(count)d rows from %(file)s.", count=count, file=filename), "success")
    return redirect(url_for("exchange.imports"))


def _check(kind: ImportKind, data: bytes):
    sheet = read_rows(data, kind.columns(), max_rows=kind.max_rows,
                      max_bytes=current_app.config["MAX_CONTENT_LENGTH"])
    return kind.check(sheet)


def _report(kind: ImportKind, batch, filename: str, token: str | None):
    confirm_form = ConfirmForm(token=token) if token else None
    return render_template("exchange/report.html", kind=kind, batch=batch, filename=filename,
                           problems=batch.problems[:MAX_PROBLEMS_SHOWN], confirm_form=confirm_form,
                           problem_rows=len({problem.row for problem in batch.problems}))


# ---- exports ----------------------------------------------------------------------------------

@bp.route("/exports/")
@requires("view_registry")
def exports_page():
    return _exports_page(ExportForm(formdata=request.args))


def _exports_page(form: ExportForm):
    _fill_choices(form)
    return render_template("exchange/exports.html", form=form, can_view_full_id=can("view_full_id"))


def _fill_choices(form: ExportForm) -> None:
    choices = exports.filter_choices()
    locale = current_language()
    everything = [("", _("All"))]
    form.county.choices = everything + [(str(unit.id), unit.name) for unit in choices["counties"]]
    form.school.choices = everything + [(str(school.id), f"{school.code} {school.name}") for school in choices["schools"]]
    form.subject.choices = everything + [(str(subject.id), subject.display_name(locale)) for subject in choices["subjects"]]
    form.employment_type.choices = everything + vocab.choices(vocab.EMPLOYMENT_TYPES)


@bp.route("/exports/<any(teachers, schools):what>.<any(xlsx, csv):file_format>")
@requires("view_registry")
def export(what: str, file_format: str):
    """Download a list with the list page's filters (?county=&school=&subject=&employment_type=); IDs masked."""
    return _export(what, file_format, exports.ExportFilters.from_args(request.args), full_ids=False)


@bp.route("/exports/<any(teachers, schools):what>", methods=["POST"])
@requires("view_registry")
def export_form(what: str):
    """Download from the export page; full ID numbers only for roles that may see them, audited."""
    form = ExportForm()
    _fill_choices(form)
    if not form.validate_on_submit():
        abort(400)
    full_ids = what == "teachers" and form.full_ids.data
    if full_ids and not can("view_full_id"):
        return render_template("errors/error.html", title=_("Not allowed"),
                               message=_("Your role may not export full ID numbers. Export with masked ID "
                                         "numbers, or ask an officer whose role may.")), 403
    file_format = form.format.data if form.format.data in ("xlsx", "csv") else "xlsx"
    return _export(what, file_format, exports.ExportFilters.from_args(request.form), full_ids=bool(full_ids))


def _export(what: str, file_format: str, filters, full_ids: bool):
    if what == "teachers":
        headers, rows = exports.teacher_rows(filters, current_language(), full_ids)
        title = _("Teachers")
    else:
        headers, rows = exports.school_rows(filters)
        title = _("Schools")
    db.session.commit()  # the audit record of a full-ID export
    if file_format == "csv":
        data, mimetype = write_csv(headers, rows), "text/csv; charset=utf-8"
    else:
        data, mimetype = write_xlsx(headers, rows, title), XLSX_CONTENT_TYPE
    response = send_file(BytesIO(data), mimetype=mimetype, as_attachment=True,
                         download_name=f"{what}-{date.today():%Y%m%d}.{file_format}")
    response.headers["Cache-Control"] = "no-store"
    return response
