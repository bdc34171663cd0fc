"""Deleting one's account, and a copy of everything the site holds about a person.

UK GDPR gives people both rights. What others wrote with them stays (a wiki page is
everyone's work): their name comes off it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select

from wiki.accounts.models import Login, Role, User
from wiki.accounts.passwords import verify_password
from wiki.accounts.services import AccountError
from wiki.events import rsvps
from wiki.events.models import Event, Rsvp, RsvpStatus
from wiki.extensions import db
from wiki.moderation.models import Report
from wiki.pages.models import Page, Revision
from wiki.pitches import services as pitches
from wiki.pitches import tallies
from wiki.pitches.models import Ballot, Comment, Dot, Pitch, PitchCoHost


def delete_account(user: User, password: str) -> None:
    """Delete ``user`` and what is only theirs; keep what they wrote with others, unnamed.

    - the household's RSVP and its children go, and their places go to the waiting list;
    - their dots (and their children's) come off the sessions, and open boards hear of it;
    - sessions they pitched stay, with no host, so someone can adopt them;
    - page edits, comments, announcements and reports stay, by "a former account".
    """
    if not verify_password(user.password_hash, password):
        raise AccountError("password", "That is not your password.")
    if user.role == Role.ADMIN and _other_admins(user) == 0:
        raise AccountError(
            "password",
            "You are the only admin. Make someone else an admin first, so the site keeps one.",
        )
    held = db.session.scalars(
        select(Event)
        .join(Rsvp, Rsvp.event_id == Event.id)
        .where(Rsvp.user_id == user.id, Rsvp.status != RsvpStatus.CANCELLED)
        .order_by(Event.id)
    ).all()
    held = [rsvps.lock_event(event) for event in held]
    dotted = db.session.execute(
        select(Ballot.event_id, Dot.pitch_id)
        .join(Dot, Dot.ballot_id == Ballot.id)
        .where(Ballot.user_id == user.id, Dot.count > 0)
        .distinct()
        .order_by(Ballot.event_id, Dot.pitch_id)
    ).all()
    pitches.lock_for_erasure(user)
    # The database removes or unnames the rest (ON DELETE CASCADE / SET NULL): whole ballots
    # go with their dots, so every ballot left still spends exactly the dots it holds.
    db.session.execute(delete(User).where(User.id == user.id))
    db.session.expire_all()
    for event in held:
        rsvps.promote_waiting(event)
    # Announced last, once every change the new totals count is made.
    for event_id, pitch_id in dotted:
        event = db.session.get(Event, event_id)
        pitch = db.session.get(Pitch, pitch_id)
        if event is not None and pitch is not None and event.voting_open:
            tallies.announce_dots(event, pitch)


def _other_admins(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.id != user.id)
    )


def personal_data(user: User) -> dict[str, Any]:
    """Return everything the site holds about ``user``, as plain values for a JSON file."""
    return {
        "account": {
            "username": user.username,
            "display_name": user.display_name,
            "email": user.email,
            "email_confirmed_at": (
                user.email_confirmed_at.isoformat() if user.email_confirmed_at else None
            ),
            "role": str(user.role),
            "created_at": user.created_at.isoformat(),
        },
        "logins": [
            {"started_at": login.created_at.isoformat(), "ends_at": login.expires_at.isoformat()}
            for login in db.session.scalars(
                select(Login).where(Login.user_id == user.id).order_by(Login.id)
            )
        ],
        "rsvps": [_rsvp(rsvp) for rsvp in _rsvps(user)],
        "pitches": _pitches(user),
        "dots": _dots(user),
        "comments": [
            {
                "event": event_name,
                "session": title,
                "text": comment.body,
                "hidden_by_moderators": comment.hidden,
                "created_at": comment.created_at.isoformat(),
            }
            for comment, title, event_name in db.session.execute(
                select(Comment, Pitch.title, Event.name)
                .join(Pitch, Pitch.id == Comment.pitch_id)
                .join(Event, Event.id == Pitch.event_id)
                .where(Comment.author_id == user.id)
                .order_by(Comment.id)
            )
        ],
        "page_edits": [
            {
                "page": title,
                "revision": number,
                "summary": summary,
                "created_at": created_at.isoformat(),
            }
            for title, number, summary, created_at in db.session.execute(
                select(Page.title, Revision.number, Revision.summary, Revision.created_at)
                .join(Page, Page.id == Revision.page_id)
                .where(Revision.author_id == user.id)
                .order_by(Revision.id)
            )
        ],
        "reports_filed": [
            {
                "about": report.target_title,
                "reason": report.reason,
                "status": str(report.status),
                "created_at": report.created_at.isoformat(),
            }
            for report in db.session.scalars(
                select(Report).where(Report.reporter_id == user.id).order_by(Report.id)
            )
        ],
    }


def _rsvps(user: User) -> list[Rsvp]:
    return list(db.session.scalars(select(Rsvp).where(Rsvp.user_id == user.id).order_by(Rsvp.id)))


def _rsvp(rsvp: Rsvp) -> dict[str, Any]:
    return {
        "event": rsvp.event.name,
        "status": str(rsvp.status),
        "adults": rsvp.adults,
        "children": [
            {"first_name": child.first_name, "age_band": child.age_band}
            for child in rsvp.active_children
        ],
        "access_needs": rsvp.access_needs,
        "dietary_needs": rsvp.dietary_needs,
        "childcare_interest": rsvp.childcare_interest,
        "show_name_to_others": rsvp.show_name,
        "accepted_code_of_conduct_at": (
            rsvp.accepted_conduct_at.isoformat() if rsvp.accepted_conduct_at else None
        ),
        "created_at": rsvp.created_at.isoformat(),
        "updated_at": rsvp.updated_at.isoformat(),
    }


def _pitches(user: User) -> list[dict[str, Any]]:
    co_hosted = select(PitchCoHost.pitch_id).where(PitchCoHost.user_id == user.id)
    found = db.session.scalars(
        select(Pitch)
        .where(
            (Pitch.host_id == user.id) | (Pitch.created_by_id == user.id) | Pitch.id.in_(co_hosted)
        )
        .order_by(Pitch.id)
    )
    return [
        {
            "event": pitch.event.name,
            "title": pitch.title,
            "summary": pitch.summary,
            "you_are": (
                "host"
                if pitch.host_id == user.id
                else "co-host"
                if pitch.hosted_by(user)
                else "the person who pitched it"
            ),
            "status": str(pitch.status),
            "created_at": pitch.created_at.isoformat(),
        }
        for pitch in found
    ]


def _dots(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Ballot, Dot.count, Pitch.title)
        .join(Dot, Dot.ballot_id == Ballot.id)
        .join(Pitch, Pitch.id == Dot.pitch_id)
        .where(Ballot.user_id == user.id, Dot.count > 0)
        .order_by(Ballot.id, Pitch.id)
    ).all()
    return [
        {
            "event": db.session.get(Event, ballot.event_id).name,
            "session": title,
            "dots": count,
            "placed_for": ballot.child.first_name if ballot.child else "you",
        }
        for ballot, count, title in rows
    ]
