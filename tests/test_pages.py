"""Wiki pages over HTTP: creating, editing, merging, history, moderation, finding things."""

import re

import pytest
from sqlalchemy import select

from wiki.extensions import db
from wiki.pages import services
from wiki.pages.models import Page, Revision

BASE_RE = re.compile(r'name="base_revision" type="hidden" value="(\d+)"')


def create(client, title="Proposal", body="First line\n", **extra):
    data = {"title": title, "body": body, "template": "blank", "action": "save", **extra}
    return client.post("/-/new", data=data)


def edit_form_base(client, slug) -> str:
    return BASE_RE.search(client.get(f"/wiki/{slug}/-/edit").get_data(as_text=True)).group(1)


def save(client, slug, body, base, title=None, summary=""):
    return client.post(
        f"/wiki/{slug}/-/edit",
        data={
            "title": title or "Proposal",
            "body": body,
            "base_revision": base,
            "summary": summary,
            "action": "save",
        },
    )


def current_body(app, slug) -> str:
    with app.app_context():
        return services.find_page(slug).current_revision.body


@pytest.fixture
def logged_in(client, auth, participant):
    """Return a client logged in as a participant."""
    auth.login(participant)
    return client


def test_reading_is_public_and_editing_needs_an_account(client, logged_in, app):
    create(logged_in)
    logged_in.post("/-/logout")
    assert client.get("/wiki/proposal").status_code == 200
    response = client.get("/wiki/proposal/-/edit")
    assert response.status_code == 302 and "/-/login" in response.headers["Location"]


def test_create_page_gives_a_stable_slug(logged_in):
    response = create(logged_in, title="Families & Children: FAQ")
    assert response.status_code == 303
    assert response.headers["Location"] == "/wiki/families-children-faq"


def test_create_with_empty_title_keeps_the_text(logged_in):
    response = create(logged_in, title="", body="My carefully written text")
    assert response.status_code == 422
    assert "My carefully written text" in response.get_data(as_text=True)


