"""Report data in the JSON API: /api/v1/reports/<name>?unit=&year=&tier=&school=&programme=&run=."""
from datetime import date

from flask_babel import lazy_gettext as _l

from trainhub.api.resources import ReportEndpoint, register_report
from trainhub.reports.catalog import REPORTS, build_table, read_params


def _builder(name: str):
    def build(args: dict, user) -> tuple[dict | None, list[str]]:
        school = user.school if user.role == "school_admin" else None
        home = school.county if school is not None else user.unit
        if home is None:
            return None, [str(_l("Your account is not attached to a unit."))]
        params = read_params(args, home, school, date.today())
        if params.notices:
            return None, params.notices
        table = build_table(name, params)
        if table is None:
            return None, [str(_l("Choose a programme: programme=<id>."))]
        return {"report": name, "title": str(table.title), "unit": params.unit.code,
                "school": params.school.code if params.school else None, "year": params.year, "tier": params.tier,
                "columns": [{"key": key, "label": header} for key, header in zip(table.keys, table.headers)],
                "items": table.records()}, []
    return build


for _name, _report in REPORTS.items():
    register_report(ReportEndpoint(_name, _builder(_name), str(_report.description)))
