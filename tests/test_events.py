"""Events: creating and copying, moving through states, RSVPs, capacity and the waiting list."""

import threading
from datetime import date, time

import pytest
from sqlalchemy import func, select

from wiki.events import rsvps, services
from wiki.events.models import Event, EventStateChange, Rsvp, RsvpStatus
from wiki.extensions import db

EVENT_FORM = {
    "name": "GovBarCamp 2026",
    "summary": "Bring the family",
    "starts_on": "2026-10-17",
    "starts_time": "10:00",
    "ends_on": "2026-10-18",
    "ends_time": "16:00",
    "timezone": "Europe/London",
    "venue_name": "Village hall",
    "capacity": "120",
    "dots_per_person": "5",
    "max_dots_per_pitch": "3",
    "children_vote": "y",
}


def rsvp_form(adults=1, children=(), **extra):
    data = {"adults": str(adults), "accepted_conduct": "y", "action": "save", **extra}
    for i, (name, band) in enumerate(children):
        data[f"children-{i}-first_name"] = name
        data[f"children-{i}-age_band"] = band
    return data


def test_facilitator_creates_an_event_with_a_proposal_page(app, client, auth, facilitator):
    auth.login(facilitator)
    response = client.post("/events/new", data=EVENT_FORM)
    assert response.status_code == 303
    assert response.headers["Location"] == "/events/govbarcamp-2026"
    page = client.get("/events/govbarcamp-2026").get_data(as_text=True)
    assert "GovBarCamp 2026" in page and "Proposal (drafting)" in page
    with app.app_context():
        event = services.find_event("govbarcamp-2026")
        body = event.proposal_page.current_revision.body
        assert "## Families and children" in body and "## Facilities" in body
        assert event.starts_at.isoformat() == "2026-10-17T09:00:00+00:00"  # BST is UTC+1


def test_participants_cannot_create_events(client, auth, participant):
    auth.login(participant)
    assert client.post("/events/new", data=EVENT_FORM).status_code == 403


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ends_on": "2026-10-16"}, "must end after it starts"),
        ({"capacity": "-5"}, "Capacity must be a whole number from 1"),
        ({"max_dots_per_pitch": "9"}, "cannot exceed the dots per person"),
        ({"starts_on": ""}, "Give the start date"),
        ({"name": ""}, "This field is required"),
    ],
)
def test_bad_event_input_is_explained_and_kept(client, auth, facilitator, change, message):
    auth.login(facilitator)
    response = client.post("/events/new", data={**EVENT_FORM, **change})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body
    assert 'value="Village hall"' in body
    for value in change.values():
        if value:
            assert f'value="{value}"' in body


def test_state_changes_are_recorded_and_announced(app, client, auth, create_event, facilitator):
    create_event(state="proposal")
    auth.login(facilitator)
    response = client.post("/events/govbarcamp-2026/state", data={"to": "registration"})
    assert response.status_code == 303
    page = client.get("/events/govbarcamp-2026").get_data(as_text=True)
    assert "Registration open" in page
    assert "Registration is open" in page  # the announcement
    with app.app_context():
        change = db.session.scalars(select(EventStateChange)).one()
        assert (change.from_state, change.to_state) == ("proposal", "registration")
        assert change.by.username == "fran"


def test_states_cannot_be_skipped(client, auth, create_event, facilitator):
    create_event(state="proposal")
    auth.login(facilitator)
    client.post("/events/govbarcamp-2026/state", data={"to": "published"})
    assert "cannot move to" in client.get("/events/govbarcamp-2026").get_data(as_text=True)


def test_participants_cannot_change_state(client, auth, create_event, participant):
    create_event(state="proposal")
    auth.login(participant)
    assert (
        client.post("/events/govbarcamp-2026/state", data={"to": "registration"}).status_code == 403
    )


def test_home_page_shows_the_current_event(client, create_event):
    create_event(
        name="Last year",
        state="over",
        starts_on=__import__("datetime").date(2025, 10, 1),
        ends_on=__import__("datetime").date(2025, 10, 2),
    )
    create_event(name="This year")
    body = client.get("/").get_data(as_text=True)
    assert "This year" in body and "Last year" not in body


