"""The session board as a household uses it: whose sessions they may dot, and a board that
stays right after every dot, with and without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from tests.dom import parse, top_level
from wiki.accounts.models import User
from wiki.events import services as events
from wiki.events.models import RsvpChild
from wiki.extensions import db
from wiki.pitches import services, voting
from wiki.pitches.models import Dot, Pitch

SLUG = "govbarcamp-2026"
BOARD = f"/events/{SLUG}/board"


@dataclass(frozen=True)
class Household:
    """Priya's household (Priya, Maya, Tom) and the sessions on the board, by id."""

    maya: int
    tom: int
    priyas_talk: int  # hosted by Priya
    mayas_session: int  # kid-led by Maya (Priya co-hosts it as her guardian)
    co_hosted: int  # Hannah's, co-hosted by Priya
    hannahs: int  # another household's


@pytest.fixture
def voting_event(create_event):
    """Return an event open for voting: 5 dots each, at most 3 on one session."""
    return create_event(state="voting", dots_per_person=5, max_dots_per_pitch=3)


def rsvp_household(client) -> None:
    """RSVP as Priya's household: one adult, Maya and Tom."""
    response = client.post(
        f"/events/{SLUG}/rsvp",
        data={
            "adults": "1",
            "children-0-first_name": "Maya",
            "children-0-age_band": "5-8",
            "children-1-first_name": "Tom",
            "children-1-age_band": "9-12",
            "accepted_conduct": "y",
            "action": "save",
        },
    )
    assert response.status_code == 303


@pytest.fixture
def household(app, client, auth, voting_event, participant, create_user) -> Household:
    """Log Priya in, RSVP her household and put four sessions on the board."""
    hannah = create_user("hannah", display_name="Hannah")
    auth.login(participant)
    rsvp_household(client)
    with app.app_context():
        event = events.find_event(SLUG)
        priya = db.session.get(User, participant.id)
        other = db.session.get(User, hannah.id)
        kids = {c.first_name: c.id for c in db.session.scalars(select(RsvpChild))}

        def pitch(title, author, **details):
            made = services.create_pitch(
                event, services.PitchDetails(title=title, **details), author
            )
            return made.id

        made = Household(
            maya=kids["Maya"],
            tom=kids["Tom"],
            priyas_talk=pitch("Priya's talk", priya),
            mayas_session=pitch("Dinosaur facts", priya, child_id=kids["Maya"]),
            co_hosted=pitch("Bike repair", other, co_hosts="priya"),
            hannahs=pitch("Picnic planning", other),
        )
        db.session.commit()
    return made


def vote(client, pitch_id, action="add", htmx=False, **extra):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        f"/events/{SLUG}/pitches/{pitch_id}/dots", data={"action": action, **extra}, headers=headers
    )


def stored_dots(app, pitch_id) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.coalesce(func.sum(Dot.count), 0)).where(Dot.pitch_id == pitch_id)
        )


# Who votes (None: Priya herself), on which session, and why the household rule says no.
HOUSEHOLD_CASES = [
    (None, "priyas_talk", "Your own session"),
    ("maya", "priyas_talk", "Your own session"),
    ("tom", "priyas_talk", "Your own session"),
    (None, "mayas_session", "Maya's own session"),
    ("maya", "mayas_session", "Maya's own session"),
    ("tom", "mayas_session", "Maya's own session"),
    (None, "co_hosted", "Your own session"),
    ("maya", "co_hosted", "Your own session"),
    (None, "hannahs", None),
    ("maya", "hannahs", None),
    ("tom", "hannahs", None),
]


def _voter(household: Household, who: str | None) -> voting.Voter:
    event = events.find_event(SLUG)
    priya = db.session.scalar(select(User).where(User.username == "priya"))
    return voting.voter_for(event, priya, getattr(household, who) if who else None)


@pytest.mark.parametrize(("who", "session", "reason"), HOUSEHOLD_CASES)
def test_household_rule_decides_and_the_vote_service_enforces_it(
    app, household, who, session, reason
):
    with app.app_context():
        event = events.find_event(SLUG)
        pitch = db.session.get(Pitch, getattr(household, session))
        voter = _voter(household, who)
        assert voting.why_not_dot(event, pitch, voter) == reason
        if reason is None:
            assert voting.add_dot(event, pitch, voter).on_pitch == 1
        else:
            with pytest.raises(voting.VoteRefused, match=f"^{reason}: .*own sessions"):
                voting.add_dot(event, pitch, voter)
        db.session.rollback()


