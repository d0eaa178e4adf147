"""Itinerant plans: small schools' missing scarce subjects, served by the county's teachers of them."""
import pytest

from tests.conftest import make_teacher
from tests.staffing.conftest import YEAR
from trainhub.errors import UserError
from trainhub.extensions import db
from trainhub.staffing import itinerant

pytest.importorskip("allocation.itinerant")


def test_plan_gives_each_small_school_demand_to_a_teacher_of_its_subject(staffed):
    teacher = make_teacher(staffed["school_a"], subject=staffed["music"], name="王音乐")
    staffed["school_a"].lat, staffed["school_a"].lon = 35.49, 102.99
    staffed["small"].lat, staffed["small"].lon = 35.60, 103.10
    plan = itinerant.queue_plan(staffed["county_a"], YEAR, None)
    db.session.commit()
    small = staffed["small"]
    assert plan.problem["demands"] == [{"id": f"D{small.id}-music", "school": f"S{small.id}", "subject": "music",
                                        "periods": 4 * itinerant.PERIODS_PER_CLASS["music"]}]
    assert [t["id"] for t in plan.problem["teachers"]] == [f"T{teacher.id}"]
    itinerant.execute_plan(plan.id)
    db.session.refresh(plan)
    assert plan.status == "finished" and plan.result["status"] == "optimal"
    circuit, = itinerant.circuits(plan)
    assert circuit["teacher"].name == "王音乐"
    stop, = circuit["stops"]
    assert stop["school"].id == small.id and stop["periods"] == 8 and stop["overhead"] >= 1


def test_plan_is_refused_without_demands_or_teachers(staffed):
    with pytest.raises(UserError):
        itinerant.queue_plan(staffed["county_a"], YEAR, None)  # no music teacher in the county
    with pytest.raises(UserError):
        itinerant.queue_plan(staffed["county_a"], YEAR + 5, None)  # no scarce list that year
    with pytest.raises(UserError):
        itinerant.queue_plan(staffed["prefecture"], YEAR, None)


def test_plan_page_shows_the_weekly_circuit(app, client, staffed):
    from tests.conftest import login

    app.config["JOBS_INLINE"] = True
    make_teacher(staffed["school_a"], subject=staffed["music"], name="王音乐")
    db.session.commit()
    login(client, staffed["users"]["county_officer"])
    response = client.post("/staffing/itinerant", data={"county": staffed["county_a"].id, "year": YEAR})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "王音乐" in page and "马集教学点" in page and "8 课时" in page
