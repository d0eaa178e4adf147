"""Past or external training hours from Excel: every bad row named, all rows or none, only one's own teachers."""
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.conftest import login
from tests.exchange.helpers import xlsx
from tests.training.conftest import make_programme
from trainhub.accounts.models import AuditEvent
from trainhub.extensions import db
from trainhub.scoping import set_scope
from trainhub.training.models import Enrolment, HoursRecord

HEADER = ["身份证号", "姓名", "完成日期", "学时", "培训级别", "培训名称", "证明材料", "项目代码"]


@pytest.fixture
def imports_app(app, tmp_path):
    app.config["IMPORT_FOLDER"] = str(tmp_path / "imports")
    return app


def _ledger_count() -> int:
    set_scope(db.session, None)
    return db.session.scalar(sa.select(sa.func.count(HoursRecord.id)))


def _upload(client, rows):
    return client.post("/imports/completions", data={"file": (io.BytesIO(xlsx([HEADER, *rows])), "hours.xlsx")},
                       content_type="multipart/form-data")


def _token(page: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', page)[1]


def _good_row(teacher, **changes) -> list:
    row = {"id": teacher.id_number, "name": teacher.name, "day": "2023-07-15", "hours": 24, "tier": "县培",
           "title": "县级骨干教师研修", "note": "证书 LX-2023-17", "programme": None} | changes
    return list(row.values())


def test_the_dry_run_names_every_bad_row_and_column(imports_app, client, world):
    teacher, other_county = world["teacher_a"], world["teacher_b"]
    db.session.add(HoursRecord(teacher_id=teacher.id, tier="county", hours=12, day=date(2022, 3, 1),
                               source="evidence", title="已录入的研修"))
    db.session.commit()
    wrong_check = teacher.id_number[:17] + ("0" if teacher.id_number[17] != "0" else "1")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    rows = [
        _good_row(teacher),                                                   # 2: fine
        _good_row(teacher, id=wrong_check),                                   # 3: check character
        _good_row(other_county),                                              # 4: outside the county
        _good_row(teacher, day=tomorrow, title="明天的培训"),                   # 5: in the future
        _good_row(teacher, hours=2000, title="太长的培训"),                     # 6: out of range
        _good_row(teacher, tier="星际培训", title="未知级别"),                   # 7: unknown tier
        _good_row(teacher, note=None, title="没有证明"),                        # 8: no evidence
        _good_row(teacher),                                                   # 9: same as row 2
        _good_row(teacher, day="2022-03-01", title="已录入的研修"),              # 10: already in the ledger
        _good_row(teacher, programme="NOSUCH", title="某项目"),                 # 11: unknown programme
        _good_row(teacher, name="李四", title="换了名字"),                        # 12: another name
        _good_row(teacher, day="2023-02-30", title="坏日期"),                   # 13: not a date
    ]
    login(client, world["users"]["county_officer"])
    before = _ledger_count()
    page = _upload(client, rows).get_data(as_text=True)
    for row, column in [(3, "身份证号"), (4, "身份证号"), (5, "完成日期"), (6, "学时"), (7, "培训级别"),
                        (8, "证明材料"), (9, ""), (10, ""), (11, "项目代码"), (12, "姓名"), (13, "完成日期")]:
        assert f"<td>{row}</td><td>{column}</td>" in page, (row, column)
    assert "<td>2</td>" not in page
    assert "张老师" in page and other_county.name not in page  # the user's own teacher, nothing of the other county
    assert 'name="token"' not in page and _ledger_count() == before


def test_one_bad_row_writes_nothing_and_the_corrected_file_imports(imports_app, client, world):
    teacher = world["teacher_a"]
    rows = [_good_row(teacher, title=f"研修{n}", day=f"2023-0{n}-01") for n in range(1, 5)]
    rows[2][3] = 0  # row 4: no hours
    login(client, world["users"]["county_officer"])
    before = _ledger_count()
    page = _upload(client, rows).get_data(as_text=True)
    assert "<td>4</td><td>学时</td>" in page and 'name="token"' not in page
    assert _ledger_count() == before

    rows[2][3] = 6
    page = _upload(client, rows).get_data(as_text=True)
    assert _ledger_count() == before  # the dry run writes nothing
    response = client.post("/imports/completions/confirm", data={"token": _token(page)})
    assert response.status_code == 302
    assert _ledger_count() == before + 4
    third = db.session.scalars(sa.select(HoursRecord).where(HoursRecord.title == "研修3")).one()
    assert (third.teacher_id, third.tier, third.hours, third.day, third.source) == (
        teacher.id, "county", 6, date(2023, 3, 1), "evidence")
    assert third.created_by_id == world["users"]["county_officer"].id
    assert db.session.scalar(sa.select(AuditEvent.detail).where(AuditEvent.action == "import_completions")).startswith("4 ")
    # The same file again: every row is already in the ledger.
    page = _upload(client, rows).get_data(as_text=True)
    assert page.count("<td></td>") >= 4 and 'name="token"' not in page


def test_a_programme_code_gives_tier_and_title_and_is_not_entered_twice(imports_app, client, world):
    teacher = world["teacher_a"]
    programme = make_programme(world["prefecture"], tier="prefecture", hours=40, code="LX2023-01",
                               title="州级班主任培训", target_roles=["new_teacher"])
    completed = make_programme(world["prefecture"], code="LX2023-02")
    enrolment = Enrolment(programme=completed, teacher=teacher, status="completed")
    db.session.add(enrolment)
    db.session.flush()
    db.session.add(HoursRecord(teacher_id=teacher.id, enrolment_id=enrolment.id, tier="prefecture", hours=40,
                               day=completed.end_date, source="completion", title=completed.title))
    db.session.commit()
    rows = [_good_row(teacher, tier=None, title=None, note=None, programme="lx2023-01"),
            _good_row(teacher, tier=None, title=None, note=None, programme="LX2023-02")]
    login(client, world["users"]["county_officer"])
    page = _upload(client, rows).get_data(as_text=True)
    assert "<td>3</td><td>项目代码</td>" in page and "<td>2</td>" not in page

    page = _upload(client, rows[:1]).get_data(as_text=True)
    client.post("/imports/completions/confirm", data={"token": _token(page)})
    record = db.session.scalars(sa.select(HoursRecord).where(HoursRecord.title == "州级班主任培训")).one()
    assert (record.tier, record.note, record.is_induction) == ("prefecture", "LX2023-01", True)


def test_a_school_administrator_enters_hours_only_for_their_school(imports_app, client, world):
    from tests.conftest import make_school, make_teacher

    colleague = make_teacher(make_school(world["county_a"]))
    db.session.commit()
    login(client, world["users"]["school_admin"])
    page = _upload(client, [_good_row(world["teacher_a"]), _good_row(colleague)]).get_data(as_text=True)
    assert "<td>3</td><td>身份证号</td>" in page and "<td>2</td>" not in page


def test_roles_that_cannot_enter_evidence_cannot_import_hours(imports_app, client, world):
    login(client, world["users"]["inspector"])
    assert client.get("/imports/completions/template.xlsx").status_code == 403
    assert _upload(client, [_good_row(world["teacher_a"])]).status_code == 403


def test_the_completions_template_reads_back(imports_app, client, world):
    login(client, world["users"]["county_officer"])
    response = client.get("/imports/completions/template.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook.worksheets[0]
    assert sheet["A1"].value == "*身份证号\nID number" and sheet.freeze_panes == "A2"
    headers = [cell.value for cell in sheet[1]]
    row = dict.fromkeys(headers)
    row[headers[0]], row[headers[2]], row[headers[3]] = world["teacher_a"].id_number, "2023-05-04", 8
    row[headers[4]], row[headers[5]], row[headers[6]] = "External or other", "网络研修", "结业证书"
    sheet.append(list(row.values()))
    buffer = io.BytesIO()
    workbook.save(buffer)
    page = client.post("/imports/completions", data={"file": (io.BytesIO(buffer.getvalue()), "t.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert 'name="token"' in page, page
