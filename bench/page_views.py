"""How fast campwiki shows a page, beside a bare Flask app rendering a template of that size.

Run from the repository root:

    .venv/bin/python -m bench.page_views            # in process, through Flask's test client
    .venv/bin/python -m bench.page_views --http     # and over loopback HTTP under gunicorn

Both apps are measured in the same run, on the same machine, so the ratio between them is
the number to watch; the absolute numbers move with the machine and whatever else it runs.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import os
import platform
import pstats
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
TITLE = "Welcome to the camp"

# About 2 KB of Markdown: headings, lists, tasks, wiki links to pages that exist and one that
# does not (a red link), as a real BarCamp page has.
PAGE_TEXT = """\
# Welcome to the camp

This is the page everyone opens first on the morning of the BarCamp. It says where to go,
what to bring and how the day runs. Anything missing? Edit the page: that is what it is for.

## Getting there

The [[Venue]] is ten minutes' walk from the station. Follow the orange signs from the main
entrance; the lifts are on the left after the reception desk. Step-free access is by the
side door on Mill Lane, which opens at 8:30.

- Trains: every 15 minutes from the city centre, last one back at 23:40.
- Buses: lines 4 and 17 stop outside; the stop is called "Old Mill".
- Bikes: racks in the courtyard, bring a lock.

## The day

Doors open at 9:00, the grid is built together at 9:30 and the first sessions start at
10:15. See the [[Schedule]] for the grid as it fills; it changes all day, so check back.

1. Pitch your session in the opening round: one sentence, no slides.
2. Put your card on the grid where there is room.
3. Go to sessions, leave sessions, start new ones: the law of two feet applies.

## Sessions

Anyone can run a session: a talk, a demo, a discussion, a workshop or a walk. Sessions last
twenty-five minutes with ten minutes between them to change rooms. If your session needs a
projector, say so on the card; the Loft and the Studio have one, the Kitchen does not. Notes
from every session go on a wiki page of their own, linked from the grid, so people who could
not be there can catch up afterwards.

## Food

Lunch is at 13:00 in the hall. Tell the [[Catering]] team about allergies by Thursday.
Vegetarian and vegan options are the default; there is coffee all day.

## Before you come

- [x] Register on the wiki
- [ ] Read the code of conduct
- [ ] Think of one thing you could talk about for twenty minutes
- [ ] Bring a reusable cup

## Questions

