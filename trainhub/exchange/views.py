from datetime import date
from io import BytesIO

from flask import abort, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from trainhub import vocab
from trainhub.accounts.permissions import can, requires
from trainhub.exchange import exports, flow
from trainhub.exchange.blueprint import bp
from trainhub.exchange.forms import ConfirmForm, ExportForm, UploadForm
from trainhub.exchange.imports import KINDS, ImportKind
from trainhub.extensions import db
from trainhub.i18n import current_language
from trainhub.spreadsheets import XLSX_CONTENT_TYPE, SpreadsheetRefused, write_csv, write_xlsx


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
    return flow.template_download(kind, f"trainhub-{kind.name}-template.xlsx")


def _pages(kind: ImportKind) -> flow.Pages:
    return flow.Pages(confirm_url=url_for("exchange.confirm", name=kind.name), back_url=url_for("exchange.imports"),
                      done_url=url_for("exchange.imports"))


@bp.route("/imports/<name>", methods=["POST"])
@requires("edit_registry")
def check(name: str):
    """The dry run: read and check the upload, keep it if it is ready, and show the report."""
    kind = _kind(name)
    form = UploadForm()
    if not form.validate_on_submit():
        return _imports_page(400, {kind.name: form})
    try:
        return flow.dry_run(kind, form.file.data, _pages(kind))
    except SpreadsheetRefused as refusal:
        form.file.errors = [str(refusal.message)]
        return _imports_page(400, {kind.name: form})


@bp.route("/imports/<name>/confirm", methods=["POST"])
@requires("edit_registry")
def confirm(name: str):
    """Import the checked upload: check it again (the registry may have changed), then insert all of it."""
    kind = _kind(name)
    form = ConfirmForm()
    return flow.confirm(kind, form.token.data if form.validate_on_submit() else None, _pages(kind))


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
    everything = [SelectChoice("", _l("All"))]
    form.county.choices = everything + [SelectChoice(str(unit.id), unit.name) for unit in choices["counties"]]
    form.school.choices = everything + [SelectChoice(str(school.id), f"{school.code} {school.name}")
                                        for school in choices["schools"]]
    form.subject.choices = everything + [SelectChoice(str(subject.id), subject.display_name(locale))
                                         for subject in choices["subjects"]]
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
