"""Shared parts of the live-voting benchmarks (``votes.py``, ``fanout.py``).

- a scratch database: a temporary SQLite file, or a PostgreSQL database created for the run
  and dropped after it; migrated with ``flask db upgrade``;
- an event in the voting state with pitches and voter accounts, made through the services;
- gunicorn started with the project's ``gunicorn.conf.py`` (gevent workers) on a loopback
  port in its own process group, stopped with SIGINT then SIGKILL;
- a logged-in keep-alive HTTP voter (``http.client``, its own cookie and CSRF token);
- Server-Sent Events clients on raw sockets, many per process, driven by ``selectors``.

Everything talks to 127.0.0.1 only, and every wait is bounded.
"""

from __future__ import annotations

import http.client
import os
import re
import resource
import secrets
import selectors
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from bench.page_views import _cpu_ticks, _worker_pids, free_port, wait_for_workers

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-only-" + "y" * 40
PASSWORD = "correct horse battery staple"
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def raise_open_files() -> int:
    """Raise this process's open-files limit to its hard limit; return the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def machine_line() -> str:
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
        f"at {time.strftime('%Y-%m-%d %H:%M:%S %Z')}"
    )


# --- the database ---------------------------------------------------------------------------


@contextmanager
def scratch_database(kind: str) -> Iterator[str]:
    """Yield the URL of an empty database of ``kind`` ("sqlite" or "postgres"); drop it after."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="campwiki-bench-") as directory:
            yield f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        return
    import psycopg

    name = f"campwiki_bench_{secrets.token_hex(4)}"
    admin = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=5"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_env(database_url: str) -> dict[str, str]:
    return {
        "CAMPWIKI_ENV": "production",
        "CAMPWIKI_DATABASE_URL": database_url,
        "CAMPWIKI_SECRET_KEY": SECRET_KEY,
        "CAMPWIKI_ARGON2_PROFILE": "fast-insecure-for-tests",
        # What production runs: limits counted in the app's database, shared by the workers
        # (production refuses memory://). Only failed logins use the limit up.
        "CAMPWIKI_RATELIMIT_STORAGE_URI": "database://",
    }


