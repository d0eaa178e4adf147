"""School pages: scope, capabilities, filters, teacher counts, the form and query counts."""
import re

import pytest
import sqlalchemy as sa

from tests.conftest import login, make_school, make_teacher
from tests.web.helpers import count_statements
from trainhub.extensions import db
from trainhub.schools.models import School


def _signed_in(client, world, role):
    login(client, world["users"][role])
    return client


def _school_form(county, **overrides) -> dict:
    data = {"code": "6229210099", "name": "新建村小学", "county_id": str(county.id), "locality": "rural",
            "is_small_rural": "y", "primary-students": "80", "primary-classes": "6", "lat": "35.5", "lon": "103.2"}
    data.update(overrides)
    return data


def _school_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(School.id)))


def test_county_officer_lists_only_schools_of_their_county(world, client):
    page = _signed_in(client, world, "county_officer").get("/schools/").get_data(as_text=True)
    assert "临夏县第一小学" in page and "康乐县第一小学" not in page


@pytest.mark.parametrize("url", ["/schools/{id}", "/schools/{id}/edit"])
def test_county_officer_gets_404_for_a_school_of_another_county(world, client, url):
    response = _signed_in(client, world, "county_officer").get(url.format(id=world["school_b"].id))
    assert response.status_code == 404


def test_county_officer_cannot_post_an_edit_of_another_countys_school(world, client):
    school_b = world["school_b"]
    data = _school_form(world["county_a"], code=school_b.code, name="改名")
    response = _signed_in(client, world, "county_officer").post(f"/schools/{school_b.id}/edit", data=data)
    assert response.status_code == 404
    assert db.session.get(School, school_b.id).name == "康乐县第一小学"


def test_the_county_choices_are_the_counties_of_the_users_area(world, client):
    page = _signed_in(client, world, "county_officer").get("/schools/new").get_data(as_text=True)
    assert f'value="{world["county_a"].id}"' in page
    assert f'value="{world["county_b"].id}"' not in page
    assert "临夏回族自治州</option>" not in page  # a prefecture is not a county


def test_county_officer_cannot_create_a_school_in_another_county(world, client):
    response = _signed_in(client, world, "county_officer").post("/schools/new", data=_school_form(world["county_b"]))
    assert "请从列表中选择县区。" in response.get_data(as_text=True)
    assert _school_count() == 2


@pytest.mark.parametrize("role", ["inspector", "school_admin", "teacher"])
def test_roles_without_edit_schools_cannot_create_or_edit(world, client, role):
    client = _signed_in(client, world, role)
    assert client.get("/schools/new").status_code == 403
    assert client.post("/schools/new", data=_school_form(world["county_a"])).status_code == 403
    assert client.post(f"/schools/{world['school_a'].id}/edit", data=_school_form(world["county_a"])).status_code == 403
    assert _school_count() == 2


def test_creating_a_school_saves_its_stages(world, client):
    client = _signed_in(client, world, "county_officer")
    data = _school_form(world["county_a"], **{"kindergarten-students": "20", "kindergarten-classes": "1"})
    response = client.post("/schools/new", data=data)
    assert response.status_code == 302
    school = db.session.scalars(sa.select(School).where(School.code == "6229210099")).one()
    assert {row.stage: (row.students, row.classes) for row in school.stages} == {
        "primary": (80, 6), "kindergarten": (20, 1)}
    assert school.is_small_rural and not school.is_boarding
    assert (school.lat, school.lon) == (35.5, 103.2)


def test_editing_a_school_replaces_its_stages(world, client):
    school = world["school_a"]
    data = _school_form(world["county_a"], code=school.code, name=school.name,
                        **{"primary-students": "", "primary-classes": "", "junior-students": "200",
                           "junior-classes": "4"})
    response = _signed_in(client, world, "county_officer").post(f"/schools/{school.id}/edit", data=data)
    assert response.status_code == 302
    assert [row.stage for row in db.session.get(School, school.id).stages] == ["junior"]


