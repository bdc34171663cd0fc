"""The published programme's pages: the grid, the list by time, filters, versions, stars, agenda."""

from __future__ import annotations

import pytest

from tests import dom
from tests.programme_camp import close_voting, move_on_draft, plan_draft, publish_head
from tests.schedule_camp import build_camp
from wiki.events.models import Event
from wiki.extensions import db
from wiki.pitches.models import Pitch
from wiki.schedule import agenda, versions
from wiki.schedule.models import AgendaFeed, AgendaLook, Star


@pytest.fixture
def camp(app, create_user, create_event):
    """Return a camp whose voting is closed, with a greedy plan on its draft, not published."""
    camp = build_camp(app, create_user, create_event)
    with app.app_context():
        db.session.get(Pitch, camp.pitches[2]).tags = "gardening,compost"
        db.session.get(Pitch, camp.pitches[4]).tags = "gardening"
        db.session.commit()
    close_voting(app, camp)
    plan_draft(app, camp)
    return camp


@pytest.fixture
def published(app, camp):
    """Return the camp with v1 published."""
    publish_head(app, camp)
    return camp


def _programme(app, camp, number=None):
    with app.app_context():
        event = db.session.get(Event, camp.event_id)
        version = versions.get(event, number) if number else versions.latest(event)
        return versions.programme(version)


def _free_cell(app, camp, pitch_id):
    """Return a room and session slot where ``pitch_id`` may move (empty, rules kept)."""
    from wiki.schedule import drafts, editor
    from wiki.schedule.solver import validate

    with app.app_context():
        event = db.session.get(Event, camp.event_id)
        problem = editor.built_problem(event)
        doc = drafts.head_doc(drafts.get_draft(event)).for_problem(problem)
        taken = {v for k, v in doc.schedule.items() if k != f"p{pitch_id}"}
        for room in camp.rooms:
            for slot in camp.session_slots:
                cell = (f"r{room}", f"s{slot}")
                if cell == doc.schedule.get(f"p{pitch_id}") or cell in taken:
                    continue
                trial = {**doc.schedule, f"p{pitch_id}": cell}
                if not validate(problem, trial):
                    return room, slot
    raise AssertionError("no free cell")


def _publish_a_move(app, camp, pitch_id):
    room, slot = _free_cell(app, camp, pitch_id)
    move_on_draft(app, camp, pitch_id, room, slot)
    return publish_head(app, camp)


def _cell(page, pitch_id):
    return page.by_id(f"session-{pitch_id}").closest("td")


def _column(page, td):
    """Return the room heading above a grid cell (rowspans above it taken into account)."""
    row = td.closest("tr")
    table = row.closest("table")
    rows = table.find("tbody").find_all("tr")
    occupied: dict[tuple[int, int], bool] = {}
    for r, tr in enumerate(rows):
        c = 0
        for cell in [e for e in tr.children if isinstance(e, dom.Element)]:
            while occupied.get((r, c)):
                c += 1
            span = int(cell.get("rowspan", "1"))
            width = int(cell.get("colspan", "1"))
            for dr in range(span):
                for dc in range(width):
                    occupied[(r + dr, c + dc)] = True
            if cell is td:
                heads = table.find("thead").find_all("th")
                return heads[c].text
            c += width
    raise AssertionError("cell not in its table")


# Before the first version.


def test_before_v1_the_page_says_the_programme_is_not_published(client, camp, auth):
    response = client.get(f"/events/{camp.slug}/schedule")
    assert response.status_code == 200
    page = dom.page(response)
    assert "not published yet" in page.find("main").text
    assert page.find("a", text="Open the draft grid") is None
    auth.login(camp.facilitator)
    page = dom.page(client.get(f"/events/{camp.slug}/schedule"))
    assert page.find("a", text="Open the draft grid").get("href") == (
        f"/events/{camp.slug}/schedule/draft"
    )


