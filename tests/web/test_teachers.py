"""Teacher pages: scope, capabilities, the form's checks, full-ID display and query counts."""
import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import login, make_school, make_subject, make_teacher
from tests.web.helpers import count_statements, teacher_form
from trainhub.accounts.models import AuditEvent
from trainhub.extensions import db
from trainhub.idnumber import make as make_id_number
from trainhub.idnumber import parse as parse_id_number
from trainhub.teachers import services
from trainhub.teachers.models import Teacher


def _teacher_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Teacher.id)))


def _signed_in(client, world, role):
    login(client, world["users"][role])
    return client


# ---- scope ---------------------------------------------------------------------------------------

def test_county_officer_lists_only_teachers_of_their_county(world, client):
    page = _signed_in(client, world, "county_officer").get("/teachers/").get_data(as_text=True)
    assert "张老师" in page
    assert "李老师" not in page


@pytest.mark.parametrize("url", ["/teachers/{id}", "/teachers/{id}/edit"])
def test_county_officer_gets_404_for_a_teacher_of_another_county(world, client, url):
    response = _signed_in(client, world, "county_officer").get(url.format(id=world["teacher_b"].id))
    assert response.status_code == 404


def test_county_officer_cannot_post_an_edit_of_another_countys_teacher(world, client):
    teacher_b = world["teacher_b"]
    data = teacher_form(world["school_b"], teacher_b.subject, name="改名", id_number=teacher_b.id_number)
    response = _signed_in(client, world, "county_officer").post(f"/teachers/{teacher_b.id}/edit", data=data)
    assert response.status_code == 404
    assert db.session.get(Teacher, teacher_b.id).name == "李老师"


def test_county_officer_cannot_move_a_teacher_to_a_school_of_another_county(world, client):
    teacher_a = world["teacher_a"]
    data = teacher_form(world["school_b"], teacher_a.subject, name="张老师", id_number=teacher_a.id_number)
    page = _signed_in(client, world, "county_officer").post(f"/teachers/{teacher_a.id}/edit", data=data)
    assert "请从列表中选择学校。" in page.get_data(as_text=True)
    assert db.session.get(Teacher, teacher_a.id).school_id == world["school_a"].id


def test_school_admin_sees_only_their_schools_teachers(world, client):
    other = make_teacher(make_school(world["county_a"]), name="邻校老师")
    client = _signed_in(client, world, "school_admin")
    page = client.get("/teachers/").get_data(as_text=True)
    assert "张老师" in page and "邻校老师" not in page and "李老师" not in page
    assert client.get(f"/teachers/{other.id}").status_code == 404


def test_school_admin_can_only_choose_their_own_school(world, client):
    make_school(world["county_a"], name="邻校")
    page = _signed_in(client, world, "school_admin").get("/teachers/new").get_data(as_text=True)
    assert "临夏县第一小学" in page
    assert "邻校" not in page


def test_teacher_sees_only_themself(world, client):
    colleague = make_teacher(world["school_a"], name="同事老师")
    client = _signed_in(client, world, "teacher")
    page = client.get("/teachers/").get_data(as_text=True)
    assert "张老师" in page and "同事老师" not in page
    assert client.get(f"/teachers/{world['teacher_a'].id}").status_code == 200
    assert client.get(f"/teachers/{colleague.id}").status_code == 404


@pytest.mark.parametrize("role", ["inspector", "teacher"])
def test_read_only_roles_cannot_create_or_edit_teachers(world, client, role):
    client = _signed_in(client, world, role)
    teacher_a = world["teacher_a"]
    data = teacher_form(world["school_a"], teacher_a.subject)
    assert client.get("/teachers/new").status_code == 403
    assert client.post("/teachers/new", data=data).status_code == 403
    assert client.post(f"/teachers/{teacher_a.id}/edit", data=data).status_code == 403
    assert _teacher_count() == 2


# ---- creating and editing --------------------------------------------------------------------------

def test_county_officer_creates_a_teacher_with_gender_and_birth_date_from_the_id(world, client):
    client = _signed_in(client, world, "county_officer")
    music = make_subject("music", "音乐", "Music")
    data = teacher_form(world["school_a"], world["teacher_a"].subject, other_subject_ids=[str(music.id)],
                        birth_date="1990-05-17", employment_type="special_post",
                        term_start="2023-09-01", term_end="2026-08-31")
    response = client.post("/teachers/new", data=data)
    assert response.status_code == 302
    teacher = db.session.scalars(sa.select(Teacher).where(Teacher.name == "王老师")).one()
    assert (teacher.birth_date, teacher.gender) == (date(1990, 5, 17), "male")
    assert [subject.code for subject in teacher.other_subjects] == ["music"]
    assert (teacher.term_start, teacher.term_end) == (date(2023, 9, 1), date(2026, 8, 31))


