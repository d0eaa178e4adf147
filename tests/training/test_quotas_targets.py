"""Seat quotas by hand and by need, and annual targets with their progress."""
from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import login, make_teacher
from tests.training.conftest import TODAY, make_programme
from trainhub.extensions import db
from trainhub.training import services
from trainhub.training.models import HoursRecord, SeatQuota, TrainingTarget


def _keys(world):
    return f"u{world['county_a'].id}", f"u{world['county_b'].id}"


def test_quotas_by_hand_within_capacity(client, world):
    programme = make_programme(world["prefecture"], capacity=10)
    db.session.commit()
    a, b = _keys(world)
    login(client, world["users"]["prefecture_admin"])
    client.post(f"/training/programmes/{programme.id}/quotas", data={f"seats-{a}": "8", f"seats-{b}": "3"})
    assert db.session.scalar(sa.select(sa.func.count(SeatQuota.id))) == 0  # 11 > 10: refused
    client.post(f"/training/programmes/{programme.id}/quotas", data={f"seats-{a}": "6", f"seats-{b}": "abc"})
    assert db.session.scalar(sa.select(sa.func.count(SeatQuota.id))) == 0
    client.post(f"/training/programmes/{programme.id}/quotas", data={f"seats-{a}": "6", f"seats-{b}": "4"})
    seats = {q.unit_id: q.seats for q in db.session.scalars(sa.select(SeatQuota))}
    assert seats == {world["county_a"].id: 6, world["county_b"].id: 4}


def test_need_figures_count_teachers_behind_rural_share_and_key_aid(app, world):
    programme = make_programme(world["prefecture"], capacity=10)
    on_track = make_teacher(world["school_a"])
    db.session.add(HoursRecord(teacher_id=on_track.id, tier="county", hours=360, day=date(TODAY.year, 1, 2),
                               source="evidence", title="x"))
    db.session.flush()
    lines = {line.key: line for line in services.quota_lines(programme, TODAY)}
    a, b = _keys(world)
    assert (lines[a].teachers, lines[a].behind, lines[a].key_aid) == (2, 1, True)
    assert (lines[b].teachers, lines[b].behind, lines[b].key_aid) == (1, 1, False)
    assert lines[a].rural_share == 1.0
    assert services.need_score(lines[a]) == 3.0  # 1 behind x (1 + 1 rural) x 1.5 key-aid


def test_split_by_need_uses_the_engine(client, world):
    pytest.importorskip("allocation.apportion")
    programme = make_programme(world["prefecture"], capacity=2)
    db.session.commit()
    login(client, world["users"]["prefecture_admin"])
    client.post(f"/training/programmes/{programme.id}/quotas", data={"action": "apportion"})
    quotas = db.session.scalars(sa.select(SeatQuota)).all()
    assert sum(q.seats for q in quotas) <= 2 and all(q.need is not None for q in quotas)


def test_county_officer_cannot_split_a_prefecture_programme(client, world):
    programme = make_programme(world["prefecture"])
    db.session.commit()
    login(client, world["users"]["county_officer"])
    assert client.get(f"/training/programmes/{programme.id}/quotas").status_code == 403


def test_targets_are_set_for_units_below_and_count_distinct_teachers_and_person_times(client, world):
    login(client, world["users"]["prefecture_admin"])
    client.post("/training/targets", data={"unit_id": world["county_a"].id, "tier": "all", "year": "2024",
                                           "persons": "3"})
    client.post("/training/targets", data={"unit_id": world["province"].id, "tier": "all", "year": "2024",
                                           "persons": "3"})  # not below: refused
    target = db.session.scalars(sa.select(TrainingTarget)).one()
    assert target.unit_id == world["county_a"].id
    teacher = world["teacher_a"]
    for day, tier in [(date(2024, 3, 1), "county"), (date(2024, 9, 1), "national"), (date(2023, 9, 1), "county")]:
        db.session.add(HoursRecord(teacher_id=teacher.id, tier=tier, hours=10, day=day, source="completion",
                                   title="x"))
    db.session.add(HoursRecord(teacher_id=world["teacher_b"].id, tier="county", hours=10, day=date(2024, 3, 1),
                               source="completion", title="x"))  # another county
    db.session.flush()
    progress = services.target_progress([target])[0]
    assert (progress.persons, progress.person_times) == (1, 2)


def test_county_officer_cannot_set_targets(client, world):
    login(client, world["users"]["county_officer"])
    response = client.post("/training/targets", data={"unit_id": world["county_a"].id, "tier": "all",
                                                      "year": "2024", "persons": "3"})
    assert response.status_code in (200, 403)
    assert db.session.scalar(sa.select(sa.func.count(TrainingTarget.id))) == 0
