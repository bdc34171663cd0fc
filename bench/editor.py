"""How fast the draft grid editor answers on the 60-pitch camp: its page, and a move.

Run from the repository root:

    .venv/bin/python -m bench.editor            # 60 pitches, 300 voters, 6 rooms, 8 slots
    .venv/bin/python -m bench.editor --size large

The camp is ``bench.solver``'s generated problem written into a scratch SQLite database
through the models (children become RSVP children, kid-led pitches are led by them, each
voter's dots become one ballot). It is planned once, then measured in process through
Flask's test client, logged in as a facilitator:

- the editor page, whole (what a browser loads) and as htmx's fragment (what a live
  re-fetch loads);
- a move through htmx (``POST .../move`` with ``HX-Request``), a card moved back and forth
  between two free cells, which answers the editor's blocks.

Targets (issue 11): page under 30 ms median, move under 50 ms median.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from bench.camp import PASSWORD, load_camp, scratch_app
from bench.solver import generate


def _median_ms(fn, n: int) -> tuple[float, float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="small", choices=["small", "large"])
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args(argv)

    app = scratch_app("editor", SCHEDULE_RUNNER="inline", SCHEDULE_TIME_LIMIT=3.0)
    slug = load_camp(app, generate(args.size, 0))
    client = app.test_client()
    page = client.get("/-/login").get_data(as_text=True)
    import re

    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    client.post("/-/login", data={"username": "fran", "password": PASSWORD, "csrf_token": token})
    url = f"/events/{slug}/schedule/draft"
    htmx = {"HX-Request": "true"}
    assert client.get(url).status_code == 200

    from wiki.schedule import jobs

    client.post(url + "/plan", data={"revision": 0, "csrf_token": token}, headers=htmx)
    for thread in list(jobs.launched.values()):
        thread.join()

    from sqlalchemy import select

    from wiki.events.models import Event
    from wiki.extensions import db
    from wiki.schedule import drafts, editor

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        draft = drafts.get_draft(event)
        problem = editor.built_problem(event)
        doc = drafts.head_doc(draft)
        taken = set(doc.schedule.values())
        pitch = next(
            p.id
            for p in problem.pitches
            if p.id in doc.schedule and p.length == 1 and p.id not in doc.locked
        )
        start = doc.schedule[pitch]
        free = next(
            (r.id, s.id)
            for s in problem.slots
            for r in problem.rooms
            if s.is_session and (r.id, s.id) not in taken
        )
        revision = draft.head_revision
    print(
        f"{len(problem.pitches)} pitches, {len(problem.votes)} vote records, "
        f"{len(problem.rooms)} rooms, {sum(s.is_session for s in problem.slots)} session slots; "
        f"plan at revision {revision}, {len(doc.schedule)} placed"
    )

    page_full = _median_ms(lambda: client.get(url), args.runs)
    page_fragment = _median_ms(lambda: client.get(url, headers=htmx), args.runs)
    state = {"revision": revision, "at": start}

    def move():
        target = free if state["at"] == start else start
        answer = client.post(
            url + "/move",
            headers=htmx,
            data={
                "pitch": pitch,
                "room": target[0],
                "slot": target[1],
                "revision": state["revision"],
                "csrf_token": token,
            },
        )
        assert answer.status_code == 200, answer.status_code
        state["revision"] += 1
        state["at"] = target

    moved = _median_ms(move, args.runs)
    for name, (median, p90) in (
        ("editor page (whole)", page_full),
        ("editor page (fragment)", page_fragment),
        ("move (htmx)", moved),
    ):
        print(f"{name:24}median {median:6.1f} ms   p90 {p90:6.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
