"""Time an allocation run end to end: from the database, through the background worker, to the stored result.

    .venv/bin/python scripts/bench_allocation_run.py [--candidates 2000] [--seats 1500]
        [--mechanisms coverage,merit,balanced] [--database URL] [--redis URL]

Builds the prefecture-scale demo registry in a scratch database (a temporary SQLite file unless
--database is given; the database is emptied first), generates this year's special-post posts,
adds the applicants, then for each mechanism queues a run exactly as the web page does and waits
until the worker has stored the result. Without --redis the app's local worker thread runs the
job; with --redis start `rq worker --url URL trainhub` in another shell first (the worker must
use the same --database, passed as TRAINHUB_DATABASE_URL). Prints one JSON object per run.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from trainhub import create_app  # noqa: E402
from trainhub.extensions import db  # noqa: E402

POLL_SECONDS = 0.05


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--seats", type=int, default=1500)
    parser.add_argument("--mechanisms", default="coverage,merit,balanced")
    parser.add_argument("--database", default=None)
    parser.add_argument("--redis", default=None)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    database = args.database or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    if database.startswith("postgresql://"):
        database = "postgresql+psycopg://" + database[len("postgresql://"):]
    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "REDIS_URL": args.redis, "SECRET_KEY": "bench"})
    with app.app_context():
        pool_id, setup = _prepare(args)
        print(json.dumps({"setup": setup}), flush=True)
        for mechanism in args.mechanisms.split(","):
            print(json.dumps(_time_run(pool_id, mechanism)), flush=True)
    return 0


def _prepare(args) -> tuple[int, dict]:
    from trainhub.demo import registry
    from trainhub.staffing import demo, pools

    db.drop_all()
    db.create_all()
    started = time.perf_counter()
    today = date.today()
    rng = random.Random(args.seed)
    registry.build("prefecture", rng, today)
    prefecture_id = db.session.scalar(sa.text("select id from unit where kind = 'prefecture'"))
    from trainhub.schools.models import Unit
    from trainhub.staffing import services

    prefecture = db.session.get(Unit, prefecture_id)
    services.generate_posts(prefecture, today.year, "special_post")
    posts = demo._trim_posts(prefecture, today.year, args.seats, rng)
    pool = pools.create_pool(prefecture, "special_post", today.year, "bench", date(today.year, 8, 31),
                             date(today.year, 9, 1))
    demo._applicants(pool, posts, args.candidates, rng, date(today.year, 8, 31))
    db.session.commit()
    return pool.id, {"candidates": args.candidates, "posts": len(posts), "seats": sum(p.seats for p in posts),
                     "seconds": round(time.perf_counter() - started, 1),
                     "database": db.engine.url.get_backend_name(), "worker": "rq" if args.redis else "thread"}


def _time_run(pool_id: int, mechanism: str) -> dict:
    from trainhub.staffing import runs
    from trainhub.staffing.models import AllocationRun, CandidatePool

    started = time.perf_counter()
    pool = db.session.get(CandidatePool, pool_id)
    run, = runs.queue_runs(pool, [mechanism], None)
    db.session.commit()
    runs.start([run])
    while True:
        db.session.expire_all()
        status = db.session.scalar(sa.select(AllocationRun.status).where(AllocationRun.id == run.id))
        if status in ("finished", "failed"):
            break
        time.sleep(POLL_SECONDS)
    end_to_end = time.perf_counter() - started
    run = db.session.get(AllocationRun, run.id)
    stats = (run.result or {}).get("stats", {})
    overall = (run.summary or {}).get("overall", {})
    return {"mechanism": mechanism, "status": status, "result": (run.result or {}).get("status"),
            "end_to_end_seconds": round(end_to_end, 2), "job_seconds": round(run.seconds or 0, 2),
            "solver": stats.get("method"), "solve_seconds": stats.get("solve_seconds"),
            "build_seconds": stats.get("build_seconds"), "filled": overall.get("filled"),
            "seats": overall.get("seats"), "weighted_coverage": overall.get("coverage"),
            "justified_envy": overall.get("justified_envy"), "error": run.error}


if __name__ == "__main__":
    sys.exit(main())
