"""The scope on the session limits every ORM query: lists, counts, joins and gets."""
import sqlalchemy as sa

from trainhub.extensions import db
from trainhub.schools.models import School, Unit
from trainhub.scoping import Scope, set_scope, unscoped
from trainhub.teachers.models import Teacher


def _visible(model, column):
    return set(db.session.scalars(sa.select(column)).all())


def test_county_scope_sees_its_own_county_only(world):
    set_scope(db.session, Scope(unit_path=world["county_a"].path, home_path=world["county_a"].path))
    assert _visible(Teacher, Teacher.name) == {"张老师"}
    assert _visible(School, School.name) == {"临夏县第一小学"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Teacher)) == 1
    # Its own county and the units above it are visible by name; the neighbour county is not.
    assert _visible(Unit, Unit.name) == {"甘肃省", "临夏回族自治州", "临夏县"}


def test_prefecture_scope_sees_the_whole_subtree(world):
    set_scope(db.session, Scope(unit_path=world["prefecture"].path, home_path=world["prefecture"].path))
    assert _visible(Teacher, Teacher.name) == {"张老师", "李老师"}


def test_out_of_scope_rows_are_hidden_in_joins_and_relationship_loads(world):
    teacher_b_id, path = world["teacher_b"].id, world["county_a"].path
    db.session.expunge_all()
    set_scope(db.session, Scope(unit_path=path, home_path=path))
    assert db.session.scalars(sa.select(Teacher).where(Teacher.id == teacher_b_id)).first() is None
    joined = db.session.scalars(sa.select(Teacher.name).join(School).where(School.name.like("康乐%"))).all()
    assert joined == []


def test_teacher_scope_sees_only_themself(world):
    teacher = world["teacher_a"]
    set_scope(db.session, Scope(home_path=world["county_a"].path, school_id=teacher.school_id,
                                teacher_id=teacher.id))
    assert _visible(Teacher, Teacher.id) == {teacher.id}


def test_unscoped_block_sees_everything_and_restores_the_scope(world):
    set_scope(db.session, Scope(unit_path=world["county_a"].path, home_path=world["county_a"].path))
    with unscoped():
        assert len(_visible(Teacher, Teacher.id)) == 2
    assert len(_visible(Teacher, Teacher.id)) == 1


def test_scopes_taken_in_turn_each_see_their_own_rows(world):
    # The criteria are built once per scope and reused: a scope seen before must not lend
    # its criteria to the next one, and a scope seen again must get its own back.
    county_a, county_b = world["county_a"].path, world["county_b"].path
    for path, name in ((county_a, "张老师"), (county_b, "李老师"), (county_a, "张老师"), (county_b, "李老师")):
        set_scope(db.session, Scope(unit_path=path, home_path=path))
        assert _visible(Teacher, Teacher.name) == {name}


def test_counts_over_a_subquery_of_ids_are_scoped(world):
    # The lists count `SELECT count(*) FROM (SELECT teacher.id ...)`: the criteria reach into the subquery.
    set_scope(db.session, Scope(unit_path=world["county_a"].path, home_path=world["county_a"].path))
    ids = sa.select(Teacher.id).where(Teacher.status == "active").subquery()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ids)) == 1
    names = sa.select(School.id, School.name).order_by(School.name)
    assert [name for _id, name in db.session.execute(names)] == ["临夏县第一小学"]
