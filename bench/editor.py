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
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.solver import generate

PASSWORD = "correct horse battery"


def _load(app, data: dict) -> str:
    """Write the generated camp into the database; return the event's slug."""
    from wiki.accounts import services as accounts
    from wiki.accounts.models import Role, User
    from wiki.events import services as events
    from wiki.events.models import Event, EventState, Rsvp, RsvpChild
    from wiki.extensions import db
    from wiki.pitches.models import Audience, Ballot, Dot, Pitch, PitchCoHost
    from wiki.schedule.models import Room, TimeSlot, Unavailability

    with app.app_context():
        fac = accounts.register_user(
            "fran",
            PASSWORD,
            role=Role.FACILITATOR,
            invite_code=app.config["INVITE_CODE"],
            display_name="Fran",
        )
        details = events.EventDetails(
            name=data.get("name") or "Bench Camp",
            starts_on=date(2026, 10, 17),
            starts_time=dtime(9, 0),
            ends_on=date(2026, 10, 18),
            ends_time=dtime(19, 0),
        )
        event = events.create_event(details, fac)
        for step in list(EventState)[1:3]:
            events.change_state(event, step, fac)
        db.session.flush()
        zone = ZoneInfo(event.timezone)
        first_day = event.starts_at.astimezone(zone).date()
        adults, children = {}, {}
        people = {p["id"]: p for p in data["people"]}
        hashed = fac.password_hash
        for p in data["people"]:
            if p["kind"] == "adult":
                user = User(
                    username=f"b{p['id']}",
                    username_key=f"b{p['id']}",
                    display_name=p.get("name") or p["id"],
                    password_hash=hashed,
                )
                db.session.add(user)
                adults[p["id"]] = user
        db.session.flush()
        rsvps = {}
        for p in data["people"]:
            if p["kind"] == "child":
                guardian = adults[p["guardian"]]
                if guardian.id not in rsvps:
                    rsvps[guardian.id] = Rsvp(event_id=event.id, user_id=guardian.id, adults=1)
                    db.session.add(rsvps[guardian.id])
                    db.session.flush()
                child = RsvpChild(
                    rsvp_id=rsvps[guardian.id].id,
                    first_name=p.get("name") or "Kid",
                    age_band="9-12",
                )
                db.session.add(child)
                children[p["id"]] = child
        rooms = {}
        for k, r in enumerate(data["rooms"]):
            rooms[r["id"]] = Room(
                event_id=event.id,
                name=r["name"],
                capacity=r["capacity"],
                family_friendly=r.get("family_friendly", False),
                step_free=r.get("step_free", False),
                facilities=",".join(sorted(r.get("facilities", []))),
                position=k,
            )
            db.session.add(rooms[r["id"]])
        slots = {}
        for s in data["slots"]:
            hours, minutes = (int(x) for x in s["start"].split(":"))
            start = datetime.combine(
                first_day + timedelta(days=s["day"]), dtime(hours, minutes), zone
            )
            slots[s["id"]] = TimeSlot(
                event_id=event.id,
                starts_at=start,
                ends_at=start + timedelta(minutes=45),
                kind=s["kind"],
                label="",
                family_hours=s.get("family", False),
            )
            db.session.add(slots[s["id"]])
        db.session.flush()
        opened = event.created_at
        pitches = {}
        for p in data["pitches"]:
            kid = p.get("kid_led")
            host = adults[p["guardian"]] if kid else adults[p["host"]]
            pitch = Pitch(
                event_id=event.id,
                title=p["title"][:120],
                host_id=host.id,
                created_by_id=host.id,
                length_slots=p.get("length", 1),
                audience=Audience.FAMILY if p.get("family_friendly") or kid else Audience.EVERYONE,
                needs=",".join(sorted(n for n in p.get("needs", []) if n != "step_free")),
                created_at=opened + timedelta(hours=p.get("submitted_at", 0.0)),
            )
            if kid:
                pitch.child_id = children[p["host"]].id
                pitch.format = "kid-led"
                pitch.young_leader = True
            db.session.add(pitch)
            pitches[p["id"]] = (pitch, p)
        db.session.flush()
        for pitch, p in pitches.values():
            for c in p.get("cohosts", []):
                if c in adults and adults[c].id != pitch.host_id:
                    db.session.add(PitchCoHost(pitch_id=pitch.id, user_id=adults[c].id))
        ballots = {}
        dots: dict[tuple[int, int], Dot] = {}
        for v in data["votes"]:
            voter = people[v["voter"]]
            by = adults[v["placed_by"]]
            child = children.get(v["voter"]) if voter["kind"] == "child" else None
            key = (by.id, child.id if child else 0)
            if key not in ballots:
                ballots[key] = Ballot(
                    event_id=event.id,
                    user_id=by.id,
                    child_id=child.id if child else None,
                    child_key=child.id if child else 0,
                    budget=20,
                    per_pitch=10,
                    spent=0,
                )
                db.session.add(ballots[key])
                db.session.flush()
            ballot = ballots[key]
            pitch = pitches[v["pitch"]][0]
            dot = dots.get((ballot.id, pitch.id))
            if dot is None:
                dot = Dot(
                    ballot_id=ballot.id,
                    pitch_id=pitch.id,
                    count=0,
                    placed_at=opened + timedelta(hours=v["at"]),
                )
                dots[(ballot.id, pitch.id)] = dot
                db.session.add(dot)
            dot.count += v["dots"]
            ballot.spent += v["dots"]
        for person, marks in data.get("unavailable", {}).items():
            for slot in marks:
                if person in adults:
                    db.session.add(
                        Unavailability(
                            event_id=event.id, slot_id=slots[slot].id, user_id=adults[person].id
                        )
                    )
        db.session.commit()
        return db.session.get(Event, event.id).slug


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

    from wiki import create_app, migrations

    folder = Path(tempfile.mkdtemp(prefix="campwiki-bench-editor-"))
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "ARGON2_PROFILE": "fast-insecure-for-tests",
            "RATELIMIT_STORAGE_URI": "memory://",
            "SCHEDULE_RUNNER": "inline",
            "SCHEDULE_TIME_LIMIT": 3.0,
        }
    )
    with app.app_context():
        migrations.upgrade(app)
    slug = _load(app, generate(args.size, 0))
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