def test_markdown_is_rendered_with_wiki_links(logged_in):
    create(logged_in, title="Venue", body="x\n")
    create(
        logged_in,
        body="See [[Venue]] and [[Food plan|the food]].\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    )
    body = logged_in.get("/wiki/proposal").get_data(as_text=True)
    assert '<a class="wikilink" href="/wiki/venue">Venue</a>' in body
    assert (
        '<a class="wikilink-new" title="Create this page" href="/wiki/food-plan">the food</a>'
        in body
    )
    assert "<table>" in body
    assert 'class="prose user-content" hx-disable' in body


def test_red_link_turns_blue_when_the_page_is_created(logged_in):
    create(logged_in, body="[[Venue ideas]]\n")
    assert "wikilink-new" in logged_in.get("/wiki/proposal").get_data(as_text=True)
    missing = logged_in.get("/wiki/venue-ideas")
    assert missing.status_code == 404
    assert 'value="Venue ideas"' in missing.get_data(as_text=True)
    create(logged_in, title="Venue ideas", body="A field with toilets\n")
    assert "wikilink-new" not in logged_in.get("/wiki/proposal").get_data(as_text=True)


def test_missing_page_invites_anonymous_people_to_log_in(client):
    response = client.get("/wiki/nowhere")
    assert response.status_code == 404
    assert "Log in to create it" in response.get_data(as_text=True)


def test_every_save_is_a_revision_with_author_summary_and_size(app, logged_in):
    create(logged_in, body="one\n")
    save(
        logged_in,
        "proposal",
        "one\ntwo\n",
        edit_form_base(logged_in, "proposal"),
        summary="added two",
    )
    with app.app_context():
        revisions = db.session.scalars(select(Revision).order_by(Revision.number)).all()
        assert [r.number for r in revisions] == [1, 2]
        assert revisions[1].summary == "added two"
        assert revisions[1].author.username == "priya"
        assert revisions[1].size_change == 4
        assert revisions[1].parent_id == revisions[0].id


def test_saving_unchanged_text_makes_no_revision(app, logged_in):
    create(logged_in, body="same\n")
    response = save(logged_in, "proposal", "same\n", edit_form_base(logged_in, "proposal"))
    assert response.status_code == 303
    with app.app_context():
        assert services.find_page("proposal").revision_count == 1


def test_crlf_from_browsers_is_stored_as_lf(app, logged_in):
    create(logged_in, body="a\r\nb\r\n")
    assert current_body(app, "proposal") == "a\nb\n"


def test_stale_edit_that_does_not_overlap_is_merged(app, client, logged_in, create_user):
    create(logged_in, body="one\ntwo\nthree\nfour\nfive\nsix\n")
    base = edit_form_base(logged_in, "proposal")
    assert (
        save(logged_in, "proposal", "ONE\ntwo\nthree\nfour\nfive\nsix\n", base).status_code == 303
    )
    response = save(logged_in, "proposal", "one\ntwo\nthree\nfour\nfive\nSIX\n", base)
    assert response.status_code == 303
    assert current_body(app, "proposal") == "ONE\ntwo\nthree\nfour\nfive\nSIX\n"
    assert "both are kept" in logged_in.get("/wiki/proposal").get_data(as_text=True)


def test_overlapping_edit_shows_both_versions_and_keeps_the_text(app, logged_in):
    create(logged_in, body="The venue is TBC.\n")
    base = edit_form_base(logged_in, "proposal")
    save(logged_in, "proposal", "The venue is the village hall.\n", base)
    mine = 'The venue is a farm <with> "toilets" & tents.\n\n  indented  \n'
    response = save(logged_in, "proposal", mine, base)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Edit conflict" in body
    assert "The venue is the village hall." in body
    textarea = re.search(r'<textarea[^>]*name="body"[^>]*>\r?\n(.*?)</textarea>', body, re.S)
    import html

    assert html.unescape(textarea.group(1)) == mine
    assert current_body(app, "proposal") == "The venue is the village hall.\n"
    new_base = BASE_RE.search(body).group(1)
    assert save(logged_in, "proposal", mine, new_base).status_code == 303
    assert current_body(app, "proposal") == services.normalise_text(mine)


def test_history_lists_revisions_and_diff_highlights_words(logged_in):
    create(logged_in, body="We meet in October.\n")
    save(logged_in, "proposal", "We meet in November.\n", edit_form_base(logged_in, "proposal"))
    history = logged_in.get("/wiki/proposal/-/history").get_data(as_text=True)
    assert "#1" in history and "#2" in history
    diff = logged_in.get("/wiki/proposal/-/diff?from=1&to=2").get_data(as_text=True)
    assert "<del>October</del>" in diff and "<ins>November</ins>" in diff


def test_old_revision_can_be_viewed_and_reverted(app, logged_in):
    create(logged_in, body="original\n")
    save(logged_in, "proposal", "vandalised\n", edit_form_base(logged_in, "proposal"))
    old = logged_in.get("/wiki/proposal/-/revisions/1").get_data(as_text=True)
    assert "original" in old and "Restore this version" in old
    assert logged_in.post("/wiki/proposal/-/revisions/1/revert").status_code == 303
    assert current_body(app, "proposal") == "original\n"
    with app.app_context():
        page = services.find_page("proposal")
        assert page.revision_count == 3
        assert page.current_revision.kind == "revert"


def test_rename_leaves_a_redirect(app, logged_in):
    create(logged_in, body="x\n")
    response = logged_in.post("/wiki/proposal/-/rename", data={"title": "Event proposal"})
    assert response.headers["Location"] == "/wiki/event-proposal"
    old = logged_in.get("/wiki/proposal")
    assert old.status_code == 301 and old.headers["Location"] == "/wiki/event-proposal"


def test_rename_onto_an_existing_page_is_refused(logged_in):
    create(logged_in, body="x\n")
    create(logged_in, title="Venue", body="y\n")
    response = logged_in.post("/wiki/proposal/-/rename", data={"title": "Venue"})
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("who", "status"), [("participant", 403), ("facilitator", 303), ("admin", 303)]
)
def test_only_facilitators_delete_pages(request, app, client, auth, who, status, create_user):
    author = create_user("writer")
    auth.login(author)
    create(client, body="x\n")
    client.post("/-/logout")
    auth.login(request.getfixturevalue(who))
    assert client.post("/wiki/proposal/-/delete").status_code == status


