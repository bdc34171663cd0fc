"""Fixtures: an app with a fresh database per test, clients, people of each role."""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.helpers import PASSWORD, Auth, Client, LiveServer
from wiki import create_app
from wiki.accounts import services
from wiki.accounts.models import Role, User
from wiki.database import utcnow
from wiki.extensions import db

PG_URL = os.environ.get("CAMPWIKI_TEST_DATABASE_URL", "")


def _base_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "ARGON2_PROFILE": "fast-insecure-for-tests",
        "RATELIMIT_STORAGE_URI": "memory://",
        "BASE_URL": "http://localhost",
    }


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> Iterator[str]:
    """Migrate one database for the run; tests get copies (SQLite) or truncations (PG)."""
    if PG_URL:
        name = f"campwiki_test_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'template.sqlite3'}"
    from wiki import migrations

    template_app = create_app(_base_config(url))
    with template_app.app_context():
        migrations.upgrade(template_app)
    template_app.extensions["campwiki.db"].dispose()
    yield url
    if PG_URL:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _truncate_all(app: Flask) -> None:
    from wiki.database import Base

    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with app.extensions["campwiki.db"].begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def database_url(migrated_database: str, tmp_path: Path) -> str:
    """Return the URL of a fresh, migrated database for one test."""
    if PG_URL:
        return migrated_database
    copy = tmp_path / "campwiki.sqlite3"
    shutil.copyfile(make_url(migrated_database).database, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def make_app(database_url: str) -> Iterator[Callable[..., Flask]]:
    """Return a factory for apps on this test's database, with extra settings."""
    apps: list[Flask] = []

    def factory(**overrides) -> Flask:
        app = create_app({**_base_config(database_url), **overrides})
        app.test_client_class = Client
        apps.append(app)
        return app

    yield factory
    from wiki.live.hub import stop_hub

    for app in apps:
        stop_hub(app)
        with app.app_context():
            db.session.remove()
    if PG_URL and apps:
        _truncate_all(apps[0])
    for app in apps:
        app.extensions["campwiki.db"].dispose()


@pytest.fixture
def app(make_app) -> Flask:
    """Return the app under test."""
    return make_app()


@pytest.fixture
def client(app: Flask) -> Client:
    """Return a browser-like client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    """Return a runner for the app's command-line tools."""
    return app.test_cli_runner()


@pytest.fixture
def create_user(app: Flask) -> Callable[..., User]:
    """Return a function that creates an account with a role."""

    def factory(username: str = "priya", role: Role = Role.PARTICIPANT, **kwargs) -> User:
        # An address is confirmed unless a test says otherwise (confirmed=False).
        confirmed = kwargs.pop("confirmed", True)
        with app.app_context():
            user = services.register_user(
                username,
                kwargs.pop("password", PASSWORD),
                role=role,
                invite_code=app.config["INVITE_CODE"],
                **kwargs,
            )
            if user.email and confirmed:
                user.email_confirmed_at = utcnow()
            db.session.commit()
            db.session.expunge(user)
            return user

    return factory


@pytest.fixture
def participant(create_user) -> User:
    """Return a participant's account."""
    return create_user("priya", Role.PARTICIPANT, display_name="Priya")


@pytest.fixture
def facilitator(create_user) -> User:
    """Return a facilitator's account."""
    return create_user("fran", Role.FACILITATOR, display_name="Fran")


@pytest.fixture
def admin(create_user) -> User:
    """Return an admin's account."""
    return create_user("olu", Role.ADMIN, display_name="Olu")


@pytest.fixture
def auth(client: Client) -> Auth:
    """Return a helper that logs the client in."""
    return Auth(client)


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """Serve the app over HTTP for browsers and concurrent clients."""
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def create_event(app: Flask, create_user):
    """Return a function that creates an event (by a facilitator) in a given state."""
    from datetime import date, time

    from wiki.events import services as events
    from wiki.events.models import EventState

    made_by: list[User] = []

    def factory(name: str = "GovBarCamp 2026", state: str = "registration", **details):
        if not made_by:
            made_by.append(create_user("organiser", Role.FACILITATOR, display_name="Organiser"))
        fields = {
            "name": name,
            "starts_on": date(2026, 10, 17),
            "starts_time": time(10, 0),
            "ends_on": date(2026, 10, 18),
            "ends_time": time(16, 0),
            **details,
        }
        with app.app_context():
            by = db.session.get(User, made_by[0].id)
            event = events.create_event(events.EventDetails(**fields), by)
            target = list(EventState).index(EventState(state))
            for step in list(EventState)[1 : target + 1]:
                events.change_state(event, step, by)
            db.session.commit()
            db.session.expunge_all()
            return event

    return factory


@pytest.fixture
def create_pitch(app: Flask):
    """Return a function that pitches a session at an event, through the pitch service.

    ``create_pitch(event, host, title=..., **details)``: ``details`` are ``PitchDetails``
    fields (``audience="family"``, ``co_hosts="priya"``, ``child_id=...``).
    """
    from wiki.events.models import Event
    from wiki.pitches import services as pitches
    from wiki.pitches.models import Pitch

    def factory(event: Event, host: User, title: str = "Picnic planning", **details) -> Pitch:
        with app.app_context():
            made = pitches.create_pitch(
                db.session.get(Event, event.id),
                pitches.PitchDetails(title=title, **details),
                db.session.get(User, host.id),
            )
            db.session.commit()
            db.session.expunge(made)
            return made

    return factory


@pytest.fixture
def vote(app: Flask):
    """Return a function that puts dots on a pitch, through the vote service, and commits.

    ``vote(voter, pitch, n=1, as_child=None)``: ``voter`` places ``n`` dots of their own, or
    of the child of their household whose first name is ``as_child``; ``pitch`` is a pitch or
    its id. Returns how many dots the voter now has on the pitch. A refused dot raises
    ``VoteRefused`` as it would in a view.
    """
    from wiki.pitches import services as pitches
    from wiki.pitches import voting
    from wiki.pitches.models import Pitch

    def factory(voter: User, pitch, n: int = 1, as_child: str | None = None) -> int:
        assert n >= 1, "vote places at least one dot"
        with app.test_request_context("/", method="POST"):
            pitch = db.session.get(Pitch, getattr(pitch, "id", pitch))
            event, user = pitch.event, db.session.get(User, voter.id)
            child_id = None
            if as_child is not None:
                [child_id] = [
                    c.id for c in pitches.children_of(event, user) if c.first_name == as_child
                ]
            who = voting.voter_for(event, user, child_id)
            for _ in range(n):
                placed = voting.add_dot(event, pitch, who)
            db.session.commit()
            return placed.on_pitch

    return factory


class Inbox(Message):
    """An SMTP sink that keeps every message it receives."""

    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def free_port() -> int:
    """Return a local port nobody is listening on (for now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_sink():
    """Run a real SMTP server on a free local port and collect what it receives."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()