def migrate(database_url: str) -> None:
    """Bring the database to the newest schema with ``flask db upgrade``."""
    flask = str(Path(sys.executable).parent / "flask")
    subprocess.run(
        [flask, "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env={**os.environ, **server_env(database_url)},
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=120,
    )


@dataclass
class Site:
    """What the seed made: the event, its pitches, and the voters' usernames."""

    database_url: str
    event_id: int
    slug: str
    pitch_ids: list[int]
    voters: list[str]


def seed(database_url: str, voters: int, pitches: int) -> Site:
    """Create an event in the voting state, ``pitches`` pitches and ``voters`` accounts."""
    from datetime import date
    from datetime import time as clock

    from wiki import create_app
    from wiki.accounts import services as accounts
    from wiki.accounts.models import Role
    from wiki.events import services as events
    from wiki.events.models import EventState
    from wiki.extensions import db
    from wiki.live.hub import stop_hub
    from wiki.pitches import services as pitch_services

    app = create_app(
        {
            "ENV": "production",
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": database_url,
            "ARGON2_PROFILE": "fast-insecure-for-tests",
        }
    )
    with app.test_request_context():
        organiser = accounts.register_user(
            "organiser", PASSWORD, display_name="Organiser", role=Role.FACILITATOR
        )
        host = accounts.register_user("host", PASSWORD, display_name="Host")
        names = [f"voter{i:03d}" for i in range(voters)]
        for name in names:
            accounts.register_user(name, PASSWORD, display_name=name.title())
        event = events.create_event(
            events.EventDetails(
                name="Bench camp",
                starts_on=date(2026, 10, 17),
                starts_time=clock(10, 0),
                ends_on=date(2026, 10, 18),
                ends_time=clock(16, 0),
            ),
            organiser,
        )
        for state in list(EventState)[1:]:
            events.change_state(event, state, organiser)
            if state == EventState.VOTING:
                break
        made = [
            pitch_services.create_pitch(
                event,
                pitch_services.PitchDetails(title=f"Bench session {n}", format="discussion"),
                host,
            )
            for n in range(pitches)
        ]
        db.session.commit()
        site = Site(database_url, event.id, event.slug, [p.id for p in made], names)
        db.session.remove()
    stop_hub(app)
    app.extensions["campwiki.db"].dispose()
    return site


def live_event_ids(database_url: str, after: int, kind_prefix: str) -> list[int]:
    """Return the ids of live events newer than ``after`` whose kind starts with the prefix."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT id FROM live_events WHERE id > :after AND kind LIKE :kind ORDER BY id"
                ),
                {"after": after, "kind": kind_prefix + "%"},
            )
            return [row[0] for row in rows]
    finally:
        engine.dispose()


def latest_live_id(database_url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT max(id) FROM live_events")).scalar() or 0
    finally:
        engine.dispose()


# --- the server -----------------------------------------------------------------------------


def _child_setup() -> None:  # runs in the gunicorn child before exec
    raise_open_files()


@dataclass
class Server:
    port: int
    master: int
    workers: int

    def worker_pids(self) -> list[int]:
        try:
            return _worker_pids(self.master)
        except OSError:
            return []

    def cpu_seconds(self) -> float:
        """Return the CPU time (user + system) the workers have used so far."""
        total = 0
        for pid in self.worker_pids():
            try:
                total += _cpu_ticks(pid)
            except (OSError, ValueError):
                pass
        return total / TICK

    def cpu_wait_seconds(self) -> float:
        """Return how long the workers' threads have waited, runnable, for a CPU so far.

        The second field of /proc/<pid>/task/<tid>/schedstat: time on a run queue. On a
        shared machine this is what other jobs' load costs the server.
        """
        return sum(run_queue_seconds(pid) for pid in self.worker_pids())


def run_queue_seconds(pid: int) -> float:
    """Return the time all threads of ``pid`` have spent runnable but not running."""
    total = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                total += int((task / "schedstat").read_text().split()[1])
            except (OSError, ValueError, IndexError):
                pass
    except OSError:
        pass
    return total / 1e9


@contextmanager
def gunicorn(
    database_url: str, workers: int, extra_env: dict[str, str] | None = None
) -> Iterator[Server]:
    """Run ``gunicorn -c gunicorn.conf.py wsgi:app`` on a loopback port until the block ends."""
    port = free_port()
    env = {
        **os.environ,
        **server_env(database_url),
        "PORT": str(port),
        # gunicorn.conf.py binds 0.0.0.0:$PORT; keep the benchmark on loopback.
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        **(extra_env or {}),
    }
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"]
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: we stop master and workers together
        preexec_fn=_child_setup,
    )
    try:
        wait_for_workers(process, workers, log)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(workers * 4):  # wake every worker's engine, bounded
            connection.request("GET", "/-/health")
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"/-/health answered {response.status}")
        connection.close()
        yield Server(port, process.pid, workers)
    finally:
        stop_group(process)
        log.seek(0)
        lines = log.read().decode(errors="replace").splitlines()
        log.close()
        text = "\n".join(lines)
        # SIGINT makes gevent workers print a SystemExit traceback each: only show others.
        if text.count("Traceback") > text.count("SystemExit: 0"):
            lines = lines[-40:]
        else:
            lines = [
                x for x in lines if any(f"[{w}]" in x for w in ("WARNING", "ERROR", "CRITICAL"))
            ]
        for line in lines[-40:]:
            print(f"  gunicorn: {line}")


def stop_group(process: subprocess.Popen, grace: float = 8.0) -> None:
    """Stop a process and its group: SIGINT, then SIGKILL if it is still there after ``grace``."""
    try:
        os.killpg(process.pid, signal.SIGINT)
    except ProcessLookupError:
        pass
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # workers that outlived the master, too
    except ProcessLookupError:
        pass
    if process.poll() is None:
        process.wait(5)


# --- a logged-in voter ----------------------------------------------------------------------

CSRF_FIELD = re.compile(
    rb'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)
CSRF_HEADER = re.compile(rb'"X-CSRFToken": "([^"]+)"')


class Voter:
    """One person in one browser: a keep-alive connection, a session cookie, a CSRF token."""

    def __init__(self, port: int, username: str, timeout: float = 30) -> None:
        self.port = port
        self.username = username
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def request(
        self, method: str, path: str, body: dict | None = None, headers: dict | None = None
    ) -> tuple[int, bytes]:
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, data, sent)
                response = self.connection.getresponse()
                payload = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # gunicorn closed an idle keep-alive connection: reconnect once.
                self.connection.close()
                self.connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=self.timeout
                )
                if attempt == 2:
                    raise
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "expires=Thu, 01 Jan 1970" in header or not value:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return response.status, payload

    def log_in(self, slug: str) -> None:
        status, page = self.request("GET", "/-/login")
        match = CSRF_FIELD.search(page)
        if status != 200 or match is None:
            raise RuntimeError(f"{self.username}: /login answered {status} without a token")
        token = (match.group(1) or match.group(2)).decode()
        status, _ = self.request(
            "POST",
            "/-/login",
            {"username": self.username, "password": PASSWORD, "csrf_token": token, "next": ""},
        )
        if status != 303:
            raise RuntimeError(f"{self.username}: logging in answered {status}")
        status, page = self.request("GET", f"/events/{slug}/board")
        match = CSRF_HEADER.search(page)
        if status != 200 or match is None:
            raise RuntimeError(f"{self.username}: the board answered {status} without a token")
        self.token = match.group(1).decode()

    def vote(self, slug: str, pitch_id: int, action: str) -> tuple[int, bytes]:
        return self.request(
            "POST",
            f"/events/{slug}/pitches/{pitch_id}/dots",
            {"action": action, "csrf_token": self.token},
            {"HX-Request": "true", "X-CSRFToken": self.token},
        )

    def close(self) -> None:
        self.connection.close()


# --- Server-Sent Events clients -------------------------------------------------------------


@dataclass
class Stream:
    """One SSE connection, parsed incrementally: HTTP head, chunked body, SSE fields."""

    sock: socket.socket
    raw: bytearray = field(default_factory=bytearray)
    head_done: bool = False
    status: int = 0
    chunked: bool = False
    chunk_left: int = 0
    text: bytearray = field(default_factory=bytearray)
    fields: dict = field(default_factory=dict)
    connected: bool = False
    closed: bool = False
    closed_at: float = 0.0  # time.time() when the server ended the stream
    messages: int = 0
    # (event id, event name, arrival time, read time) for each event with an event name:
    # arrival is the kernel's receive timestamp of the bytes (SO_TIMESTAMPNS), so a client
    # process that waits for a CPU does not make the server look slow; read is when this
    # process got to them.
    received: list = field(default_factory=list)

    def feed(self, data: bytes, now: float, keep: bool, read: float = 0.0) -> None:
        self.raw += data
        if not self.head_done:
            end = self.raw.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.raw[:end]).decode("latin-1")
            del self.raw[: end + 4]
            self.head_done = True
            self.status = int(head.split(" ", 2)[1])
            self.chunked = "transfer-encoding: chunked" in head.lower()
        if not self.chunked:
            self.text += self.raw
            self.raw.clear()
        else:
            while self.raw:
                if self.chunk_left == 0:
                    end = self.raw.find(b"\r\n")
                    if end < 0:
                        break
                    size = bytes(self.raw[:end]).split(b";")[0].strip()
                    if not size:  # the CRLF that ends the previous chunk
                        del self.raw[: end + 2]
                        continue
                    self.chunk_left = int(size, 16)
                    del self.raw[: end + 2]
                    if self.chunk_left == 0:  # the last chunk: the server ended the stream
                        self.closed = True
                        self.closed_at = read or now
                        break
                take = min(self.chunk_left, len(self.raw))
                self.text += self.raw[:take]
                del self.raw[:take]
                self.chunk_left -= take
        self._parse(now, keep, read or now)

    def _parse(self, now: float, keep: bool, read: float) -> None:
        while True:
            end = self.text.find(b"\n")
            if end < 0:
                return
            line = bytes(self.text[:end]).rstrip(b"\r")
            del self.text[: end + 1]
            if not line:
                if "event" in self.fields:
                    self.messages += 1
                    if keep:
                        self.received.append(
                            (int(self.fields.get("id", -1)), self.fields["event"], now, read)
                        )
                self.fields = {}
            elif line.startswith(b":"):
                if line == b": connected":
                    self.connected = True
            else:
                name, _, value = line.decode().partition(":")
                self.fields[name] = value[1:] if value.startswith(" ") else value


# Linux: ask the kernel for each read's receive time (struct timespec, CLOCK_REALTIME).
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
ANCILLARY = socket.CMSG_SPACE(16)


def sse_client(
    port: int, path: str, count: int, pipe, keep: bool, connect_seconds: float, max_seconds: float
) -> None:
    """Open ``count`` SSE streams and read them until told to stop (runs in its own process).

    Talks to the parent through ``pipe``: sends ("ready", connected, failed) once every
    stream has said ": connected" (or ``connect_seconds`` passed), then reads until the
    parent sends "stop" (or ``max_seconds`` passed) and sends back ("done", results).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    raise_open_files()
    selector = selectors.DefaultSelector()
    streams: list[Stream] = []
    failed = 0
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n"
        "Cache-Control: no-cache\r\n\r\n"
    ).encode()
    started = time.monotonic()
    cpu_start = time.process_time()

    stop = False

    def pump(timeout: float) -> None:
        nonlocal stop
        ready = selector.select(timeout)
        now = time.time()  # one timestamp for everything this wakeup read
        for key, _ in ready:
            stream = key.data
            if stream is None:  # the parent's pipe
                if pipe.poll():
                    pipe.recv()
                    stop = True
                continue
            arrived = now
            try:
                data, ancillary, _flags, _address = stream.sock.recvmsg(65536, ANCILLARY)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data, ancillary = b"", []
            for level, kind, payload in ancillary:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(payload) >= 16:
                    seconds, nanoseconds = struct.unpack("qq", payload[:16])
                    arrived = seconds + nanoseconds / 1e9
            if not data:
                stream.closed = True
                stream.closed_at = now
                selector.unregister(stream.sock)
                stream.sock.close()
                continue
            stream.feed(data, arrived, keep, now)

    # Connect in small batches so the listen backlog never overflows, reading as we go.
    for n in range(count):
        if time.monotonic() - started > connect_seconds:
            failed += count - n
            break
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        except OSError:
            pass  # not Linux: arrival times fall back to read times
        try:
            sock.settimeout(10)
            sock.connect(("127.0.0.1", port))
            sock.sendall(request)
            sock.setblocking(False)
        except OSError:
            sock.close()
            failed += 1
            continue
        stream = Stream(sock)
        streams.append(stream)
        selector.register(sock, selectors.EVENT_READ, stream)
        if n % 25 == 24:
            pump(0)
    while time.monotonic() - started < connect_seconds:
        if all(s.connected or s.closed for s in streams):
            break
        pump(0.05)
    connected = sum(1 for s in streams if s.connected and not s.closed)
    pipe.send(("ready", connected, failed + len(streams) - connected))

    selector.register(pipe.fileno(), selectors.EVENT_READ, None)
    while not stop and time.monotonic() - started < max_seconds:
        pump(0.5)
    pump(0)
    results = {
        "streams": len(streams),
        "connected": connected,
        "closed": sum(1 for s in streams if s.closed),
        "closed_at": [s.closed_at for s in streams if s.closed],
        "messages": [s.messages for s in streams],
        "received": [s.received for s in streams] if keep else [],
        "cpu": time.process_time() - cpu_start,
    }
    for stream in streams:
        if not stream.closed:
            stream.sock.close()
    selector.close()
    pipe.send(("done", results))


