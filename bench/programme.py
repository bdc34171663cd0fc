"""How fast the published programme answers on the 60-pitch camp: its page and its exports.

Run from the repository root:

    .venv/bin/python -m bench.programme            # 60 pitches, 6 rooms; --runs, --size

The camp is ``bench.camp``'s generated BarCamp in a scratch SQLite database, planned greedily,
its voting closed and its draft published as v1 through ``publishing.publish``. Measured in
process through Flask's test client, anonymous, in the same run:

- the programme page ``GET /events/<slug>/schedule`` (whatever that view is on this branch);
- ``schedule.xml``, ``schedule.json``, ``schedule.ics``, ``schedule.csv``, whole (200);
- each export asked again with ``If-None-Match`` (304), with the writers counted: a 304 must
  build nothing, so the count during the 304 runs must be 0;
- the yardstick: ``bench/bare_app.py`` rendering a bare Jinja table of the same rooms, rows
  and cells (titles, hosts, links), no database.

Targets (issue 12): the programme page under 30 ms median; a 304 far cheaper than its 200.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from bench.camp import load_camp, scratch_app
from bench.solver import generate

EXPORTS = ("schedule.xml", "schedule.json", "schedule.ics", "schedule.csv")


def _measure(fn, n: int) -> tuple[float, float]:
    """Return the median and p99 of ``n`` calls of ``fn``, in milliseconds."""
    times = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def _publish(app, slug: str) -> None:
    """Plan the camp greedily, close its voting and publish the draft as v1."""
    from sqlalchemy import select

    from wiki.accounts.models import User
    from wiki.events.models import Event, EventState
    from wiki.extensions import db
    from wiki.schedule import drafts, editor, publishing
    from wiki.schedule.models import RevisionKind
    from wiki.schedule.solver import solve

    with app.test_request_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        event.state = EventState.VOTING_CLOSED
        problem = editor.built_problem(event)
        result = solve(problem, time_limit=1, method="greedy")
        draft = drafts.get_draft(event)
        doc = drafts.Doc(schedule=dict(result.grid.schedule))
        drafts.commit(draft, draft.head_revision, RevisionKind.SOLVE, doc, "Planned", None)
        fran = db.session.scalar(select(User).where(User.username == "fran"))
        publishing.publish(event, fran, draft.head_revision)
        db.session.commit()


def _bare_table(app, slug: str):
    """Return the programme's grid as the bare table's rooms and rows, cell for cell."""
    from sqlalchemy import select

    from wiki.events.models import Event
    from wiki.extensions import db
    from wiki.schedule import versions

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        programme = versions.programme(versions.latest(event))
    rooms = [r.name for r in programme.rooms]
    rows = []
    for slot in programme.slots:
        here = {s.room_id: s for s in programme.sessions_by_slot.get(slot.id, [])}
        cells = [
            {
                "slug": f"s{here[r.id].pitch_id}",
                "title": here[r.id].title,
                "hosts": here[r.id].hosts,
            }
            if r.id in here
            else None
            for r in programme.rooms
        ]
        rows.append((programme.local(slot.starts_at).strftime("%a %H:%M"), cells))
    return programme, (rooms, rows)


def _feed_url(app, slug: str, pitch_id: int) -> str:
    """Return the personal feed address of the host of ``pitch_id``."""
    from sqlalchemy import select

    from wiki.events.models import Event
    from wiki.extensions import db
    from wiki.pitches.models import Pitch
    from wiki.schedule import agenda

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        token = agenda.feed(event, db.session.get(Pitch, pitch_id).host).token
        db.session.commit()
    return f"/events/{slug}/schedule/feed/{token}.ics"


class WriterCount:
    """Count calls of the export writers (wrapping the module attributes the views call)."""

    def __init__(self):
        from wiki.exports import frab, ical, spreadsheet

        self.calls = 0
        self._saved = []
        for module, name in (
            (frab, "schedule_xml"),
            (frab, "schedule_json"),
            (ical, "calendar"),
            (spreadsheet, "programme_csv"),
        ):
            original = getattr(module, name)
            self._saved.append((module, name, original))
            setattr(module, name, self._counted(original))

    def _counted(self, original):
        def counted(*args, **kwargs):
            self.calls += 1
            return original(*args, **kwargs)

        return counted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="small", choices=["small", "large"])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args(argv)

    from bench.bare_app import create_app as create_bare_app

    app = scratch_app("programme", RATELIMIT_ENABLED=False, BASE_URL="https://camp.example")
    slug = load_camp(app, generate(args.size, 0))
    _publish(app, slug)
    programme, table = _bare_table(app, slug)
    bare = create_bare_app("<p>unused</p>")
    bare.config["TABLE"] = table
    bare_client = bare.test_client()
    client = app.test_client()
    cells = sum(len(c) for _, c in table[1])
    print(
        f"{len(programme.sessions)} sessions placed, {len(programme.rooms)} rooms, "
        f"{len(programme.slots)} slots ({cells} cells), {args.runs} runs each"
    )

    def get(c, url, status=200, **headers):
        def fetch():
            answer = c.get(url, headers=headers)
            assert answer.status_code == status, (url, answer.status_code)
            return answer

        return fetch

    results: list[tuple[str, int, float, float, str]] = []

    def run(name, fetch, against=None):
        size = len(fetch().data)  # warm up, and check the status once
        for _ in range(10):
            fetch()
        median, p99 = _measure(fetch, args.runs)
        results.append((name, size, median, p99, against))
        return median

    base = run("bare Flask + Jinja table", get(bare_client, "/table"))
    page = f"/events/{slug}/schedule"
    if client.get(page).status_code == 200:
        run("GET /schedule (programme page)", get(client, page), "bare")
    else:
        print(f"(the programme page answered {client.get(page).status_code}; not measured)")
    whole = {}
    for name in EXPORTS:
        whole[name] = run(f"GET {name}", get(client, f"/events/{slug}/{name}"), "bare")
    feed = _feed_url(app, slug, programme.sessions[0].pitch_id)
    whole["feed"] = run("GET personal feed", get(client, feed), "bare")
    counter = WriterCount()
    for name, url in [(n, f"/events/{slug}/{n}") for n in EXPORTS] + [("feed", feed)]:
        etag = client.get(url).headers["ETag"]
        counter.calls = 0
        run(
            f"GET {'personal feed' if name == 'feed' else name}, If-None-Match → 304",
            get(client, url, 304, **{"If-None-Match": etag}),
            name,
        )
        assert counter.calls == 0, f"{name}: a 304 called a writer {counter.calls} times"
    print("writer calls while answering 304s: 0")

    print()
    print("| request                                  |  bytes | median ms | p99 ms | ratio      |")
    print("|------------------------------------------|-------:|----------:|-------:|------------|")
    for name, size, median, p99, against in results:
        if against is None:
            ratio = "1.0 (base)"
        elif against == "bare":
            ratio = f"{median / base:.1f}× bare"
        else:
            ratio = f"{median / whole[against]:.2f}× 200"
        print(f"| {name:40} | {size:6} | {median:9.2f} | {p99:6.2f} | {ratio:10} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
