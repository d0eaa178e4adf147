"""The dashboard: grouped counts within the user's area; a teacher's own summary; languages; menu."""
import re

from tests.conftest import login, make_school, make_teacher


def _numbers(page: str, label: str) -> list[str]:
    """Return the cells of the table row that starts with `label`."""
    row = re.search(rf"<tr><td>{re.escape(label)}</td>(.*?)</tr>", page, re.S)
    return re.findall(r"<td[^>]*>([\d,]+)</td>", row.group(1)) if row else []


def test_prefecture_admin_sees_counts_by_county_and_type(world, client):
    make_school(world["county_a"], is_small_rural=True, stages={"primary": (40, 3)})
    make_teacher(world["school_b"], employment_type="special_post")
    login(client, world["users"]["prefecture_admin"])
    page = client.get("/").get_data(as_text=True)
    assert _numbers(page, "临夏县") == ["2", "1", "340"]
    assert _numbers(page, "康乐县") == ["1", "2", "300"]
    assert _numbers(page, "乡村小规模学校") == ["1"]
    assert _numbers(page, "特岗") == ["1"]
    assert _numbers(page, "在编") == ["2"]


def test_county_officer_sees_only_their_county_in_the_numbers(world, client):
    login(client, world["users"]["county_officer"])
    page = client.get("/").get_data(as_text=True)
    assert _numbers(page, "临夏县") == ["1", "1", "300"]
    assert "康乐县" not in page


def test_inspector_sees_the_numbers_read_only(world, client):
    login(client, world["users"]["inspector"])
    page = client.get("/").get_data(as_text=True)
    assert _numbers(page, "康乐县") == ["1", "1", "300"]
    assert "/schools/new" not in page and "/teachers/new" not in page


def test_teacher_sees_their_own_profile_summary(world, client):
    login(client, world["users"]["teacher"])
    page = client.get("/").get_data(as_text=True)
    assert "我的档案" in page and "张老师" in page
    assert world["teacher_a"].id_number_masked in page
    assert world["teacher_a"].id_number not in page
    assert "康乐县" not in page


def test_menu_shows_what_the_role_can_use(world, client):
    login(client, world["users"]["teacher"])
    page = client.get("/").get_data(as_text=True)
    assert 'href="/schools/"' not in page
    other = client.application.test_client()
    login(other, world["users"]["county_officer"])
    page = other.get("/").get_data(as_text=True)
    assert 'href="/schools/"' in page and 'href="/teachers/"' in page


def test_pages_are_chinese_by_default_and_english_after_switching(world, client):
    login(client, world["users"]["county_officer"])
    page = client.get("/teachers/").get_data(as_text=True)
    assert "身份证号" in page and "用工类型" in page
    response = client.post("/language/en", data={"next": "/teachers/"})
    assert response.headers["Location"].endswith("/teachers/")
    page = client.get("/teachers/").get_data(as_text=True)
    assert 'lang="en"' in page
    for label in ("Teachers", "ID number", "Employment type", "Regular", "Sign out"):
        assert label in page
    assert "身份证号" not in page


def test_error_pages_are_translated(world, client):
    login(client, world["users"]["county_officer"])
    page = client.get(f"/teachers/{world['teacher_b'].id}").get_data(as_text=True)
    assert "未找到" in page
    client.post("/language/en", data={"next": "/"})
    page = client.get(f"/teachers/{world['teacher_b'].id}").get_data(as_text=True)
    assert "Not found" in page
    assert client.get("/schools/new").status_code == 200
    inspector = client.application.test_client()
    login(inspector, world["users"]["inspector"])
    assert "无权操作" in inspector.get("/schools/new").get_data(as_text=True)


def test_language_switch_ignores_unknown_languages_and_foreign_redirects(world, client):
    response = client.post("/language/xx", data={"next": "//evil.example/"})
    assert "evil.example" not in response.headers["Location"]
    assert 'lang="zh-CN"' in client.get("/login").get_data(as_text=True)