def test_rsvp_household_with_children_and_counts(app, client, auth, create_event, participant):
    create_event()
    auth.login(participant)
    response = client.post(
        "/events/govbarcamp-2026/rsvp", data=rsvp_form(adults=2, children=[("Maya", "5-8")])
    )
    assert response.status_code == 303
    page = client.get("/events/govbarcamp-2026").get_data(as_text=True)
    assert "3 people in 1 household" in page and "1 aged 5-8" in page
    form = client.get("/events/govbarcamp-2026/rsvp").get_data(as_text=True)
    assert 'value="Maya"' in form
    with app.app_context():
        child_id = db.session.scalar(select(Rsvp)).children[0].id
    data = rsvp_form(adults=2, children=[("Maya", "5-8"), ("Leo", "0-4")])
    data["children-0-child_id"] = str(child_id)
    client.post("/events/govbarcamp-2026/rsvp", data=data)
    page = client.get("/events/govbarcamp-2026").get_data(as_text=True)
    assert "4 people in 1 household" in page and "1 aged 0-4" in page
    with app.app_context():
        children = db.session.scalar(select(Rsvp)).children
        assert [c.first_name for c in children] == ["Maya", "Leo"]
        assert children[0].id == child_id  # the same child, so their dots stay theirs


def test_rsvp_needs_the_code_of_conduct(client, auth, create_event, participant):
    create_event()
    auth.login(participant)
    data = rsvp_form()
    del data["accepted_conduct"]
    response = client.post("/events/govbarcamp-2026/rsvp", data=data)
    assert response.status_code == 422
    assert "accepts the code of conduct" in response.get_data(as_text=True)


def test_forty_children_is_refused_and_typed_names_kept(client, auth, create_event, participant):
    create_event()
    auth.login(participant)
    children = [(f"Kid{i}", "5-8") for i in range(40)]
    response = client.post("/events/govbarcamp-2026/rsvp", data=rsvp_form(children=children))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "at most 12 children; you listed 40" in body
    assert 'value="Kid39"' in body


def test_add_another_child_without_javascript(client, auth, create_event, participant):
    create_event()
    auth.login(participant)
    data = rsvp_form(children=[("Maya", "5-8")], action="add_child")
    body = client.post("/events/govbarcamp-2026/rsvp", data=data).get_data(as_text=True)
    assert 'value="Maya"' in body and 'name="children-1-first_name"' in body


def test_rsvp_refused_before_registration_opens(client, auth, create_event, participant):
    create_event(state="proposal")
    auth.login(participant)
    response = client.post("/events/govbarcamp-2026/rsvp", data=rsvp_form())
    assert response.status_code == 422
    assert "not open" in response.get_data(as_text=True)


def test_fourth_person_waits_and_is_promoted_when_someone_cancels(app, create_event, create_user):
    create_event(capacity=3)
    clients = []
    for name in ["ann", "bob", "cat", "dan"]:
        create_user(name)
        client = app.test_client()
        client.post("/-/login", data={"username": name, "password": "correct horse battery"})
        clients.append(client)
        client.post("/events/govbarcamp-2026/rsvp", data=rsvp_form())
    with app.app_context():
        statuses = dict(db.session.execute(select(Rsvp.user_id, Rsvp.status)).all())
        assert sorted(statuses.values()) == ["confirmed"] * 3 + ["waiting"]
    page = clients[3].get("/events/govbarcamp-2026").get_data(as_text=True)
    assert "number 1 on the waiting list" in page
    clients[0].post("/events/govbarcamp-2026/rsvp/cancel")
    page = clients[3].get("/events/govbarcamp-2026").get_data(as_text=True)
    assert "Your household is coming" in page


def _full_event_with_a_waiting_family(
    app, create_event, create_user, email="dan@example.org", confirmed=True
):
    """Capacity 3: Ann, Bob and Cat are coming, Dan's household of two waits."""
    create_event(capacity=3)
    clients = {}
    for name, adults in [("ann", 1), ("bob", 1), ("cat", 1), ("dan", 2)]:
        address = email if name == "dan" else f"{name}@example.org"
        create_user(name, confirmed=confirmed, **({"email": address} if address else {}))
        client = app.test_client()
        client.post("/-/login", data={"username": name, "password": "correct horse battery"})
        client.post("/events/govbarcamp-2026/rsvp", data=rsvp_form(adults=adults))
        clients[name] = client
    return clients


def test_a_promoted_household_is_emailed(make_app, smtp_sink, create_event, create_user):
    controller, inbox = smtp_sink
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    clients = _full_event_with_a_waiting_family(app, create_event, create_user)
    clients["bob"].post("/events/govbarcamp-2026/rsvp/cancel")
    assert inbox.messages == []  # one place is not enough for Dan's two
    clients["ann"].post("/events/govbarcamp-2026/rsvp/cancel")
    [mail] = inbox.messages
    assert mail["To"] == "dan@example.org"
    assert mail["Subject"] == "[campwiki] A place came up: you're coming to GovBarCamp 2026"
    body = mail.get_payload(decode=True).decode()
    assert "your 2 places are now confirmed" in body
    assert "Sat 17 – Sun 18 Oct 2026" in body
    assert "http://localhost/events/govbarcamp-2026#rsvp" in body
    page = clients["dan"].get("/events/govbarcamp-2026").get_data(as_text=True)
    assert "Your household is coming" in page


