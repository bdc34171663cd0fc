"""Business rules for a pitch's life: pitching, editing, wishes, merging and declining.

Merging and declining move the pitch's dots, so the statements that move them safely under
concurrency, and the lock order that votes (``wiki.pitches.voting``) share, live here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from wiki.accounts.models import User
from wiki.accounts.services import find_user
from wiki.attachments import services as attachments
from wiki.database import utcnow
from wiki.events.models import Event, EventState, Rsvp, RsvpChild, RsvpStatus
from wiki.extensions import db
from wiki.live import services as live
from wiki.pages import services as pages
from wiki.pitches.models import (
    Audience,
    Ballot,
    Comment,
    Dot,
    Need,
    Pitch,
    PitchFormat,
    PitchStatus,
)
from wiki.pitches.tallies import announce_dots
from wiki.rules import RuleError
from wiki.words import plural

MAX_TITLE = 120


MAX_SUMMARY = 5000


MAX_TAGS = 8


MAX_CO_HOSTS = 5


class PitchError(RuleError):
    """A pitch or vote cannot be made."""


@dataclass
class PitchDetails:
    """What a pitcher types, before it is checked."""

    title: str
    summary: str = ""
    format: str = PitchFormat.TALK
    length_slots: int = 1
    audience: str = Audience.EVERYONE
    min_age: int | None = None
    max_age: int | None = None
    young_leader: bool = False
    needs: list[str] = field(default_factory=list)
    tags: str = ""
    co_hosts: str = ""
    wish: bool = False
    child_id: int | None = None


def _clean_tags(text: str) -> str:
    tags = []
    for raw in text.replace(";", ",").split(","):
        tag = "-".join(raw.strip().lower().lstrip("#").split())[:30]
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise PitchError("tags", f"Use at most {MAX_TAGS} tags.")
    return ",".join(sorted(tags))


def _co_hosts(text: str, author: User) -> list[User]:
    names = [n.strip().lstrip("@") for n in text.replace(";", ",").split(",") if n.strip()]
    if len(names) > MAX_CO_HOSTS:
        raise PitchError("co_hosts", f"Add at most {MAX_CO_HOSTS} co-hosts.")
    people = []
    for name in names:
        person = find_user(name)
        if person is None:
            raise PitchError("co_hosts", f"Nobody here is called “{name}”; use their username.")
        if person.id != author.id and person not in people:
            people.append(person)
    return people


def _guardians_child(event: Event, guardian: User, child_id: int) -> RsvpChild:
    for child in children_of(event, guardian):
        if child.id == child_id:
            return child
    raise PitchError("child_id", "Choose a child registered in your RSVP for this event.")


def _check(details: PitchDetails) -> None:
    if not details.title.strip():
        raise PitchError("title", "Give the session a title.")
    if len(details.title.strip()) > MAX_TITLE:
        raise PitchError("title", f"Keep the title under {MAX_TITLE} characters.")
    if len(details.summary) > MAX_SUMMARY:
        raise PitchError("summary", f"Keep the summary under {MAX_SUMMARY:,} characters.")
    if details.format not in {f.value for f in PitchFormat}:
        raise PitchError("format", "Choose a format.")
    if details.audience not in {a.value for a in Audience}:
        raise PitchError("audience", "Choose who the session is for.")
    if details.length_slots not in (1, 2):
        raise PitchError("length_slots", "A session lasts one or two slots.")
    for age in (details.min_age, details.max_age):
        if age is not None and not 0 <= age <= 120:
            raise PitchError("min_age", "Ages are whole numbers of years.")
    if (
        details.min_age is not None
        and details.max_age is not None
        and details.min_age > details.max_age
    ):
        raise PitchError("max_age", "The youngest age cannot be above the oldest.")
    unknown = set(details.needs) - {n.value for n in Need}
    if unknown:
        raise PitchError("needs", "Choose needs from the list.")


def _apply(pitch: Pitch, details: PitchDetails) -> None:
    pitch.title = " ".join(details.title.split())
    pitch.summary = pages.normalise_text(details.summary)
    pitch.summary_html = pages.render(pitch.summary).html if pitch.summary else ""
    pitch.format = details.format
    pitch.length_slots = details.length_slots
    pitch.audience = details.audience
    family = details.audience == Audience.FAMILY
    pitch.min_age = details.min_age if family else None
    pitch.max_age = details.max_age if family else None
    pitch.needs = ",".join(sorted(set(details.needs)))
    pitch.tags = _clean_tags(details.tags)
    pitch.updated_at = utcnow()


def can_pitch(event: Event) -> bool:
    """Tell whether the event takes new pitches."""
    return event.state in (EventState.REGISTRATION, EventState.VOTING)


def create_pitch(event: Event, details: PitchDetails, author: User) -> Pitch:
    """Pitch a session (or a wish), with its own wiki page for session notes."""
    if not can_pitch(event):
        raise PitchError("title", "This event is not taking pitches now.")
    _check(details)
    pitch = Pitch(event=event, created_by_id=author.id, status=PitchStatus.ACTIVE)
    _apply(pitch, details)
    if details.child_id:
        child = _guardians_child(event, author, details.child_id)
        pitch.child = child
        pitch.young_leader = True
        pitch.host_id = author.id  # the guardian co-hosts a child's session
        pitch.format = PitchFormat.KID_LED if details.format == PitchFormat.TALK else details.format
    elif details.wish:
        pitch.host_id = None
    else:
        pitch.host_id = author.id
        pitch.young_leader = details.young_leader
    pitch.co_hosts = [] if details.wish else _co_hosts(details.co_hosts, author)
    db.session.add(pitch)
    db.session.flush()
    pitch.page = _notes_page(event, pitch, author)
    live.publish(live.event_topic(event.id), "pitch-added", {"pitch": pitch.id})
    return pitch


def _notes_page(event: Event, pitch: Pitch, author: User) -> object:
    title = f"Session notes: {pitch.title}"
    if pages.find_page(pages.slug_for(title), include_deleted=True) is not None:
        title = f"{title} ({event.slug} {pitch.id})"
    link = f"/events/{event.slug}/pitches/{pitch.id}"
    body = (
        f"Notes for the session [{pitch.title}]({link}) at {event.name}.\n\n"
        "## Who came\n\n## What we talked about\n\n## What happens next\n\n- [ ] \n"
    )
    return pages.create_page(title, body, author, summary="Started the session notes").page


def can_edit(pitch: Pitch, user: User | None) -> bool:
    """Tell whether ``user`` may edit ``pitch``: its hosts, a wish's author, facilitators."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_facilitator:
        return True
    if pitch.event.is_archived:
        return False
    return pitch.hosted_by(user) or (pitch.is_wish and pitch.created_by_id == user.id)


