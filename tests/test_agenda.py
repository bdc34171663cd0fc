"""My agenda: what is mine and why, clashes, changes since I last looked, stars, the feed."""

from __future__ import annotations

import pytest

from tests.programme_camp import planned_camp
from wiki.accounts.models import User
from wiki.events.models import Event
from wiki.extensions import db
from wiki.pitches.models import Pitch
from wiki.schedule import agenda, versions


@pytest.fixture
def camp(app, create_user, create_event):
    return planned_camp(app, create_user, create_event, publish=True)


def _agenda(app, camp, user_id):
    event = db.session.get(Event, camp.event_id)
    user = db.session.get(User, user_id)
    return event, user, agenda.build(event, user, versions.latest(event))


def test_a_guardian_sees_their_childs_kid_led_session_and_their_dots(app, camp):
    with app.app_context():
        _, _, mine = _agenda(app, camp, camp.guardian_id)
        kid = next(i for i in mine.items if i.session.pitch_id == camp.kid_pitch_id)
        assert "Kit leads it" in kid.reasons.words()
        assert any("you dotted it" in i.reasons.words() for i in mine.items)


def test_two_starred_sessions_at_one_time_are_a_clash_to_resolve(app, camp):
    with app.app_context():
        event, user, _ = _agenda(app, camp, camp.voters[0])
        programme = versions.programme(versions.latest(event))
        by_slot = {}
        for s in programme.sessions:
            by_slot.setdefault(s.slot_ids[0], []).append(s)
        pair = next(v for v in by_slot.values() if len(v) >= 2)[:2]
        for s in pair:
            agenda.star(event, user, db.session.get(Pitch, s.pitch_id))
        db.session.commit()
        mine = agenda.build(event, user, versions.latest(event))
        assert {s.pitch_id for s in pair} <= mine.clashing
        assert any(": pick one." in c.message for c in mine.clashes)


def test_starring_twice_is_one_star_and_unstarring_removes_it(app, camp):
    with app.app_context():
        event, user, _ = _agenda(app, camp, camp.voters[0])
        pitch = db.session.get(Pitch, camp.pitches[0])
        agenda.star(event, user, pitch)
        agenda.star(event, user, pitch)
        assert agenda.starred(event, user) == {pitch.id}
        agenda.unstar(event, user, pitch)
        assert agenda.starred(event, user) == frozenset()


def test_a_reset_feed_token_stops_working_at_once(app, camp):
    with app.app_context():
        event, user, _ = _agenda(app, camp, camp.voters[0])
        old = agenda.feed(event, user).token
        assert agenda.feed(event, user).token == old
        new = agenda.reset_feed(event, user).token
        db.session.commit()
        assert new != old
        assert agenda.find_feed(event, old) is None
        assert agenda.find_feed(event, new).user_id == user.id


def test_the_last_look_only_moves_forward(app, camp):
    with app.app_context():
        event, user, _ = _agenda(app, camp, camp.voters[0])
        agenda.record_look(event, user, 2)
        agenda.record_look(event, user, 1)
        db.session.commit()
        assert agenda.last_look(event, user) == 2
