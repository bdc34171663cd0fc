"""Every route of the URL map, as every role, with hostile input: nothing answers 5xx.

The walker fills each URL parameter with real objects (so views go past their 404s) and, one
parameter at a time, with hostile values: numbers past every integer type, negative numbers,
wrong types, over-long and unusual text. GET routes also get every query parameter the app
reads set to each hostile value; POST routes get every form field any form (or view) reads set
to each, none at all, a file, and plausible values, with a valid CSRF token so the request
reaches the view. A role that a route's login or role check turns away (which runs before
the view) gets only the valid request and one hostile one. Any 5xx, or any exception, is a
failure; the assertion lists every route that gave one.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from werkzeug.routing.converters import NumberConverter
from wtforms.fields import FieldList, FormField
from wtforms.fields.core import UnboundField

from tests.helpers import Auth, Client
from wiki.accounts.models import User
from wiki.auth import ROLE_RANK, Role
from wiki.extensions import db

pytestmark = pytest.mark.slow

# Over-long and unusual at once: accents, an emoji, a right-to-left override, markup.
ODD_AND_LONG = "ünïcødé ✓ 😀 \u202e <b>&amp; " + "x" * 3000
# In an id or number of the path: the edges of 32- and 64-bit integers, and past them.
IN_PATH = ["0", "-1", "2147483647", "2147483648", str(2**63), "9" * 40]
# In any other part of the path: wrong types, over-long and unusual text.
IN_TEXT_PATH = ["abc", "2147483648", ODD_AND_LONG]
# In a query parameter or a form field: numbers go in beside plausible words (a real target
# type, a real format) so that the number reaches the query it would break; text goes
# everywhere at once.
# "²" is a digit to str.isdigit() but not to int(): a check by isdigit alone lets it through.
NUMBERS = ["-1", "2147483648", str(2**63), "1.5", "²"]
TEXTS = [ODD_AND_LONG]
WORDS_IN_QUERY = {"type": "pitch", "template": "proposal", "sort": "dots", "format": "talk"}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
ROLES = ["anonymous", "participant", "facilitator", "admin"]
# Run last for each role: they change what the other routes see, or end the login.
LAST = ("decline", "merge", "delete", "hide", "state", "set_role", "login", "logout", "register")
SOURCE = Path(__file__).resolve().parents[1] / "wiki"
READ_RE = re.compile(r'request\.(args|form|values)\.get\(\s*"([^"]+)"')


def names_read_by_views() -> tuple[set[str], set[str]]:
    """Return the query and form keys the views read straight from the request."""
    query, form = set(), set()
    for path in SOURCE.rglob("*.py"):
        for where, name in READ_RE.findall(path.read_text()):
            (query if where in ("args", "values") else form).add(name)
            if where == "values":
                form.add(name)
    return query, form


def _form_classes(cls=FlaskForm):
    for sub in cls.__subclasses__():
        yield sub
        yield from _form_classes(sub)


def _field_names(form_class, prefix: str = "") -> set[str]:
    names = set()
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        if not isinstance(unbound, UnboundField):
            continue
        if unbound.field_class is FieldList and unbound.args:
            inner = unbound.args[0]
            if isinstance(inner, UnboundField) and inner.field_class is FormField:
                names |= _field_names(inner.args[0], f"{prefix}{name}-0-")
            else:
                names.add(f"{prefix}{name}-0")
        elif unbound.field_class is FormField:
            names |= _field_names(unbound.args[0], f"{prefix}{name}-")
        else:
            names.add(prefix + name)
    return names


def form_field_names() -> set[str]:
    """Return every field name of every form in the app, and every key a view reads."""
    names = set()
    for form_class in _form_classes():
        if form_class.__module__.startswith("wiki."):
            names |= _field_names(form_class)
    names |= names_read_by_views()[1]
    names.discard("csrf_token")
    return names


@dataclass
class World:
    """The real objects valid URL parameters point at."""

    event: str
    pitch: int
    other_pitch: int
    comment: int
    announcement: int
    report: int
    page: str
    revision: int
    attachment: int
    filename: str
    user: int
    username: str
    values: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def world(app: Flask, create_user, create_event, participant, facilitator, admin) -> World:
    """Make one of everything: an event open for voting with pitches, a page, a file..."""
    from wiki.attachments import services as attachments
    from wiki.events import announcements
    from wiki.events import services as events
    from wiki.moderation import services as moderation
    from wiki.pages import services as pages
    from wiki.pitches import services as pitches

    create_event(state="voting")
    host = create_user("hosting", display_name="Hosting")
    with app.test_request_context():
        event = events.find_event("govbarcamp-2026")
        host_user = db.session.get(User, host.id)
        voter = db.session.get(User, participant.id)
        fran = db.session.get(User, facilitator.id)
        pitch = pitches.create_pitch(event, pitches.PitchDetails(title="Picnic"), host_user)
        other = pitches.create_pitch(event, pitches.PitchDetails(title="Pond dipping"), host_user)
        comment = pitches.add_comment(pitch, voter, "When does it start?")
        news = announcements.post_announcement(event, "Doors at nine", "Bring a cup.", fran)
        outcome = pages.create_page("Venue notes", "- [ ] book the hall\n", voter)
        pages.save_page(
            outcome.page,
            "Venue notes",
            "- [ ] book the hall\n- [ ] tea\n",
            voter,
            base_revision_id=outcome.revision.id,
        )
        upload = attachments.upload(outcome.page, "map.png", PNG, voter)
        target = moderation.find_target("pitch", pitch.id, staff=False)
        report = moderation.file_report(target, "Spam?", voter, f"/events/{event.slug}/board")
        db.session.commit()
        page = outcome.page
        return World(
            event=event.slug,
            pitch=pitch.id,
            other_pitch=other.id,
            comment=comment.id,
            announcement=news.id,
            report=report.id,
            page=page.slug,
            revision=page.current_revision_id,
            attachment=upload.attachment.id,
            filename=upload.attachment.filename,
            user=host.id,
            username=host.username,
        )


def valid_parameters(rule, world: World) -> dict[str, str]:
    """Return real values for each of the rule's URL parameters."""
    values = {
        "pitch_id": world.pitch,
        "announcement_id": world.announcement,
        "report_id": world.report,
        "user_id": world.user,
        "id": world.attachment,
        "number": 1,
        "revision_id": world.revision,
        "filename": world.filename,
        "token": "not-a-token",
        "topic": "event:1",
        "username": world.username,
        "kind": "svg",
        "notice_id": 1,
    }
    chosen = {}
    for name in rule.arguments:
        if name == "slug":
            chosen[name] = world.event if rule.rule.startswith("/events") else world.page
        elif rule.endpoint == "static" and name == "filename":
            chosen[name] = "htmx.min.js"
        else:
            chosen[name] = str(values[name])
    return chosen


