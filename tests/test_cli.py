"""create-user: a working account for each binding, and clear refusals that write nothing."""
import pytest
import sqlalchemy as sa

from trainhub.accounts.models import User
from trainhub.extensions import db
from tests.conftest import login

PASSWORD = "a long enough password"


def _create(app, *args, password=PASSWORD):
    extra = ["--password", password] if password is not None else []
    return app.test_cli_runner().invoke(args=["create-user", *args, *extra])


def _users() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_creates_a_county_officer_who_can_sign_in(app, world):
    result = _create(app, "dongxiang.officer", "--role", "county_officer", "--unit", "622921", "--name", "王科长")

    assert result.exit_code == 0, result.output
    user = db.session.scalars(sa.select(User).where(User.username == "dongxiang.officer")).one()
    assert (user.role, user.unit.code, user.display_name) == ("county_officer", "622921", "王科长")
    login(app.test_client(), user, PASSWORD)


def test_creates_a_teacher_account_from_the_id_number_and_a_school_admin_from_the_school_code(app, world):
    teacher = world["teacher_b"]
    result = _create(app, "li", "--role", "teacher", "--teacher", teacher.id_number.lower())
    assert result.exit_code == 0, result.output
    result = _create(app, "head", "--role", "school_admin", "--school", world["school_b"].code)
    assert result.exit_code == 0, result.output

    li = db.session.scalars(sa.select(User).where(User.username == "li")).one()
    head = db.session.scalars(sa.select(User).where(User.username == "head")).one()
    assert (li.teacher_id, li.display_name) == (teacher.id, teacher.name)
    assert head.school_id == world["school_b"].id


def test_prompts_for_the_password_when_it_is_not_given(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "prompted", "--role", "inspector", "--unit", "622900"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    user = db.session.scalars(sa.select(User).where(User.username == "prompted")).one()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(("args", "message"), [
    (["x", "--role", "superuser", "--unit", "620000"], "Unknown role 'superuser'"),
    (["x", "--role", "county_officer", "--unit", "999999"], "No unit has the code '999999'"),
    (["x", "--role", "county_officer", "--unit", "620000"], "is a province"),
    (["x", "--role", "county_officer"], "needs --unit"),
    (["x", "--role", "county_officer", "--unit", "622921", "--school", "1"], "not --school"),
    (["x", "--role", "school_admin", "--school", "0000000000"], "No school has the code"),
    (["x", "--role", "teacher", "--teacher", "11010519491231002X"], "No teacher has"),
])
def test_refuses_bad_roles_and_bindings_and_writes_nothing(app, world, args, message):
    before = _users()

    result = _create(app, *args)

    assert result.exit_code != 0
    assert message in result.output
    assert _users() == before


def test_refuses_a_taken_username_a_teacher_with_an_account_and_a_short_password(app, world):
    before = _users()
    taken = world["users"]["province_admin"].username

    refusals = [
        (_create(app, taken, "--role", "province_admin", "--unit", "620000"), "is taken"),
        (_create(app, "again", "--role", "teacher", "--teacher", str(world["teacher_a"].id)), "already has an account"),
        (_create(app, "short", "--role", "inspector", "--unit", "622900", password="abc"), "at least 10"),
    ]

    for result, message in refusals:
        assert result.exit_code != 0 and message in result.output, result.output
    assert _users() == before
