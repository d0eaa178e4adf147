"""Allocation runs: the exchange document from the database, the background solve, the comparison,
officers' locks and bans, and approval into postings.

Ids in the document are the database ids with a letter: schools "S12", posts "P34", candidates "C56".
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from trainhub import audit
from trainhub.errors import UserError
from trainhub.extensions import db
from trainhub.schools.models import School, Subject
from trainhub.scoping import unscoped
from trainhub.staffing.models import (MECHANISMS, AllocationRun, Candidate, CandidatePool, PairRule, Post,
                                      Posting)
from trainhub.staffing.pools import pool_posts, require_open, source_school_bounds
from trainhub.staffing.services import norm_for_path, school_staffing
from trainhub.teachers.models import Teacher
from trainhub.in_lists import in_chunks

PROBLEM_FORMAT = "trainhub-allocation/1"
RESULT_FORMAT = "trainhub-allocation-result/1"
DEFAULT_TIME_LIMIT = 60.0
FLAG_KEYS = ("key_aid_county", "relocation_site", "small_rural", "scarce_subject")
SOLVED = ("optimal", "feasible")


def parse_label(label: str) -> int | None:
    """Return the database id of a document id ("P12", "C7", "S3"), or None."""
    try:
        return int(label[1:])
    except (TypeError, ValueError):
        return None


# ---- the problem document ------------------------------------------------------------------------

def build_problem(pool: CandidatePool, mechanism: str) -> dict:
    """Build the exchange document of a pool's open posts and candidates, with the officers' rules."""
    posts = db.session.scalars(pool_posts(pool).options(joinedload(Post.school).joinedload(School.county),
                                                        joinedload(Post.subject)).order_by(Post.id)).all()
    candidates = db.session.scalars(sa.select(Candidate).where(Candidate.pool_id == pool.id)
                                    .order_by(Candidate.id)).all()
    subject_codes = dict(db.session.execute(sa.select(Subject.id, Subject.code)).all())
    home_ids = {c.home_school_id for c in candidates if c.home_school_id} - {p.school_id for p in posts}
    schools = {post.school_id: post.school for post in posts}
    if home_ids:
        for school in db.session.scalars(sa.select(School).where(School.id.in_(home_ids))
                                         .options(joinedload(School.county))):
            schools[school.id] = school

    post_labels = {post.label for post in posts}
    posts_by_county: dict[str, list[Post]] = defaultdict(list)
    for post in sorted(posts, key=lambda p: (-p.weight, p.id)):
        posts_by_county[post.school.county.code].append(post)

    doc_candidates = []
    post_county = {post.label: post.school.county.code for post in posts}
    for candidate in candidates:
        preferences, counties = _preferences(candidate.choices or [], post_labels, posts_by_county)
        entry = {
            "id": candidate.label, "subjects": list(candidate.subjects or []), "stages": list(candidate.stages or []),
            "score": candidate.score, "preferences": preferences, "counties": counties,
            "home_school": f"S{candidate.home_school_id}" if candidate.home_school_id else None,
            "is_key_teacher": bool(candidate.is_key_teacher), "max_distance_km": None,
        }
        if candidate.directed_programme:
            # A directed-training graduate serves in their home county, on the posts they chose there.
            county = candidate.obligation_county
            chosen = [label for label in preferences or [] if post_county.get(label) == county]
            entry |= {"counties": [county], "directed": True,
                      "preferences": chosen or [post.label for post in posts_by_county.get(county, ())]}
        doc_candidates.append(entry)
    rules = {"max_distance_km": None, "min_key_teacher_share": None, "source_schools": [], "locked": [],
             "forbidden": []}
    pair_rules = db.session.scalars(sa.select(PairRule).where(PairRule.pool_id == pool.id)).all()
    for rule in pair_rules:
        if f"P{rule.post_id}" in post_labels:
            key = "locked" if rule.kind == "lock" else "forbidden"
            rules[key].append({"candidate": f"C{rule.candidate_id}", "post": f"P{rule.post_id}"})
    if pool.kind == "rotation":
        rules["source_schools"] = _rotation_bounds(pool, candidates)
        rules["min_key_teacher_share"] = norm_for_path(pool.unit.path).min_key_teacher_share
    return {
        "format": PROBLEM_FORMAT, "kind": pool.kind, "mechanism": mechanism,
        "schools": [_school_entry(school) for school in sorted(schools.values(), key=lambda s: s.id)],
        "posts": [{"id": post.label, "school": f"S{post.school_id}", "subject": subject_codes[post.subject_id],
                   "stage": post.stage, "seats": post.seats, "weight": post.weight,
                   "priorities": [part["code"] for part in post.weight_parts or [] if part["code"] != "base"]}
                  for post in posts],
        "candidates": doc_candidates,
        "rules": rules,
        "weights": {"envy_penalty": 1},
    }


def _preferences(choices: list[str], post_labels: set[str], posts_by_county: dict[str, list[Post]]):
    """Turn ordered choices (posts or counties) into post preferences and accepted counties.

    A county choice stands for that county's open posts, the most needed (highest weight) first,
    so that choosing by score works for applicants who chose counties rather than posts.
    """
    if not choices:
        return None, []
    preferences, counties = [], []
    for choice in choices:
        if choice.startswith("P"):
            if choice in post_labels and choice not in preferences:
                preferences.append(choice)
        else:
            counties.append(choice)
            preferences.extend(post.label for post in posts_by_county.get(choice, ()) if post.label not in preferences)
    only_counties = all(not choice.startswith("P") for choice in choices)
    return preferences, counties if only_counties else []


def _school_entry(school: School) -> dict:
    flags = [flag for flag, present in (("key_aid_county", school.county.is_key_aid_county),
                                        ("relocation_site", school.is_relocation_site),
                                        ("small_rural", school.is_small_rural or school.is_teaching_point))
             if present]
    entry = {"id": f"S{school.id}", "county": school.county.code, "flags": flags}
    if school.lat is not None and school.lon is not None:
        entry |= {"lat": school.lat, "lon": school.lon}
    return entry


def _rotation_bounds(pool: CandidatePool, candidates: list[Candidate]) -> list[dict]:
    home_ids = {c.home_school_id for c in candidates if c.home_school_id}
    if not home_ids:
        return []
    schools = db.session.scalars(sa.select(School).where(School.id.in_(home_ids))
                                 .options(joinedload(School.county), selectinload(School.stages))).unique().all()
    staffing = {row.school.id: row for row in school_staffing(list(schools), pool.year)}
    required = {school_id: row.required for school_id, row in staffing.items()}
    actual = {school_id: row.actual for school_id, row in staffing.items()}
    return [{"school": f"S{school_id}", "min_out": low, "max_out": high}
            for school_id, low, high in source_school_bounds(pool, required, actual)]


# ---- runs ----------------------------------------------------------------------------------------

def check_runnable(pool: CandidatePool, mechanism: str) -> None:
    """Refuse a run that cannot work, before anything is queued."""
    require_open(pool)
    if mechanism not in MECHANISMS:
        raise UserError(_l("Unknown mechanism."))
    if not db.session.scalar(sa.select(sa.func.count()).select_from(pool_posts(pool).subquery())):
        raise UserError(_l("This pool has no open posts. Generate the posts of the year first."))
    if not db.session.scalar(sa.select(sa.func.count()).where(Candidate.pool_id == pool.id)):
        raise UserError(_l("This pool has no candidates yet."))
    if mechanism != "coverage":
        rows = db.session.scalars(sa.select(Candidate.choices).where(Candidate.pool_id == pool.id)).all()
        if any(not choices for choices in rows):
            raise UserError(_l("Merit and balanced runs need every candidate's choices; use coverage for this pool."))


def queue_runs(pool: CandidatePool, mechanisms: list[str], user) -> list[AllocationRun]:
    """Create queued runs (the caller commits, then starts them with `start`)."""
    for mechanism in mechanisms:
        check_runnable(pool, mechanism)
    runs = [AllocationRun(pool_id=pool.id, mechanism=mechanism, status="queued",
                          created_by_id=getattr(user, "id", None)) for mechanism in mechanisms]
    db.session.add_all(runs)
    db.session.flush()
    return runs


def start(runs: list[AllocationRun]) -> None:
    """Hand committed runs to the background worker."""
    from trainhub import jobs

    for run in runs:
        jobs.enqueue("trainhub.staffing.runs.execute_run", run.id)


def execute_run(run_id: int) -> None:
    """The job: build the document, solve it, store result, summary and timings. Commits."""
    from allocation import ProblemError

    with unscoped():
        run = db.session.get(AllocationRun, run_id)
        if run is None or run.status != "queued":
            return
        run.status, run.started_at = "running", datetime.utcnow()
        db.session.commit()
        try:
            solve(run)
        except ProblemError as error:
            db.session.rollback()
            run.status, run.error = "failed", str(error)
        except Exception as error:  # a bug: keep the run honest, then let the worker log it
            db.session.rollback()
            run.status, run.error = "failed", f"{error.__class__.__name__}: {error}"
            run.finished_at = datetime.utcnow()
            db.session.commit()
            raise
        run.finished_at = datetime.utcnow()
        db.session.commit()


def solve(run: AllocationRun) -> None:
    """Build the run's document if it has none, solve it, and store result and summary (no commit)."""
    from allocation import solve_document

    if run.problem is None:
        run.problem = build_problem(run.pool, run.mechanism)
    time_limit = current_app.config.get("STAFFING_TIME_LIMIT", DEFAULT_TIME_LIMIT)
    problem, placed_first = place_directed_first(run.problem, time_limit)
    result = solve_document(problem, time_limit=time_limit)
    for row in result.get("assignments", []):
        if row["candidate"] in placed_first:
            _mark_directed(row)
    run.problem, run.result = problem, result
    run.summary = summarise(problem, result)
    run.status = "finished"


