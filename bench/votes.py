"""How fast campwiki takes dot votes: 50 logged-in voters at once, beside GET /-/health.

Run from the repository root:

    .venv/bin/python -m bench.votes                    # SQLite, 50 voters, 2 gevent workers
    .venv/bin/python -m bench.votes --db postgres      # a scratch PostgreSQL database
    .venv/bin/python -m bench.votes --streams 500      # with 500 live streams open meanwhile

The server is ``gunicorn -c gunicorn.conf.py wsgi:app`` (the project's settings: gevent
workers) on a loopback port and a scratch database migrated with ``flask db upgrade``. Each
voter is a thread with its own keep-alive connection, session cookie and CSRF token; it
alternately adds and takes back a dot (``HX-Request: true``, so the answer is the small
fragment htmx swaps in), moving round the pitches, so no budget ever refuses a vote; a 409
would be counted as a refusal, anything else that is not 200 as an error.

Two kinds of series, each measured for GET /-/health (the yardstick: same server, same
client, same connections) and then for votes:

- **saturated**: every voter sends its next request as soon as the last one is answered,
  which measures the most votes per second the server takes. With 50 voters and no pause,
  latency is simply 50 / throughput (Little's law), so its p99 says little about how a
  voter feels;
- **paced**: every voter pauses 0.5–1.5 x ``--think`` seconds between clicks (about 50
  votes/s in all by default), which is how a room of 50 people voting at once behaves, and
  is the series the latency targets are about.

With ``--streams N``, N Server-Sent Events streams to the event's topic are opened first (in
separate client processes that read everything they are sent), so every vote is also
fanned out to N streams while the voters are measured.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import random
import resource
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field

from bench import live_support as live


@dataclass
class Series:
    name: str
    voters: int
    latencies: list[float] = field(default_factory=list)  # seconds, answered requests only
    errors: int = 0
    refusals: int = 0
    elapsed: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    server_wait: float = 0.0
    started_at: float = 0.0  # time.time() at the start and the end of the series
    ended_at: float = 0.0
    waits: str = ""

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    def ms(self, fraction: float) -> float:
        return live.percentile(sorted(self.latencies), fraction) * 1000

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0


class VoterState:
    """A voter and where it is in its add/remove cycle (kept across series)."""

    def __init__(self, index: int, voter: live.Voter, pitches: list[int]) -> None:
        self.index = index
        self.voter = voter
        self.pitches = pitches
        self.step = 0

    def next_vote(self) -> tuple[int, str]:
        # add p, remove p, add p+1, remove p+1, ...: at most one dot placed at any time.
        pitch = self.pitches[(self.index + self.step // 2) % len(self.pitches)]
        action = "add" if self.step % 2 == 0 else "remove"
        self.step += 1
        return pitch, action


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_series(
    name: str,
    what: str,
    voters: list[VoterState],
    slug: str,
    server: live.Server,
    requests: int,
    duration: float,
    think: float,
    database_url: str = "",
) -> Series:
    """Let every voter send ``what`` ("health" or "vote") until the budget or time runs out."""
    series = Series(name, len(voters))
    lock = threading.Lock()
    left = [requests]
    start = threading.Barrier(len(voters) + 1)
    deadline = [0.0]

    def work(state: VoterState) -> None:
        rng = random.Random(state.index)
        latencies: list[float] = []
        errors = refusals = 0
        start.wait()
        if think:
            time.sleep(rng.uniform(0, think))  # spread the first clicks
        while time.perf_counter() < deadline[0]:
            with lock:
                if left[0] <= 0:
                    break
                left[0] -= 1
            begin = time.perf_counter()
            try:
                if what == "vote":
                    pitch, action = state.next_vote()
                    status, _ = state.voter.vote(slug, pitch, action)
                else:
                    status, _ = state.voter.request("GET", "/-/health")
            except OSError:
                errors += 1
                continue
            took = time.perf_counter() - begin
            if status == 200:
                latencies.append(took)
            elif status == 409:
                refusals += 1
                latencies.append(took)
            else:
                errors += 1
            if think:  # pause, but never past the end of the series
                pause = min(rng.uniform(0.5, 1.5) * think, deadline[0] - time.perf_counter())
                if pause > 0:
                    time.sleep(pause)
        with lock:
            series.latencies.extend(latencies)
            series.errors += errors
            series.refusals += refusals

    threads = [threading.Thread(target=work, args=(state,), daemon=True) for state in voters]
    for thread in threads:
        thread.start()
    sampler = (
        live.PostgresSampler(database_url)
        if database_url.startswith("postgresql")
        else contextlib.nullcontext()
    )
    server_cpu, client_cpu = server.cpu_seconds(), _cpu_self()
    server_wait = server.cpu_wait_seconds()
    series.started_at = time.time()
    began = time.perf_counter()
    deadline[0] = began + duration
    with sampler:
        start.wait()
        for thread in threads:
            thread.join(duration + 60)
    series.elapsed = time.perf_counter() - began
    series.ended_at = time.time()
    if sampler is not None and hasattr(sampler, "summary"):
        series.waits = sampler.summary()
    series.server_cpu = (server.cpu_seconds() - server_cpu) / series.elapsed
    series.client_cpu = (_cpu_self() - client_cpu) / series.elapsed
    series.server_wait = (server.cpu_wait_seconds() - server_wait) / series.elapsed
    return series


def print_table(title: str, rows: list[Series]) -> None:
    print(f"\n{title}")
    print(
        "| series                        | voters | requests | errors | refusals |  req/s |"
        "  p50 ms |  p90 ms |  p99 ms |  max ms | server CPU | CPU wait | client CPU |"
    )
    print(
        "|-------------------------------|-------:|---------:|-------:|---------:|-------:|"
        "--------:|--------:|--------:|--------:|-----------:|---------:|-----------:|"
    )
    for row in rows:
        print(
            f"| {row.name:<29} | {row.voters:>6} | {row.requests:>8} | {row.errors:>6} | "
            f"{row.refusals:>8} | {row.per_second:>6.0f} | {row.ms(0.5):>7.1f} | "
            f"{row.ms(0.9):>7.1f} | {row.ms(0.99):>7.1f} | {row.ms(1.0):>7.1f} | "
            f"{row.server_cpu:>9.0%} | {row.server_wait:>7.0%} | {row.client_cpu:>9.0%} |"
        )


def log_in_all(port: int, site: live.Site, count: int) -> list[VoterState]:
    """Log ``count`` voters in, ten at a time; each keeps its connection."""
    voters = [live.Voter(port, name) for name in site.voters[:count]]
    errors: list[BaseException] = []

    def log_in(voter: live.Voter) -> None:
        try:
            voter.log_in(site.slug)
        except BaseException as error:  # reported below
            errors.append(error)

    for batch in range(0, len(voters), 10):
        threads = [threading.Thread(target=log_in, args=(v,)) for v in voters[batch : batch + 10]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    if errors:
        raise RuntimeError(f"{len(errors)} voters could not log in: {errors[0]}")
    return [VoterState(i, voter, site.pitch_ids) for i, voter in enumerate(voters)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--voters", type=int, default=50, help="concurrent logged-in voters")
    parser.add_argument("--pitches", type=int, default=6, help="pitches the voters move round")
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY (gevent workers)")
    parser.add_argument("--requests", type=int, default=4000, help="at most this many per series")
    parser.add_argument("--duration", type=float, default=15, help="seconds at most per series")
    parser.add_argument(
        "--think",
        default="1,5",
        help="mean pause (s) of the paced series, comma-separated for several; 0 skips them",
    )
    parser.add_argument("--no-saturated", action="store_true", help="skip the saturated series")
    parser.add_argument("--streams", type=int, default=0, help="open this many SSE streams first")
    parser.add_argument("--stream-processes", type=int, default=2, help="client processes for them")
    parser.add_argument("--warmup", type=int, default=2, help="untimed votes per voter first")
    args = parser.parse_args(argv)

    live.raise_open_files()
    print(
        f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, "
        f"{live.machine_line()}"
    )
    print(
        f"Database {args.db}; gunicorn -c gunicorn.conf.py wsgi:app with WEB_CONCURRENCY="
        f"{args.workers} (gevent); {args.voters} voters on {args.pitches} pitches; "
        f"{args.streams} SSE streams; each series at most {args.requests} requests or "
        f"{args.duration:.0f} s"
    )
    wall = time.perf_counter()
    with live.scratch_database(args.db) as url:
        live.migrate(url)
        site = live.seed(url, args.voters, args.pitches)
        with live.gunicorn(url, args.workers) as server:
            voters = log_in_all(server.port, site, args.voters)
            for state in voters:  # warm up: every connection, every code path
                for _ in range(args.warmup):
                    state.voter.vote(site.slug, *state.next_vote())
            pool = None
            if args.streams:
                pool = live.StreamPool(
                    server.port,
                    f"/events/{site.slug}/live",
                    args.streams,
                    args.stream_processes,
                    keep=False,
                    max_seconds=600,
                )
                connected, failed = pool.wait_ready()
                print(f"SSE streams: {connected} connected, {failed} failed")
            first_id = live.latest_live_id(url)
            rows = []
            try:
                plans = []
                if not args.no_saturated:
                    plans += [("saturated", 0.0)]
                for think in (float(t) for t in args.think.split(",") if float(t) > 0):
                    plans += [(f"paced {think:g} s", think)]
                for label, think in plans:
                    for what, name in (("health", "GET /-/health"), ("vote", "POST vote")):
                        rows.append(
                            run_series(
                                f"{name}, {label}",
                                what,
                                voters,
                                site.slug,
                                server,
                                args.requests,
                                args.duration,
                                think,
                                url,
                            )
                        )
            finally:
                if pool is not None:
                    time.sleep(1)  # let the last votes' messages reach every stream
                stream_stats = pool.stop() if pool is not None else None
                for state in voters:
                    state.voter.close()
            published = len(live.live_event_ids(url, first_id, "dots"))
    title = (
        f"Votes over HTTP ({args.db}, gunicorn gevent x{args.workers}, {args.voters} voters, "
        f"{args.streams} SSE streams open)"
    )
    print_table(title, rows)
    for row in rows:
        if row.name.startswith("POST vote"):
            base = next(r for r in rows if r.name == row.name.replace("POST vote", "GET /-/health"))
            print(
                f"{row.name}: {row.per_second / base.per_second:.0%} of the health check's rate; "
                f"p99 {row.ms(0.99):.1f} ms against {base.ms(0.99):.1f} ms"
            )
    print(
        "server CPU: cores the gunicorn workers used (100% = one core); CPU wait: time they spent "
        "runnable but waiting for a CPU that other processes had, per second; client CPU: this "
        "process (the voters)."
    )
    for row in rows:
        if row.waits:
            print(f"PostgreSQL during {row.name}: {row.waits}")
    if stream_stats is not None:
        counts = stream_stats["messages"]
        print(
            f"SSE streams: {stream_stats['streams']} opened, {stream_stats['closed']} closed by "
            f"the server; {published} dots messages published during the series; per stream "
            f"received min {min(counts, default=0)}, median "
            f"{statistics.median(counts) if counts else 0:.0f}, max {max(counts, default=0)}; "
            f"stream clients used {stream_stats['cpu']:.1f} s CPU"
        )
        if stream_stats["closed_at"]:
            when = {}
            for at in stream_stats["closed_at"]:
                name = next(
                    (r.name for r in rows if r.started_at <= at <= r.ended_at + 0.5),
                    "between series",
                )
                when[name] = when.get(name, 0) + 1
            offsets = sorted(at - rows[0].started_at for at in stream_stats["closed_at"])
            print(
                f"SSE streams closed {offsets[0]:.1f} to {offsets[-1]:.1f} s after the first "
                f"series started (the series ran {rows[-1].ended_at - rows[0].started_at:.1f} s)"
            )
            print(
                "SSE streams closed by the server, by series: "
                + "; ".join(f"{n} during {name}" for name, n in when.items())
            )
    print(
        f"Wall time {time.perf_counter() - wall:.0f} s; load average now {os.getloadavg()[0]:.2f}"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