def test_household_rule_is_off_where_the_event_allows_own_dots(app, household):
    with app.app_context():
        event = events.find_event(SLUG)
        event.allow_self_dots = True
        for who, session, _ in HOUSEHOLD_CASES:
            pitch = db.session.get(Pitch, getattr(household, session))
            voter = _voter(household, who)
            assert voting.why_not_dot(event, pitch, voter) is None
            voting.add_dot(event, pitch, voter)
        db.session.rollback()


def test_a_dot_placed_before_becoming_co_host_can_still_be_taken_back(app, client, household):
    assert vote(client, household.hannahs).status_code == 303
    with app.app_context():
        event = events.find_event(SLUG)
        pitch = db.session.get(Pitch, household.hannahs)
        pitch.co_hosts.append(db.session.scalar(select(User).where(User.username == "priya")))
        db.session.commit()
        assert voting.why_not_dot(event, pitch, _voter(household, None)) == "Your own session"
    assert vote(client, household.hannahs, htmx=True).status_code == 409
    assert vote(client, household.hannahs, "remove", htmx=True).status_code == 200
    assert stored_dots(app, household.hannahs) == 0


@pytest.mark.parametrize(("who", "session", "reason"), [c for c in HOUSEHOLD_CASES if c[2]])
def test_household_vote_is_refused_over_http(app, client, household, who, session, reason):
    extra = {"as": str(getattr(household, who))} if who else {}
    response = vote(client, getattr(household, session), htmx=True, **extra)
    assert response.status_code == 409
    status = parse(response.get_data(as_text=True)).by_id("vote-status")
    assert status.text == (
        f"{reason}: this event does not let a household put dots on its own sessions."
    )
    assert stored_dots(app, getattr(household, session)) == 0


@pytest.mark.parametrize("who", [None, "maya", "tom"])
def test_board_disables_plus_on_household_sessions_with_the_reason(client, household, who):
    query = f"?as={getattr(household, who)}" if who else ""
    page = parse(client.get(BOARD + query).get_data(as_text=True))
    assert "nobody in a household dots a session" in page.by_id("household-rule").text
    for case_who, session, reason in HOUSEHOLD_CASES:
        if case_who != who:
            continue
        pitch_id = getattr(household, session)
        plus = page.by_id(f"dot-add-{pitch_id}")
        if reason is None:
            assert not plus.has("disabled") and not plus.has("aria-describedby")
        else:
            assert plus.has("disabled")
            assert page.by_id(plus.attrs["aria-describedby"]).text == reason


def test_show_page_disables_plus_on_own_session(client, household):
    page = parse(client.get(f"/events/{SLUG}/pitches/{household.mayas_session}").get_data(True))
    plus = page.by_id(f"dot-add-{household.mayas_session}")
    assert plus.has("disabled")
    assert page.by_id(plus.attrs["aria-describedby"]).text == "Maya's own session"


@pytest.fixture
def three_sessions(voting_event, create_user, create_pitch, participant, auth) -> list[int]:
    """Log Priya in and return three sessions by Hannah (5 dots each, at most 3 on one)."""
    hannah = create_user("hannah", display_name="Hannah")
    titles = ("Composting with kids", "Picnic planning", "Kids teach Scratch")
    ids = [create_pitch(voting_event, hannah, title=title).id for title in titles]
    auth.login(participant)
    return ids


def vote_on_board(client, pitch_id, shown, action="add", **extra):
    """Vote as htmx does from the board: the board's own controls listed in ``shown``."""
    return vote(
        client, pitch_id, action, htmx=True, shown=[str(i) for i in shown], back=BOARD, **extra
    )


def plus_states(fragment: str) -> dict[int, bool]:
    """Return {pitch id: whether its "+" is enabled} for every control in a vote's answer."""
    tree = parse(fragment)
    return {
        int(node.attrs["id"].removeprefix("dot-add-")): not node.has("disabled")
        for node in tree.find_all("button")
        if node.attrs.get("id", "").startswith("dot-add-")
    }


