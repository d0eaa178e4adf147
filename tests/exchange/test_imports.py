"""Registry imports: the dry run names every problem; the import writes all rows or none."""
import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.conftest import login, make_school, make_subject, make_teacher, make_user
from tests.exchange.helpers import TEACHER_HEADER, teacher_file, xlsx
from trainhub import vocab
from trainhub.accounts.models import AuditEvent
from trainhub.exchange.formats import label_in
from trainhub.exchange.imports import check_teachers
from trainhub.extensions import db
from trainhub.idnumber import make as make_id
from trainhub.schools.models import School, SchoolStage
from trainhub.scoping import set_scope
from trainhub.security import scope_for
from trainhub.spreadsheets import read_rows
from trainhub.exchange.formats import teacher_columns
from trainhub.teachers.models import Teacher


@pytest.fixture
def imports_app(app, tmp_path):
    app.config["IMPORT_FOLDER"] = str(tmp_path / "imports")
    return app


def _id(n: int, birth=date(1990, 5, 12)) -> str:
    return make_id("622921", birth, n)


def _teacher_count() -> int:
    set_scope(db.session, None)
    return db.session.scalar(sa.select(sa.func.count(Teacher.id)))


def _upload(client, kind, data, filename="upload.xlsx"):
    return client.post(f"/imports/{kind}", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _token(page: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', page)[1]


def test_dry_run_reports_row_column_and_reason_for_each_bad_case(imports_app, world):
    school_a, school_b = world["school_a"].code, world["school_b"].code
    special_post_en = label_in("en", vocab.EMPLOYMENT_TYPES["special_post"])
    make_subject("english", "英语", "English")
    good = _id(1)
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    rows = [
        ["王一", good, "1990-05-12", school_a, "数学", None, None],                            # 2: fine
        ["王二", wrong_check, None, school_a, "数学", None, None],                            # 3
        ["王三", _id(3), "1990-05-13", school_a, "数学", None, None],                          # 4
        ["王四", good, None, school_a, "数学", None, None],                                   # 5
        ["王五", world["teacher_b"].id_number, None, school_a, "数学", None, None],            # 6
        ["王六", _id(6), None, "NOSUCHSCHOOL", "数学", None, None],                           # 7
        ["王七", _id(7), None, school_b, "数学", None, None],                                 # 8
        ["王八", _id(8), None, school_a, "天文学", None, None],                                # 9
        ["王九", _id(9), None, school_a, "English", special_post_en, None],                   # 10: fine
        ["王十", _id(10), None, school_a, "math", "临时工", None],                              # 11
        ["赵一", _id(11), "1990-02-30", school_a, "数学", None, None],                         # 12
    ]
    with imports_app.test_request_context():
        set_scope(db.session, scope_for(world["users"]["county_officer"]))
        batch = check_teachers(read_rows(teacher_file(rows), teacher_columns(), max_rows=100, max_bytes=10**6))
    found = [(problem.row, problem.column) for problem in batch.problems]
    assert found == [(3, "身份证号"), (4, "出生日期"), (5, "身份证号"), (6, "身份证号"), (7, "学校代码"),
                     (8, "学校代码"), (9, "主教学科"), (11, "用工类型"), (12, "出生日期")]
    reasons = {problem.row: problem.reason for problem in batch.problems}
    assert "1990-05-12" in reasons[4]  # the birth date the ID number gives
    assert "2" in reasons[5]  # the row holding the same ID number
    assert world["teacher_b"].school.name not in reasons[6]  # "already registered", nothing more
    assert "NOSUCHSCHOOL" in reasons[7] and school_b in reasons[8]
    assert reasons[7] != reasons[8].replace(school_b, "NOSUCHSCHOOL")  # unknown vs outside the unit
    assert "天文学" in reasons[9] and "临时工" in reasons[11] and "1990-02-30" in reasons[12]
    assert not batch.ready


def test_one_bad_row_writes_nothing_and_the_corrected_file_imports_completely(imports_app, client, world):
    officer = world["users"]["county_officer"]
    school = world["school_a"].code
    rows = [[f"教师{n}", _id(100 + n), None, school, "数学", None, None] for n in range(5)]
    rows[3][1] = rows[3][1][:-1] + ("0" if rows[3][1][-1] != "0" else "1")  # row 5: a wrong check character
    before = _teacher_count()
    login(client, officer)

    page = _upload(client, "teachers", teacher_file(rows)).get_data(as_text=True)
    assert '<td>5</td><td>身份证号</td>' in page
    assert 'name="token"' not in page  # nothing to confirm
    assert _teacher_count() == before

    rows[3][1] = _id(103)
    page = _upload(client, "teachers", teacher_file(rows)).get_data(as_text=True)
    assert "5" in page and 'name="token"' in page
    assert _teacher_count() == before  # the dry run writes nothing
    response = client.post("/imports/teachers/confirm", data={"token": _token(page)})
    assert response.status_code == 302
    assert _teacher_count() == before + 5
    imported = db.session.scalars(sa.select(Teacher).where(Teacher.id_number == _id(103))).one()
    assert imported.birth_date == date(1990, 5, 12) and imported.school_id == world["school_a"].id
    assert db.session.scalar(sa.select(AuditEvent.detail).where(AuditEvent.action == "import_teachers")).startswith("5 ")


def test_the_kept_file_is_bound_to_its_user(imports_app, client, app, world):
    rows = [["教师", _id(200), None, world["school_a"].code, "数学", None, None]]
    login(client, world["users"]["county_officer"])
    token = _token(_upload(client, "teachers", teacher_file(rows)).get_data(as_text=True))
    other = app.test_client()
    login(other, world["users"]["prefecture_admin"])
    before = _teacher_count()
    response = other.post("/imports/teachers/confirm", data={"token": token})
    assert response.status_code == 302 and _teacher_count() == before
    assert client.post("/imports/teachers/confirm", data={"token": "../../etc/passwd"}).status_code == 302
    assert _teacher_count() == before


def test_a_school_administrator_imports_only_into_their_own_school(imports_app, client, world):
    other_school_same_county = make_school(world["county_a"])
    db.session.commit()
    rows = [["甲", _id(300), None, world["school_a"].code, "数学", None, None],
            ["乙", _id(301), None, other_school_same_county.code, "数学", None, None]]
    login(client, world["users"]["school_admin"])
    page = _upload(client, "teachers", teacher_file(rows)).get_data(as_text=True)
    assert "<td>3</td><td>学校代码</td>" in page
    assert "<td>2</td>" not in page


def test_refused_files_show_the_reason_on_the_form(imports_app, client, world):
    login(client, world["users"]["county_officer"])
    response = _upload(client, "teachers", "姓名,身份证号\n".encode(), filename="teachers.xlsx")
    assert response.status_code == 400
    assert "xlsx" in response.get_data(as_text=True)
    response = client.post("/imports/teachers", data={}, content_type="multipart/form-data")
    assert response.status_code == 400


def test_roles_without_the_capability_cannot_import(imports_app, client, world):
    login(client, world["users"]["school_admin"])
    assert client.get("/imports/schools/template.xlsx").status_code == 403  # schools need edit_schools
    client.post("/logout")
    login(client, world["users"]["inspector"])
    assert client.get("/imports/").status_code == 403


def test_teacher_template_downloads_with_bilingual_headers(imports_app, client, world):
    login(client, world["users"]["county_officer"])
    response = client.get("/imports/teachers/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert sheet["A1"].value == "*姓名\nName"
    assert sheet["B1"].value == "*身份证号\nID number"


SCHOOL_HEADER = ["学校代码", "学校名称", "所属县区", "城乡类别", "小学在校生数", "小学班数", "初中在校生数", "初中班数", "纬度"]


def test_school_import_checks_ranges_and_units_then_inserts_schools_with_stages(imports_app, client, world):
    rural = label_in("zh_CN", vocab.LOCALITIES["rural"])
    rows = [
        ["2162290001", "新建小学", "622921", rural, 120, 6, None, None, 35.5],   # 2: fine
        ["2162290002", "超大小学", "622921", rural, 120000, 6, None, None, None],  # 3: too many students
        ["2162290003", "外县小学", "康乐县", rural, 100, 4, None, None, None],     # 4: county outside the unit
        ["2162290004", "无班小学", "临夏县", rural, 100, 0, None, None, None],      # 5: students but no class
        [world["school_b"].code, "重号小学", "622921", rural, 10, 1, None, None, None],  # 6: code taken elsewhere
        ["2162290006", "北极小学", "622921", rural, 10, 1, None, None, 95],        # 7: latitude out of range
        ["2162290007", "无学段", "622921", rural, None, None, None, None, None],   # 8: no stage at all
    ]
    login(client, world["users"]["county_officer"])
    page = _upload(client, "schools", xlsx([SCHOOL_HEADER, *rows])).get_data(as_text=True)
    for row, column in [(3, "小学在校生数"), (4, "所属县区"), (5, "小学班数"), (6, "学校代码"), (7, "纬度")]:
        assert f"<td>{row}</td><td>{column}</td>" in page
    assert "<td>8</td><td></td>" in page

    page = _upload(client, "schools", xlsx([SCHOOL_HEADER, rows[0],
                                            ["2162290008", "初级中学", "临夏县", "rural", None, None, 500, 10, None]]))
    page = page.get_data(as_text=True)
    assert client.post("/imports/schools/confirm", data={"token": _token(page)}).status_code == 302
    set_scope(db.session, None)
    school = db.session.scalars(sa.select(School).where(School.code == "2162290008")).one()
    assert school.county_id == world["county_a"].id and school.locality == "rural"
    assert [(row.stage, row.students, row.classes) for row in school.stages] == [("junior", 500, 10)]
    assert db.session.scalar(sa.select(sa.func.count(SchoolStage.id)).join(School)
                             .where(School.code.in_(["2162290001", "2162290008"]))) == 2


def test_other_subjects_and_certificate_stages_are_imported(imports_app, client, world):
    make_subject("science", "科学", "Science")
    db.session.commit()
    header = [*TEACHER_HEADER, "兼教学科", "教师资格学段", "是否班主任"]
    primary, junior = (label_in("zh_CN", vocab.STAGES[code]) for code in ("primary", "junior"))
    rows = [["甲", _id(400), None, world["school_a"].code, "数学", None, None, "科学、Mathematics", f"{primary}、{junior}", "是"]]
    login(client, world["users"]["county_officer"])
    page = _upload(client, "teachers", xlsx([header, *rows])).get_data(as_text=True)
    client.post("/imports/teachers/confirm", data={"token": _token(page)})
    set_scope(db.session, None)
    teacher = db.session.scalars(sa.select(Teacher).where(Teacher.id_number == _id(400))).one()
    assert [subject.code for subject in teacher.other_subjects] == ["science"]  # the main subject is not repeated
    assert teacher.certificate_stages == ["primary", "junior"] and teacher.is_homeroom_teacher