def place_directed_first(problem: dict, time_limit: float | None) -> tuple[dict, set[str]]:
    """Place directed-training graduates before open recruitment; return the problem with their posts locked.

    The first step solves for the graduates alone (most needed posts first, within their county);
    the open step then keeps those placements as locks.
    """
    from allocation import solve_document

    directed = [c for c in problem["candidates"] if c.get("directed")]
    if not directed:
        return problem, set()
    ids = {c["id"] for c in directed}
    rules = problem.get("rules") or {}
    first_rules = {key: [pair for pair in rules.get(key) or [] if pair["candidate"] in ids]
                   for key in ("locked", "forbidden")}
    first = problem | {"mechanism": "coverage", "candidates": directed,
                       "rules": {"max_distance_km": rules.get("max_distance_km"), **first_rules}}
    placed = solve_document(first, time_limit=time_limit).get("assignments", [])
    officer_locked = {pair["candidate"] for pair in rules.get("locked") or []}
    new_locks = [{"candidate": row["candidate"], "post": row["post"]} for row in placed
                 if row["candidate"] not in officer_locked]
    locked = list(rules.get("locked") or []) + new_locks
    return problem | {"rules": rules | {"locked": locked}}, {pair["candidate"] for pair in new_locks}


def _mark_directed(row: dict) -> None:
    """Say why a graduate's post was fixed: the directed step, not an officer's lock."""
    codes = row.get("reason_codes") or [None] * len(row.get("reasons", []))
    kept = [(text, code) for text, code in zip(row.get("reasons", []), codes) if (code or {}).get("code") != "locked"]
    row["reasons"] = ["directed-training graduate, placed before open recruitment"] + [text for text, _ in kept]
    row["reason_codes"] = [{"code": "directed_first", "params": {}}] + [code or {} for _, code in kept]