class StreamPool:
    """Several ``sse_client`` processes sharing ``total`` streams between them."""

    def __init__(
        self, port: int, path: str, total: int, processes: int, keep: bool, max_seconds: float
    ) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self.total = total
        self.pipes = []
        self.processes = []
        shares = [
            total // processes + (1 if i < total % processes else 0) for i in range(processes)
        ]
        for share in shares:
            if not share:
                continue
            parent, child = context.Pipe()
            process = context.Process(
                target=sse_client,
                args=(port, path, share, child, keep, 90.0, max_seconds),
                daemon=True,
            )
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    def wait_ready(self, timeout: float = 120) -> tuple[int, int]:
        connected = failed = 0
        deadline = time.monotonic() + timeout
        for pipe in self.pipes:
            if not pipe.poll(max(0.1, deadline - time.monotonic())):
                raise RuntimeError("SSE clients did not report back in time")
            _, ok, bad = pipe.recv()
            connected += ok
            failed += bad
        return connected, failed

    def cpu_seconds(self) -> float:
        total = 0.0
        for process in self.processes:
            try:
                total += _cpu_ticks(process.pid) / TICK
            except (OSError, ValueError):
                pass
        return total

    def stop(self, timeout: float = 60) -> dict:
        for pipe in self.pipes:
            try:
                pipe.send("stop")
            except OSError:
                pass
        merged = {
            "streams": 0,
            "connected": 0,
            "closed": 0,
            "closed_at": [],
            "messages": [],
            "received": [],
            "cpu": 0.0,
        }
        deadline = time.monotonic() + timeout
        for pipe in self.pipes:
            if pipe.poll(max(0.1, deadline - time.monotonic())):
                _, results = pipe.recv()
                for key in ("streams", "connected", "closed", "cpu"):
                    merged[key] += results[key]
                merged["messages"] += results["messages"]
                merged["closed_at"] += results["closed_at"]
                merged["received"] += results["received"]
        for process in self.processes:
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join(5)
        return merged


