"""The nomination page: who is offered, in which order, filtered and paged, within the user's scope."""
import re

import sqlalchemy as sa

from tests.conftest import login, make_school, make_teacher
from tests.training.conftest import make_programme
from trainhub.extensions import db
from trainhub.schools.models import School
from trainhub.teachers.models import Teacher
from trainhub.training.models import Enrolment

OFFERED = re.compile(r'name="teacher_id" value="(\d+)" id="t\d+" aria-label="([^"]+)"')
ROW = re.compile(r'<label for="t\d+">([^<]+)</label></td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>')
SCHOOL_OPTION = re.compile(r'<option value="(\d+)"[^>]*>([^<]+)</option>')


def _page(client, programme, **params) -> str:
    response = client.get(f"/training/programmes/{programme.id}/nominate", query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _offered(html: str) -> list[str]:
    return [name for _id, name in OFFERED.findall(html)]


def _in_page_order(*teachers) -> list[str]:
    """The names of these teachers in the page's order: by school, then name (the database's collation)."""
    ids = [teacher.id for teacher in teachers]
    return list(db.session.scalars(sa.select(Teacher.name).where(Teacher.id.in_(ids))
                                   .order_by(Teacher.school_id, Teacher.name, Teacher.id)))


def _county_a_teachers(world):
    """Two more schools in county A with teachers; one teacher has left and one is already enrolled."""
    second = make_school(world["county_a"], name="临夏县第二小学")
    wang = make_teacher(second, name="王老师", certificate_stages=["primary", "junior"])
    an = make_teacher(world["school_a"], name="安老师")
    make_teacher(world["school_a"], name="离职老师", status="left")
    enrolled = make_teacher(second, name="已报名老师")
    return second, wang, an, enrolled


def test_county_officer_is_offered_the_active_teachers_of_their_county_not_yet_in(client, world):
    programme = make_programme(world["prefecture"])
    second, wang, an, enrolled = _county_a_teachers(world)
    db.session.add(Enrolment(programme=programme, teacher=enrolled, status="enrolled"))
    login(client, world["users"]["county_officer"])
    html = _page(client, programme)
    assert _offered(html) == _in_page_order(world["teacher_a"], wang, an)
    assert "李老师" not in html  # county B's teacher
    assert "共 3 条" in html
    rows = {row[0]: row[1:] for row in ROW.findall(html)}
    assert rows["王老师"] == ("临夏县第二小学", "临夏县", "小学 初中 ")
    assert rows["安老师"] == ("临夏县第一小学", "临夏县", "小学 ")
    # The school filter offers the county's schools only, by name.
    assert SCHOOL_OPTION.findall(html) == [(str(school.id), school.name)
                                           for school in _by_name(world["school_a"], second)]
    assert "康乐县第一小学" not in html


def _by_name(*schools) -> list[School]:
    return list(db.session.scalars(sa.select(School).where(School.id.in_([school.id for school in schools]))
                                   .order_by(School.name)))


def test_prefecture_admin_sees_both_counties_and_the_programme_narrows_them(client, world):
    programme = make_programme(world["prefecture"])
    counties_b = make_programme(world["prefecture"], eligible_county_ids=[world["county_b"].id])
    login(client, world["users"]["prefecture_admin"])
    assert sorted(_offered(_page(client, programme))) == sorted(["张老师", "李老师"])
    assert _offered(_page(client, counties_b)) == ["李老师"]


def test_rural_programmes_offer_rural_schools_only(client, world):
    town = make_school(world["county_a"], name="临夏县城关小学", locality="urban")
    make_teacher(town, name="城区老师")
    programme = make_programme(world["prefecture"], rural_only=True)
    login(client, world["users"]["county_officer"])
    assert _offered(_page(client, programme)) == ["张老师"]


def test_name_and_school_filters_and_an_out_of_scope_school(client, world, app):
    programme = make_programme(world["prefecture"])
    second, wang, an, not_enrolled = _county_a_teachers(world)
    login(client, world["users"]["county_officer"])
    assert _offered(_page(client, programme, q="安")) == ["安老师"]
    assert _offered(_page(client, programme, school_id=second.id)) == _in_page_order(wang, not_enrolled)
    # A school of another county is not found: nobody is offered, and the English message says so.
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    html = _page(client, programme, school_id=world["school_b"].id)
    assert _offered(html) == [] and "No teachers match these filters." in html


def test_pages_follow_the_same_order(client, world, app):
    programme = make_programme(world["prefecture"])
    _second, wang, an, enrolled = _county_a_teachers(world)
    app.config["PAGE_SIZE"] = 2
    login(client, world["users"]["county_officer"])
    first, second_page = _page(client, programme), _page(client, programme, page=2)
    assert _offered(first) + _offered(second_page) == _in_page_order(world["teacher_a"], wang, an, enrolled)
    assert "共 4 条" in first and len(_offered(first)) == 2
    assert _offered(_page(client, programme, page=3)) == []


def test_nominating_redirects_to_the_page_with_its_filters_and_drops_the_nominee(client, world):
    programme = make_programme(world["prefecture"])
    _second, wang, an, _enrolled = _county_a_teachers(world)
    login(client, world["users"]["county_officer"])
    response = client.post(f"/training/programmes/{programme.id}/nominate?q=老师", data={"teacher_id": [an.id]})
    assert response.status_code == 302 and "q=" in response.headers["Location"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "安老师" not in _offered(html) and "王老师" in _offered(html)
    assert "安老师" in html  # named in the outcome message
