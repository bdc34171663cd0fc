"""The draft grid editor: revisions, moves, swaps, stale edits, undo and redo, its pages."""

from __future__ import annotations

import json
import re

import pytest

from tests.schedule_camp import build_camp
from wiki.accounts.models import User
from wiki.events.models import Event
from wiki.extensions import db
from wiki.schedule import drafts, editor
from wiki.schedule.models import RevisionKind, ScheduleRevision


@pytest.fixture
def camp(app, create_user, create_event):
    """Return a small camp with rooms, slots, hosts, voters and dots."""
    return build_camp(app, create_user, create_event)


@pytest.fixture
def fac_client(app, camp, client, auth):
    """Return a client logged in as the camp's facilitator."""
    auth.login(camp.facilitator)
    return client


def _ids(camp):
    return [f"r{r}" for r in camp.rooms], [f"s{s}" for s in camp.session_slots]


def _edit(app, camp, make, author=True):
    """Apply ``make(problem, doc)`` on the head and commit it; return the revision number."""
    with app.app_context():
        event = db.session.get(Event, camp.event_id)
        draft = drafts.get_draft(event)
        problem = editor.built_problem(event)
        doc = drafts.head_doc(draft).for_problem(problem)
        edit = make(problem, doc)
        user = db.session.get(User, camp.facilitator_id) if author else None
        rev = drafts.apply(draft, draft.head_revision, edit, user)
        db.session.commit()
        return rev.number


def _head(app, camp) -> drafts.Doc:
    with app.app_context():
        return drafts.head_doc(drafts.get_draft(db.session.get(Event, camp.event_id)))


def _head_number(app, camp) -> int:
    with app.app_context():
        return drafts.get_draft(db.session.get(Event, camp.event_id)).head_revision


def test_move_into_an_empty_cell_makes_a_revision(app, camp):
    rooms, slots = _ids(camp)
    pitch = f"p{camp.pitches[0]}"
    n = _edit(app, camp, lambda p, d: drafts.move(p, d, pitch, rooms[1], slots[2]))
    assert n == 1
    assert _head(app, camp).schedule == {pitch: (rooms[1], slots[2])}
    with app.app_context():
        rev = db.session.query(ScheduleRevision).one()
        assert rev.kind == RevisionKind.MOVE and rev.parent == 0
        assert "Moved “Session idea 1” from the tray to Hall at" in rev.summary


def test_move_onto_another_card_swaps_them(app, camp):
    rooms, slots = _ids(camp)
    a, b = f"p{camp.pitches[0]}", f"p{camp.pitches[2]}"
    _edit(app, camp, lambda p, d: drafts.move(p, d, a, rooms[1], slots[2]))
    _edit(app, camp, lambda p, d: drafts.move(p, d, b, rooms[1], slots[3]))
    _edit(app, camp, lambda p, d: drafts.move(p, d, a, rooms[1], slots[3]))
    doc = _head(app, camp)
    assert doc.schedule == {a: (rooms[1], slots[3]), b: (rooms[1], slots[2])}


def test_a_card_from_the_tray_dropped_on_another_sends_that_one_to_the_tray(app, camp):
    rooms, slots = _ids(camp)
    a, b = f"p{camp.pitches[0]}", f"p{camp.pitches[2]}"
    _edit(app, camp, lambda p, d: drafts.move(p, d, b, rooms[1], slots[3]))
    _edit(app, camp, lambda p, d: drafts.move(p, d, a, rooms[1], slots[3]))
    assert _head(app, camp).schedule == {a: (rooms[1], slots[3])}


def test_locked_card_cannot_be_moved_or_swapped_away(app, camp):
    rooms, slots = _ids(camp)
    a, b = f"p{camp.pitches[0]}", f"p{camp.pitches[2]}"
    _edit(app, camp, lambda p, d: drafts.move(p, d, a, rooms[1], slots[2]))
    _edit(app, camp, lambda p, d: drafts.lock(p, d, a))
    with pytest.raises(drafts.EditError, match="locked"):
        _edit(app, camp, lambda p, d: drafts.move(p, d, a, rooms[1], slots[3]))
    with pytest.raises(drafts.EditError, match="locked there"):
        _edit(app, camp, lambda p, d: drafts.move(p, d, b, rooms[1], slots[2]))
    _edit(app, camp, lambda p, d: drafts.unlock(p, d, a))
    _edit(app, camp, lambda p, d: drafts.unplace(p, d, a))
    assert _head(app, camp).schedule == {}


def test_edit_on_a_stale_revision_is_refused_not_applied(app, camp):
    rooms, slots = _ids(camp)
    a, b = f"p{camp.pitches[0]}", f"p{camp.pitches[2]}"
    _edit(app, camp, lambda p, d: drafts.move(p, d, a, rooms[1], slots[2]))
    with app.app_context():
        event = db.session.get(Event, camp.event_id)
        draft = drafts.get_draft(event)
        problem = editor.built_problem(event)
        stale = drafts.Doc()  # what a second facilitator saw at revision 0
        edit = drafts.move(problem, stale, b, rooms[0], slots[0])
        with pytest.raises(drafts.StaleDraft) as refused:
            drafts.apply(draft, 0, edit, None)
        assert "Fatima changed the grid meanwhile" in refused.value.message
        assert refused.value.head.number == 1
        db.session.rollback()
    assert _head(app, camp).schedule == {a: (rooms[1], slots[2])}


