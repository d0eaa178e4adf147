"""The staffing pages in the browser: from the shortage view to approved postings, and who may do what."""
import re
import zipfile
from datetime import date
from io import BytesIO

import pytest
import sqlalchemy as sa

from tests.conftest import login, make_user
from tests.staffing.conftest import YEAR, applicant_row, workbook_bytes
from trainhub.accounts.models import AuditEvent
from trainhub.extensions import db
from trainhub.staffing.models import AllocationRun, Candidate, CandidatePool, Post, Posting

pytest.importorskip("allocation.api")


def _upload(data: bytes, name="applicants.xlsx"):
    return {"file": (BytesIO(data), name)}


def _token(page: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', page)[1]


def test_county_officer_goes_from_shortages_to_approved_postings(app, client, staffed):
    app.config["JOBS_INLINE"] = True
    county = staffed["county_a"]
    login(client, staffed["users"]["county_officer"])
    page = client.get(f"/staffing/?year={YEAR}").get_data(as_text=True)
    assert "马集教学点" in page and "康乐县第一小学" not in page  # county_b is out of reach

    response = client.post("/staffing/posts/generate", data={"unit": county.id, "year": YEAR, "kind": "special_post"})
    assert response.status_code == 302
    posts = db.session.scalars(sa.select(Post)).all()
    assert posts and all(post.school.county_id == county.id for post in posts)
    assert "基础分" in client.get(f"/staffing/posts?unit={county.id}&year={YEAR}").get_data(as_text=True)

    response = client.post("/staffing/pools/new", data={"unit": county.id, "kind": "special_post", "year": YEAR,
                                                        "name": "2024年临夏县特岗", "reference_date": "2024-08-31",
                                                        "term_start": "2024-09-01"})
    pool = db.session.scalars(sa.select(CandidatePool)).one()
    assert response.headers["Location"].endswith(f"/staffing/pools/{pool.id}")
    rows = [applicant_row(n, exam=90 - n, choices="622921") for n in range(1, 5)]
    rows.append(applicant_row(9, stages="高中", choices="622921"))  # no senior-high post: stays unassigned
    response = client.post(f"/staffing/pools/{pool.id}/import", data=_upload(workbook_bytes(rows)),
                           content_type="multipart/form-data")
    assert response.status_code == 200 and "5" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 0  # the dry run saves nothing
    response = client.post(f"/staffing/pools/{pool.id}/import/confirm",
                           data={"token": _token(response.get_data(as_text=True))})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 5

    response = client.post(f"/staffing/pools/{pool.id}/runs", data={"mechanism": "all"})
    assert response.headers["Location"].endswith(f"/staffing/pools/{pool.id}/compare")
    compare = client.get(f"/staffing/pools/{pool.id}/compare").get_data(as_text=True)
    assert "合理嫉妒对数" in compare and "乡村振兴重点帮扶县" in compare
    coverage = db.session.scalars(sa.select(AllocationRun).where(AllocationRun.mechanism == "coverage")).one()
    assert coverage.status == "finished"

    review = client.get(f"/staffing/runs/{coverage.id}?section=unfilled").get_data(as_text=True)
    assert "没有考生符合" in review  # every unfilled post says why, in Chinese
    unassigned = client.get(f"/staffing/runs/{coverage.id}?section=unassigned").get_data(as_text=True)
    assert "没有与其学科和学段对口的岗位" in unassigned

    response = client.post(f"/staffing/runs/{coverage.id}/approve")
    assert response.status_code == 302
    postings = client.get(f"/staffing/postings?run={coverage.id}").get_data(as_text=True)
    placed = db.session.scalars(sa.select(Posting)).all()
    assert len(placed) == 2  # the county's two math seats
    assert all(posting.teacher.name in postings for posting in placed)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Posting)) == 2

    again = client.post(f"/staffing/runs/{coverage.id}/approve", follow_redirects=True).get_data(as_text=True)
    assert "已关闭" in again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Posting)) == 2


def _special_post_pool(staffed) -> CandidatePool:
    pool = CandidatePool(unit_id=staffed["county_a"].id, kind="special_post", year=YEAR, name="临夏县特岗库",
                         reference_date=date(YEAR, 8, 31),
                         term_start=date(YEAR, 9, 1))
    db.session.add(pool)
    db.session.commit()
    return pool


