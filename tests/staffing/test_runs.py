"""Allocation runs from the database: the document, the background solve, comparison, review, approval."""
import json
from datetime import date, timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.staffing.conftest import YEAR, post_of as _post
from trainhub import jobs
from trainhub.accounts.models import AuditEvent
from trainhub.errors import UserError
from trainhub.extensions import db
from trainhub.staffing import exports, pools, runs, services
from trainhub.staffing.models import AllocationRun, CandidatePool, Post, Posting
from trainhub.staffing.reasons import translate
from trainhub.teachers.models import Teacher

pytest.importorskip("allocation.api")


def _run(pool, mechanism):
    run, = runs.queue_runs(pool, [mechanism], None)
    db.session.commit()
    runs.execute_run(run.id)
    db.session.refresh(run)
    return run


def _placed(run):
    return {row["candidate"]: row["post"] for row in run.result["assignments"]}


def test_problem_document_follows_the_exchange_format(contest):
    doc = runs.build_problem(contest["pool"], "coverage")
    assert doc["format"] == "trainhub-allocation/1" and doc["kind"] == "special_post"
    post = next(p for p in doc["posts"] if p["id"] == contest["math_a"].label)
    assert (post["subject"], post["stage"], post["weight"]) == ("math", "primary", 5)
    school = next(s for s in doc["schools"] if s["id"] == f"S{contest['school_a'].id}")
    assert school["flags"] == ["key_aid_county"] and school["county"] == "622921"
    high = next(c for c in doc["candidates"] if c["id"] == contest["high"].label)
    assert high["preferences"] == [contest["math_b"].label, contest["math_a"].label] and high["counties"] == []
    music = next(c for c in doc["candidates"] if c["id"] == contest["singer"].label)
    assert music["counties"] == ["622921"]
    county_a_posts = [p["id"] for p in doc["posts"] if p["school"] in
                      (f"S{contest['school_a'].id}", f"S{contest['small'].id}")]
    assert sorted(music["preferences"]) == sorted(county_a_posts)  # a county choice stands for its posts


def test_merit_is_envy_free_and_coverage_fills_more_weight(contest):
    merit, coverage = _run(contest["pool"], "merit"), _run(contest["pool"], "coverage")
    high, low = contest["high"].label, contest["low"].label
    assert _placed(merit)[high] == contest["math_b"].label and low not in _placed(merit)
    assert _placed(coverage) == {high: contest["math_a"].label, low: contest["math_b"].label,
                                 contest["singer"].label: _post(contest["school_a"], "music").label}
    assert merit.summary["overall"]["justified_envy"] == 0
    assert coverage.summary["overall"]["justified_envy"] == 1
    assert coverage.summary["overall"]["weight_filled"] > merit.summary["overall"]["weight_filled"]
    assert coverage.summary["by_flag"]["key_aid_county"]["filled"] == 2
    assert coverage.status == "finished" and coverage.started_at <= coverage.finished_at


def test_runs_are_refused_without_posts_or_choices(contest):
    empty = pools.create_pool(contest["county_b"], "special_post", YEAR + 1, "空", date(YEAR, 8, 31), date(YEAR, 9, 1))
    with pytest.raises(UserError):
        runs.queue_runs(empty, ["coverage"], None)
    contest["singer"].choices = []
    with pytest.raises(UserError):
        runs.queue_runs(contest["pool"], ["merit"], None)
    assert runs.queue_runs(contest["pool"], ["coverage"], None)


def test_unfilled_posts_and_unassigned_candidates_have_reasons_in_chinese(contest):
    merit = _run(contest["pool"], "merit")
    reviewed = runs.review(merit)
    names = exports.reason_names(merit)
    assert reviewed["unfilled"] and all(row.reasons for row in reviewed["unfilled"])
    low = next(row for row in reviewed["unassigned"] if row.candidate.id == contest["low"].id)
    assert translate(low.reasons[0], "candidate", names) == "可选的 1 个岗位都被更高分者选走"
    chinese = next(row for row in reviewed["unfilled"] if row.post.subject.code == "chinese")
    assert translate(chinese.reasons[0], "post", names) == "没有考生符合语文、小学的任教条件"
    assert translate({"text": "something new", "code": "not_known", "params": {}}, None, names) == "something new"


def test_forbidding_a_pair_changes_the_next_run(contest):
    runs.set_pair_rule(contest["pool"], contest["high"], contest["math_a"], "forbid", "回避", None)
    db.session.commit()
    coverage = _run(contest["pool"], "coverage")
    assert _placed(coverage)[contest["high"].label] == contest["math_b"].label
    assert coverage.problem["rules"]["forbidden"] == [{"candidate": contest["high"].label,
                                                       "post": contest["math_a"].label}]
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "pair_forbid")) == 1


def test_locks_that_contradict_make_the_run_infeasible_with_a_reason(contest):
    runs.set_pair_rule(contest["pool"], contest["high"], contest["math_b"], "lock", "", None)
    runs.set_pair_rule(contest["pool"], contest["low"], contest["math_b"], "lock", "", None)
    db.session.commit()
    run = _run(contest["pool"], "coverage")
    assert run.result["status"] == "infeasible"
    assert runs.review(run)["top"]
    with pytest.raises(UserError):
        runs.approve_run(run, None)


