"""HTTP load on real gunicorn instances: the servers, the data, a bounded load generator and the
invariants checked afterwards. One module for the HTTP benchmark (bench/over_http.py, issue
#14), `make load` (this module's main, issue #15) and its short version in the suite
(tests/core/test_load.py), so the three never drift apart.

Why a load generator of our own rather than wrk or locust: on a 2-core machine the client takes
CPU from the server it measures. This one is a plain asyncio HTTP/1.1 client on raw sockets (one
process, one event loop, no parser library): it costs some tens of microseconds of CPU a request
— it reports its own CPU time so that this stays visible — where locust's gevent and requests
stack costs about a millisecond. wrk is cheaper still, but per-client state (each client's own
volunteers and API tokens, the sign-ups it may cancel, a coordinator's session and CSRF token)
and telling an expected refusal ("this shift is full", code `full`) from an error would live in
Lua; here it is Python that the suite runs too, with nothing to install on a fresh machine.

The load is bounded: a fixed number of clients, each with at most one request in flight (a
closed loop, as people behave), for a fixed time or a fixed number of requests, and a timeout
per request (a timeout is an error).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import random
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# The load's own limits: per-account throttles guard against abuse, not capacity, and every
# client here comes from 127.0.0.1. The throttles still run (a Redis counter per request).
UNTHROTTLED = {
    "API_SIGNUP_THROTTLE_RATE": "1000000/min",
    "API_VISIT_BOOKING_THROTTLE_RATE": "1000000/min",
    "API_MAP_THROTTLE_RATE": "1000000/min",
}
LOAD_PASSWORD = "load-run-password-2026"  # the coordinators' password on a load database

# ---------------------------------------------------------------------------------------------
# The HTTP client


@dataclasses.dataclass
class Response:
    status: int
    headers: dict[str, str]
    cookies: dict[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class Connection:
    """One keep-alive connection to one server; reopened when the server closes it (gunicorn's
    sync workers close after every response, its threaded workers keep it open)."""

    def __init__(self, base: str, timeout: float) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout = timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = False

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(
        self, method: str, path: str, headers: Mapping[str, str] | None = None, body: bytes = b""
    ) -> Response:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Connection: keep-alive"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        for attempt in (0, 1):
            if self.writer is None:
                self.reader, self.writer = await asyncio.wait_for(
                    asyncio.open_connection(self.host, self.port), self.timeout
                )
                self.used = False
            reused = self.used
            try:
                assert self.writer is not None
                self.writer.write(raw)
                await self.writer.drain()
                response = await asyncio.wait_for(self._read(), self.timeout)
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                self.close()
                # A kept-alive connection the server closed while idle: it never read this
                # request (no byte of an answer came), so sending it again is safe.
                if reused and attempt == 0 and not getattr(exc, "partial", b""):
                    continue
                raise
            except BaseException:
                self.close()
                raise
            self.used = True
            if response.headers.get("connection", "").lower() == "close":
                self.close()
            return response
        raise AssertionError("unreachable")

    async def _read(self) -> Response:
        assert self.reader is not None
        reader = self.reader
        status_line = await reader.readuntil(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        headers: dict[str, str] = {}
        cookies: dict[str, str] = {}
        while True:
            line = await reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            headers[name] = value
            if name == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key.strip()] = rest.split(";", 1)[0]
        if "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")
                    break
                chunks.append(await reader.readexactly(size))
                await reader.readexactly(2)
            body = b"".join(chunks)
        elif status in (204, 304):
            body = b""
        else:
            body = await reader.read()
            headers["connection"] = "close"
        return Response(status, headers, cookies, body)


# ---------------------------------------------------------------------------------------------
# What the clients do


@dataclasses.dataclass
class Tally:
    """The answers to one kind of request."""

    latencies: list[float] = dataclasses.field(default_factory=list)
    statuses: Counter[int] = dataclasses.field(default_factory=Counter)
    refusals: Counter[str] = dataclasses.field(default_factory=Counter)
    errors: Counter[str] = dataclasses.field(default_factory=Counter)
    samples: list[str] = dataclasses.field(default_factory=list)
    # Answered before the run's deadline: the requests/s (those still in flight then are timed,
    # but the drain after it, with ever fewer clients, is not a rate of the full load).
    in_window: int = 0

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


class Client:
    """One simulated person (or, for the roster, a coordinator's browser tab): a connection to
    one instance, its own volunteers' tokens, and what it signed up for or booked."""

    def __init__(self, number: int, base: str, world: World, run: LoadRun, timeout: float) -> None:
        self.number = number
        # Another order each run on the same scene (bench/over_http.py runs several).
        self.rng = random.Random(number + 7919 * world.runs)
        self.conn = Connection(base, timeout)
        self.world = world
        self.run = run
        # Disjoint volunteers per client: no two clients ever act for the same person, so the
        # only contention is the one under test — for the places.
        self.tokens = world.tokens[number :: run.clients] or world.tokens[:1]
        self.turn = 0
        # Each person tries each shift and slot once, over every run on the scene.
        self.shift_order = {
            t: [
                x
                for x in self.rng.sample(world.shifts, len(world.shifts))
                if (t, x) not in world.tried_shifts
            ]
            for t in self.tokens
        }
        self.slot_order = {
            t: [x for x in self.rng.sample(world.slots, len(world.slots)) if (t, x) not in world.tried_slots]
            for t in self.tokens
        }
        self.signups: list[tuple[str, int]] = []  # (token, sign-up id) it may cancel
        self.session: dict[str, str] = {}

    def next_token(self) -> str:
        token = self.tokens[self.turn % len(self.tokens)]
        self.turn += 1
        return token

    async def call(
        self,
        label: str,
        method: str,
        path: str,
        *,
        token: str | None = None,
        data: Any = None,
        refusals: frozenset[str] = frozenset(),
    ) -> Response | None:
        headers = {"Accept-Language": "ru"}
        body = b""
        if token:
            headers["Authorization"] = f"Token {token}"
        if self.session:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.session.items())
        if data is not None:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
        tally = self.run.tallies.setdefault(label, Tally())
        started = time.perf_counter()
        try:
            response = await self.conn.request(method, path, headers, body)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            tally.latencies.append(time.perf_counter() - started)
            tally.errors[type(exc).__name__] += 1
            if len(tally.samples) < 5:
                tally.samples.append(f"{method} {path}: {exc!r}")
            return None
        finished = time.perf_counter()
        tally.latencies.append(finished - started)
        tally.in_window += int(finished <= self.run.deadline)
        tally.statuses[response.status] += 1
        if response.status < 400:
            return response
        payload = response.json()
        code = payload.get("code") if isinstance(payload, dict) else None
        if code in refusals:
            tally.refusals[code] += 1
        else:
            tally.errors[f"{response.status} {code or ''}".strip()] += 1
            if len(tally.samples) < 5:
                tally.samples.append(f"{method} {path}: {response.status} {response.body[:200]!r}")
        return None

    # The actions. Each is one request; the mixes below weigh them.

    async def bare(self) -> None:
        await self.call("bare view", "GET", "/healthz")

    async def signup(self) -> None:
        token = self.next_token()
        order = self.shift_order[token]
        if not order:
            return await self.browse_shifts()
        shift = order.pop()
        self.world.tried_shifts.add((token, shift))
        response = await self.call(
            "sign-up",
            "POST",
            f"/api/shifts/{shift}/signup/",
            token=token,
            data={"waitlist": self.world.waitlist},
            # overlap: the person is already confirmed elsewhere at that time (seeded sign-ups).
            refusals=frozenset({"full", "overlap"}),
        )
        if response is not None and response.status == 201:
            self.run.outcomes[f"sign-up {response.json()['status']}"] += 1
            self.signups.append((token, response.json()["id"]))

    async def cancel(self) -> None:
        if not self.signups:
            return await self.signup()
        token, signup = self.signups.pop(self.rng.randrange(len(self.signups)))
        response = await self.call("cancel", "POST", f"/api/signups/{signup}/cancel/", token=token)
        if response is not None:
            self.run.outcomes["sign-up cancelled"] += 1

    async def book(self) -> None:
        token = self.next_token()
        order = self.slot_order[token]
        if not order:
            return await self.browse_slots()
        slot = order.pop()
        self.world.tried_slots.add((token, slot))
        response = await self.call(
            "booking",
            "POST",
            "/api/visits/",
            token=token,
            data={"slot": slot, "purpose": self.world.purpose},
            # limit: three future visits a person; duplicate: one visit at a time.
            refusals=frozenset({"full", "limit", "duplicate"}),
        )
        if response is not None:
            self.run.outcomes["visit booked"] += 1

    async def browse_campaigns(self) -> None:
        page = self.rng.choice(["", "?page=2", "?page=3"])
        await self.call("campaign list", "GET", f"/campaigns/{page}")

    async def browse_map(self) -> None:
        layer = self.rng.choice(["events", "front-offices", "detachments"])
        await self.call("map GeoJSON", "GET", f"/api/map/{layer}/")

    async def browse_roster(self) -> None:
        coordinator = self.world.coordinators[self.number % len(self.world.coordinators)]
        self.session = self.world.sessions[coordinator["email"]]
        term = self.rng.choice(coordinator["terms"])
        await self.call("roster search", "GET", f"/roster/?q={quote(term)}")
        self.session = {}

    async def browse_slots(self) -> None:
        office, day = self.rng.choice(self.world.office_days)
        await self.call("office slots", "GET", f"/api/front-offices/{office}/slots/?date={day}")

    async def browse_shifts(self) -> None:
        await self.call("open shifts", "GET", "/api/shifts/")