def test_editing_a_teacher_saves_the_changes(world, client):
    teacher_a = world["teacher_a"]
    data = teacher_form(world["school_a"], teacher_a.subject, name="张新", id_number=teacher_a.id_number,
                        title="senior")
    response = _signed_in(client, world, "school_admin").post(f"/teachers/{teacher_a.id}/edit", data=data)
    assert response.status_code == 302
    saved = db.session.get(Teacher, teacher_a.id)
    assert (saved.name, saved.title) == ("张新", "senior")


def _wrong_check_character(world):
    good = make_id_number("622921", date(1990, 5, 17), 123)
    return good[:17] + ("0" if good[17] != "0" else "1")


BAD_INPUTS = {
    "wrong check character": (lambda world: {"id_number": _wrong_check_character(world)},
                              "身份证号的校验位不正确。"),
    "impossible date": (lambda world: {"id_number": make_id_number("622921", date(1990, 5, 17), 1)[:10]
                                       + "0231" + "0011"},
                        "身份证号中的出生日期不是有效日期。"),
    "birth date disagrees": (lambda world: {"birth_date": "1990-05-18"},
                             "出生日期与身份证号不一致（身份证号中为 1990-05-17）。"),
    "duplicate in own county": (lambda world: {"id_number": world["teacher_a"].id_number},
                                "该身份证号已有教师登记。"),
    "duplicate in another county": (lambda world: {"id_number": world["teacher_b"].id_number},
                                    "该身份证号已有教师登记。"),
    "unknown school": (lambda world: {"school_id": "999999"}, "请从列表中选择学校。"),
    "school of another county": (lambda world: {"school_id": str(world["school_b"].id)},
                                 "请从列表中选择学校。"),
    "school id not a number": (lambda world: {"school_id": "abc"}, "请从列表中选择学校。"),
    "empty name": (lambda world: {"name": "  "}, "请填写教师姓名。"),
    "special-post term ends before it starts": (
        lambda world: {"employment_type": "special_post", "term_start": "2024-09-01", "term_end": "2023-09-01"},
        "服务期结束日期须晚于开始日期。"),
    "unknown employment type": (lambda world: {"employment_type": "boss"}, "请从列表中选择。"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_teacher_input_shows_a_message_and_saves_nothing(world, client, case):
    overrides, message = BAD_INPUTS[case]
    data = teacher_form(world["school_a"], world["teacher_a"].subject, **overrides(world))
    response = _signed_in(client, world, "county_officer").post("/teachers/new", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _teacher_count() == 2


def test_duplicate_message_does_not_reveal_the_other_record(world, client):
    data = teacher_form(world["school_a"], world["teacher_a"].subject, id_number=world["teacher_b"].id_number)
    page = _signed_in(client, world, "county_officer").post("/teachers/new", data=data).get_data(as_text=True)
    assert "李老师" not in page and "康乐县" not in page


def test_bad_edit_leaves_the_record_unchanged(world, client):
    teacher_a = world["teacher_a"]
    data = teacher_form(world["school_a"], teacher_a.subject, name="张新", id_number=teacher_a.id_number,
                        birth_date="2000-01-01")
    response = _signed_in(client, world, "county_officer").post(f"/teachers/{teacher_a.id}/edit", data=data)
    assert response.status_code == 200
    assert db.session.get(Teacher, teacher_a.id).name == "张老师"


def test_form_errors_are_in_english_for_english_users(world, client):
    client = _signed_in(client, world, "county_officer")
    client.post("/language/en", data={"next": "/"})
    data = teacher_form(world["school_a"], world["teacher_a"].subject, id_number=_wrong_check_character(world))
    page = client.post("/teachers/new", data=data).get_data(as_text=True)
    assert "The check character of this ID number is wrong." in page


# ---- the full ID number ------------------------------------------------------------------------------

def test_id_numbers_are_masked_in_the_list_and_on_the_detail_page(world, client):
    client = _signed_in(client, world, "county_officer")
    teacher_a = world["teacher_a"]
    for url in ("/teachers/", f"/teachers/{teacher_a.id}"):
        page = client.get(url).get_data(as_text=True)
        assert teacher_a.id_number_masked in page
        assert teacher_a.id_number not in page


def test_showing_the_full_id_number_is_audited(world, client):
    client = _signed_in(client, world, "county_officer")
    teacher_a = world["teacher_a"]
    response = client.post(f"/teachers/{teacher_a.id}/id-number")
    assert response.status_code == 200
    assert teacher_a.id_number in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "id_number_shown")).one()
    assert (event.user_id, event.object_type, event.object_id) == (
        world["users"]["county_officer"].id, "teacher", teacher_a.id)
    # The next plain view is masked again.
    assert teacher_a.id_number not in client.get(f"/teachers/{teacher_a.id}").get_data(as_text=True)


@pytest.mark.parametrize("role", ["school_admin", "inspector", "teacher"])
def test_roles_without_view_full_id_never_see_the_full_number(world, client, role):
    client = _signed_in(client, world, role)
    teacher_a = world["teacher_a"]
    page = client.get(f"/teachers/{teacher_a.id}").get_data(as_text=True)
    assert "/id-number" not in page
    response = client.post(f"/teachers/{teacher_a.id}/id-number")
    assert response.status_code == 403
    assert teacher_a.id_number not in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))
                             .where(AuditEvent.action == "id_number_shown")) == 0


