"""Two officers approving conflicting runs at once: one wins, the other is told (PostgreSQL row locks)."""
import threading
from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import TEST_DATABASE_URL
from tests.staffing.conftest import YEAR, applicant_row, workbook_bytes
from trainhub.errors import UserError
from trainhub.extensions import db
from trainhub.staffing import pools, runs
from trainhub.staffing.models import AllocationRun, Post, Posting

pytestmark = pytest.mark.postgres
pytest.importorskip("allocation.api")


@pytest.fixture(autouse=True)
def _needs_postgresql():
    if not (TEST_DATABASE_URL or "").startswith("postgresql"):
        pytest.skip("needs TRAINHUB_TEST_DATABASE_URL pointing at PostgreSQL")


def _finished(pool, mechanism):
    run, = runs.queue_runs(pool, [mechanism], None)
    db.session.commit()
    runs.execute_run(run.id)
    return run.id


def _approve_in_parallel(app, run_ids):
    barrier = threading.Barrier(len(run_ids))
    outcomes = {}

    def approve(run_id):
        with app.test_request_context():  # its own app context, session and connection
            try:
                run = db.session.get(AllocationRun, run_id)
                barrier.wait()
                postings = runs.approve_run(run, None)
                db.session.commit()
                outcomes[run_id] = len(postings)
            except UserError as error:
                db.session.rollback()
                outcomes[run_id] = str(error.message)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(run_id,)) for run_id in run_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_approvals_of_one_pool_at_once_leave_one_set_of_postings(app, contest):
    coverage, merit = _finished(contest["pool"], "coverage"), _finished(contest["pool"], "merit")
    outcomes = _approve_in_parallel(app, [coverage, merit])
    winners = [run_id for run_id, outcome in outcomes.items() if isinstance(outcome, int)]
    assert len(winners) == 1
    loser = next(outcome for outcome in outcomes.values() if isinstance(outcome, str))
    assert "另一个方案" in loser
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Posting)) == outcomes[winners[0]]
    assert set(db.session.scalars(sa.select(Posting.run_id))) == {winners[0]}


def test_county_and_prefecture_pools_cannot_fill_the_same_posts_twice(app, contest):
    county_pool = pools.create_pool(contest["county_a"], "special_post", YEAR, "县级", date(YEAR, 8, 31),
                                    date(YEAR, 9, 1))
    pools.import_applicants(county_pool, workbook_bytes([applicant_row(50, choices="622921", exam=99)]))
    db.session.commit()
    prefecture_run, county_run = _finished(contest["pool"], "coverage"), _finished(county_pool, "coverage")
    outcomes = _approve_in_parallel(app, [prefecture_run, county_run])
    db.session.expire_all()
    filled = db.session.execute(sa.select(Post.filled_by_run_id, sa.func.count()).where(
        Post.filled_by_run_id.is_not(None)).group_by(Post.filled_by_run_id)).all()
    postings_by_run = dict(db.session.execute(sa.select(Posting.run_id, sa.func.count()).group_by(Posting.run_id)).all())
    # Each post is claimed by at most one run, and only a run that claimed all its posts has postings.
    for run_id, outcome in outcomes.items():
        if isinstance(outcome, int):
            assert postings_by_run[run_id] == outcome
        else:
            assert run_id not in postings_by_run
    assert sum(count for _run, count in filled) == len({row for row in db.session.scalars(
        sa.select(Posting.post_id))})
