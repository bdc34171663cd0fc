"""Loud and irreversible actions ask first, without JavaScript too; state news is told once."""

from datetime import timedelta
from types import SimpleNamespace

import feedparser
import pytest
from sqlalchemy import func, select

from tests.dom import page
from wiki.accounts.models import User
from wiki.attachments import services as attachments
from wiki.database import utcnow
from wiki.events import rsvps
from wiki.events import services as events
from wiki.events.models import Announcement, Event, Rsvp
from wiki.extensions import db
from wiki.moderation.models import Report
from wiki.pages import services as pages
from wiki.pages.models import Page
from wiki.pitches import services as pitches
from wiki.pitches.models import Comment, Pitch

EVENT = "/events/govbarcamp-2026"
SLUG = "govbarcamp-2026"


def state_of(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Event.state).where(Event.slug == SLUG))


def asked(client, link) -> SimpleNamespace:
    """Follow a link that asks first; return the page's question, text, form and way back."""
    response = client.get(link.get("href"))
    assert response.status_code == 200
    main = page(response).find("main")
    form = main.find("form", method="post")
    back = form.find("a", class_="button--secondary")
    return SimpleNamespace(
        heading=main.find("h1").text,
        text=main.find("div", class_="confirm__what").text,
        action=form.get("action"),
        fields=form.form_fields(),
        submit=form.find("button", type="submit").text,
        back=back.get("href"),
        back_label=back.text,
    )


def confirm_link(doc, label: str):
    """Return the link (button) that asks before doing ``label``, and its dialog."""
    link = doc.find("a", text=label, data_confirm=True)
    assert link is not None, f"no confirm button {label!r}"
    dialog = doc.find("dialog", id=link.get("data-confirm"))
    assert dialog is not None and dialog.get("aria-labelledby")
    return link, dialog


def do(client, question: SimpleNamespace):
    """Submit the question page's form as a browser would."""
    return client.post(question.action, data=question.fields, csrf=False)


# Moving the event between states -------------------------------------------------------


def test_moving_the_event_on_asks_first_and_says_who_is_told(
    app, client, auth, create_event, facilitator
):
    create_event(state="voting")
    auth.login(facilitator)
    doc = page(client.get(EVENT))
    link, dialog = confirm_link(doc, "Close voting")
    assert link.get("href") == f"{EVENT}/state?to=voting_closed"
    assert "Voting has closed" in dialog.text
    assert dialog.find("form", method="post", action=f"{EVENT}/state") is not None

    question = asked(client, link)
    assert question.heading == "Close voting?"
    assert "Everyone is told: “GovBarCamp 2026: Voting has closed”" in question.text
    assert "Nobody can place or take back dots any more" in question.text
    assert question.action == f"{EVENT}/state"
    assert question.fields["to"] == "voting_closed" and question.fields["csrf_token"]
    assert state_of(app) == "voting"  # asking changed nothing

    assert question.back == f"{EVENT}#facilitate-title"
    assert client.get(question.back).status_code == 200
    assert state_of(app) == "voting"

    response = do(client, question)
    assert response.status_code == 303
    assert state_of(app) == "voting_closed"


def test_participants_are_not_asked_to_move_the_event(client, auth, create_event, participant):
    create_event(state="voting")
    auth.login(participant)
    assert client.get(f"{EVENT}/state?to=voting_closed").status_code == 403
    assert page(client.get(EVENT)).find("a", href=f"{EVENT}/state?to=voting_closed") is None


def test_asking_for_a_move_the_event_cannot_make_goes_back_to_the_event(
    client, auth, create_event, facilitator
):
    create_event(state="voting")
    auth.login(facilitator)
    for to in ("published", "nonsense", ""):
        response = client.get(f"{EVENT}/state?to={to}")
        assert response.status_code == 303 and response.headers["Location"] == EVENT
    assert "choose a move from there" in client.get(EVENT).get_data(as_text=True)


def news_titles(client) -> list[str]:
    news = page(client.get(EVENT)).find("section", id="news")
    return [h.text for h in news.find_all("h3")]


def feed_titles(client) -> list[str]:
    return [
        entry.title for entry in feedparser.parse(client.get(f"{EVENT}/news.atom").data).entries
    ]


def move(client, to: str):
    return client.post(f"{EVENT}/state", data={"to": to})


