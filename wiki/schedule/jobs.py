"""Solve jobs: "Plan the grid" queues one, a separate process runs it (``runner.py``).

One job per event may be queued or running (a partial unique index says so, so two clicks at
once cannot both start one). The job is started after the request commits; the web worker
never solves. A job whose runner stopped writing its heartbeat is failed by whoever looks at
it next (``reap``), and since a runner writes the draft only in its last transaction, such a
job leaves the draft exactly as it was.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from wiki.accounts.models import User
from wiki.database import on_commit, utcnow
from wiki.events.models import Event
from wiki.extensions import db
from wiki.live import services as live
from wiki.rules import RuleError
from wiki.schedule import drafts
from wiki.schedule.models import JobStatus, SolveJob

log = logging.getLogger(__name__)

# A running job whose heartbeat is older than this (seconds; SCHEDULE_STALE_SECONDS) has died.
STALE_SECONDS = 20.0
# A queued job no runner has claimed within this has failed to start.
UNCLAIMED_AFTER = timedelta(seconds=60)
CRASHED = "The plan stopped unexpectedly; the draft is as it was."
DEFAULT_TIME_LIMIT = 10.0


class JobRunning(RuleError):
    """A plan is already being made for this event."""

    def __init__(self, job: SolveJob | None) -> None:
        if job is None:
            message = "A plan is already being made."
        else:
            who = job.requested_by.display_name if job.requested_by else "someone"
            zone = job_zone(job)
            at = job.created_at.astimezone(zone).strftime("%H:%M")
            message = f"A plan is already being made (started by {who} at {at})."
        super().__init__("plan", message)
        self.job = job


def job_zone(job: SolveJob):
    from zoneinfo import ZoneInfo

    event = db.session.get(Event, job.event_id)
    try:
        return ZoneInfo(event.timezone) if event is not None else ZoneInfo("UTC")
    except Exception:  # an unknown zone name: show UTC rather than fail
        return ZoneInfo("UTC")


def schedule_topic(event_id: int) -> str:
    """Return the live topic of an event's draft grid: facilitators only."""
    return f"schedule:{int(event_id)}"


def time_limit() -> float:
    return float(current_app.config.get("SCHEDULE_TIME_LIMIT", DEFAULT_TIME_LIMIT))


def active_job(event_id: int) -> SolveJob | None:
    """Return the event's queued or running job, if any."""
    return db.session.scalar(
        select(SolveJob).where(
            SolveJob.event_id == event_id,
            SolveJob.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
        )
    )


def latest_job(event_id: int) -> SolveJob | None:
    """Return the event's newest job."""
    return db.session.scalar(
        select(SolveJob).where(SolveJob.event_id == event_id).order_by(SolveJob.id.desc()).limit(1)
    )


def progress(job: SolveJob | None) -> dict[str, Any]:
    """Return the job's latest progress report (elapsed, objective, bound, time_limit)."""
    if job is None or not job.progress:
        return {}
    try:
        return json.loads(job.progress)
    except ValueError:
        return {}


def start(event: Event, by: User) -> SolveJob:
    """Queue a solve of the event's draft and start its runner once this commits."""
    reap(event.id)
    draft = drafts.get_draft(event)
    job = SolveJob(
        event_id=event.id,
        requested_by_id=by.id,
        time_limit=time_limit(),
        base_revision=draft.head_revision,
        status=JobStatus.QUEUED,
    )
    try:
        with db.session.begin_nested():
            db.session.add(job)
            db.session.flush()
    except IntegrityError:
        raise JobRunning(active_job(event.id)) from None
    live.publish(schedule_topic(event.id), "plan-progress", {"job": job.id})
    app = current_app._get_current_object()
    job_id = job.id
    on_commit(db.session(), lambda: launch(app, job_id))
    return job


# The runners this process started, by job id: tests wait for them or kill them.
launched: dict[int, subprocess.Popen | threading.Thread] = {}


def launch(app, job_id: int) -> None:
    """Start the job's runner: a child process, or (SCHEDULE_RUNNER = "inline", for tests)
    a thread of this process, which has its own database session."""
    if app.config.get("SCHEDULE_RUNNER") == "inline":
        from wiki.schedule import runner

        thread = threading.Thread(target=runner.run, args=(app, job_id), daemon=True)
        launched[job_id] = thread
        thread.start()
        return
    _forget_finished()
    env = dict(os.environ)
    env.update(runner_environment(app))
    try:
        launched[job_id] = _spawn(job_id, env)
    except OSError:
        # The job stays queued; whoever looks next sees it never started and fails it.
        log.exception("could not start the runner of solve job %s", job_id)


def _forget_finished() -> None:
    """Reap runners that have ended, so a long-lived worker keeps no zombie processes."""
    for job_id, runner in list(launched.items()):
        done = (
            runner.poll() is not None
            if isinstance(runner, subprocess.Popen)
            else not runner.is_alive()
        )
        if done:
            launched.pop(job_id, None)


def _spawn(job_id: int, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "wiki.schedule", str(job_id)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=None,
        start_new_session=True,
        close_fds=True,
    )


# Settings a runner needs to reach the same database and score as this app does.
_PASSED = ("DATABASE_URL", "SECRET_KEY", "ENV", "TESTING", "ARGON2_PROFILE")


def runner_environment(app) -> dict[str, str]:
    """Return CAMPWIKI_* variables that give a runner this app's database and settings."""
    env = {}
    for key, value in app.config.items():
        if key in _PASSED or key.startswith("SCHEDULE_"):
            env[f"CAMPWIKI_{key}"] = value if isinstance(value, str) else json.dumps(value)
    env["CAMPWIKI_RATELIMIT_STORAGE_URI"] = "memory://"
    return env


def cancel(event: Event, by: User) -> SolveJob | None:
    """Ask the event's running job to stop and keep the best plan found so far."""
    job = active_job(event.id)
    if job is None:
        return None
    db.session.execute(
        update(SolveJob)
        .where(SolveJob.id == job.id)
        .values(cancel_requested=True)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(job)
    return job


def is_dead(job: SolveJob | None) -> bool:
    """Tell whether an active job's runner has stopped: no heartbeat for a while, or never
    started. Pages that only read show such a job as failed; ``reap`` records it."""
    if job is None or not job.is_active:
        return False
    now = utcnow()
    stale = timedelta(
        seconds=float(current_app.config.get("SCHEDULE_STALE_SECONDS", STALE_SECONDS))
    )
    dead = (
        job.status == JobStatus.RUNNING and (job.heartbeat_at or job.created_at) < now - stale
    ) or (job.status == JobStatus.QUEUED and job.created_at < now - UNCLAIMED_AFTER)
    return dead


def reap(event_id: int) -> SolveJob | None:
    """Fail the event's job if its runner has died; return the job if it was failed."""
    job = active_job(event_id)
    if not is_dead(job):
        return None
    now = utcnow()
    result = db.session.execute(
        update(SolveJob)
        .where(SolveJob.id == job.id, SolveJob.status == job.status)
        .values(status=JobStatus.FAILED, message=CRASHED, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        db.session.refresh(job)
        live.publish(schedule_topic(event_id), "plan-progress", {"job": job.id})
        return job
    return None