Action = Callable[[Client], Awaitable[None]]
MIXES: dict[str, dict[Action, int]] = {
    "bare": {Client.bare: 1},
    "signup": {Client.signup: 1},
    "booking": {Client.book: 1},
    "browse": {Client.browse_campaigns: 2, Client.browse_map: 2, Client.browse_roster: 2},
    # Issue #15: browsing, searching, booking and signing up (and changing one's mind) at once.
    "mixed": {
        Client.browse_campaigns: 3,
        Client.browse_map: 2,
        Client.browse_roster: 2,
        Client.browse_slots: 2,
        Client.browse_shifts: 1,
        Client.signup: 3,
        Client.cancel: 1,
        Client.book: 2,
    },
}


@dataclasses.dataclass
class World:
    """What the clients act on, prepared in the database before the servers start."""

    shifts: list[int]
    slots: list[int]
    tokens: list[str]
    coordinators: list[dict[str, Any]]
    office_days: list[tuple[int, str]]
    purpose: str
    waitlist: bool = False
    places: int = 0
    slot_places: int = 0
    # What runs on the scene share: coordinators' sessions, the pairs tried, how many runs.
    sessions: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    tried_shifts: set[tuple[str, int]] = dataclasses.field(default_factory=set)
    tried_slots: set[tuple[str, int]] = dataclasses.field(default_factory=set)
    runs: int = 0


