"""Time the quota-completion report page against its queries alone, on demo data.

    TRAINHUB_DATABASE_URL=sqlite:////tmp/demo.sqlite flask --app trainhub seed-demo --password 'demo password 1'
    TRAINHUB_DATABASE_URL=sqlite:////tmp/demo.sqlite python scripts/bench_reports.py --password 'demo password 1'

Signs in as the prefecture's inspector and prints medians in milliseconds: the report's queries
alone (services.quota_completion, scoped as the inspector, counties as rows), the report page
(server side, through the test client, chart and template included), and their ratio. The bar is
a ratio of at most 2.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from trainhub import create_app  # noqa: E402
from trainhub.extensions import db  # noqa: E402


def _median_ms(function, runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--password", required=True, help="password of the demo accounts")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    app = create_app({"WTF_CSRF_ENABLED": False})
    from trainhub.accounts.models import User
    from trainhub.reports import services
    from trainhub.scoping import set_scope
    from trainhub.security import scope_for
    from trainhub.teachers.models import Teacher
    from trainhub.training.models import HoursRecord

    with app.app_context():
        inspector = db.session.scalars(sa.select(User).where(User.role == "inspector")).first()
        prefecture = inspector.unit
        counts = db.session.execute(sa.select(sa.func.count(Teacher.id), sa.select(sa.func.count(HoursRecord.id))
                                              .scalar_subquery())).one()
        set_scope(db.session, scope_for(inspector))

        def run_aggregate():
            services.quota_completion(prefecture, args.year)

        run_aggregate()
        sql_ms = _median_ms(run_aggregate, args.runs)
        set_scope(db.session, None)
        username = inspector.username

    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": args.password})
    assert response.status_code == 302, "sign-in failed: check --password"
    url = f"/reports/quota-completion?year={args.year}"

    def run_page():
        assert client.get(url).status_code == 200

    run_page()
    page_ms = _median_ms(run_page, args.runs)
    print(f"{app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}: {counts[0]} teachers, {counts[1]} hours records")
    print(f"report queries {sql_ms:.1f} ms, report page {page_ms:.1f} ms, ratio {page_ms / sql_ms:.2f}")


if __name__ == "__main__":
    main()
