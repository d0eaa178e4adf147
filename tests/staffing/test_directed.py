"""Directed-training graduates: imported with their obligation, placed first, followed until it is met."""
from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import login
from tests.staffing.conftest import HEADER, YEAR, applicant_row, workbook_bytes
from trainhub.extensions import db
from trainhub.staffing import pools, runs
from trainhub.staffing.models import Candidate, Posting
from trainhub.staffing.reasons import translate

pytest.importorskip("allocation.api")
DIRECTED_HEADER = HEADER + ["定向培养项目", "服务年限", "定向服务县"]


def _import_graduate(pool, **overrides):
    row = applicant_row(40, name="定向生", exam=50, choices="") + [
        overrides.get("programme", "公费师范生"), overrides.get("years", 3), overrides.get("county", "康乐县")]
    return pools.import_applicants(pool, workbook_bytes([row], header=DIRECTED_HEADER))


def test_graduate_is_imported_with_the_obligation(contest):
    assert _import_graduate(contest["pool"]) == 1
    graduate = db.session.scalars(sa.select(Candidate).where(Candidate.name == "定向生")).one()
    assert (graduate.directed_programme, graduate.obligation_years, graduate.obligation_county) == \
        ("free_normal", 3, "622922")
    assert graduate.choices == ["622922"]


@pytest.mark.parametrize("overrides, column", [({"years": None}, "服务年限"), ({"county": "兰州市"}, "定向服务县"),
                                               ({"programme": "支教"}, "定向培养项目")])
def test_incomplete_obligations_are_refused(contest, overrides, column):
    with pytest.raises(pools.ImportRefused) as refused:
        _import_graduate(contest["pool"], **overrides)
    assert [problem.column for problem in refused.value.problems] == [column]


def test_graduate_is_placed_before_open_recruitment_and_tracked(client, contest):
    _import_graduate(contest["pool"])
    db.session.commit()
    run, = runs.queue_runs(contest["pool"], ["merit"], None)
    db.session.commit()
    runs.execute_run(run.id)
    db.session.refresh(run)
    placed = {row["candidate"]: row for row in run.result["assignments"]}
    graduate = db.session.scalars(sa.select(Candidate).where(Candidate.name == "定向生")).one()
    # The graduate's county has one math post: it goes to them although higher scores wanted it.
    assert placed[graduate.label]["post"] == contest["math_b"].label
    assert placed[contest["high"].label]["post"] == contest["math_a"].label
    assert run.summary["directed_placed"] == 1
    assert translate(placed[graduate.label]["reason_codes"][0] | {"text": ""}, None, None) == "定向培养毕业生，先于公开招聘安排"

    runs.approve_run(run, None, today=date(YEAR, 7, 1))
    db.session.commit()
    posting = db.session.scalars(sa.select(Posting).where(Posting.kind == "directed")).one()
    assert posting.end_date == date(YEAR + 3, 8, 31)
    assert posting.teacher.employment_type == "regular" and posting.teacher.term_end is None
    assert [row.state for row in runs.obligations([posting], date(YEAR + 1, 1, 1))] == ["serving"]
    assert [row.state for row in runs.obligations([posting], date(YEAR + 4, 1, 1))] == ["met"]
    posting.teacher.school = contest["school_a"]  # moved to another county before the end
    assert [row.state for row in runs.obligations([posting], date(YEAR + 1, 1, 1))] == ["left"]
    db.session.commit()
    login(client, contest["users"]["prefecture_admin"])
    page = client.get("/staffing/postings/obligations").get_data(as_text=True)
    assert "定向生" in page and "提前离开" in page