def test_full_id_of_another_countys_teacher_answers_404_and_is_not_audited(world, client):
    response = _signed_in(client, world, "county_officer").post(f"/teachers/{world['teacher_b'].id}/id-number")
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))
                             .where(AuditEvent.action == "id_number_shown")) == 0


# ---- list ------------------------------------------------------------------------------------------------

def test_filters_and_search_narrow_the_list(world, client):
    school = world["school_a"]
    make_teacher(school, name="特岗甲", employment_type="special_post", term_start=date(2023, 9, 1),
                 term_end=date(2026, 8, 31))
    make_teacher(school, name="骨干乙", key_teacher_level="county")
    client = _signed_in(client, world, "prefecture_admin")
    page = client.get("/teachers/?employment_type=special_post").get_data(as_text=True)
    assert "特岗甲" in page and "张老师" not in page
    page = client.get("/teachers/?key_teacher=yes").get_data(as_text=True)
    assert "骨干乙" in page and "特岗甲" not in page
    page = client.get(f"/teachers/?county={world['county_b'].id}").get_data(as_text=True)
    assert "李老师" in page and "张老师" not in page
    page = client.get(f"/teachers/?q={world['school_b'].code}").get_data(as_text=True)
    assert "李老师" in page and "张老师" not in page


def _list_row(page: str, name: str) -> list[str]:
    """The cells of the list row of the teacher called `name`, as text."""
    row = page[page.rindex("<tr>", 0, page.index(f">{name}</a>")):]
    row = row[:row.index("</tr>")]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", "<td" + cell)).strip() for cell in row.split("<td")[1:]]


def test_a_list_row_shows_the_teachers_columns_in_the_users_language(world, client):
    school = world["school_a"]
    make_teacher(school, name="特岗丙", gender="female", employment_type="special_post", term_start=date(2023, 9, 1),
                 term_end=date(2026, 8, 31), title="senior", key_teacher_level="county", status="retired",
                 subject=make_subject("art", "美术", "Art"))
    client = _signed_in(client, world, "county_officer")
    cells = _list_row(client.get("/teachers/").get_data(as_text=True), "特岗丙")
    assert cells[2:] == ["女", school.name, world["county_a"].name, "美术", "特岗 至 2026-08-31", "副高级职称",
                         "县级骨干教师", "退休"]
    client.post("/language/en", data={"next": "/"})
    cells = _list_row(client.get("/teachers/").get_data(as_text=True), "特岗丙")
    assert cells[2:] == ["Female", school.name, world["county_a"].name, "Art", "Special-post until 2026-08-31",
                         "Senior title", "County-level key teacher", "Retired"]


def test_the_list_is_paginated(world, client, app):
    app.config["PAGE_SIZE"] = 3
    for n in range(5):
        make_teacher(world["school_a"], name=f"分页{n}")
    client = _signed_in(client, world, "county_officer")
    first = client.get("/teachers/?sort=name").get_data(as_text=True)
    second = client.get("/teachers/?sort=name&page=2").get_data(as_text=True)
    names = [f"分页{n}" for n in range(5)] + ["张老师"]
    assert sum(name in first for name in names) == 3
    assert sum(name in second for name in names) == 3
    assert "page=2" in first


def _school_options(page: str) -> list[str]:
    select = page[page.index('name="school"'):]
    return re.findall(r'<option[^>]*>([^<]*)</option>', select[:select.index("</select>")])


def test_the_school_filter_lists_a_countys_schools_once_the_county_is_chosen(world, client):
    make_school(world["county_a"], name="临夏县第二小学")
    client = _signed_in(client, world, "prefecture_admin")
    assert _school_options(client.get("/teachers/").get_data(as_text=True)) == ["全部"]
    page = client.get(f"/teachers/?county={world['county_a'].id}").get_data(as_text=True)
    assert _school_options(page) == ["全部", "临夏县第一小学", "临夏县第二小学"]
    # A link from the school list names the school alone: it is offered, chosen and applied.
    page = client.get(f"/teachers/?school={world['school_b'].id}").get_data(as_text=True)
    assert _school_options(page) == ["全部", "康乐县第一小学"]
    assert f'<option selected value="{world["school_b"].id}">' in page
    assert "李老师" in page and "张老师" not in page