def summarise(problem: dict, result: dict) -> dict:
    """Seats filled, weighted coverage, first-choice share and envy, overall, by county and by priority."""
    posts = {post["id"]: post for post in problem["posts"]}
    schools = {school["id"]: school for school in problem["schools"]}

    def groups(post: dict) -> list[tuple[str, str]]:
        school = schools[post["school"]]
        keys = [("county", school["county"])]
        flags = set(school.get("flags") or []) | set(post.get("priorities") or [])
        keys += [("flag", flag) for flag in FLAG_KEYS if flag in flags]
        return keys

    totals: dict[tuple[str, str], dict] = defaultdict(lambda: {"seats": 0, "filled": 0, "weight": 0,
                                                               "weight_filled": 0, "first_choice": 0})
    overall = {"seats": 0, "filled": 0, "weight": 0, "weight_filled": 0, "first_choice": 0}
    for post in posts.values():
        for bucket in [overall] + [totals[key] for key in groups(post)]:
            bucket["seats"] += post["seats"]
            bucket["weight"] += post["seats"] * post["weight"]
    for assignment in result.get("assignments", []):
        post = posts[assignment["post"]]
        for bucket in [overall] + [totals[key] for key in groups(post)]:
            bucket["filled"] += 1
            bucket["weight_filled"] += post["weight"]
            bucket["first_choice"] += assignment.get("rank") == 1

    def finish(bucket: dict) -> dict:
        return bucket | {
            "coverage": round(bucket["weight_filled"] / bucket["weight"], 4) if bucket["weight"] else 0.0,
            "first_choice_share": round(bucket["first_choice"] / bucket["filled"], 4) if bucket["filled"] else 0.0,
        }

    directed = {candidate["id"] for candidate in problem["candidates"] if candidate.get("directed")}
    return {
        "directed_placed": sum(row["candidate"] in directed for row in result.get("assignments", [])),
        "overall": finish(overall) | {"justified_envy": result.get("objective", {}).get("justified_envy", 0),
                                      "candidates": len(problem["candidates"]),
                                      "unassigned": len(result.get("unassigned", []))},
        "by_county": {code: finish(bucket) for (kind, code), bucket in sorted(totals.items()) if kind == "county"},
        "by_flag": {flag: finish(bucket) for (kind, flag), bucket in sorted(totals.items()) if kind == "flag"},
    }