def test_deleted_page_is_gone_for_the_public_and_restorable(client, auth, facilitator, participant):
    auth.login(facilitator)
    create(client, body="x\n")
    client.post("/wiki/proposal/-/delete")
    assert "This page is deleted" in client.get("/wiki/proposal").get_data(as_text=True)
    client.post("/-/logout")
    assert client.get("/wiki/proposal").status_code == 404
    auth.login(facilitator)
    client.post("/wiki/proposal/-/restore")
    client.post("/-/logout")
    assert client.get("/wiki/proposal").status_code == 200


def test_protected_page_only_facilitators_edit(client, auth, facilitator, participant):
    auth.login(facilitator)
    create(client, body="x\n")
    client.post("/wiki/proposal/-/protect", data={"protected": "1"})
    client.post("/-/logout")
    auth.login(participant)
    assert client.get("/wiki/proposal/-/edit").status_code == 403
    response = save(client, "proposal", "y\n", "1")
    assert response.status_code == 403
    assert client.post("/wiki/proposal/-/protect", data={"protected": "0"}).status_code == 403


def test_facilitator_hides_a_revision_from_the_public(client, auth, facilitator, participant):
    auth.login(participant)
    create(client, body="nice text\n")
    save(client, "proposal", "ABUSIVE TEXT\n", edit_form_base(client, "proposal"))
    save(client, "proposal", "nice text\n", edit_form_base(client, "proposal"))
    assert client.post("/wiki/proposal/-/revisions/2/hide", data={"reason": "x"}).status_code == 403
    client.post("/-/logout")
    auth.login(facilitator)
    client.post("/wiki/proposal/-/revisions/2/hide", data={"reason": "abuse"})
    assert "ABUSIVE TEXT" in client.get("/wiki/proposal/-/revisions/2").get_data(as_text=True)
    client.post("/-/logout")
    assert "ABUSIVE TEXT" not in client.get("/wiki/proposal/-/revisions/2").get_data(as_text=True)
    assert "ABUSIVE" not in client.get("/wiki/proposal/-/diff?from=1&to=2").get_data(as_text=True)
    assert "Text hidden" in client.get("/wiki/proposal/-/history").get_data(as_text=True)


def test_ticking_a_task_makes_a_revision_by_the_ticker(app, client, auth, participant, create_user):
    auth.login(participant)
    create(client, body="- [ ] Book the venue\n- [ ] Plan toilets\n")
    client.post("/-/logout")
    helper = create_user("sam", display_name="Sam")
    auth.login(helper)
    page = client.get("/wiki/proposal").get_data(as_text=True)
    assert 'aria-label="Tick: Plan toilets"' in page
    with app.app_context():
        base = services.find_page("proposal").current_revision_id
    response = client.post("/wiki/proposal/-/tick", data={"task": "1:1", "base_revision": base})
    assert response.status_code == 303
    assert current_body(app, "proposal") == (
        "- [ ] Book the venue\n- [x] Plan toilets — ticked by Sam\n"
    )
    with app.app_context():
        revision = services.find_page("proposal").current_revision
        assert revision.author.username == "sam"
        assert revision.kind == "tick"
        assert revision.summary == "Ticked: Plan toilets"


def test_anonymous_readers_see_tasks_but_cannot_tick(client, auth, participant):
    auth.login(participant)
    create(client, body="- [ ] Book the venue\n- [x] Find toilets\n")
    client.post("/-/logout")
    page = client.get("/wiki/proposal").get_data(as_text=True)
    assert "task-toggle" not in page
    # Read-only, and each box says what it is (axe-core: form elements need a name).
    boxes = re.findall(r'<input[^>]*type="checkbox"[^>]*>', page)
    assert len(boxes) == 2 and all(" disabled " in box for box in boxes)
    assert 'aria-label="Not done: Book the venue"' in boxes[0]
    assert 'aria-label="Done: Find toilets"' in boxes[1]


