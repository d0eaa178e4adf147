"""Time the training pages on demo data: a programme's enrolment list and a teacher's cycle page.

    TRAINHUB_DATABASE_URL=postgresql://postgres@127.0.0.1/demo flask --app trainhub seed-demo --password 'demo password 1'
    TRAINHUB_DATABASE_URL=postgresql://postgres@127.0.0.1/demo python scripts/bench_training.py --password 'demo password 1'

Prints the median of --runs requests per page, in milliseconds (server side, through the test client).
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


def _median_ms(client, url: str, runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--password", required=True, help="password of the demo accounts")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    app = create_app({"WTF_CSRF_ENABLED": False})
    from trainhub.accounts.models import User
    from trainhub.training import services
    from trainhub.training.models import Enrolment

    with app.app_context():
        programme_id, enrolments = db.session.execute(
            sa.select(Enrolment.programme_id, sa.func.count()).group_by(Enrolment.programme_id)
            .order_by(sa.func.count().desc()).limit(1)).one()
        teacher_user = db.session.scalars(sa.select(User).where(User.username == "teacher")).one()
        teacher_id = teacher_user.teacher_id
        pages = -(-enrolments // app.config["PAGE_SIZE"])
        started = time.perf_counter()
        ids = db.session.scalars(sa.select(sa.text("id")).select_from(sa.text("teacher")).limit(1000)).all()
        services.cycle_progress(ids, services.cycle_of(2025))
        progress_ms = (time.perf_counter() - started) * 1000

    results = {}
    for username, urls in (
        ("province_admin", {f"programme with {enrolments} enrolments, page 1": f"/training/programmes/{programme_id}",
                            f"same, last page ({pages})": f"/training/programmes/{programme_id}?page={pages}",
                            "teacher's cycle page (officer view)": f"/training/teachers/{teacher_id}/hours"}),
        ("teacher", {"my training (teacher)": "/training/my"}),
    ):
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": args.password})
        assert response.status_code == 302, "sign-in failed: check --password"
        for name, url in urls.items():
            client.get(url)  # warm up
            results[name] = _median_ms(client, url, args.runs)
    for name, ms in results.items():
        print(f"{name:<55} {ms:7.1f} ms")
    print(f"{'cycle_progress for 1,000 teachers (one query)':<55} {progress_ms:7.1f} ms")


if __name__ == "__main__":
    main()
