"""Time a teacher import of a prefecture-sized file: read, check, insert (one transaction).

    .venv/bin/python scripts/bench_import.py [--rows 25000] [--database-url URL]

Builds a scratch database (SQLite in a temporary folder unless --database-url names an empty
PostgreSQL database; its tables are dropped and recreated), 8 counties with 1,500 schools, and
an .xlsx file of --rows teachers, then imports it as a prefecture administrator would.
"""
import argparse
import io
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook  # noqa: E402

from trainhub import create_app  # noqa: E402

# The app's packages are imported once the app is built, in the order the factory uses.
APP = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "bench"})

from trainhub.exchange.formats import teacher_columns  # noqa: E402
from trainhub.exchange.imports import check_teachers, insert_teachers  # noqa: E402
from trainhub.extensions import db  # noqa: E402
from trainhub.idnumber import make as make_id_number  # noqa: E402
from trainhub.schools.models import School, SchoolStage, Subject, Unit  # noqa: E402
from trainhub.scoping import Scope, set_scope  # noqa: E402
from trainhub.spreadsheets import read_rows  # noqa: E402

SUBJECTS = [("chinese", "语文", "Chinese"), ("math", "数学", "Mathematics"), ("english", "英语", "English"),
            ("pe", "体育", "Physical education"), ("music", "音乐", "Music"), ("art", "美术", "Art")]


def build_registry(schools_per_county: int = 188) -> list[str]:
    province = Unit(code="620000", name="甘肃省", kind="province", path="/620000/")
    prefecture = Unit(code="622900", name="临夏回族自治州", kind="prefecture", parent=province, path="/620000/622900/")
    db.session.add_all([province, prefecture, *(Subject(code=c, name_zh=z, name_en=e) for c, z, e in SUBJECTS)])
    codes = []
    for county_number in range(1, 9):
        code = f"6229{20 + county_number:02d}"
        county = Unit(code=code, name=f"县{county_number}", kind="county", parent=prefecture,
                      path=f"/620000/622900/{code}/")
        db.session.add(county)
        for n in range(schools_per_county):
            school_code = f"21{code}{n:04d}"
            codes.append(school_code)
            db.session.add(School(code=school_code, name=f"学校{school_code}", county=county, locality="rural",
                                  stages=[SchoolStage(stage="primary", students=200, classes=6)]))
    db.session.commit()
    return codes


def build_file(rows: int, school_codes: list[str]) -> bytes:
    rng = random.Random(7)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("教师")
    sheet.append([f"{column.zh}\n{column.en}" for column in teacher_columns()])
    for n in range(rows):
        birth = date(1965, 1, 1) + timedelta(days=n % 9000)  # with the sequence number below: unique IDs
        subject = rng.choice(SUBJECTS)
        sheet.append([f"教师{n}", make_id_number("622921", birth, n // 9000), birth, None, rng.choice(school_codes),
                      subject[rng.randrange(3)], None, "regular", None, None, "bachelor", "intermediate", None,
                      "primary", "否", "是", date(2010, 9, 1), date(2015, 9, 1), f"138{n:08d}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=25000)
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = arguments.database_url or f"sqlite:///{folder}/bench.sqlite"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.test_request_context():
            db.drop_all()
            db.create_all()
            data = build_file(arguments.rows, build_registry())
            print(f"file: {arguments.rows} rows, {len(data) / 1024 / 1024:.1f} MB")
            set_scope(db.session, Scope(unit_path="/620000/622900/", home_path="/620000/622900/"))
            started = time.perf_counter()
            sheet = read_rows(data, teacher_columns(), max_rows=30000, max_bytes=20 * 1024 * 1024)
            read_at = time.perf_counter()
            batch = check_teachers(sheet)
            checked_at = time.perf_counter()
            if not batch.ready:
                raise SystemExit(f"unexpected problems: {batch.problems[:5]}")
            count = insert_teachers(batch)
            db.session.commit()
            done_at = time.perf_counter()
            print(f"read {read_at - started:.1f} s, check {checked_at - read_at:.1f} s, "
                  f"insert and commit {done_at - checked_at:.1f} s, total {done_at - started:.1f} s "
                  f"for {count} teachers on {db.engine.dialect.name}")
            db.session.remove()
            db.drop_all()


if __name__ == "__main__":
    main()