@dataclasses.dataclass
class LoadRun:
    clients: int
    tallies: dict[str, Tally] = dataclasses.field(default_factory=dict)
    outcomes: Counter[str] = dataclasses.field(default_factory=Counter)
    elapsed: float = 0.0
    window: float = 0.0  # the seconds the clients kept sending
    deadline: float = float("inf")
    client_cpu: float = 0.0

    def rate(self, label: str | None = None) -> float:
        """Requests/s (of one kind) answered within the window."""
        tallies = [self.tallies.get(label, Tally())] if label else list(self.tallies.values())
        return sum(t.in_window for t in tallies) / self.window if self.window else float("nan")

    def add(self, other: LoadRun) -> LoadRun:
        """This run and `other` as one (runs of one mix taken in turns with others)."""
        for label, t in other.tallies.items():
            mine = self.tallies.setdefault(label, Tally())
            mine.latencies += t.latencies
            mine.statuses.update(t.statuses)
            mine.refusals.update(t.refusals)
            mine.errors.update(t.errors)
            mine.samples += t.samples[: max(0, 5 - len(mine.samples))]
            mine.in_window += t.in_window
        self.outcomes.update(other.outcomes)
        self.elapsed += other.elapsed
        self.window += other.window
        self.client_cpu += other.client_cpu
        return self

    @property
    def requests(self) -> int:
        return sum(t.count for t in self.tallies.values())

    @property
    def errors(self) -> int:
        return sum(t.error_count for t in self.tallies.values())

    @property
    def server_errors(self) -> int:
        return sum(t.server_errors for t in self.tallies.values())

    def summary(self) -> dict[str, Any]:
        kinds = {}
        for label, t in sorted(self.tallies.items()):
            kinds[label] = {
                "requests": t.count,
                "per_second": round(self.rate(label), 1),
                "p50_ms": round(percentile(t.latencies, 50) * 1000, 1),
                "p99_ms": round(percentile(t.latencies, 99) * 1000, 1),
                "statuses": {str(k): v for k, v in sorted(t.statuses.items())},
                "refusals": dict(t.refusals),
                "errors": dict(t.errors),
                "error_samples": t.samples,
            }
        every = [x for t in self.tallies.values() for x in t.latencies]
        return {
            "clients": self.clients,
            "seconds": round(self.elapsed, 1),
            "requests": self.requests,
            "per_second": round(self.rate(), 1),
            "p50_ms": round(percentile(every, 50) * 1000, 1),
            "p99_ms": round(percentile(every, 99) * 1000, 1),
            "errors": self.errors,
            "server_errors": self.server_errors,
            "client_cpu_us_per_request": round(self.client_cpu / max(1, self.requests) * 1e6),
            "outcomes": dict(self.outcomes),
            "kinds": kinds,
        }