def test_backlinks_and_wanted_pages(logged_in):
    create(logged_in, title="Venue", body="[[Proposal]] [[Toilets]]\n")
    create(logged_in, body="[[Toilets]]\n")
    links = logged_in.get("/wiki/proposal/-/links-here").get_data(as_text=True)
    assert ">Venue</a>" in links
    wanted = logged_in.get("/-/wanted").get_data(as_text=True)
    assert "Toilets" in wanted and "2 links" in wanted
    create(logged_in, title="Toilets", body="yes\n")
    assert "Toilets" not in logged_in.get("/-/wanted").get_data(as_text=True)


def test_backlinks_follow_edits(logged_in):
    create(logged_in, title="Venue", body="x\n")
    create(logged_in, body="[[Venue]]\n")
    save(logged_in, "proposal", "no links now\n", edit_form_base(logged_in, "proposal"))
    assert "No pages link here" in logged_in.get("/wiki/venue/-/links-here").get_data(as_text=True)


def test_search_ranks_titles_and_highlights_snippets(logged_in):
    create(logged_in, title="Toilets", body="Portable toilets for the festival.\n")
    create(logged_in, title="Food", body="Food near the toilets block.\n")
    body = logged_in.get("/-/search?q=toilets").get_data(as_text=True)
    assert body.index(">Toilets<") < body.index("Food")
    assert "<mark>toilets</mark>" in body.lower()


def test_search_survives_query_syntax(logged_in):
    create(logged_in, body="hello\n")
    for query in ['"', "AND OR NOT", "a*b(", "toilets' OR 1=1 --", "NEAR(", "<script>"]:
        response = logged_in.get("/-/search", query_string={"q": query})
        assert response.status_code == 200
        assert "<script>" not in response.get_data(as_text=True).split("<main", 1)[1]