def latest_runs(pool: CandidatePool) -> dict[str, AllocationRun]:
    """The newest finished run of each mechanism, for the side-by-side comparison."""
    runs = db.session.scalars(sa.select(AllocationRun).where(AllocationRun.pool_id == pool.id,
                                                             AllocationRun.status == "finished")
                              .order_by(AllocationRun.id.desc())).all()
    found: dict[str, AllocationRun] = {}
    for run in runs:
        found.setdefault(run.mechanism, run)
    return {mechanism: found[mechanism] for mechanism in MECHANISMS if mechanism in found}


# ---- review --------------------------------------------------------------------------------------

@dataclass
class ReviewRow:
    candidate: Candidate | None
    post: Post | None
    rank: int | None
    reasons: list[dict]


def review(run: AllocationRun) -> dict[str, list[ReviewRow]]:
    """Assignments, unfilled posts and unassigned candidates, each with its database objects."""
    result = run.result or {}
    candidate_ids = {parse_label(row["candidate"]) for key in ("assignments", "unassigned") for row in result.get(key, [])}
    post_ids = {parse_label(row["post"]) for key in ("assignments", "unfilled") for row in result.get(key, [])}
    candidates = {c.id: c for c in _load(Candidate, candidate_ids, joinedload(Candidate.home_school))}
    posts = {p.id: p for p in _load(Post, post_ids, joinedload(Post.school).joinedload(School.county),
                                    joinedload(Post.subject))}

    def reasons(row: dict) -> list[dict]:
        codes = row.get("reason_codes") or [None] * len(row.get("reasons", []))
        return [{"text": text, "code": (code or {}).get("code"), "params": (code or {}).get("params", {})}
                for text, code in zip(row.get("reasons", []), codes)]

    return {
        "assignments": [ReviewRow(candidates.get(parse_label(row["candidate"])), posts.get(parse_label(row["post"])),
                                  row.get("rank"), reasons(row)) for row in result.get("assignments", [])],
        "unfilled": [ReviewRow(None, posts.get(parse_label(row["post"])), row.get("seats"), reasons(row))
                     for row in result.get("unfilled", [])],
        "unassigned": [ReviewRow(candidates.get(parse_label(row["candidate"])), None, None, reasons(row))
                       for row in result.get("unassigned", [])],
        "top": [{"text": text, "code": (code or {}).get("code"), "params": (code or {}).get("params", {})}
                for text, code in zip(result.get("reasons", []), result.get("reason_codes") or
                                      [None] * len(result.get("reasons", [])))],
    }


