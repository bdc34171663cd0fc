"""Publishing the draft as versions: the change log, refusals, state, news and notices."""

from __future__ import annotations

import pytest

from tests.programme_camp import (
    close_voting,
    free_cell,
    move_on_draft,
    placement,
    plan_draft,
    publish_head,
)
from tests.schedule_camp import build_camp
from wiki.events.models import Announcement, Event, EventState
from wiki.extensions import db
from wiki.notices.models import Notice
from wiki.schedule import publishing, versions
from wiki.schedule.models import ScheduleVersion


@pytest.fixture
def camp(app, create_user, create_event):
    camp = build_camp(app, create_user, create_event)
    close_voting(app, camp)
    return camp


def _count(app, model, **where):
    with app.app_context():
        return db.session.query(model).filter_by(**where).count()


def test_first_publish_makes_v1_moves_the_event_and_tells_hosts(app, camp):
    plan_draft(app, camp)
    assert publish_head(app, camp) == 1
    with app.app_context():
        event = db.session.get(Event, camp.event_id)
        assert event.state_enum == EventState.PUBLISHED
        version = versions.latest(event)
        programme = versions.programme(version)
        assert version.name == "v1" and programme.sessions
        assert versions.changes(version) == []
        news = db.session.query(Announcement).filter_by(event_id=event.id).all()
        assert any("schedule is published" in a.title for a in news)
        host_notices = db.session.query(Notice).filter_by(user_id=camp.hosts[0]).all()
        assert len(host_notices) == 1
        assert "is in" in host_notices[0].body


def test_second_publish_logs_the_move_in_plain_words_and_tells_those_concerned(app, camp):
    plan_draft(app, camp)
    publish_head(app, camp)
    pitch = camp.pitches[0]
    room, slot = free_cell(app, camp, pitch)
    move_on_draft(app, camp, pitch, room, slot)
    assert publish_head(app, camp) == 2
    with app.app_context():
        event = db.session.get(Event, camp.event_id)
        v2 = versions.latest(event)
        log = versions.changes(v2)
        moved = [c for c in log if c.pitch_id == pitch]
        assert moved and moved[0].kind == "moved"
        assert moved[0].text.startswith("*Session idea 1* moved from ")
        programme = versions.programme(v2)
        v1 = versions.programme(versions.get(event, 1))
        assert programme.session(pitch).guid == v1.session(pitch).guid
        assert programme.session(pitch).sequence == v1.session(pitch).sequence + 1
        news = db.session.query(Announcement).filter_by(event_id=event.id).all()
        assert any("(v2)" in a.title and "Session idea 1" in a.body for a in news)
        # The host and the co-host of the moved session are told, once each.
        for user_id in (camp.hosts[0], camp.hosts[1]):
            notes = db.session.query(Notice).filter_by(
                user_id=user_id, key=f"programme:{event.id}:v2"
            )
            assert notes.count() == 1
            assert "Session idea 1" in notes.one().body


def test_publishing_an_unchanged_grid_is_refused(app, camp):
    plan_draft(app, camp)
    publish_head(app, camp)
    with pytest.raises(publishing.PublishError, match="Nothing changed since v1"):
        publish_head(app, camp)
    assert _count(app, ScheduleVersion, event_id=camp.event_id) == 1


def test_an_empty_grid_cannot_be_published(app, camp):
    with pytest.raises(publishing.PublishError, match="empty"):
        publish_head(app, camp)
    assert _count(app, ScheduleVersion) == 0
    assert _count(app, Notice) == 0


def test_a_grid_breaking_a_hard_rule_is_refused_and_leaves_nothing_behind(app, camp):
    plan_draft(app, camp)
    # The kid-led session into a room that is not family-friendly: H7.
    hall = camp.rooms[1]
    move_on_draft(app, camp, camp.kid_pitch_id, hall, camp.session_slots[0])
    assert placement(app, camp, camp.kid_pitch_id) == (f"r{hall}", f"s{camp.session_slots[0]}")
    with pytest.raises(publishing.PublishError, match="cannot be published. Mend:"):
        publish_head(app, camp)
    assert _count(app, ScheduleVersion) == 0
    assert _count(app, Notice) == 0
    with app.app_context():
        assert db.session.get(Event, camp.event_id).state_enum == EventState.VOTING_CLOSED


def test_publishing_while_voting_is_open_is_refused(app, camp):
    plan_draft(app, camp)
    with app.app_context():
        event = db.session.get(Event, camp.event_id)
        event.state = EventState.VOTING
        db.session.commit()
    with pytest.raises(publishing.PublishError, match="Close voting"):
        publish_head(app, camp)


def test_the_next_plan_keeps_the_published_grid_as_previous(app, camp):
    plan_draft(app, camp)
    publish_head(app, camp)
    with app.app_context():
        from wiki.schedule import editor

        event = db.session.get(Event, camp.event_id)
        problem = editor.built_problem(event)
        assert problem.previous == versions.published_grid(event)
        assert problem.previous


def test_replanning_after_publishing_keeps_the_published_grid_unless_moving_pays(app, camp):
    plan_draft(app, camp)
    publish_head(app, camp)
    with app.app_context():
        from wiki.schedule import editor
        from wiki.schedule.solver import score, solve

        event = db.session.get(Event, camp.event_id)
        problem = editor.built_problem(event)
        result = solve(problem, time_limit=2, method="anneal", seed=3)
        kept = score(problem, result.grid.schedule)
        assert kept.move_time == 0 and kept.move_room == 0
        assert dict(result.grid.schedule) == dict(problem.previous)


def test_a_host_falling_ill_moves_their_session_and_little_else(app, camp):
    plan_draft(app, camp)
    publish_head(app, camp)
    with app.app_context():
        from wiki.schedule import editor
        from wiki.schedule.models import Unavailability
        from wiki.schedule.solver import solve, validate

        event = db.session.get(Event, camp.event_id)
        published = versions.published_grid(event)
        pitch = f"p{camp.pitches[2]}"
        room, slot = published[pitch]
        db.session.add(
            Unavailability(event_id=event.id, slot_id=int(slot[1:]), user_id=camp.hosts[2])
        )
        db.session.commit()
        problem = editor.built_problem(event)
        result = solve(problem, time_limit=2, method="anneal", seed=1)
        assert not validate(problem, result.grid.schedule)
        after = dict(result.grid.schedule)
        moved = {p for p, place in published.items() if after.get(p) != place}
        assert pitch in moved
        assert len(moved) <= 3, moved
