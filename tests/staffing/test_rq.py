"""The RQ path of background jobs: the web side queues, a worker that builds its own app runs the job."""
import os

import pytest
import sqlalchemy as sa

from trainhub import jobs
from trainhub.extensions import db
from trainhub.staffing import runs
from trainhub.staffing.models import AllocationRun

REDIS_URL = os.environ.get("TRAINHUB_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs TRAINHUB_TEST_REDIS_URL")
pytest.importorskip("allocation.api")


def test_a_run_queued_on_redis_is_finished_by_a_worker(app, contest, monkeypatch):
    from redis import Redis
    from rq import Queue, SimpleWorker

    connection = Redis.from_url(REDIS_URL)
    queue = Queue(jobs.QUEUE_NAME, connection=connection)
    queue.empty()
    app.config["REDIS_URL"] = REDIS_URL
    # The worker's app reads its settings from the environment, as `rq worker` would.
    monkeypatch.setenv("TRAINHUB_DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("TRAINHUB_SECRET_KEY", "rq-test")
    run, = runs.queue_runs(contest["pool"], ["coverage"], None)
    db.session.commit()
    job_id = jobs.enqueue("trainhub.staffing.runs.execute_run", run.id)
    assert queue.fetch_job(job_id) is not None
    SimpleWorker([queue], connection=connection).work(burst=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(AllocationRun.status).where(AllocationRun.id == run.id)) == "finished"
