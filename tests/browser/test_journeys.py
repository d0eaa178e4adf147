"""Journeys through the small demo in Chromium, one per role, with screenshots in test-artifacts/browser/.

They run in file order on one demo database: the teacher applies, the school administrator
nominates, the county officer approves and allocates, the inspector exports.
"""
import io
import re
import time
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.staffing.conftest import applicant_row, workbook_bytes

pytestmark = pytest.mark.browser
NEXT_YEAR = date.today().year + 1


def test_teacher_applies_for_a_programme(journey):
    teacher = journey("teacher")
    teacher.sign_in("teacher")
    teacher.shot("dashboard")
    teacher.goto("/training/my")
    teacher.shot("my-training")
    apply_buttons = teacher.page.locator("form[action$='/apply'] button[type=submit]")
    assert apply_buttons.count() > 0, "no programme open to the demo teacher"
    apply_buttons.first.click()
    teacher.page.wait_for_load_state()
    teacher.shot("applied")
    flashes = teacher.flashes()
    assert re.search("已报名|候补|等待审核|已录取|enrolled|waitlist|applied", flashes), flashes


def _nominate(school_admin, programme_path: str, count: int) -> list[str]:
    school_admin.goto(programme_path + "/nominate")
    boxes = school_admin.page.locator("input[name=teacher_id]")
    assert boxes.count() >= count, f"only {boxes.count()} teachers to nominate"
    names = []
    for index in range(count):
        box = boxes.nth(index)
        names.append(box.get_attribute("aria-label"))
        box.check()
    school_admin.shot("ticked")
    school_admin.page.locator("form[method=post] button[type=submit]", has_text="推荐所选教师").click()
    school_admin.page.wait_for_load_state()
    return names


def _county_programme_needing_approval(demo_server) -> str:
    """A county programme open for applications, approved by the school and then the county.

    The demo's open programmes target other teachers or need only the school's approval, so the
    journey's programme is set up directly, as the county's training section would have.
    """
    import sqlalchemy as sa

    from tests.training.conftest import make_programme
    from trainhub.accounts.models import User
    from trainhub.extensions import db

    with demo_server["app"].app_context():
        officer = db.session.scalars(sa.select(User).where(User.username == "county_officer")).one()
        programme = make_programme(organiser=officer.unit, tier="county", approval="school_county", capacity=30,
                                   title="乡村教师信息技术应用能力提升培训")
        db.session.commit()
        return f"/training/programmes/{programme.id}"


def test_school_admin_nominates_three_teachers(journey, demo_server):
    admin = journey("school_admin")
    admin.sign_in("school_admin")
    admin.shot("dashboard")
    programme = _county_programme_needing_approval(demo_server)
    admin.goto(programme)
    admin.shot("programme")
    names = _nominate(admin, programme, 3)
    admin.shot("nominated")
    flashes = admin.flashes()
    assert all(name in flashes for name in names), flashes
    demo_server["nominated"] = (programme, names)


def test_county_officer_approves_nominations(journey, demo_server):
    programme, names = demo_server.get("nominated") or pytest.skip("the nomination journey did not run")
    officer = journey("county_officer")
    officer.sign_in("county_officer")
    officer.goto(programme)
    officer.shot("programme-before")
    approve = officer.page.locator("form[action$='/approve'] button[type=submit]")
    approved = 0
    while approve.count() and approved < 3:
        approve.first.click()
        officer.page.wait_for_load_state()
        assert "批准" in officer.flashes() or "已" in officer.flashes(), officer.flashes()
        approved += 1
    officer.shot("programme-after")
    assert approved == 3, f"{approved} nominations waited for the county's approval"


def _officer_county_code(demo_server) -> str:
    import sqlalchemy as sa

    from trainhub.accounts.models import User
    from trainhub.extensions import db

    with demo_server["app"].app_context():
        return db.session.scalars(sa.select(User).where(User.username == "county_officer")).one().unit.code