def test_back_and_forth_tells_people_that_voting_closed_once(
    app, client, auth, create_event, facilitator
):
    create_event(state="voting")
    auth.login(facilitator)
    closed = "GovBarCamp 2026: Voting has closed"
    move(client, "voting_closed")
    assert news_titles(client).count(closed) == 1

    back = asked(
        client, page(client.get(EVENT)).find("a", text="Back to “Pitching and voting open”")
    )
    assert f"The announcement “{closed}” is taken back" in back.text
    assert "Nothing new is posted" in back.text
    do(client, back)
    assert state_of(app) == "voting"
    assert closed not in news_titles(client) and closed not in feed_titles(client)
    assert "GovBarCamp 2026: Pitching and voting are open" in news_titles(client)

    again = asked(client, page(client.get(EVENT)).find("a", text="Close voting"))
    assert "it is not posted twice" in again.text
    do(client, again)
    assert news_titles(client).count(closed) == 1
    assert feed_titles(client).count(closed) == 1
    assert news_titles(client)[0] == closed  # it is news again, so it is the newest

    move(client, "voting")
    move(client, "voting_closed")
    assert news_titles(client).count(closed) == 1
    assert feed_titles(client).count(closed) == 1
    assert news_titles(client).count("GovBarCamp 2026: Pitching and voting are open") == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(Announcement.id))) == 3


def test_news_posted_while_back_stays_below_the_state_news_that_returns(
    app, client, auth, create_event, facilitator
):
    create_event(state="voting_closed")
    with app.app_context():  # voting closed yesterday
        closed_news = db.session.scalar(
            select(Announcement).where(Announcement.announces_state == "voting_closed")
        )
        closed_news.created_at = closed_news.published_at = utcnow() - timedelta(days=1)
        db.session.commit()
    auth.login(facilitator)
    move(client, "voting")
    client.post(
        f"{EVENT}/announcements", data={"title": "Voting reopened until Friday", "body": ""}
    )
    move(client, "voting_closed")
    assert news_titles(client)[:2] == [
        "GovBarCamp 2026: Voting has closed",
        "Voting reopened until Friday",
    ]
    feed = feedparser.parse(client.get(f"{EVENT}/news.atom").data)
    closed = feed.entries[0]
    assert closed.title == "GovBarCamp 2026: Voting has closed"
    assert closed.updated_parsed > closed.published_parsed  # the same entry, brought up again
    assert feed.feed.updated == closed.updated


def test_going_back_to_drafting_takes_back_registration_news(
    app, client, auth, create_event, facilitator
):
    create_event(state="registration")
    auth.login(facilitator)
    move(client, "proposal")
    assert news_titles(client) == []
    assert "Back to drafting" not in client.get(EVENT).get_data(as_text=True)
    assert feed_titles(client) == []


def test_the_same_move_twice_moves_and_announces_once(app, client, auth, create_event, facilitator):
    create_event(state="voting")
    auth.login(facilitator)
    assert move(client, "voting_closed").status_code == 303
    assert move(client, "voting_closed").status_code == 303
    assert "already at “Voting closed”" in client.get(EVENT).get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(Announcement.id)).where(
                    Announcement.announces_state == "voting_closed"
                )
            )
            == 1
        )


# Cancelling an RSVP --------------------------------------------------------------------


@pytest.fixture
def rsvp(app):
    """Return a function that RSVPs a household (adults, then children's names) as ``user``."""

    def factory(user, adults=1, children=()):
        with app.test_request_context("/", method="POST"):
            outcome = rsvps.save_rsvp(
                events.find_event(SLUG),
                db.session.get(User, user.id),
                rsvps.RsvpDetails(
                    adults=adults,
                    children=[rsvps.ChildDetails(name, "5-8") for name in children],
                    accepted_conduct=True,
                ),
            )
            db.session.commit()
            return outcome.message

    return factory


def status_of(app, user) -> str:
    with app.app_context():
        return db.session.scalar(select(Rsvp.status).where(Rsvp.user_id == user.id))