Ask on the discussion page, or find a facilitator in an orange T-shirt on the day.
"""

SEED_PAGES = {
    "Venue": "The Old Mill, Mill Lane. Rooms: Hall, Loft, Studio, Kitchen.\n",
    "Schedule": "The grid appears here once the sessions are pitched.\n",
}


@dataclass
class Result:
    """Timings of one measured series of requests."""

    name: str
    latencies: list[float]  # seconds, one per request
    elapsed: float  # wall-clock seconds for the whole series
    size: int  # bytes in one response body
    queries: float | None = None  # SQL statements per request, when counted
    errors: int = 0  # requests that failed (dropped or timed out), left out of latencies

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)] * 1000

    @property
    def per_second(self) -> float:
        return self.requests / self.elapsed


def wiki_config(database_url: str) -> dict:
    """Return settings for campwiki as it would run in production."""
    return {
        "ENV": "production",
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "DATABASE_URL": database_url,
    }


def seed_site(directory: Path) -> tuple[str, str, str]:
    """Migrate a fresh SQLite database and add the pages; return its URL, slug and HTML."""
    from wiki import create_app, migrations
    from wiki.accounts import services as accounts
    from wiki.extensions import db
    from wiki.pages import services as pages

    url = f"sqlite:///{directory / 'bench.sqlite3'}"
    app = create_app({**wiki_config(url), "ARGON2_PROFILE": "fast-insecure-for-tests"})
    with app.app_context():
        migrations.upgrade(app)
    with app.test_request_context():
        author = accounts.register_user(
            "bench", "correct horse battery staple", display_name="Bench", invite_code=""
        )
        for title, body in SEED_PAGES.items():
            pages.create_page(title, body, author)
        outcome = pages.create_page(TITLE, PAGE_TEXT, author)
        db.session.commit()
        slug, html = outcome.page.slug, outcome.revision.html
        db.session.remove()
    app.extensions["campwiki.db"].dispose()
    return url, slug, html


@contextmanager
def counting_queries(engine) -> Iterator[list[int]]:
    """Count the SQL statements the engine runs inside the block."""
    count = [0]

    def on_execute(*_args):
        count[0] += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield count
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


def measure_in_process(
    name: str, client, path: str, warmup: int, requests: int, budget: float, engine=None
) -> Result:
    """Time up to ``requests`` sequential GETs through the test client, after ``warmup``.

    Stops early when ``budget`` seconds have passed, so a busy machine cannot stretch a run.
    """
    response = client.get(path)
    deadline = time.perf_counter() + budget / 4
    for _ in range(warmup):
        if response.status_code != 200 or time.perf_counter() > deadline:
            break
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{name}: {path} answered {response.status_code}")
    size = len(response.get_data())
    latencies = []
    with counting_queries(engine) if engine is not None else nullcontext([0]) as count:
        started = time.perf_counter()
        for _ in range(requests):
            if time.perf_counter() - started > budget:
                break
            begin = time.perf_counter()
            response = client.get(path)
            latencies.append(time.perf_counter() - begin)
            if response.status_code != 200:
                raise RuntimeError(f"{name}: {path} answered {response.status_code}")
        elapsed = time.perf_counter() - started
    queries = count[0] / len(latencies) if engine is not None else None
    return Result(name, latencies, elapsed, size, queries)


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _worker_pids(master: int) -> list[int]:
    return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def _cpu_ticks(pid: int) -> int:
    # utime and stime, fields 14 and 15 of /proc/<pid>/stat (counted after the command name).
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def wait_for_workers(server: subprocess.Popen, workers: int, log, timeout: float = 120) -> None:
    """Wait until gunicorn's workers have loaded the app; raise with its log if it died."""
    deadline = time.monotonic() + timeout
    while not _workers_booted(server.pid, workers):
        if server.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            raise RuntimeError(f"gunicorn did not start:\n{log.read().decode()}")
        time.sleep(0.2)


def _workers_booted(master: int, workers: int) -> bool:
    """Tell whether all workers exist and have gone quiet, i.e. finished importing the app.

    gunicorn listens before its workers have loaded the app, and loading campwiki takes
    seconds on a busy machine: a request sent earlier waits, and would count as slow.
    """
    if not Path("/proc").is_dir():  # not Linux: rely on the probe request alone
        return True
    try:
        pids = _worker_pids(master)
        if len(pids) != workers:
            return False
        before = [_cpu_ticks(pid) for pid in pids]
        time.sleep(1)
        return all(_cpu_ticks(pid) - ticks <= 2 for pid, ticks in zip(pids, before, strict=True))
    except (OSError, ValueError):
        return False


@contextmanager
def gunicorn(
    target: str, env: dict[str, str], workers: int, threads: int, probe: str
) -> Iterator[int]:
    """Serve ``target`` with gunicorn on a loopback port; yield the port once ``probe`` works."""
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "-w",
        str(workers),
        "-k",
        "gthread",
        "--threads",
        str(threads),
        "--no-control-socket",
        "--graceful-timeout",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        target,
    ]
    log = tempfile.TemporaryFile()
    server = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        wait_for_workers(server, workers, log)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", probe)
        if connection.getresponse().status != 200:
            raise RuntimeError(f"{target}: {probe} did not answer 200")
        connection.close()
        yield port
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.seek(0)
        for line in log.read().decode(errors="replace").splitlines():
            if any(level in line for level in ("[WARNING]", "[ERROR]", "[CRITICAL]")):
                print(f"gunicorn ({target}): {line}")
        log.close()


