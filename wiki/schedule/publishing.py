"""Publishing the draft grid as a version everyone follows, and telling those it concerns.

``publish`` does everything in the caller's transaction: the version row, the event's move to
"schedule published", the announcement, the live message, the notices. Mail waits for the
commit. A publish that is refused or fails rolls back whole: no version, no notice, no mail.

Two facilitators publishing at once: the event's row is locked first (PostgreSQL), and the
unique (event, number) catches what the lock cannot (SQLite), so one of them makes vN and the
other is told.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from wiki.accounts.models import User
from wiki.database import utcnow
from wiki.events import announcements
from wiki.events import services as events
from wiki.events.models import Event, EventState
from wiki.events.rsvps import lock_event
from wiki.extensions import db
from wiki.live import services as live
from wiki.notices import services as notices
from wiki.notices.models import Notice
from wiki.pitches.models import Ballot, Dot, Pitch
from wiki.rules import RuleError
from wiki.schedule import drafts, editor, versions
from wiki.schedule import programme as programmes
from wiki.schedule.models import ScheduleVersion, Star
from wiki.schedule.problems import event_rooms, event_slots, parse_id
from wiki.schedule.solver import Problem, validate

# The live message every open programme page, agenda and venue screen listens for.
PUBLISHED = "programme-published"


class PublishError(RuleError):
    """The draft cannot be published as it is; the message says what to mend.

    ``field`` is "revision" when the draft changed since it was read and "version" when
    someone else published first (both conflicts: look again), else what is wrong with it.
    """


# The refusals that are conflicts with someone else's change, not faults of the draft.
CONFLICTS = frozenset({"revision", "version"})


def _hosts(pitch: Pitch) -> str:
    names = [c.display_name for c in pitch.co_hosts if c.id != pitch.host_id]
    host = pitch.host_name or "a former account"
    if pitch.child is not None and pitch.host_id is not None:
        return ", ".join([f"{pitch.child.first_name}, with {host}", *names])
    return ", ".join([host, *names])


def build_programme(event: Event, problem: Problem, doc: drafts.Doc) -> programmes.Programme:
    """Return the programme ``doc`` places, read from the database as it is now."""
    rooms = event_rooms(event)
    slots = event_slots(event)
    slot_by_id = {s.id: s for s in slots}
    ids = [parse_id(p, "p") for p in doc.schedule]
    pitches = {
        p.id: p
        for p in db.session.scalars(
            select(Pitch)
            .where(Pitch.id.in_([i for i in ids if i is not None]))
            .options(
                selectinload(Pitch.co_hosts),
                selectinload(Pitch.child),
                selectinload(Pitch.host),
                selectinload(Pitch.guest_host),
                selectinload(Pitch.page),
            )
        )
    }
    sessions = []
    for pid, (room, first) in doc.schedule.items():
        pitch = pitches.get(parse_id(pid, "p"))
        if pitch is None:
            continue
        occupied = [slot_by_id[parse_id(s, "s")] for s in problem.occupied_slots(pid, first)]
        solved = problem.pitch(pid)
        sessions.append(
            programmes.Session(
                pitch_id=pitch.id,
                guid=programmes.session_guid(event.id, event.created_at, pitch.id),
                title=pitch.title,
                hosts=_hosts(pitch),
                room_id=parse_id(room, "r"),
                slot_ids=tuple(s.id for s in occupied),
                starts_at=occupied[0].starts_at,
                ends_at=occupied[-1].ends_at,
                family=solved.family_friendly,
                kid_led=solved.kid_led,
                tags=tuple(pitch.tag_list),
                format=pitch.format_label,
                summary=pitch.summary,
                page_slug=pitch.page.slug if pitch.page is not None else None,
            )
        )
    sessions.sort(key=lambda s: (s.starts_at, s.room_id))
    return programmes.Programme(
        event_name=event.name,
        timezone=event.timezone,
        rooms=tuple(
            programmes.RoomInfo(
                id=r.id,
                name=r.name,
                capacity=r.capacity,
                family_friendly=r.family_friendly,
                step_free=r.step_free,
                facilities=tuple(r.facility_list),
            )
            for r in rooms
        ),
        slots=tuple(
            programmes.SlotInfo(
                id=s.id,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                kind=s.kind,
                label=s.label,
                family=s.family_hours and s.is_session,
            )
            for s in slots
        ),
        sessions=tuple(sessions),
    )


def _head(event: Event) -> tuple[Problem, drafts.Doc, int]:
    draft = drafts.find_draft(event.id)
    problem = editor.built_problem(event)
    if draft is None or not draft.head_revision:
        return problem, drafts.Doc(), 0
    return problem, drafts.head_doc(draft).for_problem(problem), draft.head_revision


def pending_changes(event: Event) -> list[programmes.Change] | None:
    """Say what publishing the draft now would change against the latest version.

    None before the first publish (everything would be new).
    """
    latest = versions.latest(event)
    if latest is None:
        return None
    problem, doc, _ = _head(event)
    before = versions.programme(latest)
    after = programmes.carry_over(build_programme(event, problem, doc), before)
    return programmes.changes(before, after)


def _check_state(event: Event) -> None:
    state = event.state_enum
    if state == EventState.OVER:
        raise PublishError("state", "The event is over: its programme can no longer change.")
    if list(EventState).index(state) < list(EventState).index(EventState.VOTING_CLOSED):
        raise PublishError(
            "state",
            "Close voting before publishing the programme: the grid is planned from the dots, "
            "and they can still move while voting is open.",
        )


def publish(event: Event, by: User, base_revision: int) -> ScheduleVersion:
    """Publish the draft's head (which must still be ``base_revision``) as the next version."""
    event = lock_event(event)
    _check_state(event)
    problem, doc, head = _head(event)
    if head != base_revision:
        raise PublishError(
            "revision",
            "The draft changed since you looked at it. Check the grid as it is now, then "
            "publish again.",
        )
    if not doc.schedule:
        raise PublishError(
            "grid", "The grid is empty: plan it or place some sessions before publishing."
        )
    broken = validate(problem, doc.schedule)
    if broken:
        mend = "; ".join(dict.fromkeys(editor.plain(v.message).rstrip(".") for v in broken))
        raise PublishError(
            "grid",
            f"The grid breaks {len(broken)} rule(s), so it cannot be published. Mend: {mend}.",
        )
    latest = versions.latest(event)
    before = versions.programme(latest) if latest is not None else None
    after = programmes.carry_over(build_programme(event, problem, doc), before)
    log = programmes.changes(before, after)
    if before is not None and not log:
        raise PublishError(
            "grid", f"Nothing changed since {latest.name}: there is nothing new to publish."
        )
    number = latest.number + 1 if latest is not None else 1
    version = ScheduleVersion(
        event_id=event.id,
        number=number,
        revision=head,
        grid=doc.to_json(),
        programme=programmes.to_json(after),
        changes=programmes.changes_to_json(log),
        published_by_id=by.id,
        published_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(version)
            db.session.flush()
    except IntegrityError:
        raise PublishError(
            "version",
            f"Someone else published v{number} a moment ago. Look at it before publishing again.",
        ) from None
    if event.state_enum != EventState.PUBLISHED:
        events.change_state(event, EventState.PUBLISHED, by)
    else:
        _announce(event, version, log, by)
    live.publish(live.event_topic(event.id), PUBLISHED, {"version": number})
    _notify(event, version, before, after, log)
    return version


def told_count(version: ScheduleVersion) -> int:
    """Return how many people were sent a notice about ``version``."""
    return db.session.scalar(
        select(func.count()).where(Notice.key == f"programme:{version.event_id}:{version.name}")
    )


def _announce(event: Event, version: ScheduleVersion, log, by: User) -> None:
    lines = "\n".join(f"- {c.text}" for c in log)
    announcements.post_announcement(
        event,
        f"{event.name}: the programme changed ({version.name})",
        f"What changed since the last version:\n\n{lines}\n",
        by,
    )


def _hosting(pitch_ids: Iterable[int]) -> dict[int, set[int]]:
    """Return, per user id, the pitches of ``pitch_ids`` they host, co-host or guard."""
    people: dict[int, set[int]] = defaultdict(set)
    for pitch in db.session.scalars(
        select(Pitch)
        .where(Pitch.id.in_(list(set(pitch_ids))))
        .options(selectinload(Pitch.co_hosts))
    ):
        # A kid-led pitch's host account is the child's guardian.
        if pitch.host_id is not None:
            people[pitch.host_id].add(pitch.id)
        for cohost in pitch.co_hosts:
            people[cohost.id].add(pitch.id)
    return people


def _concerned(event: Event, pitch_ids: Iterable[int]) -> dict[int, set[int]]:
    """Return, per user id, the pitches of ``pitch_ids`` they host, guard, dotted or starred."""
    ids = list(set(pitch_ids))
    if not ids:
        return defaultdict(set)
    people = _hosting(ids)
    for user_id, pitch_id in db.session.execute(
        select(Ballot.user_id, Dot.pitch_id)
        .join(Dot, Dot.ballot_id == Ballot.id)
        .where(Ballot.event_id == event.id, Dot.pitch_id.in_(ids), Dot.count > 0)
    ):
        people[user_id].add(pitch_id)
    for user_id, pitch_id in db.session.execute(
        select(Star.user_id, Star.pitch_id).where(Star.pitch_id.in_(ids))
    ):
        people[user_id].add(pitch_id)
    return people


def _notify(
    event: Event,
    version: ScheduleVersion,
    before: programmes.Programme | None,
    after: programmes.Programme,
    log: list[programmes.Change],
) -> None:
    """Tell each person concerned, in one notice (and one mail) for this publish."""
    link = url_for("programme.agenda", slug=event.slug)
    if before is None:
        # The first version: hosts hear where their sessions are; everyone else reads the news.
        placed = {s.pitch_id: s for s in after.sessions}
        lines: dict[int, list[str]] = defaultdict(list)
        title = f"{event.name}: the programme is published"
        for user_id, pitch_ids in _hosting(placed).items():
            for pid in sorted(pitch_ids, key=lambda p: placed[p].starts_at):
                session = placed[pid]
                lines[user_id].append(f"*{session.title}* is in {after.place_words(session)}.")
    else:
        by_pitch = {c.pitch_id: c for c in log}
        title = f"{event.name}: the programme changed ({version.name})"
        lines = defaultdict(list)
        for user_id, pitch_ids in _concerned(event, by_pitch).items():
            for change in log:
                if change.pitch_id in pitch_ids:
                    lines[user_id].append(change.text)
    messages = [
        notices.Message(user_id=user_id, title=title, lines=said, link=link)
        for user_id, said in sorted(lines.items())
        if said
    ]
    new = notices.notify(f"programme:{event.id}:{version.name}", messages, event_id=event.id)
    notices.mail_after_commit(new, site=event.name, base_url=url_for("main.home", _external=True))