@pytest.mark.parametrize(
    ("waiting", "expected"),
    [
        ([], "Your 4 places become free for the next household that RSVPs."),
        ([1], "Your 4 places go to the 1 household waiting."),
        ([1, 2], "Your 4 places go to the 2 households waiting."),
        ([3, 2], "Your 4 places go to the first of the 2 households waiting."),
        ([5, 1], "the first of the 2 households waiting needs 5 places, so nobody moves up yet."),
    ],
)
def test_cancelling_an_rsvp_asks_first_and_says_where_the_places_go(
    app, client, auth, create_event, create_user, rsvp, waiting, expected
):
    create_event(state="registration", capacity=4)
    ann = create_user("ann", display_name="Ann")
    rsvp(ann, adults=2, children=["Maya", "Sam"])
    for n, size in enumerate(waiting):
        rsvp(create_user(f"waiting{n}"), adults=size)
    auth.login(ann)
    link, dialog = confirm_link(page(client.get(EVENT)), "Cancel RSVP")
    assert link.get("href") == f"{EVENT}/rsvp/cancel"
    assert expected in dialog.text

    question = asked(client, link)
    assert question.heading == "Cancel your RSVP?"
    assert expected in question.text
    assert "2 adults and 2 children: Maya, Sam" in question.text
    assert question.action == f"{EVENT}/rsvp/cancel"
    assert question.back_label == "No, keep our RSVP"
    client.get(question.back)
    assert status_of(app, ann) == "confirmed"

    assert do(client, question).status_code == 303
    assert status_of(app, ann) == "cancelled"


def test_a_waiting_household_is_told_it_leaves_the_list(
    app, client, auth, create_event, create_user, rsvp
):
    create_event(state="registration", capacity=2)
    rsvp(create_user("ann"), adults=2)
    rsvp(create_user("bob"), adults=1)
    cat = create_user("cat")
    rsvp(cat, adults=1, children=["Ivy"])
    auth.login(cat)
    question = asked(client, page(client.get(EVENT)).find("a", text="Cancel RSVP"))
    assert "(1 adult and 1 child: Ivy) leaves the waiting list, where it is number 2" in (
        question.text
    )


def test_nothing_to_cancel_goes_back_to_the_event(client, auth, create_event, participant):
    create_event(state="registration")
    auth.login(participant)
    response = client.get(f"{EVENT}/rsvp/cancel")
    assert response.status_code == 303
    assert "You have no RSVP to cancel." in client.get(EVENT).get_data(as_text=True)


# Deleting ------------------------------------------------------------------------------


def test_deleting_a_page_asks_first(app, client, auth, participant, facilitator):
    auth.login(participant)
    client.post("/-/new", data={"title": "Picnic", "body": "Blankets", "action": "save"})
    client.post("/-/new", data={"title": "Food", "body": "See [[Picnic]]", "action": "save"})
    auth.logout()
    assert client.get("/wiki/picnic/-/delete").status_code == 302  # log in first
    auth.login(participant)
    assert client.get("/wiki/picnic/-/delete").status_code == 403
    assert page(client.get("/wiki/picnic")).find("a", text="Delete page") is None
    auth.logout()
    auth.login(facilitator)
    link, _ = confirm_link(page(client.get("/wiki/picnic")), "Delete page")
    question = asked(client, link)
    assert question.heading == "Delete “Picnic”?"
    assert "disappears for everyone but facilitators" in question.text
    assert "1 other page links to it; that link leads nowhere until it is restored." in (
        question.text
    )
    assert "a facilitator can restore it" in question.text
    client.get(question.back)
    with app.app_context():
        assert pages.find_page("picnic") is not None
    assert do(client, question).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Page).where(Page.slug == "picnic")).is_deleted


def test_deleting_an_attachment_asks_first(app, client, auth, participant, facilitator):
    from tests.test_attachments import png

    with app.app_context():
        author = db.session.get(User, participant.id)
        made = pages.create_page("Map", "Here", author).page
        attachment = attachments.upload(made, "map.png", png(), author).attachment
        attachments.upload(made, "map.png", png(2, 2), author)
        db.session.commit()
        attachment_id = attachment.id
    auth.login(facilitator)
    link, dialog = confirm_link(page(client.get("/wiki/map/-/attachments")), "Delete map.png")
    assert link.get("href") == f"/-/attachments/{attachment_id}/delete"
    question = asked(client, link)
    assert question.heading == "Delete “map.png”?"
    assert "a page that shows it shows a missing picture" in question.text
    assert "Its 2 versions are kept" in question.text
    client.get(question.back)
    assert do(client, question).status_code == 303
    with app.app_context():
        assert db.session.get(attachments.Attachment, attachment_id).is_deleted