def test_before_v1_the_agenda_says_so_too(client, camp, auth):
    auth.login(camp.facilitator)
    response = client.get(f"/events/{camp.slug}/schedule/agenda")
    assert response.status_code == 200
    assert "not published yet" in dom.page(response).find("main").text


def test_the_event_page_links_to_the_programme_once_published(client, camp, app):
    assert "Programme (" not in client.get(f"/events/{camp.slug}").get_data(as_text=True)
    publish_head(app, camp)
    link = dom.page(client.get(f"/events/{camp.slug}")).find("a", text="Programme (v1)")
    assert link.get("href") == f"/events/{camp.slug}/schedule"


# The grid.


def test_the_grid_is_a_table_with_caption_and_scoped_headers(client, published):
    page = dom.page(client.get(f"/events/{published.slug}/schedule"))
    table = page.find("table", class_="ptable")
    assert "rooms across, times down" in table.find("caption").text
    rooms = [th.text for th in table.find("thead").find_all("th", scope="col")]
    assert rooms[0] == "Time" and rooms[1].startswith("Family tent")
    assert "Step-free" in rooms[1] and "Family room" in rooms[1]
    assert "Step-free" not in rooms[3]  # the Meadow
    times = [th.text for th in table.find_all("th", scope="row")]
    assert times[0] == "10:00 – 10:45" and "11:45 – 12:00" in times
    pause = table.find("td", class_="ptable__pause", text="Lunch")
    assert pause.get("colspan") == "3"
    region = page.find("div", class_="programme-scroll")
    assert region.get("tabindex") == "0" and region.get("aria-label")


def test_a_two_slot_session_spans_two_rows(client, app, published):
    page = dom.page(client.get(f"/events/{published.slug}/schedule"))
    session = _programme(app, published).session(published.workshop_id)
    assert len(session.slot_ids) == 2
    assert _cell(page, published.workshop_id).get("rowspan") == "2"
    # The row under it leaves that room out: each row still fills three rooms.
    for tr in page.find("tbody").find_all("tr"):
        cells = [c for c in tr.children if isinstance(c, dom.Element)]
        assert len(cells) in (2, 3, 4)


def test_each_session_links_to_its_pitch_and_sits_in_its_room(client, app, published):
    page = dom.page(client.get(f"/events/{published.slug}/schedule"))
    programme = _programme(app, published)
    for session in programme.sessions:
        td = _cell(page, session.pitch_id)
        link = td.find("a", text=session.title)
        assert link.get("href") == f"/events/{published.slug}/pitches/{session.pitch_id}"
        assert _column(page, td).startswith(programme.room(session.room_id).name)


def test_kid_led_and_family_sessions_are_marked_in_words(client, published):
    page = dom.page(client.get(f"/events/{published.slug}/schedule"))
    kid = page.by_id(f"session-{published.kid_pitch_id}")
    assert "Kid-led" in kid.text and "Family-friendly" in kid.text
    plain = page.by_id(f"session-{published.pitches[0]}")
    assert "Kid-led" not in plain.text


def test_the_page_reads_the_published_version_not_the_draft(client, app, published):
    pitch = published.pitches[0]
    before = _programme(app, published).session(pitch)
    room, slot = _free_cell(app, published, pitch)
    move_on_draft(app, published, pitch, room, slot)
    page = dom.page(client.get(f"/events/{published.slug}/schedule"))
    td = _cell(page, pitch)
    assert (
        td.closest("tr")
        .find("th", scope="row")
        .text.startswith(
            before.starts_at.astimezone(_programme(app, published).zone).strftime("%H:%M")
        )
    )
    assert _column(page, td).startswith(_programme(app, published).room(before.room_id).name)


