"""Pitches and dot voting: the rules, the board, privacy, results, and the budget under fire."""

import csv
import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from wiki.accounts.models import User
from wiki.events import services as events
from wiki.extensions import db
from wiki.pitches import board as pitch_board
from wiki.pitches import services
from wiki.pitches.models import Ballot, Dot, Pitch

BOARD = "/events/govbarcamp-2026/board"


def pitch_form(title="Kids teach Scratch", **extra):
    data = {
        "title": title,
        "summary": "We show grown-ups **Scratch**.",
        "format": "workshop",
        "length_slots": "1",
        "audience": "everyone",
        "tags": "coding, Kids",
    }
    data.update(extra)
    return data


@pytest.fixture
def voting_event(create_event):
    """Return an event open for pitching and voting: 5 dots, at most 3 on one session."""
    return create_event(state="voting", dots_per_person=5, max_dots_per_pitch=3)


@pytest.fixture
def pitch(voting_event, create_user, create_pitch):
    """Return a pitch hosted by someone else than the voters in these tests."""
    host = create_user("host", display_name="Hannah Host")
    made = create_pitch(
        voting_event, host, title="Family picnic planning", audience="family", min_age=4, max_age=12
    )
    return made.id


def vote(client, pitch_id, action="add", htmx=False, **extra):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        f"/events/govbarcamp-2026/pitches/{pitch_id}/dots",
        data={"action": action, **extra},
        headers=headers,
    )


def rsvp_with_maya(client):
    """RSVP as a household of one adult and Maya, aged 5-8."""
    client.post(
        "/events/govbarcamp-2026/rsvp",
        data={
            "adults": "1",
            "children-0-first_name": "Maya",
            "children-0-age_band": "5-8",
            "accepted_conduct": "y",
            "action": "save",
        },
    )


def stored_dots(app, pitch_id):
    with app.app_context():
        return db.session.scalar(
            select(func.coalesce(func.sum(Dot.count), 0)).where(Dot.pitch_id == pitch_id)
        )


def test_pitch_a_session_with_its_own_notes_page(app, client, auth, voting_event, participant):
    auth.login(participant)
    response = client.post("/events/govbarcamp-2026/pitches/new", data=pitch_form())
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kids teach Scratch" in page and "<strong>Scratch</strong>" in page
    assert "#coding" in page and "#kids" in page
    with app.app_context():
        made = db.session.scalar(select(Pitch))
        assert made.host.username == "priya"
        notes = made.page.current_revision.body
        assert f"/events/govbarcamp-2026/pitches/{made.id}" in notes
    assert "Session notes" in page


