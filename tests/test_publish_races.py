"""Two facilitators pressing "Publish" at the same moment make one version, told once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from tests.programme_camp import close_voting, free_cell, head, move_on_draft, plan_draft
from tests.schedule_camp import build_camp
from tests.test_dot_races import logged_in
from wiki.accounts.models import Role
from wiki.extensions import db
from wiki.notices.models import Notice
from wiki.schedule.models import ScheduleVersion

pytestmark = pytest.mark.slow


def _race(base: str, slug: str, sessions, revision: int) -> list[int]:
    start = threading.Barrier(len(sessions))

    def press(pair) -> int:
        session, token = pair
        start.wait()
        return session.post(
            f"{base}/events/{slug}/schedule/draft/publish",
            data={"revision": str(revision), "csrf_token": token},
            allow_redirects=False,
        ).status_code

    with ThreadPoolExecutor(len(sessions)) as pool:
        return sorted(pool.map(press, sessions))


def _versions_and_duplicate_notices(app) -> tuple[list[int], int]:
    with app.app_context():
        numbers = list(db.session.scalars(select(ScheduleVersion.number).order_by("number")))
        duplicates = db.session.execute(
            select(func.count())
            .select_from(Notice)
            .group_by(Notice.user_id, Notice.key)
            .having(func.count() > 1)
        ).all()
        return numbers, len(duplicates)


def test_simultaneous_publishes_make_one_version_each_time(
    app, live_server, create_user, create_event
):
    camp = build_camp(app, create_user, create_event)
    close_voting(app, camp)
    plan_draft(app, camp)
    create_user("fran", Role.FACILITATOR)
    base = live_server.url
    sessions = [logged_in(base, camp.facilitator), logged_in(base, "fran")]

    codes = _race(base, camp.slug, sessions, head(app, camp))
    assert codes[0] == 303 and codes[1] in (409, 422), codes
    assert _versions_and_duplicate_notices(app) == ([1], 0)

    room, slot = free_cell(app, camp, camp.pitches[0])
    move_on_draft(app, camp, camp.pitches[0], room, slot)
    codes = _race(base, camp.slug, sessions, head(app, camp))
    assert codes[0] == 303 and codes[1] in (409, 422), codes
    assert _versions_and_duplicate_notices(app) == ([1, 2], 0)