def test_a_second_version_shows_its_change_log_and_the_first_stays_viewable(client, app, published):
    pitch = published.pitches[0]
    assert _publish_a_move(app, published, pitch) == 2
    page = dom.page(client.get(f"/events/{published.slug}/schedule"))
    changes = page.find("section", class_="programme-changes")
    assert changes.find("h2").text == "What changed in v2"
    line = changes.find("li", text="Session idea 1")
    assert line.find("em").text == "Session idea 1" and "moved from" in line.text
    old = client.get(f"/events/{published.slug}/schedule/v1")
    assert old.status_code == 200
    old_page = dom.page(old)
    notice = old_page.find("p", class_="notice")
    assert notice.text == "This is v1; the current programme is v2 ."
    assert notice.find("a").get("href") == f"/events/{published.slug}/schedule"
    v1 = _programme(app, published, 1).session(pitch)
    td = _cell(old_page, pitch)
    assert (
        td.closest("tr")
        .find("th")
        .text.startswith(v1.starts_at.astimezone(_programme(app, published).zone).strftime("%H:%M"))
    )


def test_the_versions_page_lists_each_with_its_changes(client, app, published):
    _publish_a_move(app, published, published.pitches[0])
    page = dom.page(client.get(f"/events/{published.slug}/schedule/versions"))
    items = page.find_all("li", class_="versions__item")
    assert [i.find("h2").find("a").text for i in items] == ["v2", "v1"]
    assert "by Fatima" in items[0].text
    assert items[0].find("em").text == "Session idea 1"


def test_an_unknown_version_is_a_clear_404(client, published):
    response = client.get(f"/events/{published.slug}/schedule/v7")
    assert response.status_code == 404
    assert "There is no version v7 of this programme." in response.get_data(as_text=True)


def test_titles_in_the_change_log_are_escaped(client, app, camp):
    with app.app_context():
        db.session.get(Pitch, camp.pitches[0]).title = "<b>Bold</b> & *stars*"
        db.session.commit()
    publish_head(app, camp)
    _publish_a_move(app, camp, camp.pitches[0])
    html = client.get(f"/events/{camp.slug}/schedule").get_data(as_text=True)
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt;" in html


# The list by time.


def test_the_list_by_time_has_a_heading_per_time_and_the_room(client, app, published):
    page = dom.page(client.get(f"/events/{published.slug}/schedule"))
    listing = page.find("section", class_="programme-list")
    headings = [h.text for h in listing.find_all("h3", class_="plist__time")]
    assert headings[0] == "10:00 – 10:45"
    programme = _programme(app, published)
    for session in programme.sessions:
        item = listing.find("li", id=f"at-{session.pitch_id}")
        assert programme.room(session.room_id).name in item.find("p", class_="psession__meta").text


def test_on_the_day_what_is_on_now_and_next_comes_first(make_app, create_user, create_event):
    app = make_app()
    camp = build_camp(app, create_user, create_event)
    close_voting(app, camp)
    plan_draft(app, camp)
    publish_head(app, camp)
    programme = _programme(app, camp)
    first = min(s.starts_at for s in programme.sessions)
    client = app.test_client()
    page = dom.page(
        client.get(f"/events/{camp.slug}/schedule", query_string={"at": first.isoformat()})
    )
    now = page.find("section", class_="now-next")
    assert now.find("h2").text == "On now"
    running = {s.title for s in programme.sessions if s.starts_at == first}
    assert running and all(title in now.text for title in running)
    assert (
        dom.page(client.get(f"/events/{camp.slug}/schedule?at=2020-01-01T10:00")).find(
            "section", class_="now-next"
        )
        is None
    )


# Filters.


def _shown(page):
    return {int(e.get("id").split("-")[1]) for e in page.find_all("div", class_="psession")}


def test_filter_kid_led_shows_only_kid_led_sessions_and_keeps_the_box_ticked(client, published):
    response = client.get(f"/events/{published.slug}/schedule?kid_led=1")
    assert response.status_code == 200
    page = dom.page(response)
    assert _shown(page) == {published.kid_pitch_id}
    assert page.find("input", name="kid_led").has("checked")
    assert not page.find("input", name="family").has("checked")
    assert "Showing 1 of" in page.by_id("programme-count").text