def update_pitch(pitch: Pitch, details: PitchDetails, by: User) -> None:
    """Change a pitch's details."""
    _check(details)
    _apply(pitch, details)
    if not pitch.is_wish:
        pitch.co_hosts = _co_hosts(details.co_hosts, pitch.host or by)
    live.publish(live.event_topic(pitch.event_id), "pitch-changed", {"pitch": pitch.id})


def adopt_wish(pitch: Pitch, user: User) -> None:
    """Make ``user`` the host of a wish."""
    if not pitch.is_wish:
        raise PitchError("host", "Someone already hosts this session.")
    pitch.host_id = user.id
    pitch.updated_at = utcnow()
    live.publish(live.event_topic(pitch.event_id), "pitch-changed", {"pitch": pitch.id})


def decline_pitch(pitch: Pitch, reason: str) -> None:
    """Decline a pitch with a reason everyone can read; its dots go back to the voters."""
    reason = " ".join(reason.split())
    if not reason:
        raise PitchError("reason", "Say why the session is declined; the pitcher will read it.")
    _lock_pitches(pitch)
    if not pitch.is_active:
        raise PitchError("reason", "This session was already declined or merged.")
    for ballot_id, count in _take_dots(pitch):
        _give_back(ballot_id, count)
    pitch.status = PitchStatus.DECLINED
    pitch.declined_reason = reason[:300]
    _forget_votes()
    live.publish(live.event_topic(pitch.event_id), "pitch-changed", {"pitch": pitch.id})