BAD_INPUTS = {
    "duplicate code in another county": (lambda world: {"code": world["school_b"].code}, "该学校代码已被登记。"),
    "no stage": (lambda world: {"primary-students": "", "primary-classes": ""}, "请至少填写一个学段的学生数和班级数。"),
    "students without classes": (lambda world: {"primary-classes": "0"}, "有学生的学段至少要有一个班。"),
    "latitude out of range": (lambda world: {"lat": "135"}, "请填写 -90 到 90 之间的数字。"),
    "latitude not a number": (lambda world: {"lat": "北纬"}, "请填写数字，例如 35.6。"),
    "empty name": (lambda world: {"name": ""}, "请填写学校名称。"),
    "county not a number": (lambda world: {"county_id": "abc"}, "请从列表中选择县区。"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_school_input_shows_a_message_and_saves_nothing(world, client, case):
    overrides, message = BAD_INPUTS[case]
    response = _signed_in(client, world, "county_officer").post("/schools/new",
                                                               data=_school_form(world["county_a"], **overrides(world)))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _school_count() == 2


def test_filters_search_and_teacher_counts(world, client):
    boarding = make_school(world["county_a"], name="寄宿中学", is_boarding=True, locality="town",
                           stages={"junior": (600, 12)})
    for _ in range(3):
        make_teacher(boarding)
    make_teacher(boarding, status="retired")
    client = _signed_in(client, world, "prefecture_admin")
    page = client.get("/schools/?flag=is_boarding").get_data(as_text=True)
    assert "寄宿中学" in page and "临夏县第一小学" not in page
    page = client.get("/schools/?stage=junior&locality=town").get_data(as_text=True)
    assert "寄宿中学" in page and "康乐县第一小学" not in page
    page = client.get(f"/schools/?q={world['school_b'].code}").get_data(as_text=True)
    assert "康乐县第一小学" in page and "临夏县第一小学" not in page
    rows = client.get("/schools/?sort=teachers").get_data(as_text=True)
    assert rows.index("寄宿中学") < rows.index("临夏县第一小学")
    assert f'href="/teachers/?school={boarding.id}">3</a>' in rows  # active teachers only


def test_school_pages_follow_the_sort_with_each_schools_counts(world, client, app):
    app.config["PAGE_SIZE"] = 2
    for name, teachers, students in (("甲校", 1, 50), ("乙校", 3, 20), ("丙校", 2, 900)):
        school = make_school(world["county_a"], name=name, stages={"primary": (students, 4)})
        for _ in range(teachers):
            make_teacher(school)
    client = _signed_in(client, world, "prefecture_admin")

    def rows(sort: str) -> list[tuple[str, str, str]]:
        found = []
        for number in (1, 2, 3):
            page = client.get(f"/schools/?sort={sort}&page={number}").get_data(as_text=True)
            found += re.findall(r'/schools/\d+">([^<]+)</a>.*?text-end">(\d+)</td>.*?>(\d+)</a>', page, re.S)
        return found

    by_teachers = rows("teachers")
    assert [row[0] for row in by_teachers] == ["乙校", "丙校", "临夏县第一小学", "康乐县第一小学", "甲校"]  # ties by name
    assert by_teachers[0][1:] == ("20", "3") and by_teachers[1][1:] == ("900", "2")
    assert [row[0] for row in rows("students")][:2] == ["丙校", "临夏县第一小学"]
    page = client.get("/schools/?sort=teachers&page=3").get_data(as_text=True)
    assert "共 5 条" in page


def test_school_detail_shows_stages_and_the_teacher_count(world, client):
    page = _signed_in(client, world, "inspector").get(f"/schools/{world['school_a'].id}").get_data(as_text=True)
    assert "小学" in page and "300" in page
    assert f"/teachers/?school={world['school_a'].id}" in page
    assert "/edit" not in page  # read-only for an inspector


def _list_statements(client) -> int:
    with count_statements() as statements:
        assert client.get("/schools/").status_code == 200
    return len(statements)


def test_school_list_sends_the_same_number_of_queries_for_5_or_40_schools(world, client, app):
    app.config["PAGE_SIZE"] = 100
    client = _signed_in(client, world, "prefecture_admin")
    for _ in range(3):
        make_teacher(make_school(world["county_a"], stages={"primary": (100, 3), "junior": (50, 2)}))
    few = _list_statements(client)
    for _ in range(35):
        make_teacher(make_school(world["county_b"], stages={"primary": (100, 3), "junior": (50, 2)}))
    many = _list_statements(client)
    assert _school_count() == 40
    assert many == few