async def _log_in(base: str, email: str, password: str, timeout: float) -> dict[str, str]:
    """Log in through the form, as a browser does: the CSRF cookie and token first."""
    conn = Connection(base, timeout)
    try:
        page = await conn.request("GET", "/accounts/login/")
        marker = b'name="csrfmiddlewaretoken" value="'
        start = page.body.index(marker) + len(marker)
        token = page.body[start : page.body.index(b'"', start)].decode()
        cookies = dict(page.cookies)
        form = f"csrfmiddlewaretoken={quote(token)}&username={quote(email)}&password={quote(password)}"
        answer = await conn.request(
            "POST",
            "/accounts/login/",
            {
                "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"{base}/accounts/login/",
            },
            form.encode(),
        )
        if answer.status != 302:
            raise RuntimeError(f"log-in of {email} answered {answer.status}")
        return {**cookies, **answer.cookies}
    finally:
        conn.close()


async def _drive(
    bases: list[str],
    world: World,
    mix: Mapping[Action, int],
    clients: int,
    seconds: float,
    max_requests: int | None,
    timeout: float,
) -> LoadRun:
    run = LoadRun(clients=clients)
    if Client.browse_roster in mix:
        for coordinator in world.coordinators:
            if coordinator["email"] not in world.sessions:
                world.sessions[coordinator["email"]] = await _log_in(
                    bases[0], coordinator["email"], LOAD_PASSWORD, timeout
                )
    actions, weights = list(mix), list(mix.values())
    budget = [max_requests if max_requests is not None else 1 << 62]
    cpu, started = time.process_time(), time.perf_counter()
    deadline = run.deadline = started + seconds

    async def person(number: int) -> None:
        # Clients alternate between the instances, as a round-robin proxy would spread them.
        client = Client(number, bases[number % len(bases)], world, run, timeout)
        try:
            while time.perf_counter() < deadline and budget[0] > 0:
                budget[0] -= 1
                await client.rng.choices(actions, weights)[0](client)
        finally:
            client.conn.close()

    await asyncio.gather(*(person(n) for n in range(clients)))
    world.runs += 1
    run.elapsed = time.perf_counter() - started
    run.window = seconds
    run.client_cpu = time.process_time() - cpu
    return run


def drive(
    bases: list[str],
    world: World,
    mix: str | Mapping[Action, int],
    *,
    clients: int,
    seconds: float,
    max_requests: int | None = None,
    timeout: float = 30.0,
) -> LoadRun:
    """Run `clients` clients over `bases` for `seconds` (or `max_requests` in all)."""
    weights = MIXES[mix] if isinstance(mix, str) else mix
    return asyncio.run(_drive(bases, world, weights, clients, seconds, max_requests, timeout))


# ---------------------------------------------------------------------------------------------
# The servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def production_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """Production settings on loopback: DEBUG off, no HTTPS (plain loopback), static files by
    their plain names; the IIN keys and the secret are the caller's, shared by every process."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        STATIC_MANIFEST="false",
        **UNTHROTTLED,
    )
    env.update(extra)
    return env


def env_from_settings(**extra: str) -> dict[str, str]:
    """`production_env` for servers on the database and Redis this process's Django uses, with
    its secret and IIN keys, so that the servers read what this process wrote (the suite, or a
    runner that set Django up itself)."""
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return production_env(
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        settings.REDIS_URL,
        SECRET_KEY=settings.SECRET_KEY,
        IIN_ENCRYPTION_KEYS=",".join(settings.IIN_ENCRYPTION_KEYS),
        IIN_HASH_KEY=settings.IIN_HASH_KEY,
        **extra,
    )