def test_bad_pitch_keeps_what_was_typed(client, auth, voting_event, participant):
    auth.login(participant)
    response = client.post(
        "/events/govbarcamp-2026/pitches/new",
        data=pitch_form(
            title="", summary="My long idea", audience="family", min_age="9", max_age="5"
        ),
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "My long idea" in body and "This field is required" in body


def test_wish_has_no_host_until_adopted(app, client, auth, voting_event, participant, create_user):
    auth.login(participant)
    response = client.post(
        "/events/govbarcamp-2026/pitches/new",
        data=pitch_form(title="Someone run a bug hunt?", wish="y"),
    )
    location = response.headers["Location"]
    assert "Nobody yet: this is a wish" in client.get(location).get_data(as_text=True)
    client.post("/-/logout")
    auth.login(create_user("sam", display_name="Sam"))
    client.post(location + "/adopt")
    assert "Hosts</dt>\n    <dd>Sam" in client.get(location).get_data(as_text=True)


def test_kid_led_session_pitched_by_a_guardian(app, client, auth, voting_event, participant):
    auth.login(participant)
    rsvp_with_maya(client)
    form = client.get("/events/govbarcamp-2026/pitches/new").get_data(as_text=True)
    assert "Yes: Maya" in form
    with app.app_context():
        from wiki.events.models import RsvpChild

        child_id = db.session.scalar(select(RsvpChild.id))
    response = client.post(
        "/events/govbarcamp-2026/pitches/new",
        data=pitch_form(title="Dinosaur facts", child_id=str(child_id)),
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Maya, with Priya" in page
    with app.app_context():
        made = db.session.scalar(select(Pitch))
        assert made.young_leader and made.format == "workshop"


def test_kid_led_needs_a_child_of_your_own_rsvp(client, auth, voting_event, participant):
    auth.login(participant)
    response = client.post("/events/govbarcamp-2026/pitches/new", data=pitch_form(child_id="999"))
    assert response.status_code == 422
    assert "registered in your RSVP" in response.get_data(as_text=True)


def test_only_hosts_and_facilitators_edit(client, auth, pitch, participant, facilitator):
    auth.login(participant)
    assert client.get(f"/events/govbarcamp-2026/pitches/{pitch}/edit").status_code == 403
    client.post("/-/logout")
    auth.login(facilitator)
    response = client.post(
        f"/events/govbarcamp-2026/pitches/{pitch}/edit",
        data=pitch_form(title="Family picnic (renamed)"),
    )
    assert response.status_code == 303


def test_dot_with_and_without_javascript(app, client, auth, pitch, participant):
    auth.login(participant)
    plain = vote(client, pitch)
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"#pitch-{pitch}")
    fragment = vote(client, pitch, htmx=True)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200
    assert body.lstrip().startswith(f'<div class="vote" id="vote-{pitch}"')
    assert 'id="dots-left"' in body and 'hx-swap-oob="true"' in body
    assert "<strong>3</strong> dots left" in body
    assert stored_dots(app, pitch) == 2
    assert vote(client, pitch, "remove").status_code == 303
    assert stored_dots(app, pitch) == 1


def test_per_session_maximum_says_which_limit(app, client, auth, pitch, participant):
    auth.login(participant)
    for _ in range(3):
        vote(client, pitch)
    response = vote(client, pitch, htmx=True)
    assert response.status_code == 409
    assert "At most 3 dots can go on one session" in response.get_data(as_text=True)
    assert stored_dots(app, pitch) == 3


def test_budget_says_which_limit(
    app, client, auth, voting_event, participant, create_user, create_pitch
):
    host = create_user("host")
    ids = [create_pitch(voting_event, host, title=f"S{i}").id for i in range(3)]
    auth.login(participant)
    for pitch_id in [ids[0], ids[0], ids[0], ids[1], ids[1]]:
        vote(client, pitch_id)
    client.get(BOARD)
    response = vote(client, ids[2], htmx=True)
    assert "no dots left: all 5 are placed" in response.get_data(as_text=True)
    assert stored_dots(app, ids[2]) == 0


def test_own_session_refused_unless_allowed(app, client, auth, voting_event, participant):
    auth.login(participant)
    location = client.post("/events/govbarcamp-2026/pitches/new", data=pitch_form()).headers[
        "Location"
    ]
    pitch_id = int(location.rsplit("/", 1)[1])
    response = vote(client, pitch_id, htmx=True)
    assert "own sessions" in response.get_data(as_text=True)


def test_voting_closed_refuses_every_vote(app, client, auth, pitch, participant, facilitator):
    auth.login(participant)
    vote(client, pitch)
    client.post("/-/logout")
    auth.login(facilitator)
    client.post("/events/govbarcamp-2026/state", data={"to": "voting_closed"})
    client.post("/-/logout")
    auth.login(participant)
    for action in ("add", "remove"):
        response = vote(client, pitch, action, htmx=True)
        assert response.status_code == 409
        assert "Voting is closed" in response.get_data(as_text=True)
    assert stored_dots(app, pitch) == 1


def test_guardian_casts_a_childs_own_dots(app, client, auth, pitch, participant):
    auth.login(participant)
    rsvp_with_maya(client)
    with app.app_context():
        from wiki.events.models import RsvpChild

        child = db.session.scalar(select(RsvpChild.id))
    board = client.get(BOARD).get_data(as_text=True)
    assert "Maya (5 left)" in board
    for _ in range(3):
        vote(client, pitch, **{"as": str(child)})
    vote(client, pitch)
    assert stored_dots(app, pitch) == 4
    with app.app_context():
        ballots = {b.child_key != 0: b.spent for b in db.session.scalars(select(Ballot))}
    assert ballots == {True: 3, False: 1}
    results = client.get("/events/govbarcamp-2026/results").get_data(as_text=True)
    assert "(1 from adults, 3 from children)" in results


def test_cannot_cast_dots_for_someone_elses_child(client, auth, pitch, participant):
    auth.login(participant)
    assert vote(client, pitch, **{"as": "12345"}).status_code == 403


def test_nobody_sees_anyone_elses_dots(app, client, auth, pitch, participant, facilitator):
    auth.login(participant)
    vote(client, pitch)
    vote(client, pitch)
    mine = client.get(BOARD).get_data(as_text=True)
    assert "dots on this session: </span>2" in mine
    client.post("/-/logout")
    auth.login(facilitator)
    theirs = client.get(BOARD).get_data(as_text=True)
    assert "dots on this session: </span>0" in theirs
    assert f'sse-swap="dots-{pitch}" hx-swap="innerHTML">2<' in theirs  # totals only
    csv_text = client.get("/events/govbarcamp-2026/results.csv").get_data(as_text=True)
    assert "priya" not in csv_text.lower()


def test_hidden_tallies_until_reveal(
    app, client, auth, create_event, create_user, create_pitch, participant, facilitator
):
    event = create_event(state="voting", hide_tallies=True)
    pitch_id = create_pitch(event, create_user("host"), title="S").id
    auth.login(participant)
    vote(client, pitch_id)
    board = client.get(BOARD).get_data(as_text=True)
    assert "Dots hidden until voting closes" in board and f"tally-{pitch_id}" not in board
    assert client.get("/events/govbarcamp-2026/results").status_code == 403
    with app.app_context():
        from wiki.live.models import LiveEvent

        kinds = set(db.session.scalars(select(LiveEvent.kind)))
    assert f"dots-{pitch_id}" not in kinds  # no count leaves the server while hidden
    client.post("/-/logout")
    auth.login(facilitator)
    client.post("/events/govbarcamp-2026/reveal")
    assert f'id="tally-{pitch_id}"' in client.get(BOARD).get_data(as_text=True)


def test_board_filters_and_orders(app, client, auth, voting_event, create_user, participant):
    with app.app_context():
        event = events.find_event("govbarcamp-2026")
        host = db.session.get(User, create_user("host").id)
        for title, audience, fmt, tags in [
            ("Picnic", "family", "outdoor", "food"),
            ("Data ethics", "adults", "discussion", "data"),
            ("Lego serious play", "everyone", "hands-on", "play, data"),
        ]:
            services.create_pitch(
                event,
                services.PitchDetails(title=title, audience=audience, format=fmt, tags=tags),
                host,
            )
        db.session.commit()
    board = client.get(BOARD + "?family=1").get_data(as_text=True)
    assert "Picnic" in board and "Data ethics" not in board
    board = client.get(BOARD + "?format=discussion").get_data(as_text=True)
    assert "Data ethics" in board and "Picnic" not in board
    board = client.get(BOARD + "?tag=data").get_data(as_text=True)
    assert "Data ethics" in board and "Lego" in board and "Picnic" not in board
    newest = client.get(BOARD + "?sort=newest").get_data(as_text=True)
    assert newest.index("Lego") < newest.index("Data ethics") < newest.index("Picnic")
    fragment = client.get(BOARD + "?family=1", headers={"HX-Request": "true"})
    assert fragment.get_data(as_text=True).lstrip().startswith('<div id="board-list"')


def test_fair_order_is_stable_per_person_and_differs_between_people():
    class P:
        def __init__(self, i):
            self.id = i

    pitches = [P(i) for i in range(30)]
    first = [p.id for p in pitch_board.fair_order(pitches, "user:1")]
    assert first == [p.id for p in pitch_board.fair_order(list(reversed(pitches)), "user:1")]
    assert first != [p.id for p in pitch_board.fair_order(pitches, "user:2")]
    assert first != sorted(first)


def test_my_dots_filter(client, auth, voting_event, create_user, create_pitch, participant):
    host = create_user("host")
    ids = [create_pitch(voting_event, host, title=t).id for t in ("Alpha", "Beta")]
    auth.login(participant)
    vote(client, ids[1])
    board = client.get(BOARD + "?mine=1").get_data(as_text=True)
    assert "Beta" in board and "Alpha" not in board


def test_decline_returns_the_dots(app, client, auth, pitch, participant, facilitator):
    auth.login(participant)
    vote(client, pitch)
    client.post("/-/logout")
    auth.login(participant if False else facilitator)
    client.post(f"/events/govbarcamp-2026/pitches/{pitch}/decline", data={"reason": "Duplicate"})
    page = client.get(f"/events/govbarcamp-2026/pitches/{pitch}").get_data(as_text=True)
    assert "Declined by the facilitators: Duplicate" in page
    with app.app_context():
        assert db.session.scalar(select(func.sum(Ballot.spent))) == 0


def test_merge_moves_dots_capped_by_the_rules(
    app, client, auth, voting_event, create_user, create_pitch, participant, facilitator
):
    host = create_user("host")
    a = create_pitch(voting_event, host, title="Picnic A").id
    b = create_pitch(voting_event, host, title="Picnic B").id
    auth.login(participant)
    for pitch_id in (a, a, b, b):
        vote(client, pitch_id)
    client.post("/-/logout")
    auth.login(facilitator)
    response = client.post(f"/events/govbarcamp-2026/pitches/{a}/merge", data={"into": str(b)})
    assert response.status_code == 303
    assert stored_dots(app, b) == 3  # 2 + 2, capped at 3 per person per session
    with app.app_context():
        assert db.session.scalar(select(Ballot.spent)) == 3  # the extra dot went back


def test_comments(client, auth, pitch, participant):
    auth.login(participant)
    response = client.post(
        f"/events/govbarcamp-2026/pitches/{pitch}/comments", data={"body": "Can toddlers come?"}
    )
    assert response.status_code == 303
    assert "Can toddlers come?" in client.get(response.headers["Location"]).get_data(as_text=True)
    empty = client.post(f"/events/govbarcamp-2026/pitches/{pitch}/comments", data={"body": ""})
    assert empty.status_code == 422


def test_results_bars_and_csv(app, client, auth, pitch, participant, facilitator):
    auth.login(participant)
    vote(client, pitch)
    results = client.get("/events/govbarcamp-2026/results").get_data(as_text=True)
    assert "bar__fill pct-100" in results
    assert client.get("/events/govbarcamp-2026/results.csv").status_code == 403
    client.post("/-/logout")
    auth.login(facilitator)
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/events/govbarcamp-2026/results.csv").get_data(as_text=True))
        )
    )
    assert rows[0]["title"] == "Family picnic planning" and rows[0]["total_dots"] == "1"


