"""Time the teacher and school list pages at demo scale, as the server sees it.

Signs in as the demo prefecture administrator and county officer through the login form,
then times client.get around the first and a middle page of /teachers/, unfiltered and
filtered by county and subject (and of /schools/ for the prefecture administrator), and
prints the median and 95th percentile in ms, with the median of the list's queries and
count alone (no page around them) for comparison.

    python scripts/bench_teacher_list.py --database-url sqlite:////tmp/bench.sqlite
    python scripts/bench_teacher_list.py --database-url postgresql://postgres@127.0.0.1/demo_bench

An empty database is first filled with `seed-demo` (prefecture scale); a database seeded
earlier needs the demo password (--password).
"""
from __future__ import annotations

import argparse
import math
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from trainhub import create_app  # noqa: E402
from trainhub.extensions import db  # noqa: E402
from trainhub.schools.models import School, Subject, Unit  # noqa: E402
from trainhub.teachers.models import Teacher  # noqa: E402

ROLES = ("prefecture_admin", "county_officer")
FILTER_SUBJECT = "math"
TEACHERS_URL, SCHOOLS_URL = "/teachers/", "/schools/"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("TRAINHUB_DATABASE_URL"),
                        help="database to use (default: TRAINHUB_DATABASE_URL)")
    parser.add_argument("--password", default=os.environ.get("TRAINHUB_DEMO_PASSWORD"),
                        help="the demo accounts' password, for a database seeded earlier")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per case (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per case first (default 3)")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set TRAINHUB_DATABASE_URL")

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        password = _seeded(app, args.password)
        teachers = db.session.scalar(sa.select(sa.func.count()).select_from(Teacher))
        print(f"database: {db.engine.url.get_backend_name()}, {teachers} teachers, "
              f"page size {app.config['PAGE_SIZE']}, {args.repeat} timed requests per case")
        cases = _cases(app.config["PAGE_SIZE"])

    print(f"{'role':<17} {'page':<10} {'case':<32} {'rows':>6} {'median ms':>10} {'p95 ms':>8} {'query ms':>9}")
    for role in ROLES:
        client = app.test_client()
        response = client.post("/login", data={"username": role, "password": password})
        if response.status_code != 302:
            print(f"{role}: sign-in failed (status {response.status_code}); wrong --password?", file=sys.stderr)
            return 1
        for url, name, params, rows in cases[role]:
            timings = _time(args, lambda: _get(client, url, params))
            # The list's queries alone (median), to tell database time from rendering.
            query_timings = _time(args, lambda: _query(app, url, params, role))
            print(f"{role:<17} {url:<10} {name:<32} {rows:>6} {statistics.median(timings):>10.1f} "
                  f"{_percentile(timings, 95):>8.1f} {statistics.median(query_timings):>9.1f}")
    return 0


def _seeded(app, password: str | None) -> str:
    """Seed an empty database and return the demo password; otherwise return the one given."""
    from flask_migrate import upgrade

    upgrade(revision="heads")
    if db.session.scalar(sa.select(sa.func.count()).select_from(Unit)):
        if not password:
            sys.exit("The database already has data: give the demo password with --password.")
        return password
    password = secrets.token_urlsafe(9)
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["seed-demo", "--password", password])
    if result.exit_code != 0:
        sys.exit(result.output)
    print(f"seeded the prefecture demo in {time.perf_counter() - started:.1f} s")
    return password


def _cases(page_size: int) -> dict[str, list[tuple[str, str, dict, int]]]:
    """(url, name, query parameters, matching rows) per role: first and middle pages, with and without filters."""
    county = db.session.scalars(sa.select(Unit).where(Unit.code == "622926")).first() or \
        db.session.scalars(sa.select(Unit).where(Unit.kind == "county").order_by(Unit.code)).first()
    subject = db.session.scalars(sa.select(Subject).where(Subject.code == FILTER_SUBJECT)).one()

    def rows(**where) -> int:
        query = sa.select(sa.func.count()).select_from(Teacher).join(School)
        if "county" in where:
            query = query.where(School.county_id == where["county"])
        if "subject" in where:
            query = query.where(Teacher.subject_id == where["subject"])
        return db.session.scalar(query)

    def first_and_middle(label: str, params: dict, count: int, url: str = TEACHERS_URL) -> list:
        middle = max(1, math.ceil(count / page_size) // 2)
        return [(url, f"{label}, page 1", params | {"page": 1}, count),
                (url, f"{label}, page {middle}", params | {"page": middle}, count)]

    everyone, in_county = rows(), rows(county=county.id)
    filtered = {"county": county.id, "subject": subject.id}
    schools = db.session.scalar(sa.select(sa.func.count()).select_from(School))
    return {
        "prefecture_admin": (
            first_and_middle("all", {}, everyone)
            + first_and_middle(f"county {county.code}", {"county": county.id}, in_county)
            + first_and_middle(f"subject {FILTER_SUBJECT}", {"subject": subject.id}, rows(subject=subject.id))
            + first_and_middle("county + subject", filtered, rows(county=county.id, subject=subject.id))
            + first_and_middle("all", {}, schools, SCHOOLS_URL)
            + first_and_middle("all, most teachers first", {"sort": "teachers"}, schools, SCHOOLS_URL)
        ),
        "county_officer": (
            first_and_middle("all (own county)", {}, in_county)
            + first_and_middle(f"subject {FILTER_SUBJECT}", {"subject": subject.id},
                               rows(county=county.id, subject=subject.id))
        ),
    }


def _time(args, run) -> list[float]:
    """Milliseconds per run of `run`, after the warm-up runs."""
    for _ in range(args.warmup):
        run()
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _get(client, url: str, params: dict) -> None:
    response = client.get(url, query_string=params)
    if response.status_code != 200:
        raise SystemExit(f"{url} {params} answered {response.status_code}")


def _query(app, url: str, params: dict, role: str) -> None:
    """The list's own queries and count, scoped to the role, without the page around them."""
    from trainhub.accounts.models import User
    from trainhub.pagination import paginate_ids
    from trainhub.schools import services as schools
    from trainhub.scoping import set_scope
    from trainhub.security import scope_for
    from trainhub.teachers import services as teachers

    with app.test_request_context(query_string={"page": params.get("page", 1)}):
        user = db.session.scalars(sa.select(User).where(User.username == role)).one()
        set_scope(db.session, scope_for(user))
        if url == TEACHERS_URL:
            filters = teachers.TeacherFilters(county_id=params.get("county"), subject_id=params.get("subject"))
            paginate_ids(teachers.sorted_teacher_ids(filters), teachers.load_teachers,
                         count=teachers.teacher_ids(filters))
        else:
            filters = schools.SchoolFilters(sort=params.get("sort", "name"))
            paginate_ids(schools.sorted_school_ids(filters), schools.load_schools, count=schools.school_ids(filters))
        db.session.remove()


def _percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, math.ceil(percent / 100 * len(ordered)) - 1)
    return ordered[index]


if __name__ == "__main__":
    sys.exit(main())