def test_bad_import_lists_rows_and_saves_nothing(client, staffed):
    login(client, staffed["users"]["county_officer"])
    pool = _special_post_pool(staffed)
    rows = [applicant_row(1), applicant_row(2, degree="大专")]
    response = client.post(f"/staffing/pools/{pool.id}/import", data=_upload(workbook_bytes(rows)),
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<td>3</td><td>学历</td>" in page and "特岗考生须具有本科及以上学历" in page
    assert 'name="token"' not in page
    not_xlsx = client.post(f"/staffing/pools/{pool.id}/import", data=_upload(b"%PDF-1.4"),
                           content_type="multipart/form-data")
    assert not_xlsx.status_code == 400 and ".xlsx" in not_xlsx.get_data(as_text=True)
    template = client.get(f"/staffing/pools/{pool.id}/template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 0


def _formula_file() -> bytes:
    return workbook_bytes([applicant_row(1)[:5] + ["=80+5", 85.0, ""]])


def _bomb_file() -> bytes:
    buffer = BytesIO(workbook_bytes([applicant_row(1)]))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (20 * 1024 * 1024))  # 20 MB packed into ~20 kB
    return buffer.getvalue()


@pytest.mark.parametrize("data, reason", [
    (lambda: "姓名,身份证号\n张三,1\n".encode(), ".xlsx"),
    (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".xls"),
    (_formula_file, "F2"),
    (_bomb_file, "炸弹"),
], ids=["csv", "old-xls", "formula", "zip-bomb"])
def test_non_workbooks_and_hostile_files_are_refused_with_the_reason(client, staffed, data, reason):
    login(client, staffed["users"]["county_officer"])
    pool = _special_post_pool(staffed)
    response = client.post(f"/staffing/pools/{pool.id}/import", data=_upload(data()),
                           content_type="multipart/form-data")
    assert response.status_code == 400 and reason in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 0


def test_a_checked_file_is_imported_only_into_its_pool_and_only_once(client, staffed):
    login(client, staffed["users"]["county_officer"])
    pool, other = _special_post_pool(staffed), _special_post_pool(staffed)
    response = client.post(f"/staffing/pools/{pool.id}/import", data=_upload(workbook_bytes([applicant_row(1)])),
                           content_type="multipart/form-data")
    token = _token(response.get_data(as_text=True))
    assert client.post(f"/staffing/pools/{other.id}/import/confirm", data={"token": token}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 0
    assert client.post(f"/staffing/pools/{pool.id}/import/confirm", data={"token": token}).status_code == 302
    assert client.post(f"/staffing/pools/{pool.id}/import/confirm", data={"token": token}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 1


def test_pools_and_runs_of_another_county_are_not_found(client, staffed):
    pool = CandidatePool(unit_id=staffed["county_a"].id, kind="special_post", year=YEAR, name="临夏县特岗库",
                         reference_date=date(YEAR, 8, 31),
                         term_start=date(YEAR, 9, 1))
    db.session.add(pool)
    db.session.flush()
    run = AllocationRun(pool_id=pool.id, mechanism="coverage", status="queued")
    db.session.add(run)
    other = make_user("county_officer", unit=staffed["county_b"])
    login(client, other)
    assert client.get(f"/staffing/pools/{pool.id}").status_code == 404
    assert client.get(f"/staffing/runs/{run.id}").status_code == 404
    assert client.post(f"/staffing/runs/{run.id}/approve").status_code == 404
    assert "临夏县特岗库" not in client.get("/staffing/pools").get_data(as_text=True)


def test_roles_without_the_capability_are_refused(client, staffed):
    login(client, staffed["users"]["school_admin"])
    own = client.get(f"/staffing/?year={YEAR}").get_data(as_text=True)
    assert staffed["school_a"].name in own and "马集教学点" not in own  # their own school's gaps only
    assert client.get("/staffing/runs").status_code == 403
    assert client.get("/staffing/pools").status_code == 403
    assert client.get("/staffing/postings").status_code == 200
    client.post("/logout")
    login(client, staffed["users"]["inspector"])
    assert client.get("/staffing/").status_code == 200
    assert client.post("/staffing/posts/generate", data={}).status_code == 403
    assert client.get("/staffing/norms").status_code == 403


def test_province_admin_edits_norms_and_the_scarce_list(client, staffed):
    login(client, staffed["users"]["province_admin"])
    form = client.get("/staffing/norms").get_data(as_text=True)
    assert "math: 0.15" in form
    data = {"students_per_staff_primary": 18, "students_per_staff_junior": 13.5, "students_per_staff_senior": 12.5,
            "staff_per_class_primary": 1.7, "staff_per_class_junior": 2.5, "shares_primary": "math: 0.2\nmusic: 0.1",
            "shares_junior": "", "shares_senior": "", "rotation_years": 6, "rotation_min_share": 0.1,
            "min_key_teacher_share": 0.2, "special_post_max_age": 30, "special_post_max_age_master": 35,
            "silver_age_max_age": 65, "special_post_term_years": 3, "rotation_term_years": 1,
            "support_term_years": 1, "silver_age_term_years": 1}
    bad = client.post("/staffing/norms", data=data | {"shares_primary": "math 0.2"}).get_data(as_text=True)
    assert "第 1 行" in bad
    assert client.post("/staffing/norms", data=data).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "staffing_norm_saved")) == 1
    response = client.post("/staffing/norms/scarce", data={"scarce-year": 2025, "scarce-subjects": [staffed["math"].id]})
    assert response.status_code == 302
    from trainhub.schools.models import ScarceSubject

    assert db.session.scalar(sa.select(ScarceSubject.subject_id).where(ScarceSubject.year == 2025)) == staffed["math"].id


def test_weight_override_form_requires_a_reason(client, staffed):
    from trainhub.staffing import services

    services.generate_posts(staffed["county_a"], YEAR)
    db.session.commit()
    post = db.session.scalars(sa.select(Post)).first()
    login(client, staffed["users"]["county_officer"])
    page = client.post(f"/staffing/posts/{post.id}/edit", data={"seats": 1, "weight_override": 20,
                                                                "override_reason": ""}).get_data(as_text=True)
    assert "请说明调整推算权重的理由" in page
    response = client.post(f"/staffing/posts/{post.id}/edit", data={"seats": 1, "weight_override": 20,
                                                                    "override_reason": "易地搬迁新校"})
    assert response.status_code == 302
    assert db.session.get(Post, post.id).weight == 20


def test_run_page_refreshes_while_queued_and_exports(app, client, staffed):
    app.config["JOBS_INLINE"] = True
    from trainhub.staffing import pools, runs, services

    services.generate_posts(staffed["county_a"], YEAR)
    pool = pools.create_pool(staffed["county_a"], "special_post", YEAR, "特岗", date(YEAR, 8, 31),
                             date(YEAR, 9, 1))
    pools.import_applicants(pool, workbook_bytes([applicant_row(1, choices="622921")]))
    queued, = runs.queue_runs(pool, ["merit"], None)
    db.session.commit()
    login(client, staffed["users"]["county_officer"])
    assert 'http-equiv="refresh"' in client.get(f"/staffing/runs/{queued.id}").get_data(as_text=True)
    runs.execute_run(queued.id)
    page = client.get(f"/staffing/runs/{queued.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and "第一志愿" in page
    assert client.get(f"/staffing/runs/{queued.id}/result.xlsx").data[:2] == b"PK"
    problem = client.get(f"/staffing/runs/{queued.id}/problem.json").get_json()
    assert problem["format"] == "trainhub-allocation/1"
    result = client.get(f"/staffing/runs/{queued.id}/result.json")
    imported = client.post(f"/staffing/runs/{queued.id}/import-result",
                           data=_upload(result.data, "result.json"), content_type="multipart/form-data")
    assert imported.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).where(AllocationRun.is_imported.is_(True))) == 1
    garbage = client.post(f"/staffing/runs/{queued.id}/import-result", data=_upload(b"{]", "result.json"),
                          content_type="multipart/form-data", follow_redirects=True)
    assert "文件不是 JSON 文档" in garbage.get_data(as_text=True)