def test_spending_the_last_dot_disables_every_plus_and_taking_one_back_enables_them(
    client, three_sessions
):
    first, second, third = three_sessions
    for pitch_id in (first, first, second, second):
        assert vote(client, pitch_id).status_code == 303
    spent = vote_on_board(client, third, three_sessions)
    assert spent.status_code == 200
    body = spent.get_data(as_text=True)
    assert plus_states(body) == {first: False, second: False, third: False}
    tree = parse(body)
    for pitch_id in (second, first):
        assert tree.by_id(f"vote-{pitch_id}").attrs["hx-swap-oob"] == "true"
        assert tree.by_id(f"dot-why-{pitch_id}").text == "No dots left"
    # The card that was voted on is the answer itself, swapped into place: not out of band.
    main = top_level(body)[0]
    assert main.attrs["id"] == f"vote-{third}" and not main.has("hx-swap-oob")
    assert tree.by_id("dots-left").text == "0 dots left"
    assert tree.by_id("vote-status").attrs["hx-swap-oob"] == "innerHTML"
    assert tree.by_id("vote-status").text == "1 dot on “Kids teach Scratch”; no dots left."

    back = vote_on_board(client, first, three_sessions, "remove")
    assert back.status_code == 200
    assert plus_states(back.get_data(as_text=True)) == {first: True, second: True, third: True}
    status = parse(back.get_data(as_text=True)).by_id("vote-status")
    assert status.text == "1 dot on “Composting with kids”; 1 dot left."


@pytest.mark.parametrize("where", ["board", "session"])
def test_each_vote_is_announced_by_one_polite_status_outside_the_swapped_cards(
    client, three_sessions, where
):
    first = three_sessions[0]
    url = BOARD if where == "board" else f"/events/{SLUG}/pitches/{first}"
    tree = parse(client.get(url).get_data(as_text=True))
    # A live region must be on the page before its text changes, or nothing is read out.
    (status,) = [node for node in tree.iter() if node.attrs.get("id") == "vote-status"]
    assert status.attrs["role"] == "status"
    assert not [a for a in status.ancestors() if a.attrs.get("id", "").startswith("vote-")]
    assert "board-list" not in {a.attrs.get("id") for a in status.ancestors()}


def test_no_enabled_plus_answers_409(client, three_sessions):
    # Whatever the board shows enabled, pressing it works; whatever would be refused is off.
    shown = three_sessions
    states = {pitch_id: True for pitch_id in shown}
    for _ in range(12):
        enabled = [pitch_id for pitch_id, on in states.items() if on]
        if not enabled:
            break
        response = vote_on_board(client, enabled[0], shown)
        assert response.status_code == 200
        states = plus_states(response.get_data(as_text=True))
    assert states == {pitch_id: False for pitch_id in shown}
    for pitch_id in shown:
        assert vote_on_board(client, pitch_id, shown).status_code == 409


def test_the_per_session_maximum_is_said_in_the_status(client, three_sessions):
    first = three_sessions[0]
    for _ in range(2):
        vote(client, first)
    body = vote_on_board(client, first, [first]).get_data(as_text=True)
    tree = parse(body)
    assert tree.by_id(f"dot-add-{first}").has("disabled")
    assert not tree.by_id(f"dot-remove-{first}").has("disabled")
    assert tree.by_id("vote-status").text == (
        "3 dots on “Composting with kids”; 2 dots left. 3 is the most on one session."
    )


def test_switcher_counts_and_whose_dots_after_each_vote(app, client, three_sessions):
    rsvp_household(client)
    with app.app_context():
        maya = db.session.scalar(select(RsvpChild.id).where(RsvpChild.first_name == "Maya"))
    board = parse(client.get(f"{BOARD}?as={maya}").get_data(as_text=True))
    switcher = board.by_id("voter-switcher")
    choices = {a.text: a for a in switcher.find_all("a")}
    assert set(choices) == {"You (5 left)", "✓ Maya (5 left)", "Tom (5 left)"}
    assert choices["✓ Maya (5 left)"].attrs["aria-current"] == "true"
    assert not choices["You (5 left)"].has("aria-current")
    assert choices["You (5 left)"].attrs["href"] == BOARD
    plus = board.by_id(f"dot-add-{three_sessions[0]}")
    assert plus.attrs["aria-label"] == "Add one of Maya's dots to “Composting with kids”"

    body = vote_on_board(client, three_sessions[0], three_sessions, **{"as": str(maya)})
    tree = parse(body.get_data(as_text=True))
    switcher = tree.by_id("voter-switcher")
    assert switcher.attrs["hx-swap-oob"] == "true"
    current = switcher.find_all("a", aria_current="true")
    assert [a.text for a in current] == ["✓ Maya (4 left)"]
    assert "You (5 left)" in switcher.text
    assert tree.by_id("dots-left").text == "4 dots left for Maya"
    assert tree.by_id("vote-status").text == "Maya: 1 dot on “Composting with kids”; 4 dots left."


