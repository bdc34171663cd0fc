"""Reminders to households: a week before the event, and the day before.

Families plan weekends ahead: a reminder with where, when and how to get there is what turns
"I did not know about it" and "I forgot" into a day out. ``flask send-reminders`` sends
what is due; run it from cron (hourly is fine: each reminder goes once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from wiki.accounts.models import User
from wiki.database import utcnow
from wiki.events.links import date_range, event_url, local
from wiki.events.models import Event, EventState, Rsvp, RsvpStatus
from wiki.extensions import db
from wiki.mail import Mail, mail_configured, send_after_commit
from wiki.words import plural

WEEK = timedelta(days=7)
DAY = timedelta(days=1)
# Events people can still be coming to.
UPCOMING = (
    EventState.REGISTRATION,
    EventState.VOTING,
    EventState.VOTING_CLOSED,
    EventState.PUBLISHED,
)


@dataclass(frozen=True)
class Sent:
    week: int = 0
    day: int = 0


def send_reminders(now: datetime | None = None) -> Sent:
    """Queue every reminder that is due (sent when the caller commits); say how many.

    Only confirmed households with a confirmed address hear from us, each reminder once:
    a household that RSVPs five days before gets the week's reminder then, and one that
    RSVPs the evening before gets only the day's.
    """
    if not mail_configured():
        return Sent()
    now = now or utcnow()
    events = db.session.scalars(
        select(Event)
        .where(Event.state.in_(UPCOMING), Event.starts_at > now, Event.starts_at <= now + WEEK)
        .order_by(Event.starts_at)
    ).all()
    messages: list[Mail] = []
    sent = Sent()
    for event in events:
        column = Rsvp.day_reminder_at if event.starts_at - now <= DAY else Rsvp.week_reminder_at
        for rsvp in _households_due(event, column):
            # Two runs at once: only the one that marks the household sends.
            marked = db.session.execute(
                update(Rsvp).where(Rsvp.id == rsvp.id, column.is_(None)).values({column: now})
            ).rowcount
            if marked:
                messages.append(_reminder(event, rsvp, now))
                is_day = column is Rsvp.day_reminder_at
                sent = Sent(sent.week + (not is_day), sent.day + is_day)
    send_after_commit(messages, "Could not send event reminders")
    return sent


def _households_due(event: Event, column) -> list[Rsvp]:
    return list(
        db.session.scalars(
            select(Rsvp)
            .join(User, User.id == Rsvp.user_id)
            .where(
                Rsvp.event_id == event.id,
                Rsvp.status == RsvpStatus.CONFIRMED,
                column.is_(None),
                User.email.is_not(None),
                User.email_confirmed_at.is_not(None),
            )
            .order_by(Rsvp.id)
        )
    )


def when(event: Event, now: datetime) -> str:
    """Say how soon the event starts, in its own calendar: "today", "tomorrow", "in 6 days"."""
    days = (local(event, event.starts_at).date() - local(event, now).date()).days
    return "today" if days <= 0 else "tomorrow" if days == 1 else f"in {plural(days, 'day')}"


def _reminder(event: Event, rsvp: Rsvp, now: datetime) -> Mail:
    site = current_app.config["SITE_NAME"]
    starts = local(event, event.starts_at)
    soon = when(event, now)
    children = [child.first_name for child in rsvp.active_children]
    party = plural(rsvp.adults, "adult")
    if children:
        party += " and " + ", ".join(children)
    lines = [
        f"Hello {rsvp.user.display_name},",
        "",
        f"{event.name} is {soon}: {date_range(event)}, starting at {starts:%H:%M}.",
        "",
    ]
    where = ", ".join(p for p in (event.venue_name, " ".join(event.venue_address.split())) if p)
    if where:
        lines += [f"Where: {where}"]
    if event.map_url:
        lines += [f"Map: {event.map_url}"]
    if event.directions.strip():
        lines += ["", "Getting there:", event.directions.strip()]
    lines += [
        "",
        f"Your places: {party}.",
        "",
        "The programme, the code of conduct, and the way to change or cancel your RSVP:",
        event_url(event, anchor="rsvp"),
        "",
        "If you can no longer come, please cancel, so a family on the waiting list gets "
        "your places.",
        "",
        f"You get this message because your household is coming, and you confirmed this "
        f"address on {site}.",
    ]
    subject = f"[{site}] {event.name} is {soon}"
    return (rsvp.user.confirmed_email, subject, "\n".join(lines) + "\n")
