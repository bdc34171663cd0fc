"""Dot voting: who votes, ballots and budgets, placing and taking back dots, the household rule.

The dot budget holds inside the transaction; the lock order every vote, merge and decline
shares is told beside ``_lock_pitches`` in ``wiki.pitches.services``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from wiki.accounts.models import User
from wiki.events.models import Event, RsvpChild
from wiki.extensions import db
from wiki.pitches.models import Ballot, Dot, Pitch, PitchStatus
from wiki.pitches.services import PitchError, children_of
from wiki.pitches.tallies import announce_dots
from wiki.words import plural


def _hold_open(pitch: Pitch) -> None:
    """Keep the pitch from being declined or merged until this vote commits, or refuse it.

    A share lock on PostgreSQL (votes do not wait for each other); SQLite's write lock
    already orders every vote.
    """
    status = db.session.scalar(
        select(Pitch.status).where(Pitch.id == pitch.id).with_for_update(read=True)
    )
    if status != PitchStatus.ACTIVE:
        raise VoteRefused("That session is not open for dots.")


@dataclass(frozen=True)
class Voter:
    """Who a vote is for: a person, or a child whose dots their guardian casts."""

    user: User
    child: RsvpChild | None = None

    @property
    def child_key(self) -> int:
        return self.child.id if self.child else 0

    @property
    def name(self) -> str:
        return self.child.first_name if self.child else "you"


def voters_for(event: Event, user: User) -> list[Voter]:
    """Return the voters a person votes for: themselves, and their children where allowed."""
    children = children_of(event, user) if event.children_vote else []
    return [Voter(user)] + [Voter(user, child) for child in children]


def voter_for(event: Event, user: User, child_id: int | None) -> Voter:
    """Return the voter for ``child_id`` (a child of this person's RSVP) or the person."""
    if not child_id:
        return Voter(user)
    for voter in voters_for(event, user):
        if voter.child and voter.child.id == child_id:
            return voter
    raise PitchError("as", "You can only cast dots for children registered in your RSVP.")


def _ballot(event: Event, voter: Voter) -> Ballot:
    ballot = existing_ballot(event, voter)
    if ballot is not None:
        return ballot
    values = {
        "event_id": event.id,
        "user_id": voter.user.id,
        "child_id": voter.child.id if voter.child else None,
        "child_key": voter.child_key,
        "budget": event.dots_per_person,
        "per_pitch": event.max_dots_per_pitch,
        "spent": 0,
    }
    # Two first votes at once both miss the ballot: one inserts, the other finds its row.
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(Ballot).values(**values).on_conflict_do_nothing())
    return db.session.scalars(
        select(Ballot)
        .where(
            Ballot.event_id == event.id,
            Ballot.user_id == voter.user.id,
            Ballot.child_key == voter.child_key,
        )
        .execution_options(populate_existing=True)
    ).one()


def existing_ballot(event: Event, voter: Voter) -> Ballot | None:
    """Return the voter's ballot if they have placed a dot before."""
    return db.session.scalar(
        select(Ballot).where(
            Ballot.event_id == event.id,
            Ballot.user_id == voter.user.id,
            Ballot.child_key == voter.child_key,
        )
    )


class VoteRefused(PitchError):
    """The vote breaks a rule; the message says which."""

    def __init__(self, message: str) -> None:
        super().__init__("vote", message)


def why_not_dot(event: Event, pitch: Pitch, voter: Voter) -> str | None:
    """Say why ``voter`` may never put a dot on ``pitch`` at this event, or None if they may.

    The household rule: unless the event allows dots on one's own sessions, nobody in a
    household (a person and the children of their RSVP, whose dots that person places) dots a
    session that anyone in the household hosts, co-hosts or leads. So a parent cannot dot their
    child's kid-led session, a child cannot dot their own or a sibling's, nor any session their
    parent hosts or co-hosts. The answer is short, for beside a disabled "+"; the board and the
    vote services both ask here, so what the board offers is what a vote may do.
    """
    if event.allow_self_dots:
        return None
    led_by = pitch.child
    if led_by is not None and led_by.rsvp.user_id == voter.user.id:
        return f"{led_by.first_name}'s own session"
    if pitch.hosted_by(voter.user):
        return "Your own session"
    return None


def _check_vote(event: Event, pitch: Pitch, voter: Voter, *, adding: bool) -> None:
    if not event.voting_open:
        raise VoteRefused("Voting is closed, so dots cannot be placed or taken back now.")
    if pitch.event_id != event.id or not pitch.is_active:
        raise VoteRefused("That session is not open for dots.")
    if voter.child is not None and not event.children_vote:
        raise VoteRefused("Children do not vote at this event.")
    # Taking a dot back is always allowed: a co-host added after the vote must not be stuck.
    reason = why_not_dot(event, pitch, voter) if adding else None
    if reason:
        raise VoteRefused(
            f"{reason}: this event does not let a household put dots on its own sessions."
        )


@dataclass(frozen=True)
class Placed:
    """Where a voter stands after a vote: dots still to place, and theirs on the pitch."""

    left: int
    on_pitch: int


