"""A camp with a planned draft, ready to publish: for the programme's tests.

``plan_draft`` fills the camp's draft with a greedy plan (hard rules kept); ``publish_head``
publishes it as the facilitator, and ``move_on_draft`` moves one session on the draft, so a
test can publish a second version with a change in it.
"""

from __future__ import annotations

from wiki.accounts.models import User
from wiki.events.models import Event, EventState
from wiki.extensions import db
from wiki.schedule import drafts, editor, publishing
from wiki.schedule.models import RevisionKind
from wiki.schedule.solver import solve


def close_voting(app, camp) -> None:
    with app.app_context():
        event = db.session.get(Event, camp.event_id)
        event.state = EventState.VOTING_CLOSED
        db.session.commit()


def plan_draft(app, camp) -> int:
    """Plan the draft greedily and return its head revision."""
    with app.app_context():
        event = db.session.get(Event, camp.event_id)
        problem = editor.built_problem(event)
        result = solve(problem, time_limit=1, method="greedy")
        draft = drafts.get_draft(event)
        doc = drafts.Doc(schedule=dict(result.grid.schedule))
        rev = drafts.commit(draft, draft.head_revision, RevisionKind.SOLVE, doc, "Planned", None)
        db.session.commit()
        return rev.number


def head(app, camp) -> int:
    with app.app_context():
        return drafts.get_draft(db.session.get(Event, camp.event_id)).head_revision


def publish_head(app, camp, user_id: int | None = None):
    """Publish the draft's head as the facilitator; return the version's number."""
    with app.test_request_context():
        event = db.session.get(Event, camp.event_id)
        user = db.session.get(User, user_id or camp.facilitator_id)
        draft = drafts.get_draft(event)
        version = publishing.publish(event, user, draft.head_revision)
        db.session.commit()
        return version.number


def move_on_draft(app, camp, pitch_id: int, room_id: int, slot_id: int) -> None:
    """Move one session on the draft (as the facilitator) to ``room_id`` at ``slot_id``."""
    with app.app_context():
        event = db.session.get(Event, camp.event_id)
        draft = drafts.get_draft(event)
        problem = editor.built_problem(event)
        doc = drafts.head_doc(draft).for_problem(problem)
        edit = drafts.move(problem, doc, f"p{pitch_id}", f"r{room_id}", f"s{slot_id}")
        user = db.session.get(User, camp.facilitator_id)
        drafts.apply(draft, draft.head_revision, edit, user)
        db.session.commit()


def placement(app, camp, pitch_id: int) -> tuple[str, str] | None:
    with app.app_context():
        doc = drafts.head_doc(drafts.get_draft(db.session.get(Event, camp.event_id)))
        return doc.schedule.get(f"p{pitch_id}")


def planned_camp(app, create_user, create_event, *, publish: bool = False):
    """Return the schedule camp with voting closed and its draft planned (and published as
    v1 when ``publish``)."""
    from tests.schedule_camp import build_camp

    camp = build_camp(app, create_user, create_event)
    close_voting(app, camp)
    plan_draft(app, camp)
    if publish:
        publish_head(app, camp)
    return camp


def free_cell(app, camp, pitch_id: int) -> tuple[int, int]:
    """Return a (room, slot) ``pitch_id`` can move to (a swap, maybe) keeping every rule."""
    from wiki.schedule.solver import validate

    with app.app_context():
        event = db.session.get(Event, camp.event_id)
        problem = editor.built_problem(event)
        doc = drafts.head_doc(drafts.get_draft(event)).for_problem(problem)
        pid = f"p{pitch_id}"
        for room in camp.rooms:
            for slot in camp.session_slots:
                if doc.schedule.get(pid) == (f"r{room}", f"s{slot}"):
                    continue
                try:
                    edit = drafts.move(problem, doc, pid, f"r{room}", f"s{slot}")
                except drafts.EditError:
                    continue
                if not validate(problem, edit.doc.schedule):
                    return room, slot
    raise AssertionError(f"pitch {pitch_id} can move nowhere")
