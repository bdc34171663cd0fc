"""Reading published versions: the latest, one by number, its programme and its grid.

A version never changes once written, so its parsed ``Programme`` is cached per process by
the version's id; pages and exports that read the same version share one parse.
"""

from __future__ import annotations

import threading

from sqlalchemy import select

from wiki.events.models import Event
from wiki.extensions import db
from wiki.schedule import programme as programmes
from wiki.schedule.drafts import Doc
from wiki.schedule.models import ScheduleVersion
from wiki.schedule.solver import Placement

_cache: dict[tuple, programmes.Programme] = {}
_lock = threading.Lock()
CACHE_SIZE = 64


def latest(event: Event | int) -> ScheduleVersion | None:
    """Return the event's newest published version, or None before the first publish."""
    event_id = event if isinstance(event, int) else event.id
    return db.session.scalar(
        select(ScheduleVersion)
        .where(ScheduleVersion.event_id == event_id)
        .order_by(ScheduleVersion.number.desc())
        .limit(1)
    )


def get(event: Event, number: int) -> ScheduleVersion | None:
    return db.session.scalar(
        select(ScheduleVersion).where(
            ScheduleVersion.event_id == event.id, ScheduleVersion.number == number
        )
    )


def all_for(event: Event) -> list[ScheduleVersion]:
    """Return every version of the event's programme, newest first."""
    return list(
        db.session.scalars(
            select(ScheduleVersion)
            .where(ScheduleVersion.event_id == event.id)
            .order_by(ScheduleVersion.number.desc())
        )
    )


def programme(version: ScheduleVersion) -> programmes.Programme:
    """Return the version's programme, parsed once per process."""
    # The publish time is in the key too: a database made again at the same address (tests)
    # starts its ids again, and must not be served another database's programme.
    key = (str(db.engine.url), version.id, version.published_at)
    found = _cache.get(key)
    if found is None:
        found = programmes.from_json(
            version.programme, number=version.number, published_at=version.published_at
        )
        with _lock:
            if len(_cache) >= CACHE_SIZE:
                _cache.clear()
            _cache[key] = found
    return found


def changes(version: ScheduleVersion) -> list[programmes.Change]:
    return programmes.changes_from_json(version.changes)


def published_grid(event: Event) -> dict[str, Placement]:
    """Return the latest published grid as the solver's ``previous`` (empty before v1)."""
    version = latest(event)
    if version is None:
        return {}
    return dict(Doc.from_json(version.grid).schedule)
