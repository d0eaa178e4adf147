"""seed-demo: the shape of the small demo, its invariants, and refusing to write twice."""
import random
import sys
import types

import pytest
import sqlalchemy as sa

from trainhub import demo
from trainhub.accounts.models import User
from trainhub.demo import geography, registry
from trainhub.extensions import db
from trainhub.idnumber import parse
from trainhub.schools.models import ScarceSubject, School, SchoolStage, Subject, Unit
from tests.conftest import login
from trainhub.teachers.models import Teacher

PASSWORD = "demo password 2024"


def _drop_everything():
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def empty_app(app):
    """The app on a database with no tables at all, as seed-demo meets it on a new install."""
    _drop_everything()
    yield app
    _drop_everything()
    db.create_all()  # what the app fixture expects to drop


def _seed(app, *args):
    return app.test_cli_runner().invoke(args=["seed-demo", "--scale", "small", "--password", PASSWORD, *args])


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_small_demo_has_two_counties_of_ten_schools_and_one_account_per_role(empty_app):
    result = _seed(empty_app)

    assert result.exit_code == 0, result.output
    kinds = dict(db.session.execute(sa.select(Unit.kind, sa.func.count()).group_by(Unit.kind)).all())
    assert kinds == {"province": 1, "prefecture": 1, "county": 2}
    assert _count(School) == 20
    assert 150 <= _count(Teacher) <= 300
    assert _count(Subject) == len(registry.SUBJECTS)
    years = set(db.session.scalars(sa.select(ScarceSubject.year)))
    assert years == set(registry.SCARCE_SUBJECTS)
    roles = sorted(db.session.scalars(sa.select(User.role)))
    assert roles == sorted(["province_admin", "prefecture_admin", "county_officer", "school_admin", "teacher",
                            "inspector"])
    assert PASSWORD in result.output and "county_officer" in result.output


def test_every_teacher_id_number_is_valid_unique_and_agrees_with_the_record(empty_app):
    _seed(empty_app)

    teachers = db.session.scalars(sa.select(Teacher)).all()
    assert len({teacher.id_number for teacher in teachers}) == len(teachers)
    known_areas = {county.code for county in geography.COUNTIES} | set(geography.OTHER_GANSU_AREAS)
    for teacher in teachers:
        parsed = parse(teacher.id_number)
        assert parsed.birth_date == teacher.birth_date
        assert parsed.gender == teacher.gender
        assert teacher.id_number[:6] in known_areas


def test_every_school_has_a_county_stages_a_principal_and_plausible_staff(empty_app):
    _seed(empty_app)

    for school in db.session.scalars(sa.select(School)).all():
        assert school.county.kind == "county"
        assert school.code.isdigit() and len(school.code) == 10
        assert 35.2 <= school.lat <= 36.1 and 102.8 <= school.lon <= 103.9
        assert school.stages and all(stage.classes >= 1 for stage in school.stages)
        staff = db.session.scalars(sa.select(Teacher).where(Teacher.school_id == school.id)).all()
        assert sum(teacher.is_principal for teacher in staff) == 1
        assert school.is_small_rural == (school.locality == "rural" and school.students < 100)
    # Special-post teachers serve a three-year term.
    for teacher in db.session.scalars(sa.select(Teacher).where(Teacher.employment_type == "special_post")):
        assert (teacher.term_end - teacher.term_start).days in range(3 * 365 - 2, 3 * 365 + 2)


def test_demo_accounts_sign_in_with_the_given_password(empty_app):
    _seed(empty_app)

    user = db.session.scalars(sa.select(User).where(User.username == "county_officer")).one()
    assert user.unit.code == "622926"
    login(empty_app.test_client(), user, PASSWORD)


def test_a_second_run_is_refused_and_writes_nothing(empty_app):
    _seed(empty_app)
    teachers = _count(Teacher)

    result = _seed(empty_app)

    assert result.exit_code != 0
    assert "already has" in result.output
    assert _count(Teacher) == teachers and _count(User) == 6


def test_if_empty_skips_a_database_with_data(empty_app):
    _seed(empty_app)
    schools = _count(School)

    result = _seed(empty_app, "--if-empty")

    assert result.exit_code == 0, result.output
    assert "not loaded" in result.output
    assert _count(School) == schools


def test_domain_seeders_run_in_order_and_a_failing_one_leaves_nothing(empty_app, monkeypatch):
    calls = []

    def training_seed(scale, rng):
        calls.append(("training", scale, isinstance(rng, random.Random)))
        return {"programmes": 3}

    def staffing_seed(scale, rng):
        calls.append(("staffing", scale, isinstance(rng, random.Random)))
        raise RuntimeError("staffing demo is broken")

    for name, function in (("demo_training_stub", training_seed), ("demo_staffing_stub", staffing_seed)):
        module = types.ModuleType(name)
        module.seed = function
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(demo, "DOMAIN_SEEDERS", ("demo_training_stub", "demo_missing_module",
                                                 "demo_staffing_stub"))

    result = _seed(empty_app)

    assert calls == [("training", "small", True), ("staffing", "small", True)]
    assert result.exit_code != 0 and isinstance(result.exception, RuntimeError)
    db.session.rollback()
    assert _count(Unit) == 0 and _count(Teacher) == 0 and _count(SchoolStage) == 0


def test_missing_domain_seeders_are_reported_as_skipped(empty_app, monkeypatch):
    monkeypatch.setattr(demo, "DOMAIN_SEEDERS", ("demo_missing_module",))

    result = _seed(empty_app)

    assert result.exit_code == 0, result.output
    assert "demo_missing_module: not available yet, skipped." in result.output


def test_the_prefecture_plan_has_the_eight_counties_and_about_1500_uniquely_named_schools():
    rng = random.Random(7)
    planned = [school for county in geography.COUNTIES for school in registry._plan_county(county, rng)]

    assert len(geography.COUNTIES) == 8
    assert 1400 <= len(planned) <= 1600
    assert len({school.name for school in planned}) == len(planned)
    kinds = {school.kind for school in planned}
    assert {"senior", "junior", "central_primary", "village_primary", "teaching_point", "relocation"} <= kinds
    assert all(school.township in school.county.townships for school in planned)


def test_the_same_seed_plans_the_same_prefecture():
    def plan(seed):
        rng = random.Random(seed)
        return [(school.name, school.stages) for county in geography.COUNTIES
                for school in registry._plan_county(county, rng)]

    assert plan(3) == plan(3)
    assert plan(3) != plan(4)