def test_an_officer_gets_the_schools_of_their_own_county_without_choosing_it(world, client):
    page = _signed_in(client, world, "county_officer").get("/teachers/").get_data(as_text=True)
    assert _school_options(page) == ["全部", "临夏县第一小学"]
    page = _signed_in(client, world, "county_officer").get(
        f"/teachers/?county={world['county_b'].id}").get_data(as_text=True)
    assert "康乐县第一小学" not in page and "李老师" not in page


@pytest.mark.parametrize("sort, expected", [
    ("name", ["甲", "乙", "丙", "丁", "戊"]),
    ("school", ["丙", "丁", "甲", "乙", "戊"]),
    ("hire_date", ["乙", "甲", "戊", "丙", "丁"]),  # no hire date last
])
def test_pages_follow_the_sort_and_count_every_match(world, client, app, sort, expected):
    app.config["PAGE_SIZE"] = 2
    school_1, school_2 = make_school(world["county_a"], name="A校"), make_school(world["county_a"], name="B校")
    for name, school, hired in (("0甲", school_2, date(2011, 9, 1)), ("1乙", school_2, date(2010, 9, 1)),
                                ("2丙", school_1, date(2013, 9, 1)), ("3丁", school_1, None),
                                ("4戊", world["school_a"], date(2012, 9, 1))):
        make_teacher(school, name=name, hire_date=hired)
    client = _signed_in(client, world, "county_officer")  # also sees 张老师, hired 2010-09-01
    shown = []
    for number in (1, 2, 3, 4):
        page = client.get(f"/teachers/?sort={sort}&page={number}").get_data(as_text=True)
        shown += re.findall(r'/teachers/\d+">\d(.)</a>', page)
        if number == 1:
            assert "共 6 条" in page
    assert shown == expected


def _list_statements(client, url) -> int:
    with count_statements() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_teacher_list_sends_the_same_number_of_queries_for_5_or_40_teachers(world, client, app):
    app.config["PAGE_SIZE"] = 100
    client = _signed_in(client, world, "prefecture_admin")
    for n in range(4):
        make_teacher(make_school(world["county_a"]), subject=make_subject(f"s{n}", f"科{n}", f"S{n}"))
    few = _list_statements(client, "/teachers/")
    for n in range(35):
        make_teacher(make_school(world["county_b"]), subject=make_subject(f"t{n}", f"学{n}", f"T{n}"))
    many = _list_statements(client, "/teachers/")
    assert db.session.scalar(sa.select(sa.func.count(Teacher.id))) == 41
    assert many == few


# ---- the same ID number saved twice at once ------------------------------------------------------------

def _lose_the_race(monkeypatch, world) -> None:
    """Let another officer's request register the ID number between our check and our flush."""
    check = services._check_id_number_is_free
    other = {"name": "赵老师", "school_id": world["school_b"].id, "subject_id": world["teacher_b"].subject_id}

    def check_then_lose_the_race(value, teacher):
        check(value, teacher)  # free when checked ...
        parsed = parse_id_number(value)
        with db.engine.begin() as connection:  # ... then the other request commits it first
            connection.execute(Teacher.__table__.insert().values(
                id_number=value, gender=parsed.gender, birth_date=parsed.birth_date, **other))

    monkeypatch.setattr(services, "_check_id_number_is_free", check_then_lose_the_race)


def test_an_id_number_registered_in_parallel_gets_the_duplicate_message_and_saves_nothing(world, client,
                                                                                          monkeypatch):
    data = teacher_form(world["school_a"], world["teacher_a"].subject, name="王老师")
    _lose_the_race(monkeypatch, world)
    response = _signed_in(client, world, "county_officer").post("/teachers/new", data=data)
    assert response.status_code == 200
    assert "该身份证号已有教师登记。" in response.get_data(as_text=True)
    saved = db.session.scalars(sa.select(Teacher.name).where(Teacher.id_number == data["id_number"])).all()
    assert saved == ["赵老师"]
    assert _teacher_count() == 3


def test_an_edit_that_loses_the_race_for_an_id_number_leaves_the_record_unchanged(world, client, monkeypatch):
    teacher_a = world["teacher_a"]
    data = teacher_form(world["school_a"], teacher_a.subject, name="张新",
                        id_number=make_id_number("622921", teacher_a.birth_date, 456))
    _lose_the_race(monkeypatch, world)
    response = _signed_in(client, world, "county_officer").post(f"/teachers/{teacher_a.id}/edit", data=data)
    assert "该身份证号已有教师登记。" in response.get_data(as_text=True)
    assert db.session.get(Teacher, teacher_a.id).name == "张老师"