def measure_http(
    name: str, port: int, path: str, warmup: int, requests: int, concurrency: int, budget: float
) -> Result:
    """Time GETs from ``concurrency`` threads, each on its own keep-alive connection.

    Requests not started within ``budget`` seconds are skipped, as in ``measure_in_process``.
    """
    local = threading.local()
    deadline = [0.0]
    errors: list[str] = []

    def get(_index: int) -> tuple[float, int] | None:
        if time.perf_counter() > deadline[0]:
            return None
        if not hasattr(local, "connection"):
            local.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            local.cookie = ""
        headers = {"Cookie": local.cookie} if local.cookie else {}
        begin = time.perf_counter()
        try:
            local.connection.request("GET", path, headers=headers)
            response = local.connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            # Counted and shown, not hidden: the connection is opened afresh next time.
            errors.append(repr(error))
            local.connection.close()
            del local.connection
            return None
        latency = time.perf_counter() - begin
        if response.status != 200:
            raise RuntimeError(f"{name}: {path} answered {response.status}")
        # Keep the session cookie as a browser would, so the CSRF token is made only once.
        cookie = response.getheader("Set-Cookie")
        if cookie:
            local.cookie = cookie.split(";", 1)[0]
        return latency, len(body)

    with ThreadPoolExecutor(concurrency) as pool:
        deadline[0] = time.perf_counter() + budget / 4
        list(pool.map(get, range(warmup)))
        started = time.perf_counter()
        deadline[0] = started + budget
        timings = [timing for timing in pool.map(get, range(requests)) if timing is not None]
        elapsed = time.perf_counter() - started
    if errors:
        print(f"{name}: {len(errors)} requests failed, first: {errors[0]}")
    latencies = [latency for latency, _ in timings]
    return Result(name, latencies, elapsed, timings[-1][1], errors=len(errors))


def print_table(heading: str, wiki: Result, bare: Result) -> None:
    """Print the two results side by side, and how far apart they are."""
    print(f"\n{heading}")
    print(
        f"| {'app':<28} | {'requests':>8} | {'bytes':>6} | {'median ms':>9} | {'p99 ms':>7} "
        f"| {'requests/s':>10} | {'SQL/request':>11} |"
    )
    print(f"|{'-' * 30}|{'-' * 9}:|{'-' * 7}:|{'-' * 10}:|{'-' * 8}:|{'-' * 11}:|{'-' * 12}:|")
    for result in (wiki, bare):
        queries = f"{result.queries:.1f}" if result.queries is not None else "–"
        print(
            f"| {result.name:<28} | {result.requests:>8} | {result.size:>6} "
            f"| {result.median_ms:>9.2f} | {result.p99_ms:>7.2f} | {result.per_second:>10.0f} "
            f"| {queries:>11} |"
        )
    for result in (wiki, bare):
        if result.errors:
            print(f"({result.name}: {result.errors} failed requests not counted above)")
    ratio = bare.per_second / wiki.per_second
    print(f"\nRatio: the bare render serves {ratio:.1f}x the wiki's requests per second ", end="")
    print(f"(wiki = {100 / ratio:.0f}% of bare).")


# Where a page view's time goes; the parts overlap (a lazy load inside a template counts in
# both), and profiling slows Python code more than C code, so read them as rough shares.
BREAKDOWN = {
    "pages.view, the view function": r"pages/views.py:\d+\(view\)$",
    "  render_template (Jinja, and loads it triggers)": r"templating.py:\d+\(render_template\)",
    "  find_page (called twice)": r"pages/services.py:\d+\(find_page\)",
    "  red-link query (missing_link_slugs)": r"\(missing_link_slugs\)",
    "  attachment list (attachments_for)": r"\(attachments_for\)",
    "  ORM lazy loads (revision, author)": r"strategies.py:\d+\(_emit_lazyload\)",
    "SQLAlchemy, all statements": r"orm/session.py:\d+\(_execute_internal\)",
    "  of which SQLite itself (cursor.execute)": r"method 'execute' of 'sqlite3.Cursor'",
    "static_url (file stat + url_for, 5 a page)": r"wiki/templating.py:\d+\(static_url\)",
    "session cookie, open and save": r"flask/sessions.py:\d+\((open|save)_session\)",
    "CSRF token (base.html hx-headers)": r"flask_wtf/csrf.py:\d+\(generate_csrf\)$",
    "Flask-Limiter check": r"\(_check_request_limit\)",
    "Flask-Login user loader": r"login_manager.py:\d+\(_load_user\)",
    "commit after a read (after_request)": r"wiki/database.py:\d+\(commit\)",
}


