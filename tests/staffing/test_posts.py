"""Posts generated from shortages, their weights and overrides."""
import pytest
import sqlalchemy as sa

from tests.staffing.conftest import YEAR
from trainhub.accounts.models import AuditEvent
from trainhub.errors import UserError
from trainhub.extensions import db
from trainhub.staffing import services
from trainhub.staffing.models import Post


def _posts():
    return {(p.school_id, p.subject.code): p for p in db.session.scalars(sa.select(Post))}


def test_posts_follow_the_largest_gaps_and_never_exceed_the_shortage(staffed):
    seats = services.generate_posts(staffed["prefecture"], YEAR)
    posts = _posts()
    assert seats == sum(p.seats for p in posts.values())
    assert posts[(staffed["school_a"].id, "chinese")].seats == 4  # 15.8 * 0.25 = 3.9 chinese teachers missing
    assert (staffed["urban"].id, "math") not in posts  # above its norm
    for school in (staffed["school_a"], staffed["small"]):
        assert sum(p.seats for p in posts.values() if p.school_id == school.id) <= 15


def test_weight_is_derived_from_the_priorities_and_shown_as_parts(staffed):
    services.generate_posts(staffed["prefecture"], YEAR)
    posts = _posts()
    music_a = posts[(staffed["school_a"].id, "music")]
    assert [part["code"] for part in music_a.weight_parts] == ["base", "key_aid_county", "scarce_subject",
                                                                "severe_shortage"]
    assert music_a.weight == 1 + 2 + 2 + 2
    music_b = posts[(staffed["school_b"].id, "music")]
    assert music_b.weight == music_a.weight - 2  # county_b is not a key-aid county
    assert posts[(staffed["small"].id, "chinese")].weight == 1 + 2 + 1 + 2  # small rural school


def test_override_needs_a_reason_and_is_audited(staffed):
    services.generate_posts(staffed["prefecture"], YEAR)
    post = _posts()[(staffed["school_b"].id, "math")]
    officer = staffed["users"]["county_officer"]
    with pytest.raises(UserError):
        services.update_post(post, services.PostInput(post.seats, 9, ""), officer)
    services.update_post(post, services.PostInput(2, 9, "new classes open in September"), officer)
    db.session.commit()
    assert (post.seats, post.weight, post.weight_derived) == (2, 9, 3)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "post_override")).one()
    assert "new classes" in event.detail


def test_regenerating_keeps_overrides_and_filled_posts(staffed):
    services.generate_posts(staffed["prefecture"], YEAR)
    post = _posts()[(staffed["school_b"].id, "math")]
    services.update_post(post, services.PostInput(post.seats, 8, "village relocated"), None)
    filled = _posts()[(staffed["school_a"].id, "math")]
    filled.seats = 5
    db.session.execute(sa.update(Post).where(Post.id == filled.id).values(filled_by_run_id=None))
    services.generate_posts(staffed["prefecture"], YEAR)
    assert db.session.get(Post, post.id).weight == 8
    assert db.session.get(Post, filled.id).seats == 1  # unfilled posts are refreshed from the shortage