def test_undo_and_redo_move_the_head_and_a_new_edit_clears_redo(app, camp):
    rooms, slots = _ids(camp)
    a, b = f"p{camp.pitches[0]}", f"p{camp.pitches[2]}"
    _edit(app, camp, lambda p, d: drafts.move(p, d, a, rooms[1], slots[2]))
    _edit(app, camp, lambda p, d: drafts.move(p, d, b, rooms[0], slots[0]))
    with app.app_context():
        draft = drafts.get_draft(db.session.get(Event, camp.event_id))
        undone = drafts.undo(draft, 2)
        assert undone.number == 2 and draft.head_revision == 1
        assert drafts.redo_target(draft).number == 2
        drafts.redo(draft, 1)
        assert draft.head_revision == 2
        drafts.undo(draft, 2)
        drafts.undo(draft, 1)
        assert draft.head_revision == 0
        with pytest.raises(drafts.EditError, match="nothing to undo"):
            drafts.undo(draft, 0)
        with pytest.raises(drafts.StaleDraft):
            drafts.redo(draft, 2)
        db.session.commit()
    _edit(app, camp, lambda p, d: drafts.move(p, d, b, rooms[2], slots[1]))
    with app.app_context():
        draft = drafts.get_draft(db.session.get(Event, camp.event_id))
        assert draft.head_revision == 3
        assert drafts.redo_target(draft) is None


def test_consequences_say_what_a_move_broke_and_cost(app, camp):
    rooms, slots = _ids(camp)
    # Host 0 hosts pitches 0 and 4 (build_camp gives each host two pitches).
    a, b = f"p{camp.pitches[0]}", f"p{camp.pitches[4]}"
    with app.app_context():
        event = db.session.get(Event, camp.event_id)
        built = editor.built(event)
        before = drafts.move(built.problem, drafts.Doc(), a, rooms[1], slots[2]).doc
        after = drafts.move(built.problem, before, b, rooms[2], slots[2]).doc
        said = editor.consequences(built.problem, built.index, before, after)
    # In the person's name only: the problem's id (u12) is for files, not for facilitators.
    assert said[0] == "Host 0 hosts “Session idea 1” and “Session idea 5”, both at 12:00."
    assert said[-1].startswith("The score went from")


def test_problem_cache_follows_changes(app, camp):
    from wiki.schedule.models import Room

    with app.app_context():
        event = db.session.get(Event, camp.event_id)
        first = editor.built(event)
        assert editor.built(event) is first
        room = db.session.get(Room, camp.rooms[0])
        room.capacity = 5
        db.session.commit()
        again = editor.built(event)
        assert again is not first
        assert again.problem.room(f"r{camp.rooms[0]}").capacity == 5


def test_editor_page_for_facilitators_only(app, camp, client, auth, create_user):
    url = f"/events/{camp.slug}/schedule/draft"
    assert client.get(url).status_code == 302
    create_user("pat", display_name="Pat")
    auth.login("pat")
    assert client.get(url).status_code == 403