def test_raising_the_capacity_emails_whoever_it_lets_in(
    make_app, smtp_sink, create_event, create_user
):
    controller, inbox = smtp_sink
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    _full_event_with_a_waiting_family(app, create_event, create_user)
    with app.test_request_context("/"):
        event = services.find_event("govbarcamp-2026")
        details = services.EventDetails(
            name=event.name,
            starts_on=date(2026, 10, 17),
            starts_time=time(10, 0),
            ends_on=date(2026, 10, 18),
            ends_time=time(16, 0),
            capacity=5,
        )
        services.update_event(event, details)
        assert inbox.messages == []  # not before the change is saved
        db.session.commit()
    assert [m["To"] for m in inbox.messages] == ["dan@example.org"]


@pytest.mark.parametrize(
    ("email", "confirmed"), [(None, True), ("dan@example.org", False)], ids=["none", "unconfirmed"]
)
def test_no_mail_for_a_household_without_a_confirmed_address(
    make_app, smtp_sink, create_event, create_user, email, confirmed
):
    controller, inbox = smtp_sink
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    clients = _full_event_with_a_waiting_family(
        app, create_event, create_user, email=email, confirmed=confirmed
    )
    clients["ann"].post("/events/govbarcamp-2026/rsvp/cancel")
    clients["bob"].post("/events/govbarcamp-2026/rsvp/cancel")
    assert inbox.messages == []
    page = clients["dan"].get("/events/govbarcamp-2026").get_data(as_text=True)
    assert "Your household is coming" in page


def test_promotion_stands_when_the_mail_server_is_down(make_app, create_event, create_user, caplog):
    import logging

    from tests.conftest import free_port

    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nobody listening
    clients = _full_event_with_a_waiting_family(app, create_event, create_user)
    with caplog.at_level(logging.WARNING):
        assert clients["ann"].post("/events/govbarcamp-2026/rsvp/cancel").status_code == 303
        clients["bob"].post("/events/govbarcamp-2026/rsvp/cancel")
    assert "Could not e-mail households promoted from the waiting list" in caplog.text
    page = clients["dan"].get("/events/govbarcamp-2026").get_data(as_text=True)
    assert "Your household is coming" in page


def test_waiting_list_is_strictly_in_order(app, create_event, create_user):
    create_event(capacity=3)
    with app.app_context():
        event = services.find_event("govbarcamp-2026")
        people = {}
        for name in ["ann", "big", "solo"]:
            people[name] = create_user(name)
        for name, adults, kids in [("ann", 3, 0), ("big", 1, 2), ("solo", 1, 0)]:
            from wiki.accounts.models import User

            user = db.session.get(User, people[name].id)
            rsvps.save_rsvp(
                event,
                user,
                rsvps.RsvpDetails(
                    adults=adults,
                    accepted_conduct=True,
                    children=[rsvps.ChildDetails(f"k{i}", "5-8") for i in range(kids)],
                ),
            )
        ann = db.session.get(User, people["ann"].id)
        rsvps.cancel_rsvp(event, ann)
        rows = dict(
            db.session.execute(
                select(Rsvp.user_id, Rsvp.status).where(Rsvp.user_id != ann.id)
            ).all()
        )
        assert rows[people["big"].id] == "confirmed" and rows[people["solo"].id] == "waiting"


def test_growing_a_confirmed_household_beyond_capacity_is_refused(
    client, auth, create_event, participant, app
):
    create_event(capacity=2)
    auth.login(participant)
    client.post("/events/govbarcamp-2026/rsvp", data=rsvp_form(adults=2))
    response = client.post(
        "/events/govbarcamp-2026/rsvp", data=rsvp_form(adults=2, children=[("Maya", "5-8")])
    )
    assert response.status_code == 422
    assert "Only 2 places left for your household, which would now be 3" in response.get_data(
        as_text=True
    )
    with app.app_context():
        rsvp = db.session.scalar(select(Rsvp))
        assert rsvp.status == "confirmed" and rsvp.party_size == 2


