"""The small demo seeds consistent training data on top of the demo registry."""
import random

import sqlalchemy as sa

from trainhub.demo import registry
from trainhub.extensions import db
from trainhub.training import demo, services
from trainhub.training.models import Enrolment, HoursRecord, Programme


def test_small_demo_has_every_tier_and_hours_match_completions(app):
    registry.build("small", random.Random(1))
    counts = demo.seed("small", random.Random(2))
    assert counts["completions"] > 0
    assert set(db.session.scalars(sa.select(Programme.tier).distinct())) == set(services.TIERS)
    completed = db.session.scalar(sa.select(sa.func.count()).where(Enrolment.status == "completed"))
    assert completed == db.session.scalar(sa.select(sa.func.count(HoursRecord.id))) == counts["completions"]
    over = db.session.scalar(sa.select(sa.func.count()).where(Programme.seats_taken > Programme.capacity))
    assert over == 0