def test_editor_page_shows_grid_tray_and_report(fac_client, camp):
    page = fac_client.get(f"/events/{camp.slug}/schedule/draft")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<table class="grid">' in html
    assert "Not scheduled (9)" in html
    assert "How good is this grid?" in html
    assert "Plan the grid" in html
    fragment = fac_client.get(
        f"/events/{camp.slug}/schedule/draft", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="editor"')


def _move(client, camp, pitch, room, slot, revision, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        f"/events/{camp.slug}/schedule/draft/move",
        data={"pitch": pitch, "room": room, "slot": slot, "revision": revision},
        headers=headers,
    )


def test_move_without_javascript_redirects_and_says_what_it_did(fac_client, camp):
    rooms, slots = _ids(camp)
    pitch = f"p{camp.pitches[0]}"
    form = fac_client.get(f"/events/{camp.slug}/schedule/draft/move/{camp.pitches[0]}")
    assert form.status_code == 200
    assert 'name="room"' in form.get_data(as_text=True)
    answer = _move(fac_client, camp, pitch, rooms[1], slots[2], 0)
    assert answer.status_code == 303
    page = fac_client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Moved “Session idea 1” from the tray to Hall" in page
    assert "The score went from" in page


def test_move_through_htmx_answers_the_editor_and_the_status(fac_client, camp):
    rooms, slots = _ids(camp)
    pitch = f"p{camp.pitches[0]}"
    answer = _move(fac_client, camp, pitch, rooms[1], slots[2], 0, htmx=True)
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="editor"')
    assert 'data-revision="1"' in html
    assert 'data-focus="' + pitch + '"' in html
    assert re.search(r'id="editor-status" hx-swap-oob="innerHTML">Moved', html)


def test_stale_move_answers_409_with_the_fresh_grid(fac_client, camp):
    rooms, slots = _ids(camp)
    a, b = f"p{camp.pitches[0]}", f"p{camp.pitches[2]}"
    _move(fac_client, camp, a, rooms[1], slots[2], 0)
    answer = _move(fac_client, camp, b, rooms[1], slots[3], 0, htmx=True)
    assert answer.status_code == 409
    html = answer.get_data(as_text=True)
    assert "Fatima changed the grid meanwhile" in html
    assert "here is the grid as it is now" in html
    assert 'data-revision="1"' in html


def test_lock_undo_redo_through_plain_forms(fac_client, app, camp):
    rooms, slots = _ids(camp)
    a = f"p{camp.pitches[0]}"
    base = f"/events/{camp.slug}/schedule/draft"
    _move(fac_client, camp, a, rooms[1], slots[2], 0)
    assert fac_client.post(base + "/lock", data={"pitch": a, "revision": 1}).status_code == 303
    assert _head(app, camp).locked == {a}
    assert fac_client.post(base + "/undo", data={"revision": 2}).status_code == 303
    assert _head(app, camp).locked == set()
    assert fac_client.post(base + "/redo", data={"revision": 1}).status_code == 303
    assert _head(app, camp).locked == {a}
    refused = fac_client.post(base + "/redo", data={"revision": 2}, headers={"HX-Request": "true"})
    assert refused.status_code == 422
    assert "nothing to redo" in refused.get_data(as_text=True)


def test_downloads_give_the_problem_and_the_grid(fac_client, camp):
    rooms, slots = _ids(camp)
    a = f"p{camp.pitches[0]}"
    _move(fac_client, camp, a, rooms[1], slots[2], 0)
    problem = fac_client.get(f"/events/{camp.slug}/schedule/problem.json")
    assert problem.status_code == 200
    assert "attachment" in problem.headers["Content-Disposition"]
    assert len(json.loads(problem.data)["pitches"]) == 9
    grid = json.loads(fac_client.get(f"/events/{camp.slug}/schedule/draft/grid.json").data)
    assert grid["schedule"] == {a: [rooms[1], slots[2]]}


def test_stream_is_for_facilitators_and_moves_are_announced(app, camp, client, auth, create_user):
    from wiki.live.models import LiveEvent

    url = f"/events/{camp.slug}/schedule/draft/live"
    create_user("pat", display_name="Pat")
    auth.login("pat")
    assert client.get(url).status_code == 403
    auth.logout()
    auth.login(camp.facilitator)
    rooms, slots = _ids(camp)
    _move(client, camp, f"p{camp.pitches[0]}", rooms[1], slots[2], 0)
    with app.app_context():
        event = db.session.query(LiveEvent).filter_by(topic=f"schedule:{camp.event_id}").one()
        assert event.kind == "grid-changed"
        assert json.loads(event.data) == {"revision": 1}


def test_report_shows_titles_as_emphasis_not_stars(fac_client, camp):
    rooms, slots = _ids(camp)
    _move(fac_client, camp, f"p{camp.pitches[0]}", rooms[1], slots[2], 0)
    _move(fac_client, camp, f"p{camp.pitches[4]}", rooms[2], slots[2], 1)
    html = fac_client.get(f"/events/{camp.slug}/schedule/draft").get_data(as_text=True)
    assert "<em>Session idea 1</em> and <em>Session idea 5</em>, both at 12:00" in html
    assert "*Session idea" not in html


def test_live_refetch_says_who_changed_what(fac_client, camp):
    rooms, slots = _ids(camp)
    _move(fac_client, camp, f"p{camp.pitches[0]}", rooms[1], slots[2], 0)
    html = fac_client.get(
        f"/events/{camp.slug}/schedule/draft", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert html.lstrip().startswith('<div id="editor"')
    assert 'hx-swap-oob="innerHTML">Fatima: Moved “Session idea 1” from the tray to Hall' in html


def test_a_move_that_breaks_a_rule_is_made_and_marked(fac_client, camp):
    kid = f"p{camp.kid_pitch_id}"
    hall, first = f"r{camp.rooms[1]}", f"s{camp.session_slots[0]}"
    answer = _move(fac_client, camp, kid, hall, first, 0, htmx=True)
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert 'class="gcard gcard--warn' in html
    assert "Breaks a rule:" in html
    assert "1 broken rule" in html
    status = re.search(r'hx-swap-oob="innerHTML">([^<]*)<', html).group(1)
    assert "Moved “Dinosaur facts” from the tray to Hall" in status
    assert "family" in status.lower()


def test_stale_move_without_javascript_answers_409_with_the_page(fac_client, camp):
    rooms, slots = _ids(camp)
    _move(fac_client, camp, f"p{camp.pitches[0]}", rooms[1], slots[2], 0)
    answer = _move(fac_client, camp, f"p{camp.pitches[2]}", rooms[1], slots[3], 0)
    assert answer.status_code == 409
    html = answer.get_data(as_text=True)
    assert "<h1>Draft grid</h1>" in html
    assert "here is the grid as it is now" in html
    assert 'data-revision="1"' in html
