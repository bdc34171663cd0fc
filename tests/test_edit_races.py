"""No edit is ever lost: two people save the same page at the same moment, over real HTTP.

Each race starts both POSTs from their own thread behind a barrier, against the threaded
live server, so the requests really are in flight together; the database must order them.
"""

from __future__ import annotations

import http.cookiejar
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from tests.helpers import CSRF_RE, PASSWORD
from wiki.extensions import db
from wiki.pages.models import Page, Revision, RevisionKind

pytestmark = pytest.mark.slow

RACES = 50
LINES = 12
SAVED = "Your changes are saved."
MERGED = "Your changes did not overlap with theirs, so both are kept."


@dataclass
class Reply:
    """An HTTP answer and when its request started and finished."""

    status: int
    location: str
    text: str
    started: float
    finished: float


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand 3xx answers back as they are, so the test sees the 303 itself."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Browser:
    """One person's browser: its own cookies, its own CSRF token, one request at a time."""

    def __init__(self, base_url: str, user_id: int) -> None:
        self.base_url = base_url
        self.user_id = user_id
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect
        )
        self.token = ""

    def get(self, path: str) -> Reply:
        return self._send(urllib.request.Request(self.base_url + path))

    def post(self, path: str, data: dict[str, str]) -> Reply:
        body = urllib.parse.urlencode({"csrf_token": self.token, **data}).encode()
        return self._send(urllib.request.Request(self.base_url + path, data=body, method="POST"))

    def _send(self, request: urllib.request.Request) -> Reply:
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                status, headers, raw = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx and 5xx
            status, headers, raw = error.code, error.headers, error.read()
        location = urllib.parse.urlsplit(headers.get("Location", "")).path
        return Reply(status, location, raw.decode(), started, time.perf_counter())

    def follow(self, reply: Reply) -> str:
        """Open the page a 303 leads to, as a browser would, and return its HTML."""
        assert reply.status == 303, reply.text[:2000]
        page = self.get(reply.location)
        assert page.status == 200
        return page.text

    def log_in(self, username: str) -> None:
        self.token = CSRF_RE.search(self.get("/-/login").text).group(1)
        reply = self.post("/-/login", {"username": username, "password": PASSWORD})
        assert reply.status == 303, reply.text[:2000]
        self.token = CSRF_RE.search(self.follow(reply)).group(1)


class _FormParser(HTMLParser):
    """Collect the inputs and the body textarea of the form posting to ``action``."""

    def __init__(self, action: str) -> None:
        # convert_charrefs makes html.parser unescape character references exactly once.
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.textarea: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("action") == self.action:
            self.inside = True
        elif self.inside and tag == "input" and attrs.get("name"):
            self.fields.setdefault(attrs["name"], attrs.get("value") or "")
        elif self.inside and tag == "textarea" and attrs.get("name"):
            self.textarea = attrs["name"]
            self.fields[self.textarea] = ""

    def handle_data(self, data):
        if self.textarea is not None:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.inside = False


def editor_form(html: str, action: str) -> dict[str, str]:
    """Return the editor's fields; the body as a browser would submit it."""
    parser = _FormParser(action)
    parser.feed(html)
    parser.close()
    fields = parser.fields
    assert "body" in fields and "base_revision" in fields, html[:2000]
    # Browsers drop the one newline WTForms puts after <textarea>; do the same.
    body = fields["body"]
    fields["body"] = body[2:] if body.startswith("\r\n") else body.removeprefix("\n")
    return fields


def same_text(a: str, b: str) -> bool:
    """Compare two texts, ignoring only the difference between CRLF and LF."""
    return a.replace("\r\n", "\n") == b.replace("\r\n", "\n")


def page_text(number: int, scenario: str) -> list[str]:
    """Return the lines of a fresh page for one race."""
    # Characters HTML must escape, quotes and non-ASCII: the round trip must keep them all.
    return [
        f'Line {k} of {scenario} {number}: tea & <cake>, “quoted” "café"'
        for k in range(1, LINES + 1)
    ]


def with_line(lines: list[str], index: int, text: str) -> str:
    """Return the page's text with one line replaced."""
    changed = list(lines)
    changed[index] = text
    return "\n".join(changed) + "\n"


def create_page(browser: Browser, title: str, body: str) -> str:
    """Create a page through the form; return its slug."""
    data = {"title": title, "body": body, "summary": "", "template": "blank", "action": "save"}
    reply = browser.post("/-/new", data)
    assert reply.status == 303, reply.text[:2000]
    return reply.location.removeprefix("/wiki/")


def race(first: Browser, second: Browser, path: str, data: list[dict[str, str]]) -> list[Reply]:
    """Send both people's POSTs at the same moment and return both replies."""
    barrier = threading.Barrier(2)
    replies: list[Reply | None] = [None, None]
    errors: list[BaseException] = []

    def submit(index: int, browser: Browser) -> None:
        try:
            barrier.wait(timeout=30)
            replies[index] = browser.post(path, data[index])
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=submit, args=pair) for pair in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert not errors, errors
    assert all(replies), "a request did not come back"
    return replies


def overlapped(replies: list[Reply]) -> bool:
    """Tell whether the two requests were in flight at the same time."""
    a, b = replies
    return a.started < b.finished and b.started < a.finished


def revisions_of(app, slug: str) -> list[Revision]:
    """Return the page's revisions, oldest first, read straight from the database."""
    with app.app_context():
        page = db.session.scalar(select(Page).where(Page.slug == slug))
        revisions = db.session.scalars(page.revisions_query()).all()
        db.session.remove()
        return list(reversed(revisions))


