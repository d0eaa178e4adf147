"""Time the nomination page at demo scale, as the server sees it: the load test's enrolment request.

Signs in as the demo county officer through the login form, takes the first open programme the
officer sees (as scripts/load_test.py does), then times client.get around the nomination page
(first and a middle page, a name search, one school) and the load test's enrolment: the POST of
one more teacher followed by the redirected page. Prints per case the median and 95th
percentile in ms, with the statements per request and the median of their time in the
driver's execute (the database and the transfer of the rows).

    TRAINHUB_DATABASE_URL=postgresql://postgres@127.0.0.1/loadtest_copy python scripts/bench_nominate.py \\
        --password 'load test password'

The POST writes an enrolment (or a waitlist entry) per timed request: run it on a copy of the
seeded database (`create database ... template ...`), a new copy for each pass.
"""
from __future__ import annotations

import argparse
import math
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import event  # noqa: E402

from trainhub import create_app  # noqa: E402
from trainhub.extensions import db  # noqa: E402

PROGRAMME_LINK = re.compile(r'href="(/training/programmes/\d+)"')
TEACHER_LINK = re.compile(r'href="/teachers/(\d+)"')
SCHOOL_OPTION = re.compile(r'<option value="(\d+)"')
TOTAL = re.compile(r"第 \d+–\d+ 条，共 (\d+) 条|Showing \d+–\d+ of (\d+)")


class StatementClock:
    """Count the statements the engine runs and the time they take, between resets."""

    def __init__(self, engine):
        self.count, self.seconds, self._started = 0, 0.0, {}
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def reset(self) -> None:
        self.count, self.seconds = 0, 0.0

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self._started[id(cursor)] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        self.count += 1
        self.seconds += time.perf_counter() - self._started.pop(id(cursor), time.perf_counter())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--password", required=True, help="the demo accounts' password (seed-demo --password)")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per case (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per case first (default 3)")
    args = parser.parse_args()

    app = create_app({"WTF_CSRF_ENABLED": False})  # the database of TRAINHUB_DATABASE_URL
    client = app.test_client()
    response = client.post("/login", data={"username": "county_officer", "password": args.password})
    if response.status_code != 302:
        print(f"sign-in failed (status {response.status_code}); wrong --password?", file=sys.stderr)
        return 1
    programmes = PROGRAMME_LINK.findall(_get(client, "/training/", {"status": "open"}))
    if not programmes:
        raise SystemExit("no open programme for the county officer to nominate into")
    nominate_url = programmes[0] + "/nominate"
    first_page = _get(client, nominate_url)
    total = TOTAL.search(first_page)
    school_id = SCHOOL_OPTION.findall(first_page)[0]
    teacher_ids = _teacher_ids(client)
    with app.app_context():
        clock = StatementClock(db.engine)
        backend = db.engine.url.get_backend_name()
        teachers = db.session.scalar(sa.select(sa.func.count()).select_from(sa.text("teacher")))
    page_size = app.config["PAGE_SIZE"]
    matching = int(total.group(1) or total.group(2)) if total else 0
    middle = max(1, math.ceil(matching / page_size) // 2)
    print(f"database: {backend}, {teachers} teachers; {nominate_url}, {matching} teachers to nominate; "
          f"{args.repeat} timed requests per case")
    print("load average %.2f %.2f %.2f" % os.getloadavg())

    pending = iter(teacher_ids)

    def nominate_one() -> None:
        response = client.post(nominate_url, data={"teacher_id": next(pending)}, follow_redirects=True)
        if response.status_code != 200:
            raise SystemExit(f"POST {nominate_url} answered {response.status_code}")

    cases = [
        ("page 1", lambda: _get(client, nominate_url)),
        (f"page {middle}", lambda: _get(client, nominate_url, {"page": middle})),
        ("name search 王", lambda: _get(client, nominate_url, {"q": "王"})),
        ("one school", lambda: _get(client, nominate_url, {"school_id": school_id})),
        ("POST one teacher + page", nominate_one),
    ]
    print(f"{'case':<26} {'median ms':>10} {'p95 ms':>8} {'statements':>10} {'db ms':>7}")
    for name, run in cases:
        timings, statements, database = _time(args, run, clock)
        print(f"{name:<26} {statistics.median(timings):>10.1f} {statistics.quantiles(timings, n=20, method='inclusive')[-1]:>8.1f} "
              f"{statistics.median(statements):>10.0f} {statistics.median(database):>7.1f}")
    return 0


def _get(client, url: str, params: dict | None = None) -> str:
    response = client.get(url, query_string=params or {})
    if response.status_code != 200:
        raise SystemExit(f"{url} {params} answered {response.status_code}")
    return response.get_data(as_text=True)


def _teacher_ids(client) -> list[str]:
    """The county officer's teachers, from the teacher list, in a fixed order (the load test's way)."""
    ids = []
    for page in range(1, 41):
        found = TEACHER_LINK.findall(_get(client, "/teachers/", {"page": page}))
        if not found:
            break
        ids.extend(dict.fromkeys(found))
    return ids


def _time(args, run, clock: StatementClock) -> tuple[list[float], list[int], list[float]]:
    """Milliseconds per run of `run`, statements per run and their milliseconds, after the warm-up runs."""
    for _ in range(args.warmup):
        run()
    timings, statements, database = [], [], []
    for _ in range(args.repeat):
        clock.reset()
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
        statements.append(clock.count)
        database.append(clock.seconds * 1000)
    return timings, statements, database


if __name__ == "__main__":
    sys.exit(main())