def profile(client, path: str, requests: int) -> None:
    """Print the share of a page view's time each part takes, from cProfile."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler).stats

    def cumulative(pattern: str) -> float:
        found = re.compile(pattern)
        return sum(
            row[3]
            for (file, line, name), row in stats.items()
            if found.search(f"{file}:{line}({name})")
        )

    whole = cumulative(r"flask/app.py:\d+\(wsgi_app\)")
    print(f"\nWhere {requests} wiki page views spend their time (cProfile, cumulative):")
    print(f"| {'part':<50} | {'share':>6} |")
    print(f"|{'-' * 52}|{'-' * 7}:|")
    for label, pattern in BREAKDOWN.items():
        print(f"| {label:<50} | {cumulative(pattern) / whole:>6.1%} |")


def main(argv: list[str] | None = None) -> None:
    """Measure page views of the wiki and of the bare app and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warmup", type=int, default=200, help="untimed requests first")
    parser.add_argument("--requests", type=int, default=2000, help="timed requests per app")
    parser.add_argument("--http", action="store_true", help="also measure under gunicorn")
    parser.add_argument(
        "--http-requests", type=int, default=1000, help="timed requests per app (--http)"
    )
    parser.add_argument("--budget", type=float, default=20, help="seconds at most per timed series")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (--http)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (--http)")
    parser.add_argument(
        "--concurrency", type=int, default=8, help="client threads, each keep-alive (--http)"
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="break down N wiki views by part"
    )
    args = parser.parse_args(argv)

    from bench.bare_app import create_app as create_bare_app
    from wiki import create_app

    print(
        f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; warm-up {args.warmup}, "
        f"at most {args.requests} timed ({args.http_requests} over HTTP) or {args.budget:.0f} s"
    )
    with tempfile.TemporaryDirectory(prefix="campwiki-bench-") as directory:
        directory = Path(directory)
        url, slug, html = seed_site(directory)
        path = f"/wiki/{slug}"
        print(f"Page: {path}, {len(PAGE_TEXT.encode())} bytes of Markdown, {len(html)} of HTML")

        wiki_app = create_app(wiki_config(url))
        bare_app = create_bare_app(html)
        wiki = measure_in_process(
            "campwiki GET /wiki/<slug>",
            wiki_app.test_client(),
            path,
            args.warmup,
            args.requests,
            args.budget,
            engine=wiki_app.extensions["campwiki.db"],
        )
        bare = measure_in_process(
            "bare Flask + Jinja template",
            bare_app.test_client(),
            path,
            args.warmup,
            args.requests,
            args.budget,
        )
        print_table("In process (Flask test client, one thread, sequential)", wiki, bare)
        if args.profile:
            profile(wiki_app.test_client(), path, args.profile)
        wiki_app.extensions["campwiki.db"].dispose()

        if args.http:
            html_file = directory / "page.html"
            html_file.write_text(html, encoding="utf-8")
            servers: dict[str, tuple[str, dict[str, str]]] = {
                "campwiki GET /wiki/<slug>": (
                    "wsgi:app",
                    {
                        "CAMPWIKI_DATABASE_URL": url,
                        "CAMPWIKI_SECRET_KEY": wiki_config(url)["SECRET_KEY"],
                        "CAMPWIKI_ENV": "production",
                    },
                ),
                "bare Flask + Jinja template": (
                    "bench.bare_app:create_app()",
                    {"BENCH_PAGE_HTML": str(html_file)},
                ),
            }
            results = []
            for name, (target, env) in servers.items():
                with gunicorn(target, env, args.workers, args.threads, path) as port:
                    results.append(
                        measure_http(
                            name,
                            port,
                            path,
                            args.warmup,
                            args.http_requests,
                            args.concurrency,
                            args.budget,
                        )
                    )
            print_table(
                f"Over HTTP (gunicorn -w {args.workers} -k gthread --threads {args.threads}, "
                f"{args.concurrency} keep-alive client threads in this process)",
                *results,
            )


if __name__ == "__main__":
    main()
