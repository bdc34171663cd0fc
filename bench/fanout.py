"""How long a dot vote takes to reach N open live streams (Server-Sent Events).

Run from the repository root:

    .venv/bin/python -m bench.fanout                          # SQLite, 100/500/1000 clients
    .venv/bin/python -m bench.fanout --db postgres --workers 1,2

For each number of clients N, a fresh ``gunicorn -c gunicorn.conf.py wsgi:app`` (the
project's gevent settings, WEB_CONCURRENCY from ``--workers``) serves a scratch database.
N raw-socket SSE clients, shared between ``--processes`` client processes that each read
their sockets with ``selectors``, open ``/events/<slug>/live`` and wait for the ``: connected``
comment. Then one logged-in voter casts ``--votes`` votes through the HTTP vote endpoint,
one every ``--spacing`` seconds, noting ``time.time()`` just before each POST; every client
notes ``time.time()`` when the matching ``event: dots-<pitch>`` message arrives (matched by
its ``id:``, which the database maps back to the vote). Same machine, same clock.

Reported per N: p50/p90/p99/max of (receive - send) over every client and vote, the share
of clients that received every vote, and, to tell the two costs apart, the median over
votes of the first client's and the last client's delay: the first is the path from the
POST through commit to the hub noticing; last minus first is the time to write the message
to N sockets.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import time
from dataclasses import dataclass

from bench import live_support as live


@dataclass
class Row:
    db: str
    workers: int
    clients: int
    connected: int
    votes: int
    vote_errors: int
    delays: list[float]  # seconds, one per (client, vote) received: arrival - send
    read_delays: list[float]  # the same, until the client process read it
    complete: int  # clients that received every vote
    missing: int  # (client, vote) pairs never received
    first: list[float]  # per vote: earliest client's delay
    last: list[float]  # per vote: latest client's delay
    post_ms: list[float]  # per vote: the POST's own response time
    server_cpu: float
    server_wait: float  # seconds per second the workers waited, runnable, for a CPU
    client_cpu: float
    dropped: int  # streams the server closed
    per_vote: list[list[float]]  # per vote: every client's delay

    def ms(self, fraction: float) -> float:
        return live.percentile(sorted(self.delays), fraction) * 1000


def measure(site: live.Site, db: str, workers: int, clients: int, args: argparse.Namespace) -> Row:
    extra = {}
    if args.poll is not None:
        extra["CAMPWIKI_LIVE_POLL_SECONDS"] = str(args.poll)
    with live.gunicorn(site.database_url, workers, extra) as server:
        voter = live.Voter(server.port, site.voters[0])
        voter.log_in(site.slug)
        pitch = site.pitch_ids[0]
        for action in ("add", "remove"):  # warm the vote path in at least one worker
            voter.vote(site.slug, pitch, action)
        pool = live.StreamPool(
            server.port,
            f"/events/{site.slug}/live",
            clients,
            args.processes,
            keep=True,
            max_seconds=300,
        )
        try:
            opening = time.monotonic()
            connected, failed = pool.wait_ready()
            print(
                f"    {connected} streams connected ({failed} failed) in "
                f"{time.monotonic() - opening:.1f} s",
                flush=True,
            )
            time.sleep(0.5)  # let the last streams' opening requests finish
            start_id = live.latest_live_id(site.database_url)
            sends: list[float] = []
            posts: list[float] = []
            errors = 0
            cpu_server, cpu_clients = server.cpu_seconds(), pool.cpu_seconds()
            wait_server = server.cpu_wait_seconds()
            began = time.monotonic()
            for n in range(args.votes):
                slot = began + n * args.spacing
                pause = slot - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                action = "add" if n % 2 == 0 else "remove"
                sent = time.time()
                status, _ = voter.vote(site.slug, pitch, action)
                posts.append((time.time() - sent) * 1000)
                if status != 200:
                    errors += 1
                    continue
                sends.append(sent)
            time.sleep(args.settle)
            elapsed = time.monotonic() - began
            server_cpu = (server.cpu_seconds() - cpu_server) / elapsed
            server_wait = (server.cpu_wait_seconds() - wait_server) / elapsed
            client_cpu = (pool.cpu_seconds() - cpu_clients) / elapsed
        finally:
            results = pool.stop()
            voter.close()
    ids = live.live_event_ids(site.database_url, start_id, "dots")
    if len(ids) != len(sends):
        raise RuntimeError(f"{len(sends)} votes answered 200 but {len(ids)} were published")
    vote_of = {event_id: n for n, event_id in enumerate(ids)}
    delays: list[float] = []
    read_delays: list[float] = []
    per_vote: list[list[float]] = [[] for _ in sends]
    complete = missing = 0
    for received in results["received"]:
        seen = set()
        for event_id, kind, at, read in received:
            n = vote_of.get(event_id)
            if n is None or not kind.startswith("dots") or n in seen:
                continue
            seen.add(n)
            delay = at - sends[n]
            delays.append(delay)
            per_vote[n].append(delay)
            read_delays.append(read - sends[n])
        complete += len(seen) == len(sends)
        missing += len(sends) - len(seen)
    missing += (clients - len(results["received"])) * len(sends)
    return Row(
        db=db,
        workers=workers,
        clients=clients,
        connected=connected,
        votes=len(sends),
        vote_errors=errors,
        delays=delays,
        read_delays=read_delays,
        complete=complete,
        missing=missing,
        first=[min(v) for v in per_vote if v],
        last=[max(v) for v in per_vote if v],
        post_ms=posts,
        server_cpu=server_cpu,
        server_wait=server_wait,
        client_cpu=client_cpu,
        dropped=results["closed"],
        per_vote=per_vote,
    )


def print_table(rows: list[Row]) -> None:
    print(
        "\n| db       | workers | clients | connected | votes | all votes |  p50 ms |  p90 ms |"
        "  p99 ms |  max ms | read p99 | first ms | last ms | POST ms | server CPU | CPU wait |"
        " client CPU |"
    )
    print(
        "|----------|--------:|--------:|----------:|------:|----------:|--------:|--------:|"
        "--------:|--------:|---------:|---------:|--------:|--------:|-----------:|---------:|"
        "-----------:|"
    )
    for row in rows:
        share = row.complete / row.clients if row.clients else 0
        print(
            f"| {row.db:<8} | {row.workers:>7} | {row.clients:>7} | {row.connected:>9} | "
            f"{row.votes:>5} | {share:>9.1%} | {row.ms(0.5):>7.1f} | {row.ms(0.9):>7.1f} | "
            f"{row.ms(0.99):>7.1f} | {row.ms(1.0):>7.1f} | "
            f"{live.percentile(sorted(row.read_delays), 0.99) * 1000:>8.1f} | "
            f"{statistics.median(row.first) * 1000:>8.1f} | "
            f"{statistics.median(row.last) * 1000:>7.1f} | "
            f"{statistics.median(row.post_ms):>7.1f} | "
            f"{row.server_cpu:>9.0%} | {row.server_wait:>7.0%} | {row.client_cpu:>9.0%} |"
        )
    print(
        "\nDelays run from just before the vote's POST to the kernel's receive timestamp of "
        "the message on each client socket (SO_TIMESTAMPNS), so they do not include the client "
        "processes' own scheduling; read p99 is the p99 until the client process read it. "
        "all votes: share of clients that received every vote. first/last: median over votes "
        "of the earliest/latest client's delay. POST: median response time of the vote itself. "
        "CPU: cores used (1.0 = one core) while the votes were sent, by the gunicorn workers "
        "and by the SSE client processes. CPU wait: time the workers spent runnable but waiting "
        "for a CPU (other processes had it), per second."
    )
    for row in rows:
        notes = []
        if row.vote_errors:
            notes.append(f"{row.vote_errors} votes failed")
        if row.missing:
            notes.append(f"{row.missing} (client, vote) messages never arrived")
        if row.dropped:
            notes.append(f"{row.dropped} streams closed by the server")
        if row.connected < row.clients:
            notes.append(f"{row.clients - row.connected} clients never connected")
        if notes:
            print(f"{row.db}, {row.workers} worker(s), {row.clients} clients: " + "; ".join(notes))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite", help="sqlite, postgres, or both: sqlite,postgres")
    parser.add_argument("--clients", default="100,500,1000", help="numbers of SSE clients")
    parser.add_argument("--workers", default="1", help="WEB_CONCURRENCY values, e.g. 1,2")
    parser.add_argument("--votes", type=int, default=20, help="votes per measurement")
    parser.add_argument("--spacing", type=float, default=0.3, help="seconds between votes")
    parser.add_argument("--settle", type=float, default=2.0, help="seconds to wait after the last")
    parser.add_argument("--processes", type=int, default=2, help="SSE client processes")
    parser.add_argument(
        "--poll", type=float, default=None, help="CAMPWIKI_LIVE_POLL_SECONDS for the server"
    )
    parser.add_argument("--detail", action="store_true", help="also print each vote's delays")
    args = parser.parse_args(argv)
    limit = live.raise_open_files()
    print(
        f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, "
        f"{live.machine_line()}; open files limit {limit}"
    )
    print(
        f"{args.votes} votes {args.spacing:g} s apart per measurement; "
        f"{args.processes} SSE client processes; "
        f"LIVE_POLL_SECONDS {args.poll if args.poll is not None else 'default (0.15)'}"
    )
    wall = time.perf_counter()
    rows = []
    for db in args.db.split(","):
        with live.scratch_database(db) as url:
            live.migrate(url)
            site = live.seed(url, voters=1, pitches=2)
            for workers in (int(w) for w in args.workers.split(",")):
                for clients in (int(c) for c in args.clients.split(",")):
                    print(
                        f"  {db}, {workers} worker(s), {clients} clients "
                        f"(load average {os.getloadavg()[0]:.2f})",
                        flush=True,
                    )
                    rows.append(measure(site, db, workers, clients, args))
    print_table(rows)
    if args.detail:
        for row in rows:
            print(f"\nPer vote, {row.db}, {row.workers} worker(s), {row.clients} clients (ms):")
            print("| vote | POST | first | median | last | clients |")
            print("|-----:|-----:|------:|-------:|-----:|--------:|")
            for n, delays in enumerate(row.per_vote):
                if delays:
                    ordered = sorted(delays)
                    print(
                        f"| {n:>4} | {row.post_ms[n]:>4.0f} | {ordered[0] * 1000:>5.0f} | "
                        f"{statistics.median(ordered) * 1000:>6.0f} | {ordered[-1] * 1000:>4.0f} | "
                        f"{len(ordered):>7} |"
                    )
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"Wall time {time.perf_counter() - wall:.0f} s "
        f"(this process {usage.ru_utime + usage.ru_stime:.0f} s CPU); "
        f"load average now {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
