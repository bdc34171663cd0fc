"""Dots come back to voters exactly once, however merges, declines and votes interleave.

Voters place and take back dots over real HTTP while a facilitator merges and declines the
sessions they are voting on and some voters delete their accounts. Afterwards every ballot's
``spent`` is the sum of its dots, within its budget, and no voter can place past it.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from tests.helpers import CSRF_RE, PASSWORD
from wiki.accounts.models import Role, User
from wiki.extensions import db
from wiki.pitches.models import Ballot, Dot, Pitch, PitchStatus

pytestmark = pytest.mark.slow

SLUG = "govbarcamp-2026"
VOTERS = 12
VOTES_EACH = 24
PITCHES = 12
BUDGET = 10
PER_PITCH = 3


def logged_in(base_url: str, username: str) -> tuple[requests.Session, str]:
    """Return a session logged in as ``username`` and its CSRF token."""
    session = requests.Session()
    token = CSRF_RE.search(session.get(f"{base_url}/-/login").text).group(1)
    reply = session.post(
        f"{base_url}/-/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert reply.status_code == 303, reply.text[:500]
    return session, token


def ballots_and_dots(app) -> tuple[list[Ballot], dict[int, int], list[tuple[int, str, int]]]:
    """Return every ballot, the sum of each ballot's dots, and each dot with its pitch status."""
    with app.app_context():
        ballots = db.session.scalars(select(Ballot).order_by(Ballot.id)).all()
        sums = dict(
            db.session.execute(
                select(Dot.ballot_id, func.sum(Dot.count)).group_by(Dot.ballot_id)
            ).all()
        )
        dots = db.session.execute(
            select(Dot.count, Pitch.status, Ballot.per_pitch)
            .join(Pitch, Pitch.id == Dot.pitch_id)
            .join(Ballot, Ballot.id == Dot.ballot_id)
        ).all()
        db.session.expunge_all()
        return ballots, {k: int(v) for k, v in sums.items()}, [tuple(row) for row in dots]


@pytest.fixture
def board(create_event, create_user, create_pitch):
    """Return the ids of an event's pitches, open for voting: 10 dots each, 3 on one."""
    event = create_event(state="voting", dots_per_person=BUDGET, max_dots_per_pitch=PER_PITCH)
    host = create_user("host", display_name="Host")
    return [create_pitch(event, host, title=f"Session {n}").id for n in range(PITCHES)]


def test_merges_and_declines_while_voters_vote_keep_every_budget(
    app, live_server, board, create_user
):
    """spent = the sum of the ballot's dots, for every ballot, after the race."""
    base = live_server.url
    names = [f"voter{n}" for n in range(VOTERS)]
    for name in names:
        create_user(name)
    create_user("fran", Role.FACILITATOR)
    voters = {name: logged_in(base, name) for name in names}
    facilitator = logged_in(base, "fran")
    leavers = set(names[:2])
    start = threading.Barrier(VOTERS + 1)

    def vote(name: str) -> list[int]:
        session, token = voters[name]
        chance = random.Random(name)
        codes = []
        start.wait()
        for n in range(VOTES_EACH):
            if name in leavers and n == VOTES_EACH // 2:
                reply = session.post(
                    f"{base}/-/account/delete",
                    data={"password": PASSWORD, "csrf_token": token},
                    allow_redirects=False,
                )
                codes.append(reply.status_code)
                break
            pitch = chance.choice(board)
            action = "remove" if chance.random() < 0.2 else "add"
            reply = session.post(
                f"{base}/events/{SLUG}/pitches/{pitch}/dots",
                data={"action": action, "csrf_token": token},
                headers={"HX-Request": "true"},
            )
            codes.append(reply.status_code)
        return codes

    def facilitate() -> list[int]:
        session, token = facilitator
        codes = []
        start.wait()
        # Merge pairs and decline others, spread across the voting.
        for n in range(0, 8, 2):
            time.sleep(0.15)
            codes.append(
                session.post(
                    f"{base}/events/{SLUG}/pitches/{board[n]}/merge",
                    data={"into": str(board[n + 1]), "csrf_token": token},
                    allow_redirects=False,
                ).status_code
            )
            time.sleep(0.15)
            codes.append(
                session.post(
                    f"{base}/events/{SLUG}/pitches/{board[8 + n // 2]}/decline",
                    data={"reason": "Not this year", "csrf_token": token},
                    allow_redirects=False,
                ).status_code
            )
        return codes

    with ThreadPoolExecutor(VOTERS + 1) as pool:
        running = [pool.submit(vote, name) for name in names]
        managing = pool.submit(facilitate)
        codes = [c for job in running for c in job.result()]
        managed = managing.result()
    assert managed == [303] * 8
    assert set(codes) <= {200, 303, 409}, sorted(set(codes))

    ballots, sums, dots = ballots_and_dots(app)
    assert ballots, "nobody voted"
    wrong = {b.id: (b.spent, sums.get(b.id, 0)) for b in ballots if b.spent != sums.get(b.id, 0)}
    assert not wrong, f"ballots whose spent is not the sum of their dots: {wrong}"
    assert all(0 <= b.spent <= b.budget for b in ballots)
    assert all(count <= per_pitch for count, _, per_pitch in dots)
    assert not [d for d in dots if d[0] and d[1] != PitchStatus.ACTIVE], "dots on closed sessions"

    # And nobody can now place a dot past their budget (a few voters try: each one's dots
    # are their own ballot's business).
    with app.app_context():
        active = db.session.scalars(
            select(Pitch.id).where(Pitch.status == PitchStatus.ACTIVE).order_by(Pitch.id)
        ).all()
    for name in sorted(set(names) - leavers)[:3]:
        session, token = voters[name]
        for pitch in active:
            for _ in range(PER_PITCH):
                session.post(
                    f"{base}/events/{SLUG}/pitches/{pitch}/dots",
                    data={"action": "add", "csrf_token": token},
                    headers={"HX-Request": "true"},
                )
    ballots, sums, _ = ballots_and_dots(app)
    assert all(b.spent == sums.get(b.id, 0) <= BUDGET for b in ballots)
    with app.app_context():
        gone = db.session.scalar(
            select(func.count()).select_from(User).where(User.username.in_(leavers))
        )
    assert gone == 0
