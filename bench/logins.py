"""What issue 9's login safety costs: the per-login lookup on every page, and login limits
counted in the database instead of in one worker's memory.

Run from the repository root:

    .venv/bin/python -m bench.logins                 # SQLite
    .venv/bin/python -m bench.logins --db postgres   # a scratch database on 127.0.0.1:5432

Measured in process through Flask's test client on a scratch database migrated to the
newest schema, each row after its warm-ups, in this order in one run:

- the events list, anonymous (the baseline) and logged in: the difference is loading the
  person (one query that also checks their login row is still there: an ended login loads
  nobody) and the header's count of unread notices;
- that lookup alone, against the primary-key load it replaced, each in a fresh session;
- a wrong password through ``POST /-/login`` with the limit counted in memory (``memory://``,
  what each worker did alone before) and in the database (``database://``, the shipped
  default, one upsert per limit checked). The limit is raised so that no request answers
  429, and argon2 runs on its fast test profile, so the limit's share shows.

Each row gives the median and p99 in milliseconds, the SQL statements per request, and the
ratio against its baseline.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from sqlalchemy import event

from bench.live_support import machine_line, percentile, scratch_database

PASSWORD = "correct horse battery"


def _app(database_url: str, storage: str):
    from wiki import create_app, migrations

    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": database_url,
            "ARGON2_PROFILE": "fast-insecure-for-tests",
            "RATELIMIT_STORAGE_URI": storage,
            "LOGIN_RATE_LIMIT": "1000000 per minute",
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        migrations.upgrade(app)
    from wiki.extensions import limiter

    kind = type(limiter.storage).__name__
    assert kind == {"memory://": "MemoryStorage", "database://": "DatabaseStorage"}[storage], kind
    return app


def _ensure_user(app) -> None:
    from wiki.accounts import services as accounts
    from wiki.accounts.models import User
    from wiki.extensions import db

    with app.app_context():
        if db.session.query(User).filter_by(username_key="sam").first() is None:
            accounts.register_user(
                "sam", PASSWORD, invite_code=app.config["INVITE_CODE"], display_name="Sam"
            )
            db.session.commit()


def _measure(app, request, runs: int, warmup: int) -> tuple[list[float], float]:
    """Return the sorted times in ms and the mean statements per request."""
    from wiki.extensions import db

    for _ in range(warmup):
        request()
    statements = 0

    def count(*_args) -> None:
        nonlocal statements
        statements += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    times = []
    try:
        for _ in range(runs):
            started = time.perf_counter()
            request()
            times.append((time.perf_counter() - started) * 1000)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    times.sort()
    return times, statements / runs


def _lookups(app, runs: int, warmup: int) -> list[tuple]:
    """Time loading the person as each request does: by primary key alone (before issue 9)
    and through their login's secret (now), each in a fresh session."""
    from wiki.accounts import services as accounts
    from wiki.accounts.models import User
    from wiki.extensions import db

    with app.test_request_context():
        user = accounts.find_user("sam")
        accounts.start_login(user)
        ident, secret = user.id, user.login_secret
        db.session.commit()
        rows = []
        for name, load in (
            ("load the person by id (before issue 9)", lambda: db.session.get(User, ident)),
            ("load them through their login (now)", lambda: accounts.user_for_login(ident, secret)),
        ):

            def request(load=load):
                assert load() is not None
                db.session.remove()

            rows.append((name, *_measure(app, request, runs, warmup)))
        return rows


def _get(client, path: str):
    def request():
        response = client.get(path)
        assert response.status_code == 200, response.status_code

    return request


def _wrong_password(client):
    def request():
        response = client.post("/-/login", data={"username": "sam", "password": "wrong"})
        assert response.status_code == 422, response.status_code

    return request


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args(argv)

    rows = []
    with scratch_database(args.db) as url:
        # The memory store first: the Limiter is one per process and the last app set it.
        app = _app(url, "memory://")
        _ensure_user(app)
        anonymous = app.test_client()
        logged_in = app.test_client()
        answer = logged_in.post("/-/login", data={"username": "sam", "password": PASSWORD})
        assert answer.status_code == 303, answer.status_code
        pages = {"anonymous": anonymous, "logged in": logged_in}
        for name, client in pages.items():
            times, statements = _measure(app, _get(client, "/events/"), args.runs, args.warmup)
            rows.append((f"GET /events/, {name}", times, statements, 0))
        by_id, by_login = _lookups(app, args.runs, args.warmup)
        rows += [(*by_id, 2), (*by_login, 2)]
        times, statements = _measure(
            app, _wrong_password(app.test_client()), args.runs, args.warmup
        )
        rows.append(("POST /-/login, wrong password, memory://", times, statements, 4))

        app = _app(url, "database://")
        times, statements = _measure(
            app, _wrong_password(app.test_client()), args.runs, args.warmup
        )
        rows.append(("POST /-/login, wrong password, database://", times, statements, 4))

    print(machine_line())
    print(f"database: {args.db}, {args.runs} runs after {args.warmup} warm-ups each\n")
    print(f"| {'request':<44} | median ms | p99 ms | statements | ratio           |")
    print(f"|{'-' * 46}|----------:|-------:|-----------:|-----------------|")
    for index, (name, times, statements, base) in enumerate(rows):
        median = statistics.median(times)
        if index == base:
            ratio = "1.0 (base)"
        else:
            ratio = f"{median / statistics.median(rows[base][1]):.2f}× row {base + 1}"
        print(
            f"| {name:<44} | {median:9.2f} | {percentile(times, 0.99):6.2f} |"
            f" {statements:10.1f} | {ratio:<15} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
