"""Report pages and their exports: read the parameters, call the service, render or write."""
from datetime import date
from io import BytesIO

from flask import abort, render_template, request, send_file
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from trainhub import charts, vocab
from trainhub.accounts.permissions import requires
from trainhub.reports import services
from trainhub.reports.blueprint import bp
from trainhub.reports.catalog import REPORTS, SCHOOL_TYPES, TIER_CHOICES, build_table, file_name, read_params
from trainhub.spreadsheets import XLSX_CONTENT_TYPE, write_csv, write_xlsx
from trainhub.training.vocab import TIERS


def _params():
    """The report parameters from the query string, starting at the viewer's own unit or school."""
    school = current_user.school if current_user.role == "school_admin" else None
    home = school.county if school is not None else current_user.unit
    if home is None:
        abort(403)
    return read_params(request.args, home, school, date.today())


def _page(template: str, params, **context):
    return render_template(template, params=params, tiers=TIER_CHOICES, reports=REPORTS, vocab=vocab,
                           school_types=SCHOOL_TYPES, **context)


@bp.route("/")
@requires("view_reports")
def index():
    return _page("reports/index.html", _params())


@bp.route("/quota-completion")
@requires("view_reports")
def quota_completion():
    params = _params()
    report = services.quota_completion(params.unit, params.year, params.tier, params.school)
    chart = charts.progress_bars(
        [(row.name, row.persons, row.target) for row in report.rows[:40]],
        _l("Persons trained against target, %(year)d", year=params.year),
        _l("Bars: persons trained; red line: target."))
    return _page("reports/quota_completion.html", params, report=report, chart=chart,
                 programmes=services.programmes_with_quotas(params.year))


@bp.route("/programme-seats")
@requires("view_reports")
def programme_seats():
    params = _params()
    report = services.programme_seats(params.programme, params.today) if params.programme else None
    chart = None
    if report is not None and report.rows:
        chart = charts.stacked_bars(
            [(row.holder, (row.used, row.returned, row.unused)) for row in report.rows[:40]],
            [str(_l("Used")), str(_l("Returned")), str(_l("Unused"))],
            _l("Seats of %(code)s by holder", code=params.programme.code))
    return _page("reports/programme_seats.html", params, report=report, chart=chart,
                 programmes=services.programmes_with_quotas(params.year))


@bp.route("/hours-compliance")
@requires("view_reports")
def hours_compliance():
    params = _params()
    report = services.hours_compliance(params.unit, params.year, params.today, params.school)
    behind = services.teachers_behind(params.unit, params.year, params.today, params.school)
    chart = charts.stacked_bars(
        [(row.name, (row.on_track, row.teachers - row.on_track)) for row in report.by_unit[:40]],
        [str(_l("On track")), str(_l("Behind"))], _l("Teachers on track for the cycle hours"), as_share=True)
    return _page("reports/hours_compliance.html", params, report=report, behind=behind, chart=chart,
                 behind_limit=services.BEHIND_LIST_LIMIT, open_programmes=services.open_programme_count(params.today))


@bp.route("/staffing")
@requires("view_reports")
def staffing():
    params = _params()
    report = services.staffing_shortage(params.unit, params.year, params.run)
    terms = services.staffing_terms(params.unit, params.year)
    chart = charts.stacked_bars(
        [(row.name, (row.filled, row.shortage_after)) for row in report.by_county[:40]],
        [str(_l("Filled by the allocation")), str(_l("Shortage remaining"))],
        _l("Shortage by county before the allocation"))
    return _page("reports/staffing.html", params, report=report, terms=terms, chart=chart,
                 runs=services.approved_runs(params.year))


@bp.route("/<name>.<any(xlsx, csv):extension>")
@requires("view_reports")
def export(name: str, extension: str):
    if name not in REPORTS:
        abort(404)
    params = _params()
    table = build_table(name, params)
    if table is None:
        abort(400)
    if extension == "xlsx":
        data, mimetype = write_xlsx(table.headers, table.rows, str(table.title)), XLSX_CONTENT_TYPE
    else:
        data, mimetype = write_csv(table.headers, table.rows), "text/csv; charset=utf-8"
    return send_file(BytesIO(data), mimetype=mimetype, as_attachment=True,
                     download_name=file_name(name, params, extension))


@bp.app_template_global()
def report_tier_label(code: str) -> str:
    return vocab.label(TIER_CHOICES, code) if code in TIER_CHOICES else vocab.label(TIERS, code)
