"""Deleting one's account and downloading one's data (UK GDPR)."""

import json

import pytest
from sqlalchemy import select

from wiki.accounts.models import Role, User
from wiki.events import rsvps
from wiki.events import services as events
from wiki.events.models import Rsvp, RsvpStatus
from wiki.extensions import db
from wiki.live.models import LiveEvent
from wiki.pages import services as pages
from wiki.pages.models import Revision
from wiki.pitches import services as pitches
from wiki.pitches import tallies, voting
from wiki.pitches.models import Ballot, Comment, Pitch

PASSWORD = "correct horse battery"
SLUG = "govbarcamp-2026"


@pytest.fixture
def dans_life(app, create_event, create_user):
    """Dan's household (him and Maya, 6) is coming; Eve's waits; Dan pitched, dotted, wrote."""
    create_event(state="voting", capacity=3, dots_per_person=5, max_dots_per_pitch=3)
    dan = create_user("dan", display_name="Dan Dad", email="dan@example.org")
    eve = create_user("eve", display_name="Eve")
    host = create_user("hana", display_name="Hana")
    with app.test_request_context("/", method="POST"):
        event = events.find_event(SLUG)
        dan, eve, host = (db.session.get(User, u.id) for u in (dan, eve, host))
        rsvps.save_rsvp(
            event,
            dan,
            rsvps.RsvpDetails(
                adults=1,
                children=[rsvps.ChildDetails("Maya", "5-8")],
                dietary_needs="no nuts",
                accepted_conduct=True,
            ),
        )
        rsvps.save_rsvp(event, eve, rsvps.RsvpDetails(adults=2, accepted_conduct=True))
        dans = pitches.create_pitch(event, pitches.PitchDetails(title="Dads and dens"), dan)
        hanas = pitches.create_pitch(event, pitches.PitchDetails(title="Kite flying"), host)
        voting.add_dot(event, hanas, voting.Voter(dan))
        voting.add_dot(event, hanas, voting.Voter(dan))
        maya = voting.voters_for(event, dan)[1]
        voting.add_dot(event, hanas, maya)
        pitches.add_comment(hanas, dan, "Can we bring our own kites?")
        pitches.add_comment(hanas, eve, "Eve's own question")
        pages.create_page("Picnic plans", "Bring a blanket.", dan, summary="started it")
        db.session.commit()
        return {"dan": dan.id, "eve": eve.id, "dans_pitch": dans.id, "hanas_pitch": hanas.id}


def test_deleting_needs_your_password(app, client, auth, dans_life):
    auth.login("dan")
    response = client.post("/-/account/delete", data={"password": "not my password"})
    assert response.status_code == 422
    assert "That is not your password." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, dans_life["dan"]) is not None


def test_deleting_an_account_keeps_shared_work_and_frees_the_places(app, client, auth, dans_life):
    auth.login("dan")
    page = client.get("/-/account/delete").get_data(as_text=True)
    assert "Your places go to the next household on the waiting list" in page
    response = client.post("/-/account/delete", data={"password": PASSWORD})
    assert response.status_code == 303
    assert "Your account is deleted" in client.get("/").get_data(as_text=True)
    assert client.get("/-/account").status_code in (302, 303)  # logged out
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "dan")) is None
        # Eve's household of two now fits, and nothing of Dan's RSVP or Maya remains.
        statuses = dict(db.session.execute(select(Rsvp.user_id, Rsvp.status)).all())
        assert statuses == {dans_life["eve"]: RsvpStatus.CONFIRMED}
        assert db.session.scalars(select(Ballot)).all() == []
        hanas = db.session.get(Pitch, dans_life["hanas_pitch"])
        assert tallies.tally(hanas) == 0
        # Dan's pitch stays, as a wish someone can adopt.
        assert db.session.get(Pitch, dans_life["dans_pitch"]).is_wish
        comments = db.session.scalars(select(Comment).order_by(Comment.id)).all()
        assert [(c.body.strip(), c.author_id) for c in comments] == [
            ("Can we bring our own kites?", None),
            ("Eve's own question", dans_life["eve"]),
        ]
        picnic = pages.find_page("picnic-plans")
        assert (
            db.session.scalar(select(Revision.author_id).where(Revision.page_id == picnic.id))
            is None
        )
        # Open boards are told the new total.
        last = db.session.scalars(
            select(LiveEvent).where(LiveEvent.kind == f"dots-{hanas.id}").order_by(LiveEvent.id)
        ).all()[-1]
        assert last.data == "0"
    assert "a former account" in client.get("/wiki/picnic-plans/-/history").get_data(as_text=True)
    # The name is free again, and the old password opens nothing.
    assert auth.login("dan").status_code == 422


def test_the_only_admin_cannot_delete_themselves(app, client, auth, create_user):
    create_user("olu", Role.ADMIN)
    auth.login("olu")
    response = client.post("/-/account/delete", data={"password": PASSWORD})
    assert response.status_code == 422
    assert "only admin" in response.get_data(as_text=True)
    create_user("ade", Role.ADMIN)
    assert client.post("/-/account/delete", data={"password": PASSWORD}).status_code == 303


def test_deleting_needs_the_csrf_token(app, client, auth, create_user):
    create_user("sam")
    auth.login("sam")
    response = client.post("/-/account/delete", data={"password": PASSWORD}, csrf=False)
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "sam")) is not None


def test_download_holds_what_the_site_knows_about_you_and_no_one_else(client, auth, dans_life):
    auth.login("dan")
    response = client.get("/-/account/data.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="campwiki-dan.json"'
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "dan@example.org"
    [rsvp] = data["rsvps"]
    assert rsvp["children"] == [{"first_name": "Maya", "age_band": "5-8"}]
    assert rsvp["dietary_needs"] == "no nuts"
    assert [(p["title"], p["you_are"]) for p in data["pitches"]] == [("Dads and dens", "host")]
    assert sorted((d["session"], d["dots"], d["placed_for"]) for d in data["dots"]) == [
        ("Kite flying", 1, "Maya"),
        ("Kite flying", 2, "you"),
    ]
    assert [c["text"].strip() for c in data["comments"]] == ["Can we bring our own kites?"]
    assert [(e["page"], e["summary"]) for e in data["page_edits"]] == [
        ("Session notes: Dads and dens", "Started the session notes"),
        ("Picnic plans", "started it"),
    ]
    assert "Eve" not in json.dumps(data)


def test_download_needs_a_login(client):
    assert client.get("/-/account/data.json").status_code in (302, 303)
