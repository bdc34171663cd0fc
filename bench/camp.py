"""A generated BarCamp (``bench.solver.generate``) written into the database through the models.

Children become RSVP children, kid-led pitches are led by them, each voter's dots become one
ballot. Used by the benches and by tests that need the 60-pitch camp (the print test).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

PASSWORD = "correct horse battery"


def load_camp(app, data: dict) -> str:
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


def scratch_app(name: str, **settings):
    """Return the app on a migrated scratch SQLite database, with ``settings`` on top."""
    import tempfile
    from pathlib import Path

    from wiki import create_app, migrations

    folder = Path(tempfile.mkdtemp(prefix=f"campwiki-bench-{name}-"))
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "ARGON2_PROFILE": "fast-insecure-for-tests",
            "RATELIMIT_STORAGE_URI": "memory://",
            **settings,
        }
    )
    with app.app_context():
        migrations.upgrade(app)
    return app