def test_filter_family_keeps_family_and_kid_led_sessions(client, app, published):
    page = dom.page(client.get(f"/events/{published.slug}/schedule?family=1"))
    programme = _programme(app, published)
    assert _shown(page) == {s.pitch_id for s in programme.sessions if s.family or s.kid_led}


def test_filter_step_free_leaves_out_the_meadow(client, app, published):
    page = dom.page(client.get(f"/events/{published.slug}/schedule?step_free=1"))
    programme = _programme(app, published)
    meadow = published.rooms[2]
    assert any(s.room_id == meadow for s in programme.sessions)
    assert _shown(page) == {s.pitch_id for s in programme.sessions if s.room_id != meadow}


def test_filter_by_tag_and_room(client, published):
    page = dom.page(client.get(f"/events/{published.slug}/schedule?tag=compost"))
    assert _shown(page) == {published.pitches[2]}
    assert page.find("input", name="tag", value="compost").has("checked")
    assert not page.find("input", name="tag", value="gardening").has("checked")
    page = dom.page(client.get(f"/events/{published.slug}/schedule?tag=gardening"))
    assert _shown(page) == {published.pitches[2], published.pitches[4]}
    room = published.rooms[1]
    page = dom.page(client.get(f"/events/{published.slug}/schedule?room={room}"))
    assert page.find("option", value=str(room)).has("selected")


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("family=banana", "“banana” is not a choice for family-friendly"),
        ("tag=knitting", "No session in this programme is tagged “knitting”."),
        ("room=99999", "There is no room “99999” in this programme."),
        ("room=abc", "There is no room “abc” in this programme."),
    ],
)
def test_unknown_filter_values_answer_400_with_the_page_and_the_value_named(
    client, published, query, named
):
    response = client.get(f"/events/{published.slug}/schedule?{query}")
    assert response.status_code == 400
    page = dom.page(response)
    assert named in page.by_id("filter-errors").text
    assert page.find("table", class_="ptable") is not None


# Stars.


def _stars(app, user_id):
    with app.app_context():
        return {s.pitch_id for s in db.session.query(Star).filter_by(user_id=user_id)}


def test_anonymous_people_are_asked_to_log_in_to_star(client, published):
    page = dom.page(client.get(f"/events/{published.slug}/schedule?family=1"))
    link = page.by_id(f"session-{published.kid_pitch_id}").find("a", class_="star__login")
    assert link.text.startswith("Log in to star")
    assert link.get("href").startswith("/-/login?next=")
    response = client.post(
        f"/events/{published.slug}/schedule/sessions/{published.pitches[0]}/star"
    )
    assert response.status_code == 302 and "/-/login" in response.headers["Location"]


def test_star_and_unstar_without_javascript_come_back_to_the_same_place(
    client, app, auth, published
):
    voter = published.voters[0]
    auth.login("voter1x0")
    pitch = published.pitches[0]
    page = dom.page(client.get(f"/events/{published.slug}/schedule?family=0&step_free=1"))
    form = page.by_id(f"star-grid-{pitch}")
    button = form.find("button")
    assert button.text.startswith("☆ Star") and button.get("aria-pressed") == "false"
    response = client.post(form.get("action"), data=form.form_fields())
    assert response.status_code == 303
    assert response.headers["Location"] == (
        f"/events/{published.slug}/schedule?family=0&step_free=1#session-{pitch}"
    )
    assert _stars(app, voter) == {pitch}
    page = dom.page(client.get(response.headers["Location"]))
    form = page.by_id(f"star-list-{pitch}")
    assert form.find("button").get("aria-pressed") == "true"
    assert form.find("button").text.startswith("★ Starred")
    response = client.post(form.get("action"), data=form.form_fields())
    assert response.headers["Location"].endswith(f"#at-{pitch}")
    assert _stars(app, voter) == set()


