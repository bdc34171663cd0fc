"""Solve jobs: one at a time, run outside the request, cancelled with the best plan kept,
and a crashed or killed one leaves the draft as it was."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.schedule_camp import build_camp
from wiki.events.models import Event
from wiki.extensions import db
from wiki.schedule import drafts, editor, jobs
from wiki.schedule.models import JobStatus, SolveJob
from wiki.schedule.solver import validate


def _camp(make_app, create_user, create_event, **settings):
    app = make_app(**settings)
    return app, build_camp(app, create_user, create_event)


@pytest.fixture
def inline(make_app, create_user, create_event):
    """Return an app whose runners are threads of this process, and its camp."""
    return _camp(
        make_app, create_user, create_event, SCHEDULE_RUNNER="inline", SCHEDULE_TIME_LIMIT=0.5
    )


def _login(app, camp):
    client = app.test_client()
    client.post(
        "/-/login", data={"username": camp.facilitator, "password": "correct horse battery"}
    )
    return client


def _plan(client, camp, revision=0):
    return client.post(
        f"/events/{camp.slug}/schedule/draft/plan",
        data={"revision": revision},
        headers={"HX-Request": "true"},
    )


def _job(app, job_id=None) -> SolveJob:
    with app.app_context():
        if job_id is None:
            return db.session.query(SolveJob).order_by(SolveJob.id.desc()).first()
        return db.session.get(SolveJob, job_id)


def _wait(app, job_id, statuses, timeout=60.0) -> SolveJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = _job(app, job_id)
        if job.status in statuses:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still {job.status}")


def _head(app, camp):
    with app.app_context():
        draft = drafts.get_draft(db.session.get(Event, camp.event_id))
        return draft.head_revision, drafts.head_doc(draft)


def test_plan_runs_as_a_job_and_saves_a_valid_grid(inline):
    app, camp = inline
    client = _login(app, camp)
    answer = _plan(client, camp)
    assert answer.status_code == 200
    assert "Planning the grid" in answer.get_data(as_text=True)
    # The plan's block comes too, out of band, so its progress shows even before the stream
    # says anything.
    plan = '<section id="plan" class="plan" aria-labelledby="plan-title" hx-swap-oob="innerHTML"'
    assert plan in answer.get_data(as_text=True)
    job = _wait(app, _job(app).id, {JobStatus.DONE})
    assert job.result_revision == 1 and job.base_revision == 0
    number, doc = _head(app, camp)
    assert number == 1 and doc.schedule
    with app.app_context():
        problem = editor.built_problem(db.session.get(Event, camp.event_id))
    assert validate(problem, doc.schedule) == []
    page = client.get(f"/events/{camp.slug}/schedule/draft").get_data(as_text=True)
    assert "The plan is ready." in page
    assert "Planned the grid:" in page


def test_second_plan_while_one_runs_says_who_started_it(
    make_app, create_user, create_event, monkeypatch
):
    app, camp = _camp(make_app, create_user, create_event)
    client = _login(app, camp)
    monkeypatch.setattr(jobs, "launch", lambda app, job_id: None)
    assert _plan(client, camp).status_code == 200
    second = _plan(client, camp)
    assert second.status_code == 409
    assert "A plan is already being made (started by Fatima at" in second.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(SolveJob).count() == 1


def test_a_re_plan_keeps_locked_sessions_where_they_are(inline):
    app, camp = inline
    client = _login(app, camp)
    _plan(client, camp)
    _wait(app, _job(app).id, {JobStatus.DONE})
    number, doc = _head(app, camp)
    pitch, (room, slot) = sorted(doc.schedule.items())[0]
    # Move it somewhere else that is free, lock it there, and plan again.
    with app.app_context():
        problem = editor.built_problem(db.session.get(Event, camp.event_id))
    taken = {(r, s) for r, s in doc.schedule.values()}
    free = next(
        (r.id, s.id)
        for s in problem.slots
        for r in problem.rooms
        if s.is_session
        and (r.id, s.id) not in taken
        and not validate(problem, {**doc.schedule, pitch: [r.id, s.id]})
    )
    base = f"/events/{camp.slug}/schedule/draft"
    client.post(
        base + "/move", data={"pitch": pitch, "room": free[0], "slot": free[1], "revision": number}
    )
    client.post(base + "/lock", data={"pitch": pitch, "revision": number + 1})
    _plan(client, camp, number + 2)
    _wait(app, _job(app).id, {JobStatus.DONE})
    number, doc = _head(app, camp)
    assert doc.schedule[pitch] == free
    assert pitch in doc.locked


def test_cancel_keeps_the_best_plan_found(make_app, create_user, create_event):
    app, camp = _camp(
        make_app, create_user, create_event, SCHEDULE_RUNNER="inline", SCHEDULE_TIME_LIMIT=30
    )
    client = _login(app, camp)
    _plan(client, camp)
    job = _wait(app, _job(app).id, {JobStatus.RUNNING})
    deadline = time.monotonic() + 20
    while not _job(app, job.id).progress and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    answer = client.post(
        f"/events/{camp.slug}/schedule/draft/plan/cancel",
        data={"revision": 0},
        headers={"HX-Request": "true"},
    )
    assert "best plan found so far is kept" in answer.get_data(as_text=True)
    job = _wait(app, job.id, {JobStatus.CANCELLED}, timeout=20)
    assert time.monotonic() - started < 10
    assert job.message == "Stopped early: kept the best plan found."
    number, doc = _head(app, camp)
    assert number == job.result_revision == 1 and doc.schedule


def test_a_crash_fails_the_job_and_leaves_the_draft(inline, monkeypatch):
    app, camp = inline
    client = _login(app, camp)
    before = _head(app, camp)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("wiki.schedule.runner.solve", broken)
    _plan(client, camp)
    job = _wait(app, _job(app).id, {JobStatus.FAILED})
    assert job.message == jobs.CRASHED
    assert _head(app, camp) == before
    page = client.get(f"/events/{camp.slug}/schedule/draft").get_data(as_text=True)
    assert "The plan stopped unexpectedly; the draft is as it was." in page


def test_real_runner_process_solves_end_to_end(make_app, create_user, create_event):
    app, camp = _camp(make_app, create_user, create_event, SCHEDULE_TIME_LIMIT=1)
    client = _login(app, camp)
    _plan(client, camp)
    job_id = _job(app).id
    process = jobs.launched[job_id]
    assert process.wait(timeout=90) == 0
    job = _wait(app, job_id, {JobStatus.DONE}, timeout=5)
    assert job.result_revision == 1
    assert _head(app, camp)[1].schedule


def test_killed_runner_leaves_the_draft_as_it_was(make_app, create_user, create_event, monkeypatch):
    app, camp = _camp(
        make_app, create_user, create_event, SCHEDULE_TIME_LIMIT=60, SCHEDULE_STALE_SECONDS=1.5
    )
    client = _login(app, camp)
    _plan(client, camp)
    job_id = _job(app).id
    process = jobs.launched[job_id]
    deadline = time.monotonic() + 60
    while not _job(app, job_id).progress and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _job(app, job_id).status == JobStatus.RUNNING
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    time.sleep(2)
    page = client.get(f"/events/{camp.slug}/schedule/draft").get_data(as_text=True)
    assert "The plan stopped unexpectedly; the draft is as it was." in page
    assert _head(app, camp) == (0, drafts.Doc())
    # The next click records the failure and starts a new plan.
    monkeypatch.setattr(jobs, "launch", lambda app, job_id: None)
    assert _plan(client, camp).status_code == 200
    assert _job(app, job_id).status == JobStatus.FAILED


def test_plan_refused_while_a_lock_breaks_a_rule(inline):
    app, camp = inline
    client = _login(app, camp)
    kid = f"p{camp.kid_pitch_id}"
    hall, first = f"r{camp.rooms[1]}", f"s{camp.session_slots[0]}"
    base = f"/events/{camp.slug}/schedule/draft"
    client.post(base + "/move", data={"pitch": kid, "room": hall, "slot": first, "revision": 0})
    client.post(base + "/lock", data={"pitch": kid, "revision": 1})
    answer = _plan(client, camp, 2)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "A locked session breaks a rule" in html and "Dinosaur facts" in html
    with app.app_context():
        assert db.session.query(SolveJob).count() == 0