@pytest.mark.slow
def test_concurrent_rsvps_never_exceed_capacity(app, live_server, create_event, create_user):
    import requests

    create_event(capacity=5)
    sessions = []
    for i in range(12):
        create_user(f"guest{i}")
        session = requests.Session()
        page = session.get(f"{live_server.url}/-/login").text
        token = page.split('"X-CSRFToken": "')[1].split('"')[0]
        session.post(
            f"{live_server.url}/-/login",
            data={
                "username": f"guest{i}",
                "password": "correct horse battery",
                "csrf_token": token,
            },
        )
        sessions.append((session, token))
    barrier = threading.Barrier(len(sessions))
    codes = []

    def go(session, token):
        barrier.wait()
        response = session.post(
            f"{live_server.url}/events/govbarcamp-2026/rsvp",
            data={**rsvp_form(), "csrf_token": token},
            allow_redirects=False,
        )
        codes.append(response.status_code)

    threads = [threading.Thread(target=go, args=pair) for pair in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert codes == [303] * 12
    with app.app_context():
        confirmed = db.session.scalar(
            select(func.count()).select_from(Rsvp).where(Rsvp.status == RsvpStatus.CONFIRMED)
        )
        waiting = db.session.scalar(
            select(func.count()).select_from(Rsvp).where(Rsvp.status == RsvpStatus.WAITING)
        )
    assert (confirmed, waiting) == (5, 7)


def test_organisers_see_needs_others_do_not(client, auth, create_event, participant, facilitator):
    create_event()
    auth.login(participant)
    client.post(
        "/events/govbarcamp-2026/rsvp",
        data=rsvp_form(
            access_needs="Step-free route please", dietary_needs="Vegan", childcare_interest="y"
        ),
    )
    assert "Step-free" not in client.get("/events/govbarcamp-2026").get_data(as_text=True)
    assert client.get("/events/govbarcamp-2026/people").status_code == 403
    client.post("/-/logout")
    auth.login(facilitator)
    body = client.get("/events/govbarcamp-2026/people").get_data(as_text=True)
    assert "Step-free route please" in body and "Vegan" in body


def test_public_list_shows_only_people_who_opted_in(
    client, auth, create_event, participant, create_user
):
    create_event()
    auth.login(participant)
    client.post("/events/govbarcamp-2026/rsvp", data=rsvp_form(show_name="y"))
    client.post("/-/logout")
    shy = create_user("shy", display_name="Shy Person")
    auth.login(shy)
    client.post("/events/govbarcamp-2026/rsvp", data=rsvp_form())
    body = client.get("/events/govbarcamp-2026").get_data(as_text=True)
    assert (
        "Coming: Priya and others" in body and "Shy Person</" not in body.split("Coming:")[1][:200]
    )


def test_copy_an_event_takes_rules_and_pages_but_no_people(
    app, client, auth, create_event, facilitator, participant
):
    create_event(capacity=50, dots_per_person=7, max_dots_per_pitch=2, venue_name="Farm")
    auth.login(participant)
    client.post("/events/govbarcamp-2026/rsvp", data=rsvp_form())
    client.post("/-/logout")
    auth.login(facilitator)
    form = client.get("/events/new?copy=govbarcamp-2026").get_data(as_text=True)
    assert 'value="Farm"' in form and 'value="7"' in form
    data = {
        **EVENT_FORM,
        "name": "GovBarCamp 2027",
        "starts_on": "2027-10-16",
        "ends_on": "2027-10-17",
        "dots_per_person": "7",
        "max_dots_per_pitch": "2",
    }
    assert client.post("/events/new?copy=govbarcamp-2026", data=data).status_code == 303
    with app.app_context():
        new = services.find_event("govbarcamp-2027")
        assert new.copied_from.slug == "govbarcamp-2026"
        assert new.dots_per_person == 7
        assert rsvps.counts(new).households == 0
        assert new.proposal_page.slug != services.find_event("govbarcamp-2026").proposal_page.slug


def test_voting_rules_freeze_when_voting_opens(client, auth, create_event, facilitator, app):
    create_event(state="voting")
    auth.login(facilitator)
    data = {**EVENT_FORM, "dots_per_person": "9", "max_dots_per_pitch": "3"}
    response = client.post("/events/govbarcamp-2026/edit", data=data)
    assert response.status_code == 422
    assert "frozen" in response.get_data(as_text=True)


def test_archived_events_are_read_only(client, auth, create_event, facilitator):
    create_event(state="over")
    auth.login(facilitator)
    assert client.get("/events/govbarcamp-2026/edit").status_code == 403
    assert client.get("/events/govbarcamp-2026").status_code == 200


def test_announcements_need_a_title_and_keep_the_text(client, auth, create_event, facilitator):
    create_event()
    auth.login(facilitator)
    response = client.post(
        "/events/govbarcamp-2026/announcements", data={"title": "", "body": "Toilets confirmed!"}
    )
    assert response.status_code == 422
    assert "Toilets confirmed!" in response.get_data(as_text=True)
    client.post(
        "/events/govbarcamp-2026/announcements",
        data={"title": "Toilets", "body": "**Confirmed** <script>x</script>"},
    )
    body = client.get("/events/govbarcamp-2026").get_data(as_text=True)
    assert "<strong>Confirmed</strong>" in body and "<script>x" not in body


def test_event_slugs_are_unique(app, create_event):
    create_event()
    create_event()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Event)) == 2
        assert services.find_event("govbarcamp-2026-2") is not None