def _load(model, ids: set[int | None], *options) -> list:
    ids = sorted(i for i in ids if i is not None)
    found = []
    for chunk in in_chunks(ids):
        found += db.session.scalars(sa.select(model).where(model.id.in_(chunk)).options(*options)).unique().all()
    return found


def set_pair_rule(pool: CandidatePool, candidate: Candidate, post: Post, kind: str, reason: str, user) -> PairRule:
    """Lock a candidate to a post, or forbid the pair, for the next runs (audited)."""
    require_open(pool)
    if kind not in ("lock", "forbid"):
        raise UserError(_l("Unknown rule."))
    if candidate.pool_id != pool.id:
        raise UserError(_l("This candidate is not in the pool."))
    if db.session.scalar(sa.select(sa.func.count()).select_from(
            pool_posts(pool).where(Post.id == post.id).subquery())) == 0:
        raise UserError(_l("This post is not an open post of the pool."))
    if kind == "lock":
        other = db.session.scalars(sa.select(PairRule).where(PairRule.pool_id == pool.id, PairRule.kind == "lock",
                                                             PairRule.candidate_id == candidate.id,
                                                             PairRule.post_id != post.id)).first()
        if other is not None:
            raise UserError(_l("This candidate is already locked to post P%(post)d; remove that lock first.",
                               post=other.post_id))
    rule = db.session.scalars(sa.select(PairRule).where(PairRule.pool_id == pool.id,
                                                        PairRule.candidate_id == candidate.id,
                                                        PairRule.post_id == post.id)).first()
    if rule is None:
        rule = PairRule(pool_id=pool.id, candidate_id=candidate.id, post_id=post.id)
        db.session.add(rule)
    rule.kind, rule.reason, rule.created_by_id = kind, (reason or "").strip()[:200] or None, getattr(user, "id", None)
    db.session.flush()
    audit.record(f"pair_{kind}", rule, f"{candidate.label} {post.label}: {rule.reason or ''}", user=user)
    return rule


def remove_pair_rule(rule: PairRule, user) -> None:
    require_open(db.session.get(CandidatePool, rule.pool_id))
    audit.record("pair_rule_removed", rule, f"{rule.kind} C{rule.candidate_id} P{rule.post_id}", user=user)
    db.session.delete(rule)
    db.session.flush()


# ---- import and export ---------------------------------------------------------------------------