def build_path(rule, parameters: dict[str, str]) -> str:
    """Fill the rule's placeholders with ``parameters``, quoted as a browser would."""
    path = rule.rule
    for name, value in parameters.items():
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", quote(value, safe="/"), path)
    return path


def plausible_form(world: World) -> dict[str, str]:
    """Return values a real form might send: real ids, sane numbers and words."""
    return {
        "title": "A title",
        "body": "Some words.",
        "summary": "A summary",
        "reason": "A reason",
        "note": "A note",
        "into": str(world.other_pitch),
        "target_type": "pitch",
        "target_id": str(world.pitch),
        "next": "/",
        "action": "add",
        "task": "0:1",
        "base_revision": str(world.revision),
        "to": "voting",
        "role": "participant",
        "adults": "1",
        "dots_per_person": "5",
        "max_dots_per_pitch": "3",
        "capacity": "10",
        "name": "A name",
        "username": "somebody",
        "password": "not the password",
        "min_age": "4",
        "max_age": "9",
        "length_slots": "1",
        "format": "talk",
        "audience": "everyone",
    }


@dataclass
class Walk:
    """The answers that broke the rule, grouped by route."""

    failures: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    sent: int = 0

    def send(self, client: Client, role: str, rule, method: str, path: str, **kwargs) -> None:
        self.sent += 1
        where = f"{method} {rule.rule}"
        try:
            if method == "GET":
                response = client.get(path, **kwargs)
            else:
                response = client.post(path, **kwargs)
        except Exception as error:  # an unhandled exception is a 500 in production
            self.failures[where].append(f"{role}: {path[:120]} raised {error!r:.200}")
            return
        try:
            if response.status_code >= 500:
                self.failures[where].append(f"{role}: {path[:120]} answered {response.status}")
        finally:
            response.close()


