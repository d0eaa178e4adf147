"""Factories for the training tests."""
import itertools
from datetime import date, timedelta

import pytest

from trainhub.extensions import db
from trainhub.training.models import Programme, ProgrammeSession, school_organiser_path

_codes = itertools.count(1)
TODAY = date.today()


def make_programme(organiser=None, school=None, **overrides):
    """An open programme starting in a month, taking applications today, with one 8-hour session."""
    start = overrides.pop("start_date", TODAY + timedelta(days=30))
    values = {
        "code": f"T{next(_codes):05d}", "title": "乡村教师能力提升培训", "tier": "prefecture", "year": start.year,
        "mode": "face_to_face", "hours": 40, "credits": 4, "capacity": 10, "seats_taken": 0,
        "start_date": start, "end_date": start + timedelta(days=4),
        "apply_from": TODAY - timedelta(days=5), "apply_until": TODAY + timedelta(days=10),
        "approval": "none", "status": "open", "target_stages": [], "target_subject_ids": [], "target_roles": [],
        "eligible_county_ids": [], "rural_only": False,
    } | overrides
    if school is not None:
        values |= {"organiser_school": school, "organiser_path": school_organiser_path(school), "tier": "school"}
    else:
        values |= {"organiser_unit": organiser, "organiser_path": organiser.path}
    programme = Programme(**values)
    programme.sessions = [ProgrammeSession(day=programme.start_date, title="开班", hours=8)]
    db.session.add(programme)
    db.session.flush()
    return programme


@pytest.fixture
def today():
    return TODAY