def test_csv_defuses_formulas(app, client, auth, voting_event, participant, facilitator):
    auth.login(participant)
    client.post("/events/govbarcamp-2026/pitches/new", data=pitch_form(title="=HYPERLINK(1)"))
    client.post("/-/logout")
    auth.login(facilitator)
    text = client.get("/events/govbarcamp-2026/results.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in text


@pytest.mark.slow
def test_parallel_burst_never_overspends(app, live_server, pitch, voting_event, create_user):
    import requests

    with app.app_context():
        event = events.find_event("govbarcamp-2026")
        host = db.session.get(User, create_user("host2").id)
        second = services.create_pitch(event, services.PitchDetails(title="Second"), host).id
        db.session.commit()
    create_user("burst")
    session = requests.Session()
    page = session.get(f"{live_server.url}/-/login").text
    token = page.split('"X-CSRFToken": "')[1].split('"')[0]
    session.post(
        f"{live_server.url}/-/login",
        data={"username": "burst", "password": "correct horse battery", "csrf_token": token},
    )
    start = threading.Barrier(20)

    def fire(n):
        start.wait()
        codes = []
        for i in range(10):
            target = pitch if (n + i) % 2 else second
            action = "remove" if i % 5 == 4 else "add"
            codes.append(
                session.post(
                    f"{live_server.url}/events/govbarcamp-2026/pitches/{target}/dots",
                    data={"action": action, "csrf_token": token},
                    headers={"HX-Request": "true"},
                ).status_code
            )
        return codes

    with ThreadPoolExecutor(20) as pool:
        codes = [c for batch in pool.map(fire, range(20)) for c in batch]
    assert len(codes) == 200 and set(codes) <= {200, 409}
    with app.app_context():
        ballot = db.session.scalar(select(Ballot))
        dots = dict(db.session.execute(select(Dot.pitch_id, Dot.count)).all())
    assert ballot.spent == sum(dots.values()) <= 5
    assert all(0 <= n <= 3 for n in dots.values())


def test_simultaneous_voters_announce_every_total_in_order(
    app, live_server, pitch, voting_event, create_user
):
    """Each vote's message carries the total after it, so boards never go backwards."""
    import requests

    from wiki.live.models import LiveEvent

    def logged_in(name):
        create_user(name)
        session = requests.Session()
        page = session.get(f"{live_server.url}/-/login").text
        token = page.split('"X-CSRFToken": "')[1].split('"')[0]
        session.post(
            f"{live_server.url}/-/login",
            data={"username": name, "password": "correct horse battery", "csrf_token": token},
        )
        return session, token

    voters = [logged_in(f"voter{n}") for n in range(12)]
    start = threading.Barrier(len(voters))

    def fire(voter):
        session, token = voter
        start.wait()
        return [
            session.post(
                f"{live_server.url}/events/govbarcamp-2026/pitches/{pitch}/dots",
                data={"action": "add", "csrf_token": token},
                headers={"HX-Request": "true"},
            ).status_code
            for _ in range(3)
        ]

    with ThreadPoolExecutor(len(voters)) as pool:
        codes = [c for batch in pool.map(fire, voters) for c in batch]
    assert codes == [200] * 36
    with app.app_context():
        announced = db.session.scalars(
            select(LiveEvent.data).where(LiveEvent.kind == f"dots-{pitch}").order_by(LiveEvent.id)
        ).all()
    assert announced == [str(n) for n in range(1, 37)]
    assert stored_dots(app, pitch) == 36


PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def test_pitch_with_a_drawing_and_co_hosts(
    app, client, auth, voting_event, participant, create_user
):
    create_user("sam", display_name="Sam")
    auth.login(participant)
    data = pitch_form(co_hosts="sam")
    data["picture"] = (io.BytesIO(PNG_1X1), "drawing.png")
    response = client.post(
        "/events/govbarcamp-2026/pitches/new", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Priya, Sam" in page
    src = page.split('class="pitch__picture" src="')[1].split('"')[0]
    with client.get(src) as picture:
        assert picture.status_code == 200 and picture.mimetype == "image/png"


def test_pitch_picture_must_be_an_image(client, auth, voting_event, participant):
    auth.login(participant)
    data = pitch_form()
    data["picture"] = (io.BytesIO(b"<html><script>x</script>"), "drawing.png")
    response = client.post(
        "/events/govbarcamp-2026/pitches/new", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "whatever its name says" in response.get_data(as_text=True)


def test_unknown_co_host_is_explained(client, auth, voting_event, participant):
    auth.login(participant)
    response = client.post(
        "/events/govbarcamp-2026/pitches/new", data=pitch_form(co_hosts="nobody-here")
    )
    assert response.status_code == 422
    assert "Nobody here is called “nobody-here”" in response.get_data(as_text=True)