def decline_consequences(pitch: Pitch) -> list[str]:
    """Say what declining ``pitch`` does, before it is done: where its dots go."""
    dots, voters = db.session.execute(
        select(func.coalesce(func.sum(Dot.count), 0), func.count(Dot.ballot_id)).where(
            Dot.pitch_id == pitch.id
        )
    ).one()
    said = [f"“{pitch.title}” leaves the board for good; it cannot be put back, only pitched anew."]
    if dots:
        said.append(
            f"Its {plural(dots, 'dot')} go{'es' if dots == 1 else ''} back to the "
            f"{plural(voters, 'voter')} who placed {'it' if dots == 1 else 'them'}"
            + (", to spend again." if pitch.event.voting_open else ".")
        )
    else:
        said.append("It has no dots yet, so nobody gets any back.")
    said.append("Everyone can read your reason on its page.")
    return said


def merge_consequences(duplicate: Pitch) -> list[str]:
    """Say what merging ``duplicate`` into another session does, before it is done."""
    dots = db.session.scalar(
        select(func.coalesce(func.sum(Dot.count), 0)).where(Dot.pitch_id == duplicate.id)
    )
    said = [
        f"“{duplicate.title}” leaves the board for good and points to the session you choose; "
        "a merge cannot be undone."
    ]
    if dots:
        said.append(
            f"Its {plural(dots, 'dot')} move{'s' if dots == 1 else ''} across, up to "
            f"{plural(duplicate.event.max_dots_per_pitch, 'dot')} from one voter on one session; "
            "any over that go back to the voter."
        )
    return said


def merge_pitches(duplicate: Pitch, into: Pitch) -> None:
    """Merge a duplicate into another pitch; dots move across, capped by the rules.

    Each voter's dots on the duplicate join theirs on the other session up to the most one
    person may put on a session; the rest go back to the voter. Every step is a statement
    relative to the rows (see ``_take_dots``), so votes placed meanwhile are never lost.
    """
    if duplicate.id == into.id or duplicate.event_id != into.event_id:
        raise PitchError("into", "Choose another session of the same event.")
    _lock_pitches(duplicate, into)
    if not into.is_active:
        raise PitchError("into", "That session is no longer active.")
    if not duplicate.is_active:
        raise PitchError("into", "This session was already declined or merged.")
    for ballot_id, count in _take_dots(duplicate):
        _move_capped(ballot_id, into.id, count)
    duplicate.status = PitchStatus.MERGED
    duplicate.merged_into = into
    _forget_votes()
    db.session.flush()
    topic = live.event_topic(into.event_id)
    live.publish(topic, "pitch-changed", {"pitch": duplicate.id})
    announce_dots(into.event, into)


# How the dot rules hold under concurrency. ``spent`` is only ever changed by an UPDATE
# relative to the row (``spent = spent + 1``, ``spent = spent - :n``) with ``n`` taken from
# the rows the same transaction deleted or moved, so ``spent`` stays the sum of the ballot's
# dots whatever commits in between (tests/test_dot_races.py checks it after a race on both
# databases; a CHECK cannot see other rows, and a trigger would duplicate these statements).
# Locks are taken in one order everywhere, so no two requests wait for each other: pitches
# (votes share, merges and declines take them whole), then ballots by id, then dots.


