"""A world with objects of every kind in three places, built once per test module.

Variant "a" lies in county_a (the county officer's county, the school admin's school, the teacher's
own records); "b" in county_b, a sibling county of the same prefecture; "x" in a county of another
province, outside everybody's reach. Each variant has a school, a teacher, a programme organised by
its county with one session and one completed enrolment, posts, a special-post pool with an
applicant, a pair rule, a finished allocation run and an itinerant plan.
"""
import shutil
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.conftest import (RequestClient, _test_app, _truncate_all, make_school, make_subject, make_teacher,
                            make_tree, make_unit, make_user)
from tests.staffing.conftest import applicant_row, workbook_bytes
from tests.training.conftest import make_programme
from trainhub.accounts.models import User
from trainhub.extensions import db
from trainhub.scoping import set_scope

PASSWORD = "correct horse 42"
ROLES = ("province_admin", "prefecture_admin", "county_officer", "school_admin", "teacher", "inspector")
YEAR = 2024


def _module_app(empty_database: str, tmp_path_factory, **config):
    if empty_database.startswith("sqlite"):
        copy = tmp_path_factory.mktemp("proof") / "proof.sqlite"
        shutil.copyfile(empty_database[len("sqlite:///"):], copy)
        uri = f"sqlite:///{copy}"
    else:
        uri = empty_database
    app = _test_app(uri)
    app.config.update(config)
    app.test_client_class = RequestClient
    return app, uri


@pytest.fixture(scope="module")
def proof_app(_empty_database, tmp_path_factory):
    """One app and database for a whole module (the world is built once and only read, mostly)."""
    app, uri = _module_app(_empty_database, tmp_path_factory)
    with app.app_context():
        yield app
        db.session.remove()
        if not uri.startswith("sqlite"):
            _truncate_all()
        db.engine.dispose()


def _variant(county, school, teacher, n: int) -> dict:
    """Objects of every kind in one county."""
    from trainhub.staffing import itinerant, pools, runs, services
    from trainhub.staffing.models import Candidate, ItinerantPlan, PairRule, Post
    from trainhub.training.models import Enrolment

    programme = make_programme(organiser=county, title=f"培训{county.name}")
    enrolment = Enrolment(programme=programme, teacher=teacher, status="completed", hours_attended=8,
                          completed_at=date.today() - timedelta(days=1), certificate_no=f"CERT{n:05d}")
    db.session.add(enrolment)
    services.generate_posts(county, YEAR)
    posts = db.session.scalars(sa.select(Post).where(Post.school_id == school.id).order_by(Post.id)).all()
    pool = pools.create_pool(county, "special_post", YEAR, f"特岗{county.name}", date(YEAR, 8, 31),
                             date(YEAR, 9, 1))
    pools.import_applicants(pool, workbook_bytes([applicant_row(100 + n, name=f"考生{n}", choices=county.code)]))
    candidate = db.session.scalars(sa.select(Candidate).where(Candidate.pool_id == pool.id)).first()
    rule = PairRule(pool_id=pool.id, candidate_id=candidate.id, post_id=posts[0].id, kind="forbid", reason="测试")
    db.session.add(rule)
    run, = runs.queue_runs(pool, ["merit"], None)
    plan = ItinerantPlan(county_id=county.id, year=YEAR, status="failed", problem={"demands": []})
    db.session.add(plan)
    db.session.commit()
    runs.execute_run(run.id)
    db.session.refresh(run)
    assert run.status == "finished", run.error
    return {"county": county, "school": school, "teacher": teacher, "programme": programme,
            "session": programme.sessions[0], "enrolment": enrolment, "post": posts[0], "pool": pool,
            "candidate": candidate, "rule": rule, "run": run, "plan": plan, "itinerant": itinerant}


@pytest.fixture(scope="module")
def proof_world(proof_app):
    """The usual two-county world, a third county in another province, and every kind of object."""
    from trainhub.api.models import ApiToken

    set_scope(db.session, None)
    make_subject("math", "数学", "Mathematics")
    province, prefecture, county_a, county_b = make_tree()
    other_province = make_unit("province", code="630000", name="青海省")
    other_prefecture = make_unit("prefecture", other_province, code="632100", name="海东市")
    county_x = make_unit("county", other_prefecture, code="632122", name="民和县")
    schools = {key: make_school(county, name=f"{county.name}第一小学")
               for key, county in (("a", county_a), ("b", county_b), ("x", county_x))}
    teachers = {key: make_teacher(school, name=f"{key}老师") for key, school in schools.items()}
    users = {
        "province_admin": make_user("province_admin", unit=province),
        "prefecture_admin": make_user("prefecture_admin", unit=prefecture),
        "county_officer": make_user("county_officer", unit=county_a),
        "school_admin": make_user("school_admin", school=schools["a"]),
        "teacher": make_user("teacher", teacher=teachers["a"]),
        "inspector": make_user("inspector", unit=prefecture),
    }
    db.session.commit()
    counties = {"a": county_a, "b": county_b, "x": county_x}
    variants = {key: _variant(counties[key], schools[key], teachers[key], n)
                for n, key in enumerate(("a", "b", "x"), start=1)}
    tokens = {}
    for role, user in users.items():
        _record, tokens[role] = ApiToken.issue(user, "proof")
    db.session.commit()
    return {"province": province, "prefecture": prefecture, "units": counties, "users": users,
            "variants": variants, "tokens": tokens}


def signed_in_client(app, user: User) -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def row_counts() -> dict[str, int]:
    """Rows per table except the audit log: a cheap check that a refused request wrote nothing."""
    counts = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            if table.name in ("audit_event",):
                continue
            counts[table.name] = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()
    return counts