def import_result(run: AllocationRun, data: bytes, user) -> AllocationRun:
    """Store a result solved elsewhere for this run's problem, as a new finished run."""
    require_open(run.pool)
    if run.problem is None:
        raise UserError(_l("This run has no problem document yet."))
    try:
        result = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UserError(_l("The file is not a JSON document.")) from None
    if not isinstance(result, dict) or result.get("format") != RESULT_FORMAT:
        raise UserError(_l("The file is not an allocation result (format %(format)s).", format=RESULT_FORMAT))
    problem = run.problem
    posts = {post["id"]: post["seats"] for post in problem["posts"]}
    candidates = {candidate["id"] for candidate in problem["candidates"]}
    assignments = result.get("assignments")
    if not isinstance(assignments, list) or not all(isinstance(row, dict) for row in assignments):
        raise UserError(_l("The result has no list of assignments."))
    used: dict[str, int] = defaultdict(int)
    seen = set()
    for row in assignments:
        candidate, post = str(row.get("candidate")), str(row.get("post"))
        if candidate not in candidates or post not in posts:
            raise UserError(_l("The result names %(candidate)s and %(post)s, which are not in this run's problem.",
                               candidate=str(candidate), post=str(post)))
        if candidate in seen:
            raise UserError(_l("The result places %(candidate)s twice.", candidate=candidate))
        seen.add(candidate)
        used[post] += 1
        if used[post] > posts[post]:
            raise UserError(_l("The result fills post %(post)s beyond its seats.", post=post))
        if not isinstance(row.get("reasons", []), list):
            raise UserError(_l("The result's reasons must be lists of sentences."))
    if result.get("status") not in ("optimal", "feasible", "infeasible", "error"):
        raise UserError(_l("The result's status is not one of optimal, feasible, infeasible or error."))
    if not isinstance(result.get("objective", {}), dict):
        raise UserError(_l("The result's objective must be an object."))
    for key, field, known in (("unfilled", "post", posts), ("unassigned", "candidate", candidates)):
        rows = result.setdefault(key, [])
        if not isinstance(rows, list) or not all(
                isinstance(row, dict) and str(row.get(field)) in known and isinstance(row.get("reasons", []), list)
                for row in rows):
            raise UserError(_l("The result's list %(key)s names posts or candidates that are not in this run's "
                               "problem.", key=key))
    result.setdefault("objective", {})
    now = datetime.utcnow()
    imported = AllocationRun(pool_id=run.pool_id, mechanism=problem.get("mechanism", run.mechanism),
                             status="finished", queued_at=now, started_at=now, finished_at=now, problem=problem,
                             result=result, summary=summarise(problem, result), is_imported=True,
                             created_by_id=getattr(user, "id", None))
    db.session.add(imported)
    db.session.flush()
    audit.record("run_result_imported", imported, f"from run {run.id}", user=user)
    return imported


def import_problem(pool: CandidatePool, data: bytes, user) -> AllocationRun:
    """Queue a run of a problem document edited elsewhere; its ids must be this pool's posts and candidates.

    The engine checks the rest of the document when the run starts; a bad document fails the run
    with the engine's message.
    """
    require_open(pool)
    try:
        problem = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UserError(_l("The file is not a JSON document.")) from None
    if not isinstance(problem, dict) or problem.get("format") != PROBLEM_FORMAT:
        raise UserError(_l("The file is not an allocation problem (format %(format)s).", format=PROBLEM_FORMAT))
    if problem.get("mechanism") not in MECHANISMS:
        raise UserError(_l("Unknown mechanism."))
    posts = {f"P{post_id}" for post_id in db.session.scalars(pool_posts(pool).with_only_columns(Post.id))}
    candidates = {f"C{candidate_id}" for candidate_id in db.session.scalars(
        sa.select(Candidate.id).where(Candidate.pool_id == pool.id))}
    for key, known in (("posts", posts), ("candidates", candidates)):
        rows = problem.get(key)
        if not isinstance(rows, list) or not all(isinstance(row, dict) and row.get("id") in known for row in rows):
            raise UserError(_l("The problem's list %(key)s names posts or candidates that are not open in this pool.",
                               key=key))
    run = AllocationRun(pool_id=pool.id, mechanism=problem["mechanism"], status="queued", problem=problem,
                        created_by_id=getattr(user, "id", None))
    db.session.add(run)
    db.session.flush()
    audit.record("run_problem_imported", run, f"pool {pool.id}", user=user)
    return run


# ---- approval ------------------------------------------------------------------------------------

def _term_end(start_day: date, years: int) -> date:
    try:
        return start_day.replace(year=start_day.year + years) - timedelta(days=1)
    except ValueError:
        return start_day.replace(year=start_day.year + years, day=28) - timedelta(days=1)