def add_dot(event: Event, pitch: Pitch, voter: Voter) -> Placed:
    """Place one dot; refused when the budget is spent or the session is at the maximum.

    Both limits are conditions of UPDATE statements inside a savepoint: the row lock the first
    UPDATE takes serialises a voter's requests, so parallel requests cannot overspend.
    """
    _check_vote(event, pitch, voter, adding=True)
    _hold_open(pitch)
    ballot = _ballot(event, voter)
    with db.session.begin_nested():
        spent = db.session.execute(
            update(Ballot)
            .where(Ballot.id == ballot.id, Ballot.spent < Ballot.budget)
            .values(spent=Ballot.spent + 1)
            .returning(Ballot.spent),
            execution_options={"synchronize_session": False},
        ).scalar()
        if spent is None:
            raise VoteRefused(
                f"{'You have' if not voter.child else voter.child.first_name + ' has'} "
                "no dots left: "
                + ("the only one is" if ballot.budget == 1 else f"all {ballot.budget} are")
                + " placed. Take one back to move it."
            )
        on_pitch = db.session.execute(
            update(Dot)
            .where(
                Dot.ballot_id == ballot.id,
                Dot.pitch_id == pitch.id,
                Dot.count < ballot.per_pitch,
            )
            .values(count=Dot.count + 1)
            .returning(Dot.count),
            execution_options={"synchronize_session": False},
        ).scalar()
        if on_pitch is None:
            if db.session.scalar(
                select(Dot.count).where(Dot.ballot_id == ballot.id, Dot.pitch_id == pitch.id)
            ):
                raise VoteRefused(
                    f"At most {plural(ballot.per_pitch, 'dot')} can go on one session, and "
                    "this one has them all."
                )
            db.session.execute(insert(Dot).values(ballot_id=ballot.id, pitch_id=pitch.id, count=1))
            on_pitch = 1
    budget = ballot.budget
    announce_dots(event, pitch)
    # The UPDATEs went past the identity map: the loaded ballot still shows the old count.
    db.session.expire(ballot)
    return Placed(left=budget - spent, on_pitch=on_pitch)


def remove_dot(event: Event, pitch: Pitch, voter: Voter) -> Placed:
    """Take one dot back from a session."""
    _check_vote(event, pitch, voter, adding=False)
    _hold_open(pitch)
    ballot = existing_ballot(event, voter)
    if ballot is None:
        raise VoteRefused("There is no dot of yours on this session to take back.")
    budget = ballot.budget
    with db.session.begin_nested():
        spent = db.session.execute(
            update(Ballot)
            .where(Ballot.id == ballot.id, Ballot.spent > 0)
            .values(spent=Ballot.spent - 1)
            .returning(Ballot.spent),
            execution_options={"synchronize_session": False},
        ).scalar()
        on_pitch = (
            None
            if spent is None
            else db.session.execute(
                update(Dot)
                .where(Dot.ballot_id == ballot.id, Dot.pitch_id == pitch.id, Dot.count > 0)
                .values(count=Dot.count - 1)
                .returning(Dot.count),
                execution_options={"synchronize_session": False},
            ).scalar()
        )
        if on_pitch is None:
            raise VoteRefused("There is no dot of yours on this session to take back.")
    announce_dots(event, pitch)
    db.session.expire(ballot)
    return Placed(left=budget - spent, on_pitch=on_pitch)


def household_ballots(event: Event, user: User) -> dict[int, Ballot]:
    """Return the ballots of a person and the children they vote for, by ``child_key``, in
    one query (what one vote's answer shows for the whole household)."""
    ballots = db.session.scalars(
        select(Ballot).where(Ballot.event_id == event.id, Ballot.user_id == user.id)
    )
    return {ballot.child_key: ballot for ballot in ballots}


def my_dots(event: Event, voter: Voter) -> dict[int, int]:
    """Return {pitch id: dots} this voter placed; nobody else's dots are ever shown."""
    return _dots_on(existing_ballot(event, voter))


def _dots_on(ballot: Ballot | None) -> dict[int, int]:
    if ballot is None:
        return {}
    return dict(
        db.session.execute(
            select(Dot.pitch_id, Dot.count).where(Dot.ballot_id == ballot.id, Dot.count > 0)
        ).all()
    )


@dataclass(frozen=True)
class Standing:
    """Where a voter stands: dots left, the most one session takes, and theirs on each pitch."""

    left: int
    per_pitch: int
    mine: dict[int, int]


def standing(event: Event, ballot: Ballot | None) -> Standing:
    """Return where a voter's ballot stands by its own limits (the event's until a first dot)."""
    if ballot is None:
        return Standing(event.dots_per_person, event.max_dots_per_pitch, {})
    return Standing(ballot.left, ballot.per_pitch, _dots_on(ballot))


def left_of(event: Event, ballot: Ballot | None) -> int:
    """Return the dots left on ``ballot``: the event's whole budget before a first dot."""
    return ballot.left if ballot else event.dots_per_person


def add_blocked(event: Event, pitch: Pitch, voter: Voter, where: Standing) -> str | None:
    """Say why "+" is off for the voter on ``pitch`` now, or None when a dot can go on.

    The household rule first (``why_not_dot``), then the two limits the vote's UPDATEs hold:
    no dots left, and the most one session takes. The board disables "+" whenever this answers.
    """
    reason = why_not_dot(event, pitch, voter)
    if reason:
        return reason
    if where.left <= 0:
        return f"{voter.child.first_name} has no dots left" if voter.child else "No dots left"
    if where.mine.get(pitch.id, 0) >= where.per_pitch:
        return f"{where.per_pitch} is the most on one session"
    return None
