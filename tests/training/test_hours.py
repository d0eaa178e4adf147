"""The hours ledger and cycle progress: completions plus evidence, by tier, within the cycle only."""
import io
import re
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from tests.conftest import login, make_teacher
from tests.training.conftest import make_programme
from trainhub.extensions import db
from trainhub.training import services
from trainhub.training.models import Enrolment, HoursRecord


def _record(teacher, tier, hours, day, source="evidence", **extra):
    db.session.add(HoursRecord(teacher_id=teacher.id, tier=tier, hours=hours, day=day, source=source,
                               title="培训", **extra))


def test_cycle_hours_are_the_sum_of_completions_and_evidence_by_tier_within_the_cycle(app, world):
    teacher = world["teacher_a"]
    _record(teacher, "national", 80, date(2021, 1, 1), "completion")
    _record(teacher, "county", 40, date(2023, 6, 1), "completion")
    _record(teacher, "school", 100, date(2025, 12, 31))
    _record(teacher, "external", 30, date(2024, 3, 1))
    _record(teacher, "provincial", 500, date(2020, 12, 31))  # previous cycle
    _record(teacher, "provincial", 60, date(2026, 1, 1))  # next cycle
    _record(world["teacher_b"], "national", 999, date(2022, 1, 1))  # someone else
    db.session.flush()
    progress = services.cycle_progress([teacher.id], services.cycle_of(2023))[teacher.id]
    assert progress.by_tier == {"national": 80, "county": 40, "school": 100, "external": 30}
    assert progress.total == 250 and progress.county_or_above == 120
    assert not progress.total_met and not progress.county_or_above_met
    following = services.cycle_progress([teacher.id], services.cycle_of(2026))[teacher.id]
    assert following.total == 60 and services.cycle_of(2026).label == "2026–2030"


def test_cycle_start_year_is_a_setting(app, world):
    app.config["TRAINING_CYCLE_START_YEAR"] = 2019
    assert (services.cycle_of(2023).start_year, services.cycle_of(2024).start_year) == (2019, 2024)


def test_teacher_without_hours_appears_with_zero_and_new_teachers_owe_induction(app, world):
    veteran = world["teacher_a"]
    newcomer = make_teacher(world["school_a"], hire_date=date(2023, 9, 1))
    _record(newcomer, "county", 50, date(2023, 10, 1), is_induction=True)
    _record(newcomer, "school", 30, date(2024, 1, 1))
    db.session.flush()
    progress = services.cycle_progress([veteran.id, newcomer.id], services.cycle_of(2024))
    assert progress[veteran.id].total == 0 and progress[veteran.id].required_induction == 0
    assert progress[newcomer.id].is_new_teacher and progress[newcomer.id].required_induction == 120
    assert progress[newcomer.id].induction_hours == 50 and not progress[newcomer.id].induction_met


def test_evidence_needs_a_note_and_is_listed_on_the_teacher_page(client, world):
    teacher = world["teacher_a"]
    login(client, world["users"]["county_officer"])
    url = f"/training/teachers/{teacher.id}/hours"
    data = {"title": "外省研修", "tier": "external", "day": "2024-05-01", "hours": "24", "note": ""}
    client.post(url, data=data)
    assert db.session.scalar(sa.select(sa.func.count(HoursRecord.id))) == 0
    client.post(url, data=data | {"note": "证书 GS-2024-88"})
    page = client.get(url + "?cycle=2024").get_data(as_text=True)
    assert "外省研修" in page and "证书 GS-2024-88" in page


def test_county_officer_cannot_open_a_teacher_of_another_county(client, world):
    login(client, world["users"]["county_officer"])
    assert client.get(f"/training/teachers/{world['teacher_b'].id}/hours").status_code == 404


def _workbook(rows, header=("身份证号", "学时", "成绩", "是否合格")) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def _seated(programme, *teachers):
    for teacher in teachers:
        db.session.add(Enrolment(programme=programme, teacher=teacher, status="enrolled"))
    programme.seats_taken = len(teachers)
    db.session.commit()