def test_search_htmx_returns_only_results(logged_in):
    create(logged_in, body="hello there\n")
    response = logged_in.get("/-/search?q=hello", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="results"')
    assert "HX-Request" in response.headers["Vary"]


def test_deleted_pages_leave_search(client, auth, facilitator):
    auth.login(facilitator)
    create(client, body="findable\n")
    client.post("/wiki/proposal/-/delete")
    assert "No pages mention" in client.get("/-/search?q=findable").get_data(as_text=True)


def test_recent_changes_and_atom_feed(logged_in):
    import feedparser

    create(logged_in, body="x\n")
    save(logged_in, "proposal", "y\n", edit_form_base(logged_in, "proposal"), summary="tweak")
    recent = logged_in.get("/-/recent").get_data(as_text=True)
    assert "/wiki/proposal/-/diff?from=1&amp;to=2" in recent
    feed = logged_in.get("/-/recent.atom")
    assert feed.mimetype == "application/atom+xml"
    parsed = feedparser.parse(feed.data)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.feed.title.endswith("recent changes")
    assert [e.title for e in parsed.entries] == ["Proposal: tweak", "Proposal: Created the page"]
    assert parsed.entries[0].author == "Priya"


def test_feed_is_advertised_on_every_page(client):
    body = client.get("/").get_data(as_text=True)
    assert '<link rel="alternate" type="application/atom+xml"' in body


def test_all_pages_a_to_z(logged_in):
    create(logged_in, title="zebra crossing", body="x\n")
    create(logged_in, title="Apple", body="x\n")
    body = logged_in.get("/-/pages").get_data(as_text=True)
    assert body.index("Apple") < body.index("zebra crossing")


def test_contributions_list_a_persons_edits(logged_in):
    create(logged_in, body="x\n")
    body = logged_in.get("/-/people/priya/contributions").get_data(as_text=True)
    assert "Proposal" in body and "revision 1" in body


def test_discussion_page_per_page(app, logged_in):
    create(logged_in, body="x\n")
    assert "Nobody has started" in logged_in.get("/wiki/proposal/-/discussion").get_data(
        as_text=True
    )
    response = logged_in.post(
        "/wiki/proposal/-/discussion",
        data={"title": "ignored", "body": "Should we move it to October?", "action": "save"},
    )
    assert response.headers["Location"] == "/wiki/talk/proposal"
    talk = logged_in.get("/wiki/talk/proposal").get_data(as_text=True)
    assert "Should we move it to October?" in talk
    assert logged_in.get("/wiki/proposal/-/discussion").headers["Location"] == "/wiki/talk/proposal"


def test_discussion_follows_a_rename(logged_in):
    create(logged_in, body="x\n")
    logged_in.post(
        "/wiki/proposal/-/discussion", data={"title": "t", "body": "hi", "action": "save"}
    )
    logged_in.post("/wiki/proposal/-/rename", data={"title": "Plan"})
    assert logged_in.get("/wiki/plan/-/discussion").headers["Location"] == "/wiki/talk/plan"


def test_preview_renders_without_saving(app, logged_in):
    response = logged_in.post("/-/preview", data={"body": "**bold** [[Nowhere]]"})
    body = response.get_data(as_text=True)
    assert "<strong>bold</strong>" in body and "wikilink-new" in body
    with app.app_context():
        assert db.session.scalar(select(Page)) is None


def test_preview_button_works_without_javascript(logged_in):
    response = logged_in.post(
        "/-/new",
        data={"title": "Draft", "body": "_hello_", "template": "blank", "action": "preview"},
    )
    assert response.status_code == 200
    assert "<em>hello</em>" in response.get_data(as_text=True)


def test_new_page_from_the_proposal_template(app, logged_in):
    form = logged_in.get("/-/new?template=proposal&title=GovBarCamp+2026").get_data(as_text=True)
    assert "## Families and children" in form
    create(logged_in, title="GovBarCamp 2026", body="", template="proposal")
    body = current_body(app, "govbarcamp-2026")
    for heading in [
        "Why",
        "When",
        "Where",
        "Families and children",
        "Facilities",
        "Accessibility",
        "Who is helping",
        "How we will spread the word",
    ]:
        assert f"## {heading}\n" in body
    assert "- [ ] Find and book the venue" in body


def test_too_long_text_is_refused_and_kept(logged_in):
    text = "x" * (services.MAX_BODY + 10)
    response = create(logged_in, body=text)
    assert response.status_code == 422
    assert "the limit is 200,000" in response.get_data(as_text=True)


def test_edit_htmx_post_without_csrf_is_refused(logged_in):
    create(logged_in, body="x\n")
    response = logged_in.post(
        "/wiki/proposal/-/edit",
        data={"title": "Proposal", "body": "y", "base_revision": "1", "action": "save"},
        headers={"HX-Request": "true"},
        csrf=False,
    )
    assert response.status_code == 400


def test_feed_escapes_titles_and_summaries(logged_in):
    import feedparser

    create(logged_in, title="Tents & <Toilets>", body="x\n", summary="<script>alert(1)</script>")
    feed = logged_in.get("/-/recent.atom")
    assert b"<script>" not in feed.data
    parsed = feedparser.parse(feed.data)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.entries[0].title.startswith("Tents & <Toilets>")


def test_editors_are_told_who_saved_in_the_meantime(app, client, auth, participant, create_user):
    auth.login(participant)
    create(client, body="one\n")
    form = client.get("/wiki/proposal/-/edit").get_data(as_text=True)
    base = BASE_RE.search(form).group(1)
    assert 'sse-connect="/wiki/proposal/-/live"' in form and "sse:page-edited" in form
    other = app.test_client()
    other.post(
        "/-/login",
        data={
            "username": create_user("sam", display_name="Sam").username,
            "password": "correct horse battery",
        },
    )
    save(other, "proposal", "two\n", base)
    with app.app_context():
        from wiki.live.models import LiveEvent

        assert db.session.scalar(select(LiveEvent.kind).order_by(LiveEvent.id.desc())) == (
            "page-edited"
        )
    notice = client.get(f"/wiki/proposal/-/edited-since/{base}").get_data(as_text=True)
    assert "Sam just saved this page" in notice
    own = other.get(f"/wiki/proposal/-/edited-since/{base}").get_data(as_text=True)
    assert "just saved" not in own  # your own saves are not news to you