def _order(rule) -> tuple[bool, str]:
    return (rule.endpoint.rsplit(".", 1)[-1].endswith(LAST), rule.rule)


def reaches_view(view, role: str) -> bool:
    """Tell whether ``role`` gets past the view's login and role decorators.

    Those run before the view, whatever the URL or form holds; a role they turn away gets
    the valid request and one hostile one, not the whole walk.
    """
    needs_login, needs = False, None
    while view is not None:
        needs_login |= view.__qualname__.startswith("login_required.")
        needs = needs or getattr(view, "required_role", None)
        view = getattr(view, "__wrapped__", None)
    if role == "anonymous":
        return not (needs_login or needs)
    return needs is None or ROLE_RANK[Role(role)] >= ROLE_RANK[needs]


def walk_as(client: Client, role: str, app: Flask, world: World, walk: Walk) -> None:
    """Send every hostile request of the walk to every rule, as one role."""
    query_keys, _ = names_read_by_views()
    form_keys = sorted(form_field_names())
    plausible = plausible_form(world)
    for rule in sorted(app.url_map.iter_rules(), key=_order):
        valid = valid_parameters(rule, world)
        reached = reaches_view(app.view_functions[rule.endpoint], role)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            baseline = {} if method == "GET" else {"data": dict(plausible)}
            walk.send(client, role, rule, method, build_path(rule, valid), **baseline)
            if not reached:
                hostile = {name: IN_PATH[3] for name in valid}
                walk.send(client, role, rule, method, build_path(rule, hostile), **baseline)
                continue
            for name in valid:
                numeric = isinstance(rule._converters[name], NumberConverter)
                for value in IN_PATH if numeric else IN_TEXT_PATH:
                    path = build_path(rule, {**valid, name: value})
                    walk.send(client, role, rule, method, path, **baseline)
            path = build_path(rule, valid)
            if method == "GET":
                for value in NUMBERS + TEXTS:
                    query = {key: value for key in sorted(query_keys)}
                    if value in NUMBERS:
                        query.update(WORDS_IN_QUERY)
                    walk.send(client, role, rule, method, f"{path}?{urlencode(query)}")
                continue
            words = {k: v for k, v in plausible.items() if not v.isdigit()}
            forms = (
                [{}]
                + [{**{key: value for key in form_keys}, **words} for value in NUMBERS]
                + [{key: value for key in form_keys} for value in TEXTS]
            )
            for data in forms:
                walk.send(client, role, rule, method, path, data=data)
            walk.send(
                client, role, rule, method, path, data=forms[2], headers={"HX-Request": "true"}
            )
            upload = {
                **plausible,
                "file": (io.BytesIO(PNG), "x" * 300 + ".png"),
                "picture": (io.BytesIO(b"not an image"), "ünï.png"),
            }
            walk.send(client, role, rule, method, path, data=upload)


def test_no_route_answers_5xx_to_hostile_input(app: Flask, world: World, request):
    """Walk every rule of the URL map, every method, as every role; collect any 5xx."""
    walk = Walk()
    # Everyone logs in first: the walk's own failed logins soon meet the login limit.
    clients = {role: app.test_client() for role in ROLES}
    for role in ROLES[1:]:
        assert Auth(clients[role]).login(request.getfixturevalue(role)).status_code == 303
    for role in ROLES:
        walk_as(clients[role], role, app, world, walk)
    assert walk.sent > 1000
    report = "\n".join(
        f"{where} ({len(found)} answers), e.g. {found[0]}"
        for where, found in sorted(walk.failures.items())
    )
    assert not walk.failures, f"{len(walk.failures)} routes answered 5xx:\n{report}"


def test_the_walk_covers_every_rule_of_the_url_map(app: Flask, world: World):
    """A valid value exists for every URL parameter, so no rule is skipped."""
    for rule in app.url_map.iter_rules():
        path = build_path(rule, valid_parameters(rule, world))
        assert "<" not in path, rule.rule
