"""Demo staffing data on top of the demo registry: this year's special-post posts and applicants,
rotation-eligible teachers, silver-age volunteers, and one approved run with its postings.

Called by `flask seed-demo` after the registry and training seeders; writes in bulk and flushes.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from trainhub.demo.names import person_name
from trainhub.extensions import db
from trainhub.idnumber import make as make_id_number
from trainhub.schools.models import School, Unit
from trainhub.staffing import pools, runs, services
from trainhub.staffing.models import AllocationRun, Candidate, Post
from trainhub.teachers.models import Teacher

# (applicants, seats) by scale: about four applicants for every three seats.
SIZES = {"small": (40, 30), "prefecture": (800, 600)}
SILVER_AGE_VOLUNTEERS = {"small": 4, "prefecture": 40}
MASTER_SHARE = 0.15
POST_CHOOSER_SHARE = 0.6  # the rest choose counties
# Applicants lean towards town schools outside the key-aid counties: the tension coverage resolves.
EASY_POST_BIAS = 3.0


def seed(scale: str, rng: random.Random, today: date | None = None) -> dict[str, int]:
    today = today or date.today()
    year = today.year
    province = db.session.scalars(sa.select(Unit).where(Unit.kind == "province").order_by(Unit.id)).first()
    prefecture = db.session.scalars(sa.select(Unit).where(Unit.kind == "prefecture").order_by(Unit.id)).first()
    if province is None or prefecture is None:
        return {}
    applicants, seats = SIZES.get(scale, SIZES["small"])
    reference, term_start = date(year, 8, 31), date(year, 9, 1)

    services.generate_posts(prefecture, year, "special_post")
    posts = _trim_posts(prefecture, year, seats, rng)
    pool = pools.create_pool(prefecture, "special_post", year, f"{year}年{prefecture.name}特岗教师招聘", reference,
                             term_start)
    _applicants(pool, posts, applicants, rng, reference)

    rotation = pools.create_pool(prefecture, "rotation", year, f"{year}年{prefecture.name}交流轮岗", reference,
                                 term_start)
    rotated = pools.add_eligible_teachers(rotation)
    volunteers = _retired_teachers(SILVER_AGE_VOLUNTEERS.get(scale, 4), rng, term_start)
    silver = pools.create_pool(prefecture, "silver_age", year, f"{year}年银龄讲学计划", reference, term_start)
    pools.add_eligible_teachers(silver)

    finished = []
    for mechanism in ("coverage", "merit"):
        run = AllocationRun(pool_id=pool.id, mechanism=mechanism, status="running", started_at=datetime.utcnow())
        run.pool = pool
        db.session.add(run)
        runs.solve(run)
        run.finished_at = datetime.utcnow()
        finished.append(run)
    db.session.flush()
    postings = runs.approve_run(finished[0], None, today=today)
    return {"special-post posts": len(posts), "special-post seats": sum(p.seats for p in posts),
            "applicants": applicants, "rotation-eligible teachers": rotated, "silver-age volunteers": volunteers,
            "allocation runs": len(finished), "postings": len(postings)}


def _trim_posts(prefecture: Unit, year: int, seats: int, rng: random.Random) -> list[Post]:
    """Keep a recruitment plan of about `seats` seats, the most needed posts most likely kept."""
    posts = db.session.scalars(services.post_list(prefecture, year, "special_post")).unique().all()
    ranked = sorted(posts, key=lambda post: -post.weight * rng.random())
    kept, total = [], 0
    for post in ranked:
        if total >= seats:
            break
        post.seats = min(post.seats, seats - total)
        kept.append(post)
        total += post.seats
    dropped = [post.id for post in posts if post not in kept]
    if dropped:
        db.session.execute(sa.delete(Post).where(Post.id.in_(dropped)))
    db.session.flush()
    return kept


def _applicants(pool, posts: list[Post], count: int, rng: random.Random, reference: date) -> None:
    """Applicants whose subjects follow the posts, a few matching none; bulk inserted."""
    counties = sorted({post.school.county.code for post in posts})
    by_subject: dict[str, list[Post]] = {}
    for post in posts:
        by_subject.setdefault(post.subject.code, []).append(post)
    subject_weights = {code: sum(p.seats for p in group) for code, group in by_subject.items()}
    codes, weights = list(subject_weights), list(subject_weights.values())
    used = set(db.session.scalars(sa.select(Teacher.id_number)))
    rows = []
    for n in range(count):
        gender = "female" if rng.random() < 0.6 else "male"
        degree = "master" if rng.random() < MASTER_SHARE else "bachelor"
        age = rng.randint(23, 34 if degree == "master" else 29)
        birth = reference - timedelta(days=age * 365 + rng.randint(30, 330))
        id_number = _unique_id_number(rng, birth, gender, used)
        subject = rng.choices(codes, weights)[0]
        stages = sorted({post.stage for post in by_subject[subject]} | ({"primary"} if rng.random() < 0.5 else set()))
        choices = _choices(by_subject[subject], counties, rng)
        rows.append({"pool_id": pool.id, "name": person_name(rng, gender), "id_number": id_number, "gender": gender,
                     "birth_date": birth, "degree": degree, "subjects": [subject], "stages": stages,
                     "exam_score": round(min(100.0, max(40.0, rng.gauss(68, 9))), 1),
                     "interview_score": round(min(100.0, max(50.0, rng.gauss(80, 6))), 1),
                     "choices": choices, "is_key_teacher": False})
    db.session.execute(sa.insert(Candidate), rows)


def _choices(candidates: list[Post], counties: list[str], rng: random.Random) -> list[str]:
    if rng.random() < POST_CHOOSER_SHARE:
        weights = [EASY_POST_BIAS if post.school.locality != "rural" and not post.school.county.is_key_aid_county
                   else 1.0 for post in candidates]
        chosen: list[str] = []
        for _ in range(min(len(candidates), rng.randint(2, 5))):
            post = rng.choices(candidates, weights)[0]
            if post.label not in chosen:
                chosen.append(post.label)
        return chosen
    return rng.sample(counties, min(len(counties), rng.randint(1, 3)))


def _unique_id_number(rng: random.Random, birth: date, gender: str, used: set[str]) -> str:
    while True:
        sequence = rng.randrange(0, 999)
        sequence -= (sequence % 2) != (gender == "male")  # odd sequence: male
        id_number = make_id_number(rng.choice(("622921", "622922", "622923", "622924", "622925", "622926",
                                               "622927", "620102")), birth, max(sequence, 0) if gender == "female"
                                   else max(sequence, 1))
        if id_number not in used:
            used.add(id_number)
            return id_number


def _retired_teachers(count: int, rng: random.Random, term_start: date) -> int:
    """Retired teachers aged 60 to 65 at the term start, registered at urban and town schools."""
    schools = db.session.scalars(sa.select(School).where(School.locality.in_(("urban", "town")))
                                 .order_by(School.id)).all()
    subjects = dict(db.session.execute(sa.select(Teacher.subject_id, sa.func.count()).group_by(Teacher.subject_id)).all())
    if not schools or not subjects:
        return 0
    used = set(db.session.scalars(sa.select(Teacher.id_number)))
    rows = []
    for _ in range(count):
        gender = "female" if rng.random() < 0.5 else "male"
        birth = term_start - timedelta(days=rng.randint(60, 65) * 365 + rng.randint(10, 300))
        school = rng.choice(schools)
        rows.append({"id_number": _unique_id_number(rng, birth, gender, used), "name": person_name(rng, gender),
                     "gender": gender, "birth_date": birth, "school_id": school.id, "employment_type": "regular",
                     "subject_id": rng.choices(list(subjects), list(subjects.values()))[0],
                     "certificate_stages": ["primary", "junior"], "degree": "bachelor", "title": "senior",
                     "key_teacher_level": rng.choice(("none", "county", "prefecture")), "is_principal": False,
                     "is_homeroom_teacher": False, "hire_date": date(birth.year + 22, 9, 1),
                     "at_school_since": date(birth.year + 35, 9, 1), "status": "retired",
                     "created_at": datetime.utcnow()})
    db.session.execute(sa.insert(Teacher), rows)
    return count