@contextmanager
def servers(
    env: Mapping[str, str],
    *,
    instances: int = 1,
    workers: int | None = None,
    threads: int = 1,
    celery_workers: int = 0,
    start_timeout: float = 90.0,
) -> Iterator[list[str]]:
    """`instances` gunicorn instances with gunicorn.conf.py (workers = cores unless told; the
    threaded variant with `threads` > 1) and `celery_workers` Celery workers; their URLs."""
    workers = workers or os.cpu_count() or 2
    procs: list[subprocess.Popen[bytes]] = []
    urls = []
    try:
        for _ in range(instances):
            port = free_port()
            command = [str(BIN / "gunicorn"), "volunteer_net.wsgi:application", "-c", "gunicorn.conf.py"]
            command += ["--workers", str(workers)]
            if threads > 1:
                command += ["--worker-class", "gthread", "--threads", str(threads)]
            procs.append(
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                    stdout=subprocess.DEVNULL,  # the access log: written, as in production
                    stderr=subprocess.DEVNULL,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        for n in range(celery_workers):
            procs.append(
                subprocess.Popen(
                    [
                        str(BIN / "celery"),
                        "-A",
                        "volunteer_net",
                        "worker",
                        "--concurrency",
                        "1",
                        "--loglevel",
                        "WARNING",
                        "--hostname",
                        f"load{n}-{os.getpid()}@%h",
                    ],
                    cwd=ROOT,
                    env=dict(env),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        deadline = time.monotonic() + start_timeout
        for url in urls:
            while not _ready(url):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{url} did not start")
                time.sleep(0.3)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _ready(url: str) -> bool:
    async def probe() -> bool:
        conn = Connection(url, 2.0)
        try:
            return (await conn.request("GET", "/readyz")).status == 200
        finally:
            conn.close()

    try:
        return asyncio.run(probe())
    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
        return False


# ---------------------------------------------------------------------------------------------
# The data (Django must be set up by the caller)

SIZES: dict[str, dict[str, int]] = {
    # `make bench-http` and `make load`: seed_demo's defaults with more volunteers, under a minute.
    "modest": {"volunteers": 3000, "shifts": 1000, "signups": 4000, "visits": 300, "care": 8},
    # The suite's short run: seconds to seed.
    "small": {"volunteers": 200, "shifts": 100, "signups": 300, "visits": 40, "care": 1},
}


def seed(size: str) -> bool:
    """seed_demo at `size` into an empty database; False when it already holds volunteers."""
    from django.core.management import call_command

    from volunteers.models import Volunteer

    if Volunteer.objects.exists():
        return False
    call_command("seed_demo", stdout=open(os.devnull, "w"), **SIZES[size])
    return True


def prepare(
    *,
    accounts: int,
    shifts: int = 200,
    slots: int = 200,
    places: tuple[int, int] = (1, 4),
    coordinators: int = 4,
    waitlist: bool = False,
    seed_value: int = 2026,
) -> World:
    """The scene of a load run on a seeded database: a published campaign with `shifts` upcoming
    shifts of 1–4 places each, `slots` upcoming visit slots of the front offices with 1–4 places
    left, `accounts` volunteers with accounts and API tokens, and coordinators (password
    LOAD_PASSWORD) with surnames of their region to search for. A new scene each call: earlier
    runs' shifts and slots are full."""
    import datetime

    from django.conf import settings
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    from accounts.models import ApiToken, User, api_token_digest
    from events.models import Campaign, Shift
    from front_offices.models import Purpose, VisitSlot
    from regions.models import Region
    from volunteers.models import Volunteer

    rng = random.Random(seed_value + int(time.time()))
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        region = Region.objects.get(code="75")
        campaign = Campaign.objects.create(
            title=f"Load run {now:%Y-%m-%d %H:%M:%S}",
            kind=Campaign.Kind.EMERGENCY,
            direction=Campaign.Direction.values[0],
            region=region,
            status=Campaign.Status.PUBLISHED,
            starts_on=today,
            ends_on=today + datetime.timedelta(days=3 + 5 * shifts // 24),
        )
        made = Shift.objects.bulk_create(
            [
                Shift(
                    campaign=campaign,
                    place_name=f"Пункт {n + 1}",
                    # One after another, never overlapping: a person may take any two.
                    starts_at=now + datetime.timedelta(days=2, hours=5 * n),
                    ends_at=now + datetime.timedelta(days=2, hours=5 * n + 4),
                    capacity=rng.randint(*places),
                    waitlist_enabled=True,
                )
                for n in range(shifts)
            ]
        )
        horizon = now + datetime.timedelta(days=settings.FRONT_OFFICE_BOOKING_HORIZON_DAYS - 1)
        open_slots = list(
            VisitSlot.objects.filter(
                starts_at__gt=now + datetime.timedelta(hours=2),
                starts_at__lt=horizon,
                blocked_reason="",
                # Full ones too: each is given a few places below (earlier runs fill theirs).
                office__is_active=True,
            ).values_list("pk", "taken", "office_id", "local_date")
        )
        chosen = rng.sample(open_slots, min(slots, len(open_slots)))
        slot_places = 0
        for pk, taken, _office, _day in chosen:
            left = rng.randint(*places)
            slot_places += left
            VisitSlot.objects.filter(pk=pk).update(capacity=taken + left)

        # Volunteers with accounts: adults, active; those without an account get one.
        adult = today - datetime.timedelta(days=365 * 19)
        people = list(
            Volunteer.objects.filter(
                status=Volunteer.Status.ACTIVE, anonymized_at__isnull=True, birth_date__lte=adult
            )
            # New people first (a person holds at most three future visits), then earlier runs'.
            .order_by(F("user_id").asc(nulls_first=True), "pk")
            .values_list("pk", "user_id", "first_name", "last_name")[:accounts]
        )
        new = [(pk, f"{first} {last}") for pk, user_id, first, last in people if user_id is None]
        users = User.objects.bulk_create(
            [User(email=f"load-{pk}@volunteer.example.kz", full_name=name, password="!") for pk, name in new]
        )
        for (pk, _name), user in zip(new, users, strict=True):
            Volunteer.objects.filter(pk=pk).update(user=user)
        people_ids = [pk for pk, *_ in people]
        user_ids = list(Volunteer.objects.filter(pk__in=people_ids).values_list("user_id", flat=True))
        # Only a key's digest is stored, so the keys of an earlier run cannot be read back: each
        # run issues its own and drops the ones before.
        keys = {user_id: ApiToken.new_key() for user_id in user_ids}
        ApiToken.objects.filter(user_id__in=user_ids).delete()
        ApiToken.objects.bulk_create(
            [ApiToken(user_id=user_id, digest=api_token_digest(key)) for user_id, key in keys.items()]
        )
        tokens = list(keys.values())

        # A few coordinators (seed_demo has one per region), with surnames of their region.
        hasher = PBKDF2PasswordHasher()  # what production verifies, whatever this process uses
        password = hasher.encode(LOAD_PASSWORD, hasher.salt())
        staff = []
        for user in User.objects.filter(
            email__startswith="coordinator", email__endswith="@volunteer.kz"
        ).order_by("email")[:coordinators]:
            user.password = password
            user.save(update_fields=["password"])
            code = user.email.removeprefix("coordinator").split("@")[0]
            names = list(
                Volunteer.objects.filter(region__code=code, anonymized_at__isnull=True)
                .order_by("pk")
                .values_list("last_name", flat=True)[:200]
            )
            terms = sorted({n[:4] for n in names if n}) or ["а"]
            staff.append({"email": user.email, "terms": terms})
    return World(
        shifts=[s.pk for s in made],
        slots=[pk for pk, *_ in chosen],
        tokens=tokens,
        coordinators=staff,
        office_days=sorted({(office, day.isoformat()) for _pk, _t, office, day in chosen}),
        purpose=Purpose.values[0],
        waitlist=waitlist,
        places=sum(s.capacity for s in made),
        slot_places=slot_places,
    )


# The promises the load must not break, each a query that counts the rows breaking it.
INVARIANTS: dict[str, str] = {
    "shifts over capacity": """
        SELECT count(*) FROM events_shift s
        WHERE s.taken_places > s.capacity
           OR (SELECT count(*) FROM events_signup g
               WHERE g.shift_id = s.id AND g.status IN ('confirmed', 'attended')) > s.capacity""",
    "shifts whose count of places taken is off": """
        SELECT count(*) FROM events_shift s
        WHERE s.taken_places <> (SELECT count(*) FROM events_signup g
                                 WHERE g.shift_id = s.id AND g.status IN ('confirmed', 'attended'))""",
    "slots over capacity": """
        SELECT count(*) FROM front_offices_visitslot t
        WHERE t.taken > t.capacity
           OR (SELECT count(*) FROM front_offices_visit v
               WHERE v.slot_id = t.id AND v.status IN ('booked', 'arrived', 'no_show')) > t.capacity""",
    "slots whose count of places taken is off": """
        SELECT count(*) FROM front_offices_visitslot t
        WHERE t.taken <> (SELECT count(*) FROM front_offices_visit v
                          WHERE v.slot_id = t.id AND v.status IN ('booked', 'arrived', 'no_show'))""",
    "people with two active sign-ups for one shift": """
        SELECT count(*) FROM (
            SELECT 1 FROM events_signup WHERE status <> 'cancelled'
            GROUP BY shift_id, volunteer_id HAVING count(*) > 1) d""",
    # One visit at a time, in any office (front_offices.services.booking_refusal).
    "people with two visits booked at one time": """
        SELECT count(*) FROM front_offices_visit a
        JOIN front_offices_visitslot sa ON sa.id = a.slot_id
        JOIN front_offices_visit b ON b.volunteer_id = a.volunteer_id AND b.id > a.id AND b.status = 'booked'
        JOIN front_offices_visitslot sb ON sb.id = b.slot_id
        WHERE a.status = 'booked' AND sa.starts_at < sb.ends_at AND sb.starts_at < sa.ends_at""",
}


def summary_drift_sql() -> str:
    """Rows of the trigger-kept sign-up summary (counts by status and hours, reports/summary.py)
    that differ from a recount of the sign-ups themselves."""
    from django.conf import settings

    columns = ("signups", "confirmed", "waitlisted", "cancelled", "attended", "no_show", "hours")
    recount = ", ".join(
        [
            "count(*) AS signups",
            *(f"count(*) FILTER (WHERE g.status = '{s}') AS {s}" for s in columns[1:6]),
            "coalesce(sum(g.hours) FILTER (WHERE g.status = 'attended'), 0) AS hours",
        ]
    )
    differs = " OR ".join(f"coalesce(m.{c}, 0) <> coalesce(r.{c}, 0)" for c in columns)
    return f"""
        WITH r AS (
            SELECT s.campaign_id, ((s.starts_at) AT TIME ZONE '{settings.TIME_ZONE}')::date AS day, {recount}
            FROM events_signup g JOIN events_shift s ON s.id = g.shift_id GROUP BY 1, 2)
        SELECT count(*) FROM reports_signupdaysummary m
        FULL OUTER JOIN r ON r.campaign_id = m.campaign_id AND r.day = m.day
        WHERE {differs}"""


def month_summary_drift_sql() -> str:
    """Rows of the sign-ups' month summary (reports/summary.py) that differ from their day rows
    added up by month."""
    columns = ("signups", "confirmed", "waitlisted", "cancelled", "attended", "no_show", "hours")
    sums = ", ".join(f"sum({c}) AS {c}" for c in columns)
    differs = " OR ".join(f"coalesce(m.{c}, 0) <> coalesce(r.{c}, 0)" for c in columns)
    return f"""
        WITH r AS (
            SELECT campaign_id, date_trunc('month', day::timestamp)::date AS month, {sums}
            FROM reports_signupdaysummary GROUP BY 1, 2)
        SELECT count(*) FROM reports_signupmonthsummary m
        FULL OUTER JOIN r ON r.campaign_id = m.campaign_id AND r.month = m.month
        WHERE {differs}"""


def visit_summary_drift_sql() -> str:
    """Rows of the trigger-kept visits summary (reports/visit_summary.py) that differ from a
    recount of the visits themselves."""
    from reports import visit_summary

    columns = visit_summary.COLUMNS
    recount = ", ".join(f"count(*) FILTER (WHERE {condition}) AS {c}" for c, condition in columns.items())
    differs = " OR ".join(f"coalesce(m.{c}, 0) <> coalesce(r.{c}, 0)" for c in columns)
    return f"""
        WITH r AS (SELECT office_id, local_date AS day, {recount} FROM front_offices_visit GROUP BY 1, 2)
        SELECT count(*) FROM reports_visitdaysummary m
        FULL OUTER JOIN r ON r.office_id = m.office_id AND r.day = m.day
        WHERE {differs}"""


def check_invariants() -> dict[str, int]:
    """Each promise and the number of rows breaking it: all must be 0."""
    from django.db import connection

    found = {}
    with connection.cursor() as cursor:
        for name, sql in {
            **INVARIANTS,
            "sign-up summary rows (counts, hours) off the recount": summary_drift_sql(),
            "sign-up month rows off their days": month_summary_drift_sql(),
            "visits summary rows off the recount": visit_summary_drift_sql(),
        }.items():
            cursor.execute(sql)
            found[name] = int(cursor.fetchone()[0])
    return found


def scene_counts(world: World) -> dict[str, int]:
    """What the scene's shifts and slots hold after a run."""
    from django.db.models import F, Sum

    from events.models import Shift
    from front_offices.models import VisitSlot

    return {
        "shift places": world.places,
        "shift places taken": Shift.objects.filter(pk__in=world.shifts).aggregate(n=Sum("taken_places"))["n"]
        or 0,
        "slot places offered": world.slot_places,
        "slots full": VisitSlot.objects.filter(pk__in=world.slots, taken__gte=F("capacity")).count(),
    }


# ---------------------------------------------------------------------------------------------
# Standalone runs (`make bench-http`, `make load`)

BENCH_ENV = {
    # The keys and secret of a load database, shared by this process and the servers it starts.
    "SECRET_KEY": "load-run-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz",
    "IIN_ENCRYPTION_KEYS": "bG9hZC1ydW4tb25seS1paW4ta2V5LTAxMjM0NTY3ODk=",
    "IIN_HASH_KEY": "load-run-only-iin-hash-key",
}


def standalone_setup(database_url: str, redis_url: str) -> dict[str, str]:
    """Create the database if missing, set Django up on it with production settings, migrate;
    the environment for the servers."""
    import psycopg2

    base, name = database_url.rsplit("/", 1)
    conn = psycopg2.connect(base + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    env = production_env(database_url, redis_url, **BENCH_ENV)
    os.environ.update(env)
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "volunteer_net.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return env


def forget_campaigns() -> int:
    """Delete the campaigns `prepare` made (their shifts and sign-ups with them): the bench
    database is shared by every group, and the next run's campaign figures must not count
    the hundreds of open shifts a run over HTTP left. Returns how many there were."""
    from events.models import Campaign

    runs = Campaign.objects.filter(title__startswith="Load run ")
    count = runs.count()
    runs.delete()
    return count


def purge_queue() -> None:
    """Drop the messages the run queued for Celery when no worker ran (the benchmark's servers
    only; sending is measured by bench/notifications.py)."""
    from volunteer_net.celery import app

    app.control.purge()


def run_mixed(
    env: Mapping[str, str], *, clients: int, seconds: float, instances: int = 2, celery_workers: int = 2
) -> dict[str, Any]:
    """Issue #15's load: the mixed load over two instances and two Celery workers, then the
    invariants. Django is set up on the database of `env` (seeded) by the caller."""
    world = prepare(accounts=clients * 8, shifts=300, slots=300, waitlist=True)
    with servers(env, instances=instances, celery_workers=celery_workers) as urls:
        run = drive(urls, world, "mixed", clients=clients, seconds=seconds)
    summary = run.summary()
    summary["instances"] = instances
    summary["celery_workers"] = celery_workers
    summary["invariants"] = check_invariants()
    summary["scene"] = scene_counts(world)
    return summary


def print_summary(summary: Mapping[str, Any]) -> None:
    print(
        f"{summary['clients']} clients, {summary['seconds']} s: {summary['requests']} requests, "
        f"{summary['per_second']} req/s, p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms, "
        f"{summary['errors']} errors ({summary['server_errors']} 5xx); "
        f"client CPU {summary['client_cpu_us_per_request']} µs a request"
    )
    print(f"  {'request':<16} {'count':>7} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8}  refusals / errors")
    for label, kind in summary["kinds"].items():
        print(
            f"  {label:<16} {kind['requests']:>7} {kind['per_second']:>7} {kind['p50_ms']:>8} "
            f"{kind['p99_ms']:>8}  {kind['refusals'] or ''} {kind['errors'] or ''}"
        )
        for sample in kind["error_samples"]:
            print(f"      {sample}")
    if summary.get("outcomes"):
        print("  outcomes:", ", ".join(f"{k} {v}" for k, v in sorted(summary["outcomes"].items())))
    for name, count in summary.get("invariants", {}).items():
        print(f"  {'ok ' if count == 0 else 'BROKEN'} {name}: {count}")


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Issue #15's load: mixed load over two gunicorn instances.")
    parser.add_argument("--database-url", default=os.environ.get("LOAD_DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--size", choices=sorted(SIZES), default="modest")
    parser.add_argument("--json", type=Path, help="Write the summary here.")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or LOAD_DATABASE_URL) is needed")
    env = standalone_setup(args.database_url, args.redis_url)
    started = time.perf_counter()
    if seed(args.size):
        print(f"Seeded the {args.size} demo data in {time.perf_counter() - started:.0f} s")
    summary = run_mixed(env, clients=args.clients, seconds=args.seconds)
    print_summary(summary)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        print(f"Written to {args.json}")
    broken = sum(summary["invariants"].values())
    return 1 if broken or summary["server_errors"] or summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