def percentile(ordered: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of an already sorted list."""
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


class PostgresSampler:
    """Sample what the scratch database's sessions wait on, every ``interval`` seconds.

    Counts, per sample, the sessions waiting for a lock (the publish advisory lock is the
    only contended one here) and the sessions "idle in transaction": holding a transaction
    open while the app does Python work between two statements.
    """

    QUERY = (
        "SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'),"
        " count(*) FILTER (WHERE wait_event = 'advisory'),"
        " count(*) FILTER (WHERE state = 'idle in transaction'),"
        " count(*) FILTER (WHERE state = 'active')"
        " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )

    def __init__(self, database_url: str, interval: float = 0.2) -> None:
        import threading

        self.url = database_url.replace("postgresql+psycopg://", "postgresql://")
        self.interval = interval
        self.samples: list[tuple[int, int, int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as connection:
            while not self._stop.wait(self.interval):
                self.samples.append(connection.execute(self.QUERY).fetchone())

    def __enter__(self) -> PostgresSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join(10)

    def summary(self) -> str:
        if not self.samples:
            return "no samples"
        n = len(self.samples)
        mean = [sum(s[i] for s in self.samples) / n for i in range(4)]
        return (
            f"{n} samples: on average {mean[1]:.1f} sessions waiting for the advisory lock "
            f"({mean[0]:.1f} for any lock), {mean[2]:.1f} idle in transaction, "
            f"{mean[3]:.1f} running a statement"
        )
