"""Report pages, exports, the API and the command: access, notices for bad parameters, file formats."""
import io
import re

import pytest
from openpyxl import load_workbook

from tests.conftest import login, make_teacher
from tests.reports.conftest import YEAR, add_hours
from trainhub import charts
from trainhub.api.models import ApiToken
from trainhub.extensions import db

PAGES = ("/reports/", "/reports/quota-completion", "/reports/programme-seats", "/reports/hours-compliance",
         "/reports/staffing")


@pytest.mark.parametrize("role", ["inspector", "county_officer", "school_admin", "prefecture_admin"])
def test_every_report_page_renders_for_the_unit_roles(client, completions, role):
    login(client, completions["users"][role])
    for page in PAGES:
        response = client.get(page + f"?year={YEAR}")
        assert response.status_code == 200, page
        assert 'style="' not in response.get_data(as_text=True)


def test_teachers_may_not_see_reports(client, completions):
    login(client, completions["users"]["teacher"])
    assert client.get("/reports/quota-completion").status_code == 403


def test_page_is_in_chinese_with_a_chart(client, completions):
    login(client, completions["users"]["inspector"])
    html = client.get(f"/reports/quota-completion?year={YEAR}").get_data(as_text=True)
    assert "培训名额完成情况" in html and "<svg" in html and "<title" in html and "<desc" in html
    assert "临夏县" in html and "50.0%" in html  # county_a: 2 persons of a target of 4


def test_bad_year_and_tier_are_ignored_with_a_notice(client, completions):
    login(client, completions["users"]["inspector"])
    response = client.get("/reports/quota-completion?year=abc&tier=galactic&unit=999999")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "abc" in html and "galactic" in html and "999999" in html
    assert client.get("/reports/staffing?year=99999&run=x").status_code == 200
    assert client.get("/reports/programme-seats.xlsx").status_code == 400  # no programme chosen


def test_a_county_officer_cannot_reach_the_other_county(client, completions):
    login(client, completions["users"]["county_officer"])  # county_a
    html = client.get(f"/reports/quota-completion?year={YEAR}&unit=622922").get_data(as_text=True)
    assert "622922" in html and "康乐县第一小学" not in html  # a notice, and county_a's schools instead
    assert "临夏县第一小学" in html
    data = client.get(f"/reports/quota-completion.csv?year={YEAR}&unit=622922").get_data().decode("utf-8-sig")
    assert "康乐县第一小学" not in data and "临夏县第一小学" in data


def test_xlsx_export_has_chinese_headers_and_a_frozen_header_row(client, completions):
    login(client, completions["users"]["inspector"])
    response = client.get(f"/reports/quota-completion.xlsx?year={YEAR}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "单位" and sheet["E1"].value == "已培训人数"
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["临夏县"][4:6] == (2, 3)
    assert sheet.column_dimensions["A"].width >= 8


def test_csv_export_neutralises_formulas(client, world):
    make_teacher(world["school_a"], name="=HYPERLINK(1)")
    db.session.commit()
    login(client, world["users"]["inspector"])
    text = client.get("/reports/hours-behind.csv?year=2023").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "\n=HYPERLINK" not in text


def test_api_report_endpoint(client, completions):
    _token, secret = ApiToken.issue(completions["users"]["inspector"], "reports")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    body = client.get(f"/api/v1/reports/quota-completion?year={YEAR}", headers=headers).get_json()
    items = {item["name"]: item for item in body["items"]}
    assert items["临夏县"]["persons"] == 2 and items["临夏县"]["completion_rate"] == 50.0
    bad = client.get("/api/v1/reports/quota-completion?tier=galactic", headers=headers)
    assert bad.status_code == 400 and "galactic" in bad.get_json()["error"]["message"]
    assert client.get("/api/v1/reports/nothing", headers=headers).status_code == 404
    assert client.get("/api/v1/reports/quota-completion").status_code == 401


def test_report_command_writes_the_unit_subtree_only(app, completions, tmp_path):
    out = tmp_path / "q.xlsx"
    result = app.test_cli_runner().invoke(args=["report", "quota-completion", "--unit", "622921", "--year",
                                                str(YEAR), "--out", str(out)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "临夏县第一小学" in names and "康乐县第一小学" not in names
    refused = app.test_cli_runner().invoke(args=["report", "quota-completion", "--unit", "622921", "--tier", "x",
                                                 "--out", str(out)])
    assert refused.exit_code != 0 and "x" in refused.output


def test_charts_are_accessible_svg_without_style_attributes():
    svg = str(charts.progress_bars([("临夏县", 2, 4), ("康乐县", 5, None)], "完成情况", ""))
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg and "临夏县 2 / 4 (50%)" in svg
    assert "style=" not in svg
    stacked = str(charts.stacked_bars([("<b>", (1, 3))], ["A", "B"], "t", as_share=True))
    assert "&lt;b&gt;" in stacked and "25%" in stacked and "75%" in stacked
    assert re.search(r'width="0\.0"', str(charts.bar_chart([("a", 0)], "t")))


def test_hours_behind_lists_a_teacher_with_a_link(client, world):
    add_hours(world["teacher_a"], "school", 10, __import__("datetime").date(2023, 3, 1))
    db.session.commit()
    login(client, world["users"]["prefecture_admin"])
    html = client.get("/reports/hours-compliance?year=2023").get_data(as_text=True)
    assert "张老师" in html and f"/training/teachers/{world['teacher_a'].id}/hours" in html
