"""Registry exports: Chinese headers, masked ID numbers, full IDs only for roles allowed, audited."""
import csv
import io
import shutil
import subprocess

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.conftest import login, make_teacher
from trainhub.accounts.models import AuditEvent
from trainhub.extensions import db


def _sheet(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return [list(row) for row in load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True)]


def _audits(action="export_full_ids"):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def test_teacher_export_has_chinese_headers_masked_ids_and_only_the_users_unit(client, world):
    login(client, world["users"]["county_officer"])
    rows = _sheet(client.get("/exports/teachers.xlsx"))
    assert rows[0][:3] == ["姓名", "身份证号", "性别"]
    names = [row[0] for row in rows[1:]]
    assert names == ["张老师"]  # not 李老师 of the other county
    assert rows[1][1] == world["teacher_a"].id_number_masked
    assert world["teacher_a"].id_number not in str(rows)
    assert _audits() == []


def test_teacher_export_applies_the_list_filters(client, world):
    make_teacher(world["school_a"], name="特岗老师", employment_type="special_post")
    db.session.commit()
    login(client, world["users"]["prefecture_admin"])
    everyone = _sheet(client.get("/exports/teachers.xlsx"))
    assert sorted(row[0] for row in everyone[1:]) == sorted(["张老师", "李老师", "特岗老师"])
    only_b = _sheet(client.get(f"/exports/teachers.xlsx?county={world['county_b'].id}"))
    assert [row[0] for row in only_b[1:]] == ["李老师"]
    special = _sheet(client.get("/exports/teachers.xlsx?employment_type=special_post"))
    assert [row[0] for row in special[1:]] == ["特岗老师"]
    assert client.get("/exports/teachers.xlsx?county=abc&employment_type=x").status_code == 200


def test_csv_export_is_utf8_with_bom_and_masked(client, world):
    login(client, world["users"]["county_officer"])
    response = client.get("/exports/teachers.csv")
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[1][0] == "张老师" and rows[1][1] == world["teacher_a"].id_number_masked


def test_full_id_export_is_audited_for_roles_that_may_see_full_ids(client, world):
    login(client, world["users"]["county_officer"])
    rows = _sheet(client.post("/exports/teachers", data={"format": "xlsx", "full_ids": "y"}))
    assert rows[1][1] == world["teacher_a"].id_number
    audits = _audits()
    assert len(audits) == 1 and audits[0].user_id == world["users"]["county_officer"].id
    assert "1 rows" in audits[0].detail


def test_full_id_export_is_refused_for_roles_without_view_full_id_and_writes_nothing(client, world):
    login(client, world["users"]["school_admin"])
    response = client.post("/exports/teachers", data={"format": "csv", "full_ids": "y"})
    assert response.status_code == 403
    assert "ID" in response.get_data(as_text=True) or "身份证" in response.get_data(as_text=True)
    assert world["teacher_a"].id_number not in response.get_data(as_text=True)
    assert _audits() == []
    masked = client.post("/exports/teachers", data={"format": "csv"})
    assert world["teacher_a"].id_number_masked in masked.data.decode("utf-8-sig")


def test_school_export_lists_the_users_schools_with_stage_counts(client, world):
    login(client, world["users"]["county_officer"])
    rows = _sheet(client.get("/exports/schools.xlsx"))
    assert [row[1] for row in rows[1:]] == ["临夏县第一小学"]
    assert rows[0][0] == "学校代码"
    assert 300 in rows[1] and 8 in rows[1]  # primary students and classes
    assert rows[1][-3] == 1  # one active teacher


def test_export_page_offers_full_ids_only_to_roles_that_may_see_them(client, world):
    login(client, world["users"]["county_officer"])
    assert 'name="full_ids"' in client.get("/exports/").get_data(as_text=True)
    client.post("/logout")
    login(client, world["users"]["school_admin"])
    assert 'name="full_ids"' not in client.get("/exports/").get_data(as_text=True)


@pytest.mark.skipif(not (shutil.which("libreoffice") or shutil.which("soffice")), reason="LibreOffice is not installed")
def test_chinese_survives_a_spreadsheet_program_reading_the_export(client, world, tmp_path):
    login(client, world["users"]["county_officer"])
    source = tmp_path / "teachers.xlsx"
    source.write_bytes(client.get("/exports/teachers.xlsx").data)
    program = shutil.which("libreoffice") or shutil.which("soffice")
    # Filter options: comma separator, double quotes, UTF-8 (76), first line as is.
    subprocess.run([program, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(tmp_path),
                    str(source)], check=True, timeout=120, capture_output=True)
    assert "张老师" in (tmp_path / "teachers.csv").read_text(encoding="utf-8")