def approve_run(run: AllocationRun, user, today: date | None = None) -> list[Posting]:
    """Turn a finished run into postings. Two approvals of the same pool: the first one wins.

    The pool is claimed with a conditional UPDATE (status open -> approved) and every filled post
    with another (filled_by_run_id IS NULL -> this run): a second officer approving at the same
    moment waits for the first transaction, then finds nothing left to claim and is refused.
    """
    today = today or date.today()
    pool = run.pool
    if run.status != "finished" or (run.result or {}).get("status") not in SOLVED:
        raise UserError(_l("Only a finished run with a solution can be approved."))
    require_open(pool)
    assignments = run.result.get("assignments", [])
    if not assignments:
        raise UserError(_l("This run places nobody; there is nothing to approve."))
    candidate_ids = [parse_label(row["candidate"]) for row in assignments]
    post_ids = [parse_label(row["post"]) for row in assignments]
    with unscoped():
        candidates = {c.id: c for c in _load(Candidate, set(candidate_ids), joinedload(Candidate.teacher))}
        posts = {p.id: p for p in _load(Post, set(post_ids))}
        if len(candidates) != len(set(candidate_ids)) or len(posts) != len(set(post_ids)):
            raise UserError(_l("Candidates or posts of this run have been removed since; run it again."))
    claimed = db.session.execute(
        sa.update(CandidatePool).where(CandidatePool.id == pool.id, CandidatePool.status == "open")
        .values(status="approved", approved_run_id=run.id).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        winner = db.session.scalar(sa.select(CandidatePool.approved_run_id).where(CandidatePool.id == pool.id))
        if winner == run.id:
            raise UserError(_l("This run has just been approved by another officer."))
        raise UserError(_l("Another run of this pool has just been approved; this one was not."))
    unique_posts = sorted(set(post_ids))
    filled = 0
    for chunk in in_chunks(unique_posts):
        filled += db.session.execute(
            sa.update(Post).where(Post.id.in_(chunk), Post.filled_by_run_id.is_(None))
            .values(filled_by_run_id=run.id).execution_options(synchronize_session=False)).rowcount
    if filled != len(unique_posts):
        raise UserError(_l("Some of these posts were filled by another approved run; this run was not approved."))
    if pool.kind == "special_post":
        _refuse_registered(candidates, candidate_ids)

    norm = norm_for_path(pool.unit.path)
    start_day = pool.term_start
    end_day = _term_end(start_day, norm.term_years(pool.kind))
    status = "planned" if start_day > today else "active"
    postings = []
    with unscoped():
        for candidate_id, post_id in zip(candidate_ids, post_ids):
            candidate, post = candidates[candidate_id], posts[post_id]
            kind, ends = pool.kind, end_day
            if candidate.directed_programme:
                kind, ends = "directed", _term_end(start_day, candidate.obligation_years or 1)
            teacher = _teacher_for(candidate, post, pool, start_day, ends)
            home_school_id = candidate.home_school_id if pool.kind != "special_post" else None
            posting = Posting(teacher=teacher, school_id=post.school_id, home_school_id=home_school_id,
                              subject_id=post.subject_id, stage=post.stage, kind=kind, start_date=start_day,
                              end_date=ends, status=status, run_id=run.id, post_id=post.id)
            db.session.add(posting)
            postings.append(posting)
        run.approved_at, run.approved_by_id = datetime.utcnow(), getattr(user, "id", None)
        db.session.flush()
    audit.record("run_approved", run, f"pool {pool.id} ({pool.kind}), {len(postings)} postings, "
                                      f"mechanism {run.mechanism}", user=user)
    return postings


def _refuse_registered(candidates: dict[int, Candidate], candidate_ids: list[int]) -> None:
    """A recruit already in the registry (hired elsewhere meanwhile) cannot get a second record."""
    numbers = [candidates[i].id_number for i in candidate_ids]
    existing = set()
    with unscoped():
        for chunk in in_chunks(numbers):
            existing |= set(db.session.scalars(sa.select(Teacher.id_number).where(Teacher.id_number.in_(chunk))))
    if existing:
        names = "、".join(candidates[i].name for i in candidate_ids if candidates[i].id_number in existing)
        raise UserError(_l("Already registered as teachers: %(names)s. Forbid their pairs and run again.",
                           names=names))


def _teacher_for(candidate: Candidate, post: Post, pool: CandidatePool, start_day: date, end_day: date) -> Teacher:
    """The posted teacher: a new record for a special-post recruit; the registered one otherwise."""
    if candidate.teacher is None:
        # A directed-training graduate takes an established post at once; a special-post recruit serves a term.
        directed = bool(candidate.directed_programme)
        teacher = Teacher(id_number=candidate.id_number, name=candidate.name, gender=candidate.gender,
                          birth_date=candidate.birth_date, school_id=post.school_id,
                          employment_type="regular" if directed else "special_post",
                          term_start=None if directed else start_day, term_end=None if directed else end_day, subject_id=post.subject_id,
                          certificate_stages=list(candidate.stages or []), degree=candidate.degree,
                          hire_date=start_day, at_school_since=start_day, status="active")
        db.session.add(teacher)
        return teacher
    teacher = candidate.teacher
    teacher.school_id = post.school_id  # the home school stays on the posting
    teacher.term_start, teacher.term_end = start_day, end_day
    if pool.kind == "silver_age":
        teacher.status, teacher.employment_type = "active", "silver_age"
    return teacher


# ---- postings ------------------------------------------------------------------------------------

def refresh_posting_statuses(today: date) -> int:
    """Start planned postings and end finished ones; a rotated or supporting teacher goes home."""
    changed = 0
    with unscoped():
        starting = db.session.scalars(sa.select(Posting).where(Posting.status == "planned",
                                                               Posting.start_date <= today)).all()
        for posting in starting:
            posting.status = "active"
            changed += 1
        ending = db.session.scalars(sa.select(Posting).where(Posting.status.in_(("planned", "active")),
                                                             Posting.end_date < today)
                                    .options(joinedload(Posting.teacher))).all()
        for posting in ending:
            posting.status = "ended"
            if posting.home_school_id and posting.kind in ("rotation", "support"):
                posting.teacher.school_id = posting.home_school_id
            elif posting.kind == "silver_age":
                posting.teacher.status = "retired"
            changed += 1
    db.session.flush()
    return changed


def posting_list(kind: str = "", status: str = ""):
    query = (sa.select(Posting).options(joinedload(Posting.teacher), joinedload(Posting.school),
                                        joinedload(Posting.home_school), joinedload(Posting.subject))
             .order_by(Posting.start_date.desc(), Posting.id))
    if kind:
        query = query.where(Posting.kind == kind)
    if status:
        query = query.where(Posting.status == status)
    return query


@dataclass
class Obligation:
    posting: Posting
    served_years: float
    state: str  # serving, met, left


def obligations(page_items: list[Posting], today: date) -> list[Obligation]:
    """Directed-training graduates' service: years served, and whether it is met or was broken off."""
    found = []
    for posting in page_items:
        served = max(0.0, (min(today, posting.end_date) - posting.start_date).days / 365.25)
        teacher = posting.teacher
        if today > posting.end_date:
            state = "met"
        elif teacher.status != "active" or teacher.school.county_id != posting.school.county_id:
            state = "left"
        else:
            state = "serving"
        found.append(Obligation(posting, round(served, 1), state))
    return found


def obligation_list():
    """Postings of directed-training graduates, the soonest to finish first."""
    return (sa.select(Posting).where(Posting.kind == "directed")
            .options(joinedload(Posting.teacher).joinedload(Teacher.school), joinedload(Posting.school),
                     joinedload(Posting.subject))
            .order_by(Posting.end_date, Posting.id))


def retention_review(today: date, within_days: int = 180):
    """Special-post teachers whose term ends within the window (or has ended): the 入编 review list."""
    return (sa.select(Posting).where(Posting.kind == "special_post", Posting.end_date <= today + timedelta(days=within_days))
            .options(joinedload(Posting.teacher), joinedload(Posting.school), joinedload(Posting.subject))
            .order_by(Posting.end_date, Posting.id))
