"""Fixtures and factories shared by the whole suite.

Tests run on SQLite by default, or on the database named by TRAINHUB_TEST_DATABASE_URL
(PostgreSQL in CI). The schema is built once per run; each test starts from empty tables.
"""
import itertools
import os
import shutil
from datetime import date

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient

from trainhub import create_app
from trainhub.extensions import db
from trainhub.idnumber import make as make_id_number
from trainhub.scoping import set_scope

TEST_DATABASE_URL = os.environ.get("TRAINHUB_TEST_DATABASE_URL")
_counter = itertools.count(1)


def _postgres_uri() -> str | None:
    if not TEST_DATABASE_URL:
        return None
    uri = TEST_DATABASE_URL
    return "postgresql+psycopg://" + uri[len("postgresql://"):] if uri.startswith("postgresql://") else uri


def _test_app(uri: str):
    return create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": uri,
        "SECRET_KEY": "test-secret-not-used-anywhere-else",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast in tests; production keeps scrypt
        "WTF_CSRF_ENABLED": False,
        "REDIS_URL": None,
    })


@pytest.fixture(scope="session")
def _empty_database(tmp_path_factory):
    """Build the schema once per run: an SQLite file to copy, or fresh PostgreSQL tables."""
    uri = _postgres_uri() or f"sqlite:///{tmp_path_factory.mktemp('schema') / 'empty.sqlite'}"
    app = _test_app(uri)
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return uri


@pytest.fixture
def app(_empty_database, tmp_path):
    """An app on an empty database: a copy of the SQLite file, or truncated PostgreSQL tables."""
    if _empty_database.startswith("sqlite"):
        copy = tmp_path / "test.sqlite"
        shutil.copyfile(_empty_database[len("sqlite:///"):], copy)
        uri = f"sqlite:///{copy}"
    else:
        uri = _empty_database
    app = _test_app(uri)
    with app.app_context():
        db.create_all()  # a no-op unless a test dropped tables
        yield app
        db.session.remove()
        if not uri.startswith("sqlite"):
            _truncate_all()
        db.engine.dispose()


def _truncate_all() -> None:
    db.create_all()  # a test may have dropped tables; truncating needs them all
    tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def csrf_app(app):
    """The app with CSRF checks on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


class RequestClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    Without this, requests reuse the test's app context: `g` (the signed-in user, the locale)
    and the database session would carry over from one request to the next. What the test set
    up is committed before the request; the test's session is expired after it, so it sees
    what the request saved.
    """

    def open(self, *args, **kwargs):
        outer = db.session() if has_app_context() else None
        if outer is not None:
            outer.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if outer is not None:
            outer.expire_all()
        return response


@pytest.fixture
def client(app):
    app.test_client_class = RequestClient
    return app.test_client()


def _next() -> int:
    return next(_counter)


# ---- factories ---------------------------------------------------------------------------------

def make_subject(code="math", name_zh="数学", name_en="Mathematics"):
    from trainhub.schools.models import Subject

    found = db.session.scalars(sa.select(Subject).where(Subject.code == code)).first()
    if found:
        return found
    subject = Subject(code=code, name_zh=name_zh, name_en=name_en)
    db.session.add(subject)
    db.session.flush()
    return subject


def make_unit(kind="county", parent=None, code=None, name=None, **overrides):
    from trainhub.schools.models import Unit

    code = code or f"{620000 + _next():06d}"
    path = (parent.path if parent else "/") + code + "/"
    unit = Unit(code=code, name=name or f"单位{code}", kind=kind, parent=parent, path=path, **overrides)
    db.session.add(unit)
    db.session.flush()
    return unit


def make_tree():
    """A province with one prefecture and two counties: the usual test world."""
    province = make_unit("province", code="620000", name="甘肃省")
    prefecture = make_unit("prefecture", province, code="622900", name="临夏回族自治州")
    county_a = make_unit("county", prefecture, code="622921", name="临夏县", is_key_aid_county=True)
    county_b = make_unit("county", prefecture, code="622922", name="康乐县")
    return province, prefecture, county_a, county_b


def make_school(county, **overrides):
    from trainhub.schools.models import School, SchoolStage

    n = _next()
    stages = overrides.pop("stages", {"primary": (300, 8)})
    values = {"code": f"21{n:08d}", "name": f"第{n}小学", "county": county, "locality": "rural"} | overrides
    school = School(**values)
    school.stages = [SchoolStage(stage=stage, students=s, classes=c) for stage, (s, c) in stages.items()]
    db.session.add(school)
    db.session.flush()
    return school


def make_teacher(school, **overrides):
    from trainhub.teachers.models import Teacher

    n = _next()
    birth = overrides.pop("birth_date", date(1985, 1 + n % 12, 1 + n % 28))
    id_number = overrides.pop("id_number", make_id_number("622921", birth, n % 1000))
    from trainhub.idnumber import parse

    parsed = parse(id_number)
    values = {
        "id_number": id_number, "name": f"教师{n}", "gender": parsed.gender, "birth_date": parsed.birth_date,
        "school": school, "subject": overrides.pop("subject", None) or make_subject(),
        "certificate_stages": ["primary"], "hire_date": date(2010, 9, 1), "at_school_since": date(2015, 9, 1),
    } | overrides
    teacher = Teacher(**values)
    db.session.add(teacher)
    db.session.flush()
    return teacher


def make_user(role, unit=None, school=None, teacher=None, password="correct horse 42", **overrides):
    from trainhub.accounts.models import User

    n = _next()
    user = User(username=overrides.pop("username", f"user{n}"), display_name=f"用户{n}", role=role,
                unit=unit, school=school, teacher=teacher, **overrides)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def login(client, user, password="correct horse 42"):
    """Sign in through the real login form."""
    db.session.commit()
    response = client.post("/login", data={"username": user.username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def world(app):
    """Two counties, each with a school, teachers and one user per role."""
    province, prefecture, county_a, county_b = make_tree()
    school_a = make_school(county_a, name="临夏县第一小学")
    school_b = make_school(county_b, name="康乐县第一小学")
    teacher_a = make_teacher(school_a, name="张老师")
    teacher_b = make_teacher(school_b, name="李老师")
    users = {
        "province_admin": make_user("province_admin", unit=province),
        "prefecture_admin": make_user("prefecture_admin", unit=prefecture),
        "county_officer": make_user("county_officer", unit=county_a),
        "school_admin": make_user("school_admin", school=school_a),
        "teacher": make_user("teacher", teacher=teacher_a),
        "inspector": make_user("inspector", unit=prefecture),
    }
    db.session.commit()
    set_scope(db.session, None)
    return {
        "province": province, "prefecture": prefecture, "county_a": county_a, "county_b": county_b,
        "school_a": school_a, "school_b": school_b, "teacher_a": teacher_a, "teacher_b": teacher_b,
        "users": users,
    }