def test_without_javascript_a_vote_comes_back_to_the_same_board_voter_and_card(
    app, client, three_sessions
):
    rsvp_household(client)
    with app.app_context():
        maya = db.session.scalar(select(RsvpChild.id).where(RsvpChild.first_name == "Maya"))
    board = parse(client.get(f"{BOARD}?family=0&sort=newest&as={maya}").get_data(as_text=True))
    form = board.by_id(f"vote-{three_sessions[1]}").find_all("form")[0]
    fields = {i.attrs["name"]: i.attrs.get("value") for i in form.find_all("input")}
    assert fields["back"] == f"{BOARD}?family=0&sort=newest&as={maya}"
    response = vote(client, three_sessions[1], back=fields["back"], **{"as": fields["as"]})
    assert response.status_code == 303
    assert response.headers["Location"] == (
        f"{BOARD}?family=0&sort=newest&as={maya}#pitch-{three_sessions[1]}"
    )
    page = parse(client.get(response.headers["Location"]).get_data(as_text=True))
    assert page.by_id("dots-left").text == "4 dots left for Maya"


def test_without_javascript_a_vote_on_the_session_page_comes_back_there(client, three_sessions):
    show = f"/events/{SLUG}/pitches/{three_sessions[0]}"
    page = parse(client.get(show).get_data(as_text=True))
    back = page.by_id(f"vote-{three_sessions[0]}").find_all("input", name="back")[0]
    assert back.attrs["value"] == show
    response = vote(client, three_sessions[0], back=show)
    assert response.headers["Location"] == f"{show}#vote-{three_sessions[0]}"


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example/board", ""])
def test_a_vote_never_goes_back_off_site(client, three_sessions, back):
    response = vote(client, three_sessions[0], back=back)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{BOARD}#pitch-{three_sessions[0]}"


def test_shown_ids_that_are_not_this_events_sessions_are_ignored(client, three_sessions):
    shown = ["99999999999999999999", "-3", "x", "0", str(2**31), str(three_sessions[1])]
    response = vote(client, three_sessions[0], htmx=True, shown=shown)
    assert response.status_code == 200
    assert set(plus_states(response.get_data(as_text=True))) == {
        three_sessions[0],
        three_sessions[1],
    }


def test_a_vote_reads_the_households_ballots_once_for_its_answer(app, client, three_sessions):
    """One read of the ballot to vote, one for the whole household's answer (switcher counts,
    dots left, every "+"), not one per child and per figure."""
    rsvp_household(client)
    with app.app_context():
        maya = db.session.scalar(select(RsvpChild.id).where(RsvpChild.first_name == "Maya"))
        vote_on_board(client, three_sessions[1], three_sessions, **{"as": str(maya)})
        vote_on_board(client, three_sessions[1], three_sessions)  # both have ballots now
        reads: list[str] = []

        def seen(_conn, _cursor, statement, *_args):
            if statement.lstrip().upper().startswith("SELECT") and "FROM ballots" in statement:
                reads.append(statement)

        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", seen)
    try:
        body = vote_on_board(client, three_sessions[0], three_sessions, **{"as": str(maya)})
    finally:
        sa_event.remove(engine, "before_cursor_execute", seen)
    tree = parse(body.get_data(as_text=True))
    choices = {a.text for a in tree.by_id("voter-switcher").find_all("a")}
    assert choices == {"You (4 left)", "✓ Maya (3 left)", "Tom (5 left)"}
    assert len(reads) == 2