def test_star_with_htmx_answers_the_button_and_its_twin(client, app, auth, published):
    auth.login("voter1x0")
    pitch = published.pitches[0]
    page = dom.page(client.get(f"/events/{published.slug}/schedule"))
    form = page.by_id(f"star-grid-{pitch}")
    assert form.get("hx-post") == form.get("action") and form.get("hx-target") == "this"
    response = client.post(
        form.get("action"), data=form.form_fields(), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    forms = dom.top_level(response.get_data(as_text=True))
    assert [f.get("id") for f in forms] == [f"star-grid-{pitch}", f"star-list-{pitch}"]
    assert forms[1].get("hx-swap-oob") == "true"
    assert all(f.find("button").get("aria-pressed") == "true" for f in forms)
    assert forms[0].find("button").get("id") == f"star-button-grid-{pitch}"
    assert _stars(app, published.voters[0]) == {pitch}


def test_a_session_of_another_event_cannot_be_starred(client, app, auth, published, create_event):
    other = create_event("Other Camp", state="voting")
    auth.login("voter1x0")
    response = client.post(f"/events/{other.slug}/schedule/sessions/{published.pitches[0]}/star")
    assert response.status_code == 404
    assert _stars(app, published.voters[0]) == set()


def test_a_declined_session_cannot_be_starred(client, app, auth, published):
    from wiki.pitches.models import PitchStatus

    with app.app_context():
        db.session.get(Pitch, published.pitches[1]).status = PitchStatus.DECLINED
        db.session.commit()
    auth.login("voter1x0")
    response = client.post(
        f"/events/{published.slug}/schedule/sessions/{published.pitches[1]}/star"
    )
    assert response.status_code == 422
    assert "not in this event's programme" in dom.page(response).find("main").text
    assert _stars(app, published.voters[0]) == set()


# My agenda.


def test_anonymous_agenda_redirects_to_login(client, published):
    response = client.get(f"/events/{published.slug}/schedule/agenda")
    assert response.status_code == 302 and "/-/login" in response.headers["Location"]


def test_the_agenda_says_why_each_session_is_mine(client, auth, published):
    auth.login("parent1")
    page = dom.page(client.get(f"/events/{published.slug}/schedule/agenda"))
    kid = page.by_id(f"mine-{published.kid_pitch_id}")
    assert "Kit leads it" in kid.find("p", class_="agenda__why").text
    assert (
        kid.find("a", text="Dinosaur facts")
        .get("href")
        .endswith(f"/pitches/{published.kid_pitch_id}")
    )
    assert "Kid-led" in kid.text


def _star_pair_at_one_time(app, camp, user_id):
    with app.app_context():
        from wiki.accounts.models import User

        event = db.session.get(Event, camp.event_id)
        user = db.session.get(User, user_id)
        programme = versions.programme(versions.latest(event))
        mine = agenda.reasons_for(event, user)
        by_slot = {}
        for s in programme.sessions:
            if s.pitch_id not in mine:
                by_slot.setdefault(s.slot_ids[0], []).append(s)
        pair = next(v for v in by_slot.values() if len(v) >= 2)[:2]
        for s in pair:
            agenda.star(event, user, db.session.get(Pitch, s.pitch_id))
        db.session.commit()
        return pair


def test_a_clash_is_explained_at_the_top_and_marked_on_the_items(client, app, auth, published):
    pair = _star_pair_at_one_time(app, published, published.hosts[2])
    auth.login("host1x2")
    page = dom.page(client.get(f"/events/{published.slug}/schedule/agenda"))
    clashes = page.find("section", class_="agenda-clashes")
    assert clashes is not None
    line = clashes.find("li", text=pair[0].title)
    assert "pick one" in line.text or "needed" in line.text
    assert line.find("em") is not None
    for s in pair:
        item = page.by_id(f"mine-{s.pitch_id}")
        assert "agenda__item--clash" in item.get("class")
        assert "Clashes with another of yours." in item.text
        assert item.find("button", text="★ Starred") is not None


def test_what_changed_since_my_last_look_shows_once(client, app, auth, published):
    auth.login("host1x0")  # hosts the first session
    page = dom.page(client.get(f"/events/{published.slug}/schedule/agenda"))
    assert page.find("section", class_="agenda-changed") is None
    _publish_a_move(app, published, published.pitches[0])
    page = dom.page(client.get(f"/events/{published.slug}/schedule/agenda"))
    changed = page.find("section", class_="agenda-changed")
    assert changed.find("h3").text == "In v2"
    assert changed.find("em").text == "Session idea 1"
    again = dom.page(client.get(f"/events/{published.slug}/schedule/agenda"))
    assert again.find("section", class_="agenda-changed") is None
    with app.app_context():
        look = db.session.query(AgendaLook).filter_by(user_id=published.hosts[0]).one()
        assert look.seen_version == 2


def test_the_feed_reset_gives_a_new_address_and_says_the_old_one_stops(
    client, app, auth, published
):
    auth.login("voter1x0")
    client.get(f"/events/{published.slug}/schedule/agenda")
    with app.app_context():
        old = db.session.query(AgendaFeed).filter_by(user_id=published.voters[0]).one().token
    response = client.post(f"/events/{published.slug}/schedule/agenda/feed/reset")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/schedule/agenda#feed")
    page = dom.page(client.get(response.headers["Location"]))
    assert "the old one has stopped working" in page.find("div", class_="flashes").text
    with app.app_context():
        new = db.session.query(AgendaFeed).filter_by(user_id=published.voters[0]).one().token
    assert new != old


def test_the_agenda_shows_the_feed_address_once_the_feed_route_exists(client, app, auth, published):
    auth.login("voter1x0")
    page = dom.page(client.get(f"/events/{published.slug}/schedule/agenda"))
    field = page.maybe("feed-url")
    if "feeds.personal" not in app.view_functions:
        assert field is None
        return
    with app.app_context():
        token = db.session.query(AgendaFeed).filter_by(user_id=published.voters[0]).one().token
    assert token in field.get("value") and field.has("readonly")
    assert page.find("label", for_="feed-url") is not None


# Live.


def test_the_page_re_fetches_its_programme_when_a_version_is_published(client, app, published):
    page = dom.page(client.get(f"/events/{published.slug}/schedule?kid_led=1"))
    live = page.by_id("programme")
    assert "sse:programme-published" in live.get("hx-trigger")
    assert live.get("hx-get") == f"/events/{published.slug}/schedule?kid_led=1"
    assert live.closest("div").parent is not None
    source = page.find(sse_connect=True)
    assert source.get("sse-connect") == f"/events/{published.slug}/live"
    _publish_a_move(app, published, published.pitches[0])
    response = client.get(
        live.get("hx-get"), headers={"HX-Request": "true", "X-Programme-Shown": "1"}
    )
    pieces = dom.top_level(response.get_data(as_text=True))
    assert pieces[0].get("id") == "programme"
    status = pieces[0].find("p", id="programme-status")
    assert status.text == "Programme updated to v2." and status.get("hx-swap-oob") == "true"
    assert "What changed in v2" in pieces[0].text
    assert response.headers["Vary"] == "HX-Request" or "HX-Request" in response.headers["Vary"]


def test_a_page_shown_before_v1_reloads_when_v1_is_published(client, app, camp):
    page = dom.page(client.get(f"/events/{camp.slug}/schedule"))
    trigger = page.find(hx_trigger="sse:programme-published")
    publish_head(app, camp)
    response = client.get(
        trigger.get("hx-get"), headers={"HX-Request": "true", "X-Programme-Shown": "0"}
    )
    assert response.status_code == 204 and response.headers["HX-Refresh"] == "true"


def test_in_the_list_a_two_slot_session_says_its_own_end(client, app, published):
    page = dom.page(client.get(f"/events/{published.slug}/schedule"))
    session = _programme(app, published).session(published.workshop_id)
    ends = session.ends_at.astimezone(_programme(app, published).zone).strftime("%H:%M")
    item = page.find("li", id=f"at-{published.workshop_id}")
    assert f"until {ends}" in item.text