def test_county_officer_runs_a_special_post_allocation_and_approves_postings(journey, demo_server, tmp_path):
    officer = journey("county_officer")
    officer.sign_in("county_officer")
    page = officer.page

    officer.goto("/staffing/posts")
    page.locator("details summary").first.click()
    generate = page.locator("form[action$='/staffing/posts/generate']")
    generate.locator("input[name=year]").fill(str(NEXT_YEAR))
    generate.locator("select[name=kind]").select_option("special_post")
    generate.locator("[type=submit]").click()
    page.wait_for_load_state()
    officer.shot("posts-generated")

    officer.goto("/staffing/pools")
    new_pool = page.locator("form[action$='/staffing/pools/new']")
    new_pool.locator("select[name=kind]").select_option("special_post")
    new_pool.locator("input[name=year]").fill(str(NEXT_YEAR))
    new_pool.locator("input[name=name]").fill(f"{NEXT_YEAR}年特岗教师招聘")
    new_pool.locator("input[name=reference_date]").fill(f"{NEXT_YEAR}-08-31")
    new_pool.locator("input[name=term_start]").fill(f"{NEXT_YEAR}-09-01")
    new_pool.locator("[type=submit]").click()
    page.wait_for_load_state()
    officer.shot("pool-created")
    assert re.search(r"/staffing/pools/\d+$", page.url), (page.url, officer.flashes())

    county = _officer_county_code(demo_server)
    spreadsheet = tmp_path / "applicants.xlsx"
    rows = [applicant_row(500 + n, name=f"申请人{n}", birth=date(NEXT_YEAR - 25, 3, 1 + n), exam=90 - n,
                          subjects=subject, choices=county)
            for n, subject in enumerate(["数学", "语文", "英语", "音乐", "数学", "体育"])]
    spreadsheet.write_bytes(workbook_bytes(rows))
    upload = page.locator("form[action$='/import']")
    upload.locator("input[type=file]").set_input_files(str(spreadsheet))
    upload.locator("[type=submit]").click()
    page.wait_for_load_state()
    officer.shot("applicants-checked")
    # The upload is a dry run: every row is checked, then the officer confirms the import.
    assert "6" in page.inner_text("main"), page.inner_text("main")[:1000]
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    officer.shot("applicants-imported")
    assert "导入" in officer.flashes() or "6" in officer.flashes(), officer.flashes()

    run_form = page.locator("form[action$='/runs']")
    run_form.locator("select[name=mechanism]").select_option("merit")
    run_form.locator("[type=submit]").click()
    page.wait_for_load_state()
    for _ in range(60):
        if page.locator("form[action$='/approve']").count() or "失败" in page.inner_text("main"):
            break
        time.sleep(0.5)
        page.reload()
    officer.shot("run-finished")
    assert page.locator("form[action$='/approve']").count(), page.inner_text("main")[:1000]

    assert "志愿" in page.inner_text("main")  # each assignment says which choice it met, and why
    run_path = page.url.split("?")[0].removeprefix(officer.base_url)
    for section in ("unfilled", "unassigned"):
        officer.goto(f"{run_path}?section={section}")
        officer.shot(f"reasons-{section}")
    officer.goto(run_path)

    page.locator("form[action$='/approve'] [type=submit]").click()
    page.wait_for_load_state()
    officer.shot("approved")
    assert "批准" in officer.flashes() or "岗位" in officer.flashes(), officer.flashes()
    officer.goto("/staffing/postings")
    officer.shot("postings")
    assert "申请人" in page.inner_text("main")


def test_inspector_exports_the_quota_report(journey):
    inspector = journey("inspector")
    inspector.sign_in("inspector")
    inspector.goto("/reports/quota-completion")
    inspector.shot("quota-report")
    assert "完成" in inspector.page.inner_text("main")
    with inspector.page.expect_download() as download_info:
        inspector.page.locator("a[href*='quota-completion.xlsx']").first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert len(rows) > 2 and any("临夏县" in str(cell) for row in rows for cell in row), rows[:3]
    inspector.goto("/exports/")
    inspector.shot("exports")
