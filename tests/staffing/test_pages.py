"""Every staffing page answers, in Chinese and in English, for the roles that may see it."""
import pytest

from tests.conftest import login, make_teacher
from tests.staffing.conftest import YEAR
from trainhub.extensions import db
from trainhub.staffing import itinerant, runs

pytest.importorskip("allocation.api")


@pytest.fixture
def approved(app, contest):
    run, = runs.queue_runs(contest["pool"], ["coverage"], None)
    db.session.commit()
    runs.execute_run(run.id)
    runs.approve_run(run, None)
    make_teacher(contest["school_a"], subject=contest["music"])
    plan = itinerant.queue_plan(contest["county_a"], YEAR, None)
    db.session.commit()
    itinerant.execute_plan(plan.id)
    return contest | {"run": run, "plan": plan}


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_page_renders_for_the_prefecture_officer(client, approved, language):
    login(client, approved["users"]["prefecture_admin"])
    client.post(f"/language/{language}", data={"next": "/"})
    pool, run, plan = approved["pool"], approved["run"], approved["plan"]
    pages = ["/staffing/", f"/staffing/?year={YEAR}&unit={approved['county_a'].id}",
             f"/staffing/schools/{approved['small'].id}?year={YEAR}", f"/staffing/posts?year={YEAR}",
             f"/staffing/posts?year={YEAR}&kind=rotation&sort=county", f"/staffing/posts/{approved['math_b'].id}/edit",
             "/staffing/pools", f"/staffing/pools/{pool.id}", f"/staffing/pools/{pool.id}/compare", "/staffing/runs",
             f"/staffing/runs/{run.id}", f"/staffing/runs/{run.id}?section=unfilled",
             f"/staffing/runs/{run.id}?section=unassigned&page=2", "/staffing/postings",
             "/staffing/postings?kind=special_post&status=planned", "/staffing/postings/retention",
             "/staffing/itinerant", f"/staffing/itinerant/{plan.id}"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    english = client.get(f"/staffing/runs/{run.id}").get_data(as_text=True)
    assert ("Seats filled" in english) == (language == "en")


def test_a_teacher_sees_only_their_own_posting(client, approved):
    from tests.conftest import make_user
    from trainhub.staffing.models import Posting

    posting = db.session.query(Posting).first()
    user = make_user("teacher", teacher=posting.teacher)
    other = db.session.query(Posting).filter(Posting.id != posting.id).first()
    login(client, user)
    page = client.get("/staffing/postings").get_data(as_text=True)
    assert posting.teacher.name in page and other.teacher.name not in page
    assert client.get("/staffing/runs").status_code == 403