# Declining a pitch ---------------------------------------------------------------------


@pytest.fixture
def dotted_pitch(create_event, create_user, create_pitch, vote):
    """Return the id of a pitch in voting with two dots from one voter."""
    event = create_event(state="voting")
    host = create_user("host", display_name="Hannah Host")
    pitch = create_pitch(event, host, title="Den building")
    vote(create_user("val", display_name="Val"), pitch, n=2)
    return pitch.id


def test_declining_a_pitch_asks_first_with_the_reason(app, client, auth, dotted_pitch, facilitator):
    auth.login(facilitator)
    url = f"{EVENT}/pitches/{dotted_pitch}"
    link, dialog = confirm_link(page(client.get(url)), "Decline session…")
    assert dialog.find("textarea", name="reason") is not None
    question = asked(client, link)
    assert question.heading == "Decline “Den building”?"
    assert "Its 2 dots go back to the 1 voter who placed them, to spend again." in question.text
    assert "it cannot be put back" in question.text
    client.get(question.back)

    refused = client.post(question.action, data={"reason": "   "})
    assert refused.status_code == 422
    again = page(refused)
    assert "Say why the session is declined." in again.find("main").text
    assert "Its 2 dots go back" in again.find("main").text
    with app.app_context():
        assert db.session.get(Pitch, dotted_pitch).is_active

    assert client.post(question.action, data={"reason": "Two of these"}).status_code == 303
    with app.app_context():
        declined = db.session.get(Pitch, dotted_pitch)
        assert declined.status == "declined" and declined.declined_reason == "Two of these"


def test_participants_get_no_decline_button(client, auth, dotted_pitch, participant):
    auth.login(participant)
    url = f"{EVENT}/pitches/{dotted_pitch}"
    assert page(client.get(url)).find("a", href=f"{url}/decline") is None
    assert client.get(f"{url}/decline").status_code == 403


# Hiding reported content -----------------------------------------------------------------


def test_hiding_a_reported_comment_asks_first(
    app, client, auth, dotted_pitch, participant, facilitator
):
    with app.app_context():
        pitch = db.session.get(Pitch, dotted_pitch)
        comment = pitches.add_comment(pitch, db.session.get(User, participant.id), "Rude words")
        db.session.commit()
        comment_id = comment.id
    auth.login(participant)
    client.post(
        "/-/reports",
        data={"target_type": "comment", "target_id": str(comment_id), "reason": "Rude"},
    )
    auth.logout()
    auth.login(facilitator)
    link, dialog = confirm_link(page(client.get("/-/reports/")), "Hide comment…")
    assert dialog.find("textarea", name="note") is not None
    question = asked(client, link)
    assert "hidden from everyone but facilitators; you can show it again" in question.text
    assert "Every open report about it is resolved." in question.text
    client.get(question.back)
    with app.app_context():
        assert not db.session.get(Comment, comment_id).hidden
    assert do(client, question).status_code == 303
    with app.app_context():
        assert db.session.get(Comment, comment_id).hidden
        assert db.session.scalar(select(Report.status)) == "resolved"


def test_merging_a_duplicate_asks_first_and_lets_you_choose_where(
    app, client, auth, dotted_pitch, facilitator
):
    with app.app_context():
        event = events.find_event(SLUG)
        into = pitches.create_pitch(
            event,
            pitches.PitchDetails(title="Den building (again)"),
            db.session.get(User, facilitator.id),
        ).id
        db.session.commit()
    auth.login(facilitator)
    url = f"{EVENT}/pitches/{dotted_pitch}"
    link, dialog = confirm_link(page(client.get(url)), "Merge into another session…")
    assert dialog.find("option", value=str(into)) is not None
    question = asked(client, link)
    assert question.heading == "Merge “Den building” into another session?"
    assert "a merge cannot be undone" in question.text
    assert "Its 2 dots move across, up to 3 dots from one voter on one session" in question.text
    client.get(question.back)
    with app.app_context():
        assert db.session.get(Pitch, dotted_pitch).is_active
    response = client.post(question.action, data={"into": str(into)})
    assert response.status_code == 303 and response.headers["Location"] == f"{EVENT}/pitches/{into}"
    with app.app_context():
        assert db.session.get(Pitch, dotted_pitch).status == "merged"
