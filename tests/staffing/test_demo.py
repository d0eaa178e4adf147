"""The staffing demo data on the small demo registry."""
import random
from datetime import date

import pytest
import sqlalchemy as sa

from trainhub.extensions import db
from trainhub.staffing import demo
from trainhub.staffing.models import AllocationRun, Candidate, CandidatePool, Posting

pytest.importorskip("allocation.api")
registry = pytest.importorskip("trainhub.demo.registry")


def test_small_demo_has_a_pool_runs_and_postings(app):
    today = date(2026, 6, 1)
    registry.build("small", random.Random(7), today)
    counts = demo.seed("small", random.Random(7), today)
    db.session.commit()
    assert counts["applicants"] == 40 and 25 <= counts["special-post seats"] <= 30
    assert counts["rotation-eligible teachers"] > 0 and counts["silver-age volunteers"] == 4
    pool = db.session.scalars(sa.select(CandidatePool).where(CandidatePool.kind == "special_post")).one()
    assert pool.status == "approved"
    coverage, merit = (db.session.scalars(sa.select(AllocationRun).where(AllocationRun.mechanism == name)).one()
                       for name in ("coverage", "merit"))
    assert coverage.approved_at is not None
    assert coverage.summary["overall"]["weight_filled"] >= merit.summary["overall"]["weight_filled"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Posting)) == counts["postings"] > 0
    silver = db.session.scalar(sa.select(sa.func.count()).select_from(Candidate).join(CandidatePool).where(
        CandidatePool.kind == "silver_age"))
    assert silver >= 4  # the registry may hold retired teachers young enough too