def test_a_problem_edited_elsewhere_runs_and_a_foreign_one_is_refused(app, client, contest):
    import json

    from trainhub.staffing import runs

    app.config["JOBS_INLINE"] = True
    problem = runs.build_problem(contest["pool"], "merit")
    problem["posts"] = [post | {"weight": 9} if post["id"] == contest["math_b"].label else post
                        for post in problem["posts"]]
    login(client, contest["users"]["prefecture_admin"])
    pool_id = contest["pool"].id
    response = client.post(f"/staffing/pools/{pool_id}/import-problem",
                           data=_upload(json.dumps(problem).encode(), "problem.json"), content_type="multipart/form-data")
    run = db.session.scalars(sa.select(AllocationRun)).one()
    assert response.headers["Location"].endswith(f"/staffing/runs/{run.id}")
    assert run.status == "finished" and run.result["status"] == "optimal"
    assert next(p for p in run.problem["posts"] if p["id"] == contest["math_b"].label)["weight"] == 9
    problem["candidates"].append(problem["candidates"][0] | {"id": "C999999"})
    refused = client.post(f"/staffing/pools/{pool_id}/import-problem", follow_redirects=True,
                          data=_upload(json.dumps(problem).encode(), "problem.json"), content_type="multipart/form-data")
    assert "不存在或已补" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AllocationRun)) == 1