def _token(page: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', page)[1]


def _check_results(client, programme, workbook):
    return client.post(f"/training/programmes/{programme.id}/results", data={"file": (workbook, "results.xlsx")},
                       content_type="multipart/form-data")


def test_results_upload_completes_with_certificates_and_enters_hours(client, world):
    programme = make_programme(world["prefecture"], tier="prefecture", hours=40)
    _seated(programme, world["teacher_a"], world["teacher_b"])
    login(client, world["users"]["prefecture_admin"])
    workbook = _workbook([[world["teacher_a"].id_number, 40, 92, "合格"], [world["teacher_b"].id_number, 12, None, "不合格"]])
    response = _check_results(client, programme, workbook)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "2" in page
    assert db.session.scalars(sa.select(Enrolment.status)).all() == ["enrolled", "enrolled"]  # the dry run saves nothing
    response = client.post(f"/training/programmes/{programme.id}/results/confirm", data={"token": _token(page)})
    assert response.status_code == 302
    done, failed = db.session.scalars(sa.select(Enrolment).order_by(Enrolment.id)).all()
    assert done.status == "completed" and done.certificate_no == f"PX-{programme.year}-{done.id:06d}"
    assert failed.status == "failed" and failed.certificate_no is None
    ledger = db.session.scalars(sa.select(HoursRecord)).all()
    assert [(r.teacher_id, r.tier, r.hours) for r in ledger] == [(world["teacher_a"].id, "prefecture", 40)]
    certificate = client.get(f"/training/certificates/{done.id}").get_data(as_text=True)
    assert done.certificate_no in certificate and programme.title in certificate


def test_results_upload_with_a_bad_row_saves_nothing_and_lists_row_column_reason(client, world):
    programme = make_programme(world["prefecture"], hours=40)
    _seated(programme, world["teacher_a"])
    login(client, world["users"]["prefecture_admin"])
    workbook = _workbook([[world["teacher_a"].id_number, 40, 90, "合格"], ["11010519491231002X", 40, 90, "合格"],
                          ["123", 40, 90, "合格"], [world["teacher_a"].id_number, 99, 90, "合格"],
                          [world["teacher_b"].id_number, 10, 120, "也许"]])
    response = _check_results(client, programme, workbook)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("<td>身份证号</td>") == 4  # not in the programme, bad ID, duplicate row, not in the programme
    for row, column in [(5, "学时"), (6, "成绩"), (6, "是否合格")]:
        assert f"<td>{row}</td><td>{column}</td>" in page
    assert 'name="token"' not in page
    assert db.session.scalars(sa.select(Enrolment)).one().status == "enrolled"
    assert db.session.scalar(sa.select(sa.func.count(HoursRecord.id))) == 0


def test_a_results_file_checked_for_one_programme_cannot_be_imported_into_another(client, world):
    programme, other = make_programme(world["prefecture"]), make_programme(world["prefecture"])
    _seated(programme, world["teacher_a"])
    login(client, world["users"]["prefecture_admin"])
    page = _check_results(client, programme, _workbook([[world["teacher_a"].id_number, 40, 90, "合格"]]))
    token = _token(page.get_data(as_text=True))
    response = client.post(f"/training/programmes/{other.id}/results/confirm", data={"token": token})
    assert response.status_code == 302 and db.session.scalars(sa.select(Enrolment)).one().status == "enrolled"


def _formula_workbook() -> io.BytesIO:
    book = Workbook()
    book.active.append(["身份证号", "学时", "成绩", "是否合格"])
    book.active.append(["110105194912310021", "=10*4", 90, "合格"])
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def _bomb_workbook() -> io.BytesIO:
    stream = _workbook([["110105194912310021", 40, 90, "合格"]])
    with zipfile.ZipFile(stream, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (20 * 1024 * 1024))  # 20 MB packed into ~20 kB
    stream.seek(0)
    return stream


@pytest.mark.parametrize("upload, reason", [
    (lambda: io.BytesIO(b"not a zip"), ".xlsx"),
    (lambda: io.BytesIO("身份证号,学时\n1,2\n".encode()), ".xlsx"),
    (_formula_workbook, "B2"),
    (_bomb_workbook, "炸弹"),
], ids=["bytes", "csv", "formula", "zip-bomb"])
def test_results_upload_of_a_non_workbook_or_hostile_file_is_refused(client, world, upload, reason):
    programme = make_programme(world["prefecture"])
    _seated(programme, world["teacher_a"])
    login(client, world["users"]["prefecture_admin"])
    response = _check_results(client, programme, upload())
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)
    assert db.session.scalars(sa.select(Enrolment)).one().status == "enrolled"


def test_results_template_has_the_columns_the_upload_reads(client, world):
    programme = make_programme(world["prefecture"])
    _seated(programme, world["teacher_a"])
    login(client, world["users"]["prefecture_admin"])
    response = client.get(f"/training/programmes/{programme.id}/results/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == ["*身份证号\nID number", "*学时\nHours", "成绩\nScore",
                                                 "*是否合格\nPass or fail"]
    assert sheet.freeze_panes == "A2"
    sheet.append([world["teacher_a"].id_number, 40, None, "合格"])
    stream = io.BytesIO()
    sheet.parent.save(stream)
    stream.seek(0)
    page = _check_results(client, programme, stream).get_data(as_text=True)
    assert 'name="token"' in page


def test_attendance_grid_records_hours_and_marks_attended(client, world):
    programme = make_programme(world["prefecture"])
    _seated(programme, world["teacher_a"], world["teacher_b"])
    first, second = db.session.scalars(sa.select(Enrolment).order_by(Enrolment.id)).all()
    session_id = programme.sessions[0].id
    login(client, world["users"]["prefecture_admin"])
    client.post(f"/training/sessions/{session_id}/attendance", data={"present": [str(first.id)]})
    db.session.expire_all()
    assert (first.status, first.hours_attended) == ("attended", 8)
    assert (second.status, second.hours_attended) == ("enrolled", 0)