def test_approval_creates_teachers_and_postings_and_closes_the_pool(contest):
    coverage = _run(contest["pool"], "coverage")
    merit = _run(contest["pool"], "merit")
    postings = runs.approve_run(coverage, contest["users"]["county_officer"], today=date(YEAR, 7, 1))
    db.session.commit()
    assert len(postings) == 3
    posting = db.session.scalars(sa.select(Posting).join(Posting.teacher).where(Teacher.name == "高分")).one()
    assert posting.school_id == contest["school_a"].id and posting.teacher.school_id == contest["school_a"].id
    assert posting.teacher.employment_type == "special_post" and posting.status == "planned"
    assert posting.end_date == date(YEAR + 3, 8, 31)
    assert db.session.get(CandidatePool, contest["pool"].id).status == "approved"
    assert db.session.get(Post, contest["math_a"].id).filled_by_run_id == coverage.id
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "run_approved")) == 1
    with pytest.raises(UserError):
        runs.approve_run(merit, None)


def test_conditional_update_refuses_a_second_approval_even_past_the_first_check(contest, monkeypatch):
    first, second = _run(contest["pool"], "coverage"), _run(contest["pool"], "merit")
    runs.approve_run(first, None)
    db.session.commit()
    # A concurrent request passed the status check before the first approval committed.
    monkeypatch.setattr(runs, "require_open", lambda pool: None)
    with pytest.raises(UserError, match="另一个方案"):
        runs.approve_run(second, None)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Posting)) == 3


def test_registered_id_numbers_block_approval(contest):
    coverage = _run(contest["pool"], "coverage")
    from tests.conftest import make_teacher

    make_teacher(contest["school_b"], id_number=contest["high"].id_number)
    with pytest.raises(UserError, match="高分"):
        runs.approve_run(coverage, None)


def test_result_workbook_has_chinese_headers_and_a_frozen_header_row(contest):
    run = _run(contest["pool"], "merit")
    workbook = load_workbook(BytesIO(exports.result_workbook(run)))
    assert workbook.sheetnames == ["录用名单", "空缺岗位", "未录用"]
    sheet = workbook["录用名单"]
    assert sheet["A1"].value == "候选人编号" and sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    schools = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True) if row[4]]
    assert sheet.column_dimensions["E"].width >= 2 * max(map(len, schools))  # as wide as the Chinese school names
    assert sheet.max_row == 1 + len(run.result["assignments"])


def test_import_result_checks_it_against_the_problem(contest):
    run = _run(contest["pool"], "merit")
    result = json.loads(json.dumps(run.result))
    imported = runs.import_result(run, json.dumps(result).encode(), None)
    assert imported.is_imported and imported.summary == run.summary
    result["assignments"].append({"candidate": "C999999", "post": contest["math_a"].label, "reasons": []})
    with pytest.raises(UserError):
        runs.import_result(run, json.dumps(result).encode(), None)
    with pytest.raises(UserError):
        runs.import_result(run, b"not json", None)


def test_local_worker_thread_runs_the_job_and_records_timings(contest, app):
    run, = runs.queue_runs(contest["pool"], ["coverage"], None)
    db.session.commit()
    future = jobs.enqueue("trainhub.staffing.runs.execute_run", run.id)
    future.result()
    db.session.expire_all()
    run = db.session.get(AllocationRun, run.id)
    assert run.status == "finished" and run.queued_at <= run.started_at <= run.finished_at


def test_rotation_run_sends_at_least_the_minimum_with_key_teachers(contest):
    pool = pools.create_pool(contest["prefecture"], "rotation", YEAR, "轮岗", date(YEAR, 8, 31), date(YEAR, 9, 1))
    services.generate_posts(contest["prefecture"], YEAR, "rotation")
    pools.add_eligible_teachers(pool)
    db.session.commit()
    run = _run(pool, "coverage")
    doc = run.problem
    assert doc["rules"]["min_key_teacher_share"] == 0.2
    assert doc["rules"]["source_schools"] == [{"school": f"S{contest['urban'].id}", "min_out": 3, "max_out": 10}]  # 30 teachers, norm 20
    sent = run.result["assignments"]
    assert 3 <= len(sent) <= 10
    keys = {c["id"] for c in doc["candidates"] if c["is_key_teacher"]}
    assert sum(row["candidate"] in keys for row in sent) >= 0.2 * len(sent)
    postings = runs.approve_run(run, None, today=date(YEAR, 10, 1))
    db.session.flush()
    assert all(p.home_school_id == contest["urban"].id and p.status == "active" for p in postings)
    assert all(p.teacher.school_id == p.school_id for p in postings)
    assert runs.refresh_posting_statuses(date(YEAR + 2, 1, 1)) == len(postings)
    assert all(p.teacher.school_id == contest["urban"].id and p.status == "ended" for p in postings)


def test_retention_review_lists_special_post_terms_ending_soon(contest):
    run = _run(contest["pool"], "coverage")
    runs.approve_run(run, None)
    db.session.commit()
    end = date(YEAR + 3, 8, 31)
    assert db.session.scalars(runs.retention_review(end - timedelta(days=200))).all() == []
    assert len(db.session.scalars(runs.retention_review(end - timedelta(days=100))).all()) == 3


@pytest.mark.parametrize("change", [
    lambda r: r["assignments"].append({"candidate": ["C1"], "post": {"P": 1}}),
    lambda r: r.update(unfilled=[{"post": "P999999", "seats": 1, "reasons": []}]),
    lambda r: r.update(unassigned="nobody"),
    lambda r: r.update(objective=[1, 2]),
    lambda r: r.update(status="solved"),
])
def test_malformed_result_files_are_refused_and_nothing_is_stored(contest, change):
    run = _run(contest["pool"], "merit")
    result = json.loads(json.dumps(run.result))
    change(result)
    with pytest.raises(UserError):
        runs.import_result(run, json.dumps(result).encode(), None)
    assert db.session.scalar(sa.select(sa.func.count()).where(AllocationRun.is_imported.is_(True))) == 0