def assert_revision_numbers_have_no_gaps(app) -> int:
    """Check that every page's revisions are numbered 1..n and the page points at n."""
    with app.app_context():
        numbers: dict[int, list[int]] = {}
        for page_id, number in db.session.execute(
            select(Revision.page_id, Revision.number).order_by(Revision.page_id, Revision.number)
        ):
            numbers.setdefault(page_id, []).append(number)
        for page in db.session.scalars(select(Page)):
            n = page.revision_count
            assert numbers[page.id] == list(range(1, n + 1)), page.slug
            assert page.current_revision.number == n, page.slug
        db.session.remove()
        return len(numbers)


@pytest.fixture
def people(live_server, create_user) -> tuple[Browser, Browser]:
    """Return two people logged in over HTTP, each in their own browser."""
    browsers = []
    for username in ("ana", "ben"):
        browser = Browser(live_server.url, create_user(username).id)
        browser.log_in(username)
        browsers.append(browser)
    return browsers[0], browsers[1]


def test_simultaneous_edits_of_different_lines_are_both_kept(app, people):
    ana, ben = people
    overlaps = 0
    started = time.perf_counter()
    for number in range(RACES):
        lines = page_text(number, "merge")
        slug = create_page(ana, f"Merge race {number}", "\n".join(lines) + "\n")
        path = f"/wiki/{slug}/-/edit"
        forms = [editor_form(person.get(path).text, path) for person in people]
        assert forms[0]["base_revision"] == forms[1]["base_revision"] != ""
        ana_line, ben_line = f"Ana changed line 2 in race {number}", f"Ben's line 11 #{number}"
        texts = [with_line(lines, 1, ana_line), with_line(lines, LINES - 2, ben_line)]
        data = [
            {**form, "body": text, "action": "save"}
            for form, text in zip(forms, texts, strict=True)
        ]

        replies = race(ana, ben, path, data)

        overlaps += overlapped(replies)
        assert [reply.status for reply in replies] == [303, 303], [r.text[:500] for r in replies]
        flashes = []
        for person, reply in zip(people, replies, strict=True):
            html = person.follow(reply)
            flashes.append(MERGED if MERGED in html else SAVED if SAVED in html else None)
        assert sorted(flashes) == sorted([SAVED, MERGED])
        revisions = revisions_of(app, slug)
        assert [r.number for r in revisions] == [1, 2, 3]
        assert [r.kind for r in revisions] == [
            RevisionKind.CREATE,
            RevisionKind.EDIT,
            RevisionKind.MERGE,
        ]
        # Whoever was told "saved" wrote revision 2; whoever was told "merged", revision 3.
        assert revisions[1].author_id == people[flashes.index(SAVED)].user_id
        assert revisions[2].author_id == people[flashes.index(MERGED)].user_id
        assert revisions[2].parent_id == revisions[1].id
        both = list(lines)
        both[1], both[LINES - 2] = ana_line, ben_line
        assert revisions[-1].body == "\n".join(both) + "\n"
    elapsed = time.perf_counter() - started
    assert assert_revision_numbers_have_no_gaps(app) == RACES
    # The test proves nothing if the two requests never ran at the same time.
    assert overlaps >= RACES // 2
    print(f"\n{RACES} merge races in {elapsed:.1f} s, requests overlapped in {overlaps}")


def test_simultaneous_edits_of_one_line_conflict_and_the_loser_keeps_their_text(app, people):
    ana, ben = people
    overlaps = 0
    winners: Counter[str] = Counter()
    started = time.perf_counter()
    for number in range(RACES):
        lines = page_text(number, "conflict")
        slug = create_page(ben, f"Conflict race {number}", "\n".join(lines) + "\n")
        path = f"/wiki/{slug}/-/edit"
        forms = [editor_form(person.get(path).text, path) for person in people]
        assert forms[0]["base_revision"] == forms[1]["base_revision"] != ""
        texts = [
            with_line(lines, 5, f"Ana's take on line 6 & <b>{number}</b>"),
            with_line(lines, 5, f"Ben's “other” take on line 6 #{number}"),
        ]
        data = [
            {**form, "body": text, "action": "save"}
            for form, text in zip(forms, texts, strict=True)
        ]

        replies = race(ana, ben, path, data)

        overlaps += overlapped(replies)
        statuses = [reply.status for reply in replies]
        assert sorted(statuses) == [303, 409], [r.text[:500] for r in replies]
        won = statuses.index(303)
        lost = 1 - won
        winners[("ana", "ben")[won]] += 1
        assert SAVED in people[won].follow(replies[won])
        revisions = revisions_of(app, slug)
        assert [r.number for r in revisions] == [1, 2]
        assert revisions[-1].body == texts[won]

        conflict = editor_form(replies[lost].text, path)
        assert same_text(conflict["body"], texts[lost])
        assert conflict["base_revision"] == str(revisions[-1].id)
        retry = people[lost].post(path, {**conflict, "action": "save"})
        assert SAVED in people[lost].follow(retry)

        revisions = revisions_of(app, slug)
        assert [r.number for r in revisions] == [1, 2, 3]
        assert [r.kind for r in revisions[1:]] == [RevisionKind.EDIT, RevisionKind.EDIT]
        assert [r.body for r in revisions[1:]] == [texts[won], texts[lost]]
    elapsed = time.perf_counter() - started
    assert assert_revision_numbers_have_no_gaps(app) == RACES
    assert overlaps >= RACES // 2
    print(f"\n{RACES} conflict races in {elapsed:.1f} s, overlapped in {overlaps}, won {winners}")
