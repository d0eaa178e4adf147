"""`flask report NAME --unit CODE --year Y --out FILE.xlsx`: a report as a workbook, for scheduled use.

The command acts for the system but sees only the given unit's subtree: it puts a Scope for that
unit on the session, exactly as a request does for a signed-in officer of the unit.
"""
from datetime import date
from pathlib import Path

import click
import sqlalchemy as sa
from flask_babel import force_locale

from trainhub.extensions import db
from trainhub.reports.blueprint import bp
from trainhub.reports.catalog import REPORTS, build_table, read_params
from trainhub.schools.models import Unit
from trainhub.scoping import Scope, set_scope
from trainhub.spreadsheets import write_csv, write_xlsx


@bp.cli.command("report")
@click.argument("name", type=click.Choice(sorted(REPORTS)))
@click.option("--unit", "unit_code", required=True, help="Code of the unit whose subtree the report covers.")
@click.option("--year", type=int, default=None, help="Year (default: this year).")
@click.option("--tier", default="all", show_default=True, help="Training tier, or all.")
@click.option("--school", default="", help="School code, to report one school.")
@click.option("--programme", default="", help="Programme id (for programme-seats).")
@click.option("--run", "run_id", default="", help="Approved allocation run id (for staffing-shortage).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write: .xlsx, or .csv.")
@click.option("--lang", default="zh_CN", show_default=True, type=click.Choice(["zh_CN", "en"]),
              help="Language of the headers.")
def report_command(name, unit_code, year, tier, school, programme, run_id, out, lang):
    """Write a report as XLSX (or CSV) for one unit's subtree."""
    set_scope(db.session, None)
    unit = db.session.scalars(sa.select(Unit).where(Unit.code == unit_code)).first()
    if unit is None:
        raise click.BadParameter(f"there is no unit {unit_code}", param_hint="--unit")
    set_scope(db.session, Scope(unit_path=unit.path, home_path=unit.path))
    try:
        with force_locale(lang):
            args = {"year": str(year or ""), "tier": tier, "school": school, "programme": programme, "run": run_id}
            params = read_params(args, unit, None, date.today())
            if params.notices:
                raise click.UsageError(" ".join(params.notices))
            table = build_table(name, params)
            if table is None:
                raise click.UsageError(f"{name} needs --programme")
            if out.suffix.lower() == ".csv":
                data = write_csv(table.headers, table.rows)
            else:
                data = write_xlsx(table.headers, table.rows, str(table.title))
    finally:
        set_scope(db.session, None)
    out.write_bytes(data)
    click.echo(f"{name}: {len(table.rows)} rows written to {out}")
