"""Run one solve job outside the web worker: ``python -m wiki.schedule.runner JOB_ID``.

The runner claims the job (queued to running, by a conditional UPDATE, so two runners never
both run it), builds the event's problem with the locks of the revision the job planned
from, and solves within the job's time limit. At most every half second it writes the best
plan's figures and a heartbeat, and announces them on the draft's live topic; between
writes it reads whether a facilitator asked it to stop. Cancelling keeps the best plan found.

The draft changes only in the runner's last transaction, which saves the plan as a new
revision and marks the job done. If a facilitator edited the draft while the plan was made,
the plan still becomes the new head, on top of their edits, and its summary says so: one
undo brings their edits back. A runner that fails (an exception here, or killed: see
``jobs.reap``) leaves the draft exactly as it was.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
import time

from flask import Flask
from sqlalchemy import select, update

from wiki.database import utcnow
from wiki.events.models import Event
from wiki.extensions import db
from wiki.live import services as live
from wiki.rules import RuleError
from wiki.schedule import drafts, jobs
from wiki.schedule.models import JobStatus, RevisionKind, SolveJob
from wiki.schedule.solver import ProblemError, Progress, solve

log = logging.getLogger(__name__)

WRITE_EVERY = 0.5  # seconds between progress writes
STOP_LOOK_EVERY = 0.25  # seconds between reads of cancel_requested


def claim(job_id: int) -> bool:
    """Mark the job running if it is still queued; tell whether this runner got it."""
    now = utcnow()
    result = db.session.execute(
        update(SolveJob)
        .where(SolveJob.id == job_id, SolveJob.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


class _Reporter:
    """Writes progress and heartbeats, and reads cancel requests, each at most so often."""

    def __init__(self, job: SolveJob) -> None:
        self.job_id = job.id
        self.event_id = job.event_id
        self.time_limit = job.time_limit
        self.written = 0.0
        self.looked = 0.0
        self.stop = False
        self.figures: dict = {}

    def on_progress(self, progress: Progress) -> None:
        self.figures = {
            "elapsed": round(progress.elapsed, 2),
            "objective": progress.objective,
            "bound": progress.bound,
            "bound_kind": progress.bound_kind,
            "time_limit": progress.time_limit,
            "scheduled": len(progress.grid.schedule),
        }
        now = time.monotonic()
        if now - self.written < WRITE_EVERY:
            return
        self.written = now
        self.write()

    def write(self) -> None:
        db.session.execute(
            update(SolveJob)
            .where(SolveJob.id == self.job_id, SolveJob.status == JobStatus.RUNNING)
            .values(progress=json.dumps(self.figures), heartbeat_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        live.publish(
            jobs.schedule_topic(self.event_id),
            "plan-progress",
            {"job": self.job_id, **self.figures},
        )
        db.session.commit()

    def should_stop(self) -> bool:
        now = time.monotonic()
        if self.stop or now - self.looked < STOP_LOOK_EVERY:
            return self.stop
        self.looked = now
        with db.engine.connect() as connection:
            self.stop = bool(
                connection.scalar(
                    select(SolveJob.cancel_requested).where(SolveJob.id == self.job_id)
                )
            )
        return self.stop


def run(app: Flask, job_id: int) -> None:
    """Run job ``job_id`` to the end: done, cancelled (best plan kept) or failed."""
    with app.app_context():
        if not claim(job_id):
            return
        try:
            _run(job_id)
        except Exception as error:  # every failure ends the job; the draft is untouched
            db.session.rollback()
            if isinstance(error, RuleError | ProblemError):
                message = f"The plan could not be made: {error}"
            else:
                log.exception("solve job %s failed", job_id)
                message = jobs.CRASHED
            fail(job_id, message)
        finally:
            db.session.remove()


def fail(job_id: int, message: str) -> None:
    """Mark a running job failed with ``message``, leaving the draft alone."""
    # The write comes first: a SQLite transaction that read first may not upgrade to a write.
    db.session.execute(
        update(SolveJob)
        .where(SolveJob.id == job_id, SolveJob.status == JobStatus.RUNNING)
        .values(status=JobStatus.FAILED, message=message, finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    event_id = db.session.scalar(select(SolveJob.event_id).where(SolveJob.id == job_id))
    live.publish(jobs.schedule_topic(event_id), "plan-progress", {"job": job_id})
    db.session.commit()


def _run(job_id: int) -> None:
    from wiki.schedule import editor

    job = db.session.get(SolveJob, job_id)
    event = db.session.get(Event, job.event_id)
    draft = drafts.get_draft(event)
    base = drafts.revision(draft, job.base_revision or 0)
    built = editor.built_problem(event)
    doc = drafts.Doc.from_json(base.grid if base is not None else None).for_problem(built)
    problem = dataclasses.replace(built, locked=doc.locks())
    db.session.commit()  # hold no transaction while solving

    reporter = _Reporter(job)
    reporter.write()
    result = solve(
        problem,
        time_limit=job.time_limit,
        on_progress=reporter.on_progress,
        should_stop=reporter.should_stop,
    )
    _finish(job_id, job.time_limit, doc, result, cancelled=reporter.stop)


def _finish(job_id: int, time_limit: float, doc: drafts.Doc, result, *, cancelled: bool) -> None:
    """Save the plan as the draft's new head and end the job, in one transaction."""
    figures = {
        "elapsed": round(float(result.meta.get("seconds", 0.0)), 2),
        "objective": result.score.objective,
        "bound": result.meta.get("bound"),
        "time_limit": time_limit,
        "scheduled": result.score.scheduled,
    }
    status = JobStatus.CANCELLED if cancelled else JobStatus.DONE
    ended = db.session.execute(
        update(SolveJob)
        .where(SolveJob.id == job_id, SolveJob.status == JobStatus.RUNNING)
        .values(status=status, finished_at=utcnow(), progress=json.dumps(figures))
        .execution_options(synchronize_session=False)
    )
    if ended.rowcount != 1:  # failed meanwhile (its heartbeat looked dead): keep the draft
        db.session.rollback()
        return
    job = db.session.get(SolveJob, job_id)
    event = db.session.get(Event, job.event_id)
    draft = drafts.get_draft(event)
    db.session.refresh(draft)
    new = drafts.Doc(
        schedule=dict(result.grid.schedule),
        locked=set(doc.locked),
        meta={k: v for k, v in result.meta.items() if isinstance(v, str | int | float | None)},
    )
    words = f"Planned the grid: {result.score.scheduled} sessions placed"
    if cancelled:
        words += f", stopped after {figures['elapsed']:g} s with the best plan found"
    if draft.head_revision != job.base_revision:
        words += (
            "; the draft was edited while the plan was made, and one undo brings those edits back"
        )
    rev = drafts.commit(
        draft, draft.head_revision, RevisionKind.SOLVE, new, words, job.requested_by
    )
    message = "Stopped early: kept the best plan found." if cancelled else "The plan is ready."
    db.session.execute(
        update(SolveJob)
        .where(SolveJob.id == job_id)
        .values(result_revision=rev.number, message=message)
        .execution_options(synchronize_session=False)
    )
    topic = jobs.schedule_topic(job.event_id)
    live.publish(topic, "plan-progress", {"job": job_id, **figures})
    live.publish(topic, "grid-changed", {"revision": rev.number})
    db.session.commit()


def main(argv: list[str]) -> int:
    """Run the job named on the command line with the app the environment configures."""
    if len(argv) != 2 or not argv[1].isdigit():
        print("usage: python -m wiki.schedule.runner JOB_ID", file=sys.stderr)
        return 2
    from flask.cli import ScriptInfo

    logging.basicConfig(level=logging.WARNING)
    # The app is found by name, as `flask --app wiki` finds it: a domain never imports the
    # assembly above it (tests/unit/test_import_graph.py).
    run(ScriptInfo(app_import_path="wiki", set_debug_flag=False).load_app(), int(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