def _lock_pitches(*pitches: Pitch) -> None:
    """Lock the pitches (by id, so two merges never deadlock) and refresh their state."""
    db.session.scalars(
        select(Pitch)
        .where(Pitch.id.in_(sorted({p.id for p in pitches})))
        .order_by(Pitch.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()


def lock_ballots(where) -> None:
    """Lock the ballots matching ``where`` in id order, before any of their dots change."""
    db.session.execute(select(Ballot.id).where(where).order_by(Ballot.id).with_for_update())


def lock_for_erasure(user: User) -> None:
    """Lock what deleting ``user`` changes in the order merges and votes take it.

    The database unnames their pitches (and their children's) and deletes their ballots with
    their dots; taking those rows first means a merge or decline running meanwhile waits for
    the deletion, or the deletion for it, and never both for each other.
    """
    children = (
        select(RsvpChild.id).join(Rsvp, Rsvp.id == RsvpChild.rsvp_id).where(Rsvp.user_id == user.id)
    )
    db.session.execute(
        select(Pitch.id)
        .where(
            (Pitch.host_id == user.id)
            | (Pitch.created_by_id == user.id)
            | Pitch.child_id.in_(children)
        )
        .order_by(Pitch.id)
        .with_for_update()
    )
    lock_ballots(Ballot.user_id == user.id)


def _take_dots(pitch: Pitch) -> list[tuple[int, int]]:
    """Delete every dot on the pitch; return (ballot id, count) as the DELETE removed them."""
    lock_ballots(Ballot.id.in_(select(Dot.ballot_id).where(Dot.pitch_id == pitch.id)))
    rows = db.session.execute(
        delete(Dot).where(Dot.pitch_id == pitch.id).returning(Dot.ballot_id, Dot.count),
        execution_options={"synchronize_session": False},
    ).all()
    return sorted((ballot_id, count) for ballot_id, count in rows if count)


def _give_back(ballot_id: int, count: int) -> None:
    db.session.execute(
        update(Ballot).where(Ballot.id == ballot_id).values(spent=Ballot.spent - count),
        execution_options={"synchronize_session": False},
    )


def _move_capped(ballot_id: int, pitch_id: int, count: int) -> None:
    """Add ``count`` of the ballot's dots to the pitch up to its per-session cap; return the
    rest to the ballot. Both amounts are computed by the database from the rows."""

    def capped(existing, per_pitch):
        total = existing + count
        return case((total <= per_pitch, total), (existing >= per_pitch, existing), else_=per_pitch)

    existing = func.coalesce(
        select(Dot.count)
        .where(Dot.ballot_id == ballot_id, Dot.pitch_id == pitch_id)
        .scalar_subquery(),
        0,
    )
    # First what does not fit goes back, computed from the dots already there...
    db.session.execute(
        update(Ballot)
        .where(Ballot.id == ballot_id)
        .values(spent=Ballot.spent - (existing + count - capped(existing, Ballot.per_pitch))),
        execution_options={"synchronize_session": False},
    )
    # ...then the rest joins them.
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    db.session.execute(
        dialect.insert(Dot)
        .values(ballot_id=ballot_id, pitch_id=pitch_id, count=0)
        .on_conflict_do_nothing()
    )
    per_pitch = select(Ballot.per_pitch).where(Ballot.id == ballot_id).scalar_subquery()
    db.session.execute(
        update(Dot)
        .where(Dot.ballot_id == ballot_id, Dot.pitch_id == pitch_id)
        .values(count=capped(Dot.count, per_pitch)),
        execution_options={"synchronize_session": False},
    )


def _forget_votes() -> None:
    # The statements above went past the identity map: reload ballots and dots when asked.
    for item in list(db.session.identity_map.values()):
        if isinstance(item, Ballot | Dot):
            db.session.expire(item)


def attach_picture(pitch: Pitch, filename: str, data: bytes, by: User) -> None:
    """Attach a drawing or photo to the pitch, kept on its notes page with attachment rules."""
    try:
        outcome = attachments.upload(pitch.page, filename, data, by)
    except attachments.AttachmentError as error:
        raise PitchError("picture", error.message) from None
    if not outcome.version.media_type.startswith("image/"):
        raise PitchError("picture", "A pitch picture must be an image, not a PDF.")
    pitch.picture_id = outcome.attachment.id


def add_comment(pitch: Pitch, author: User, body: str) -> Comment:
    """Ask a question or leave a remark on a pitch."""
    body = pages.normalise_text(body)
    if not body:
        raise PitchError("body", "Write something first.")
    if len(body) > 5000:
        raise PitchError("body", "Keep comments under 5,000 characters.")
    comment = Comment(
        pitch_id=pitch.id, author_id=author.id, body=body, body_html=pages.render(body).html
    )
    db.session.add(comment)
    db.session.flush()
    return comment


def children_of(event: Event, user: User) -> list[RsvpChild]:
    """Return the children registered in this person's (not cancelled) RSVP for the event."""
    rsvp = db.session.scalar(
        select(Rsvp).where(
            Rsvp.event_id == event.id,
            Rsvp.user_id == user.id,
            Rsvp.status != RsvpStatus.CANCELLED,
        )
    )
    return rsvp.active_children if rsvp is not None else []
