"""Dossier figures: the back office and the API under load, through gunicorn and PostgreSQL,
with 1,000,000 dossiers and their histories (5 to 6 events each, about 5.7 million).

1. The dedicated database (`guichet_bench`; BENCH_DATABASE_URL overrides, and its name must
   contain "bench") is created when missing, migrated, and given the declaration and the
   closure calendar.
2. When it holds fewer dossiers than wanted (or BENCH_REBUILD=1), it is recreated and filled:
   histories planned with numpy like the demo's, clocks and worklist caches computed with
   `compute_batch`, everything written with COPY into the real schema (indexes, constraints
   and the append-only trigger stay). A sample of dossiers is checked against `derive_clocks`
   on every run.
3. gunicorn serves Guichet (2 workers) on loopback; client threads measure the worklist, the
   dossier page and the API status, then a burst on the API.
"""

from __future__ import annotations

import base64
import hashlib
import html
import http.client
import itertools
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from bench.__main__ import emit
from guichet.clock import BusinessCalendar
from guichet.clock.batch import compute_batch

if TYPE_CHECKING:
    from guichet.accounts.models import User

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/guichet_bench"
ROOT = Path(__file__).resolve().parent.parent

N_DOSSIERS = int(os.environ.get("BENCH_DOSSIERS", "1000000"))  # smaller only to try the bench
DAYS_OF_HISTORY = 3 * 365
SEED = 2026
CHUNK = 100_000  # dossiers per COPY round (and per commit)

# Who works where. The biggest unit has a backlog: many of its dossiers wait far beyond their
# due date, which is what makes its worklist long (about 100,000 open dossiers).
BIG_UNIT = "immigration-temporaire"
UNIT_SHARE = {
    BIG_UNIT: 0.48,
    "selection-travailleurs": 0.14,
    "parrainage": 0.09,
    "francisation": 0.14,
    "reconnaissance-competences": 0.10,
    "consultants-employeurs": 0.05,
}
STUCK = {BIG_UNIT: 0.40}  # share of dossiers held back for 30 to 700 more counted days
STUCK_ELSEWHERE = 0.01
AGENTS = {BIG_UNIT: 12}
AGENTS_ELSEWHERE = 3
N_CLIENTS = 5_000
CLIENT_DOSSIERS = 12

AGENT_EMAIL = "bench-agent@example.org"
CLIENT_EMAIL = "bench-client@example.org"
SERVICE_ACCOUNT_EMAIL = "bench-api@example.org"
PASSWORD = "bench-guichet"  # noqa: S105 — a throwaway database on loopback, documented
# Sensitive identifiers are stored encrypted (guichet/crypto.py): the data and the server must
# share one key across runs, so the bench has its own, derived from a constant (throwaway data).
FIELD_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"guichet-bench-field-key").digest()).decode()
TOKEN_NAME = "bench"  # noqa: S105 — a name, not a secret

# The same shares as the demo (guichet/demo/histories.py) where it has one.
FEE_PAID_ON_RECEPTION = 0.88
INCOMPLETE = 0.24
SECOND_NOTICE = 0.12
WITHDRAWN = 0.04
ON_TIME = 0.86

VERIFY_SAMPLE = 200

WARMUP = 50
MIN_REQUESTS = 500
REQUESTS = max(MIN_REQUESTS, int(os.environ.get("BENCH_REQUESTS", "1000")))  # per figure
CLIENT_THREADS = 4
BURST = 2_000
BURST_THREADS = 8
PHASE_SECONDS = 300.0  # a phase stops there even if its requests are not all sent
MAX_FAILURES = 0.005
WORKLIST_PAGES = 5  # pages followed through the `apres=` cursor, per filter

NAT = np.iinfo(np.int64).min
BIG = np.iinfo(np.int64).max
I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

# Slots of a planned history, in the order the demo appends its steps (same-day events keep
# this order, as the demo's stable sort does).
SLOTS = (
    "received",
    "fee_paid",  # with the request
    "assigned",
    "acknowledged",
    "incompleteness_notice",
    "items_received",
    "fee_paid",  # with the missing items
    "incompleteness_notice",
    "items_received",
    "intention_to_refuse",
    "observations",
    "decided",
    "admissibility_notice_sent",
    "admissibility_confirmed",
    "course_started",
    "closed",
    "withdrawn",
)
(
    RECEIVED,
    FEE0,
    ASSIGNED,
    ACK,
    NOTICE1,
    ITEMS1,
    FEE1,
    NOTICE2,
    ITEMS2,
    INTENTION,
    OBSERVATIONS,
    DECIDED,
    ADM_NOTICE,
    ADM_CONFIRMED,
    COURSE,
    CLOSED,
    WITHDRAWN_SLOT,
) = range(len(SLOTS))
# Events recorded by the client (or by the agent for them, by mail); the rest by the agent.
CLIENT_SLOTS = (RECEIVED, FEE0, ITEMS1, ITEMS2, OBSERVATIONS, WITHDRAWN_SLOT)
STATE_OF_SLOT = {
    NOTICE1: "incomplete",
    NOTICE2: "incomplete",
    ITEMS1: "received",
    ITEMS2: "received",
    INTENTION: "intention",
    DECIDED: "decided",
    CLOSED: "closed",
    WITHDRAWN_SLOT: "withdrawn",
}
STATES = ("received", "incomplete", "intention", "decided", "withdrawn", "closed")
OPEN = ("received", "incomplete", "intention")


def say(message: str) -> None:
    print(f"bench dossiers: {message}", flush=True)


class BenchError(SystemExit):
    """Stops the bench with a message (and a non-zero exit status)."""

    def __init__(self, message: str) -> None:
        super().__init__(f"bench dossiers: {message}")


# ---------------------------------------------------------------------------------------------
# The database
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    url: str
    name: str
    where: str  # host:port, for messages

    @classmethod
    def from_env(cls) -> Database:
        url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
        try:
            params = conninfo_to_dict(url)
        except psycopg.ProgrammingError as exc:
            raise BenchError(f"BENCH_DATABASE_URL is not a PostgreSQL URL: {exc}") from None
        name = str(params.get("dbname") or "")
        if "bench" not in name:
            # The bench drops and recreates its database: never let it near a real one.
            raise BenchError(
                f"refusing database {name!r}: the bench database's name must contain 'bench'"
            )
        where = f"{params.get('host', 'localhost')}:{params.get('port', 5432)}"
        return cls(url, name, where)

    def connect(self, *, maintenance: bool = False) -> psycopg.Connection[Any]:
        conninfo = make_conninfo(self.url, dbname="postgres") if maintenance else self.url
        return psycopg.connect(conninfo, autocommit=True, connect_timeout=5)


def prepare_database(db: Database, *, wanted: int, rebuild: bool) -> bool:
    """Create, migrate and load the reference data; return True when dossiers must be built."""
    try:
        with db.connect(maintenance=True) as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db.name,))
            exists = found.fetchone() is not None
            count = 0 if not exists else _dossier_count(db)
            build = rebuild or count < wanted
            if exists and build and count:
                say(f"dropping {db.name} ({count:,} dossiers) to rebuild it")
                conn.execute(
                    sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(db.name))
                )
                exists = False
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db.name)))
                say(f"created database {db.name}")
    except psycopg.OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        raise BenchError(
            f"PostgreSQL is not reachable at {db.where} ({first_line}). Start it, or point "
            "BENCH_DATABASE_URL at a server where the bench may create its own database."
        ) from None
    env = {**os.environ, "DATABASE_URL": db.url, "DJANGO_SETTINGS_MODULE": "guichet.settings"}
    for args in (
        ["migrate", "--no-input", "-v", "0"],
        ["load-declaration", "declarations/micc.toml"],
        ["load-calendar", "calendars/quebec.toml"],
    ):
        done = subprocess.run(  # noqa: S603 — our own interpreter and command
            [sys.executable, "-m", "guichet", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise BenchError(f"guichet {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return build


def _dossier_count(db: Database) -> int:
    with db.connect() as conn:
        if conn.execute("SELECT to_regclass('dossiers_dossier')").fetchone() == (None,):
            return 0
        row = conn.execute("SELECT count(*) FROM dossiers_dossier").fetchone()
        return int(row[0]) if row else 0


def setup_django(db: Database) -> None:
    os.environ["DATABASE_URL"] = db.url
    os.environ["GUICHET_FIELD_KEYS"] = FIELD_KEY
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guichet.settings")
    import django

    django.setup()


# ---------------------------------------------------------------------------------------------
# Units, services and people
# ---------------------------------------------------------------------------------------------


@dataclass
class ServiceInfo:
    pk: int
    code: str
    unit: int  # index in World.units
    weight: float
    audience: str
    fee: str | None  # amount, e.g. "123.00"
    labels: list[str]  # required documents, for notices and refusals
    decide: tuple[int, int]
    refuse: float
    mail: float
    # (pk, target, starts_on, stops_on, in force from, in force to), in position order
    commitments: list[tuple[int, int, str, str, date, date | None]]

    def target(self, starts_on: str, stops_on: str) -> int:
        found = [c[1] for c in self.commitments if c[2] == starts_on and c[3] == stops_on]
        return found[0] if found else 0


@dataclass
class World:
    """What the generator needs to know of the reference data and of the people."""

    today: date
    first_day: date
    cal: BusinessCalendar
    unit_pks: list[int]
    unit_codes: list[str]
    services: list[ServiceInfo]
    # declaration versions: (first day, last day or None, indexes into services)
    versions: list[tuple[date, date | None, list[int]]]
    agents: list[list[int]]  # per unit
    clients: list[int]
    bench_client: int
    labels: dict[int, str]  # user pk -> how an event names them
    agent: User
    service_account: User


def ensure_world() -> World:
    """Units owning every application service, agents, clients and the service account.
    Idempotent: a second run finds everything in place (and resets the known password)."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from guichet.accounts.models import Membership, StaffRole, Unit, UnitService, User
    from guichet.calendars.services import business_calendar
    from guichet.catalogue.models import Declaration, ServiceKind
    from guichet.demo import histories as demo_histories
    from guichet.demo import people as demo_people

    today = timezone.localdate()
    first_day = today - timedelta(days=DAYS_OF_HISTORY - 1)
    versions = [
        d
        for d in Declaration.objects.order_by("in_force_from")
        if d.in_force_from <= today and (d.in_force_to is None or d.in_force_to >= first_day)
    ]
    if not versions:
        raise BenchError("no declaration in force over the last three years")

    units: dict[str, Unit] = {}
    for spec in demo_people.UNITS:
        units[spec.code], _ = Unit.objects.get_or_create(
            code=spec.code, defaults={"name": spec.name}
        )
    declared = {code: spec.code for spec in demo_people.UNITS for code in spec.services}
    unit_codes = [spec.code for spec in demo_people.UNITS]
    owned = dict(UnitService.objects.values_list("service_code", "unit__code"))

    services: list[ServiceInfo] = []
    version_rows: list[tuple[date, date | None, list[int]]] = []
    for version in versions:
        indexes = []
        rows = (
            version.services.filter(kind=ServiceKind.APPLICATION)
            .select_related("group")
            .prefetch_related("commitments", "documents")
            .order_by("position")
        )
        for s in rows:
            unit_code = owned.get(s.code)
            if unit_code is None:
                unit_code = declared.get(s.code) or demo_people.UNIT_OF_GROUP.get(
                    s.group.code, unit_codes[0]
                )
                UnitService.objects.create(unit=units[unit_code], service_code=s.code)
                owned[s.code] = unit_code
            if unit_code not in unit_codes:
                unit_codes.append(unit_code)
                units[unit_code] = Unit.objects.get(code=unit_code)
            profile = demo_histories.PROFILES.get(s.code, demo_histories.DEFAULT_PROFILE)
            indexes.append(len(services))
            services.append(
                ServiceInfo(
                    pk=s.pk,
                    code=s.code,
                    unit=unit_codes.index(unit_code),
                    weight=float(profile.weight or 0.5),
                    audience=s.audience,
                    fee=None if s.fee_amount is None else f"{s.fee_amount:.2f}",
                    labels=[d.label_fr for d in s.documents.all() if d.required],
                    decide=(max(1, profile.decide[0]), max(1, profile.decide[1])),
                    refuse=profile.refuse,
                    mail=profile.mail,
                    commitments=[
                        (c.pk, c.target, c.starts_on, c.stops_on, c.in_force_from, c.in_force_to)
                        for c in sorted(s.commitments.all(), key=lambda c: c.position)
                        if c.unit == "business_days"
                    ],
                )
            )
        version_rows.append((version.in_force_from, version.in_force_to, indexes))
    if BIG_UNIT not in unit_codes:
        raise BenchError(f"unit {BIG_UNIT} owns no application service")

    # The accounts that sign in get the known password, the others an unusable one. A password
    # hash is only replaced when it does not match: a new hash would log out every session of
    # the account, including those of a bench running beside this one (bench/reports.py).
    no_password = make_password(None)

    def account(email: str, name: str, usable: bool) -> User:
        user = User.objects.filter(email=email).first() or User(email=email)
        if user.pk is None or (usable and not user.check_password(PASSWORD)):
            user.password = make_password(PASSWORD) if usable else no_password
        elif not usable and user.has_usable_password():
            user.password = no_password
        user.full_name, user.is_active = name, True
        user.save()
        return user

    agents: list[list[int]] = []
    labels: dict[int, str] = {}
    agent = None
    for u, code in enumerate(unit_codes):
        team = []
        for k in range(AGENTS.get(code, AGENTS_ELSEWHERE)):
            if code == BIG_UNIT and k == 0:
                user = account(AGENT_EMAIL, "Agent Banc-Essai", usable=True)
                agent = user
            else:
                user = account(
                    f"bench-agent-{u + 1}-{k + 1:02d}@example.org",
                    f"Agent {u + 1}-{k + 1:02d} Banc-Essai",
                    usable=False,
                )
            Membership.objects.get_or_create(
                user=user, unit=units[code], defaults={"role": StaffRole.AGENT}
            )
            team.append(user.pk)
            labels[user.pk] = str(user)
        agents.append(team)
    assert agent is not None
    service_account = account(SERVICE_ACCOUNT_EMAIL, "Système Banc-Essai", usable=False)
    Membership.objects.get_or_create(
        user=service_account, unit=units[BIG_UNIT], defaults={"role": StaffRole.AGENT}
    )
    bench_client = account(CLIENT_EMAIL, "Camille Banc-Essai", usable=True)
    labels[bench_client.pk] = str(bench_client)

    # Clients: made-up people who own the online dossiers.
    names = [f"{f} {last}" for f in demo_people.FIRST_NAMES for last in demo_people.LAST_NAMES]
    emails = [f"bench-client-{i:05d}@example.org" for i in range(1, N_CLIENTS + 1)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    User.objects.bulk_create(
        [
            User(email=e, full_name=names[i % len(names)], password=no_password)
            for i, e in enumerate(emails)
            if e not in existing
        ],
        batch_size=1000,
    )
    clients = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
    client_pks = [clients[e] for e in emails]
    for i, pk in enumerate(client_pks):
        labels[pk] = names[i % len(names)]

    return World(
        today=today,
        first_day=first_day,
        cal=business_calendar(),
        unit_pks=[units[c].pk for c in unit_codes],
        unit_codes=unit_codes,
        services=services,
        versions=version_rows,
        agents=agents,
        clients=client_pks,
        bench_client=bench_client.pk,
        labels=labels,
        agent=agent,
        service_account=service_account,
    )


# ---------------------------------------------------------------------------------------------
# Planning histories with numpy
# ---------------------------------------------------------------------------------------------


class Days:
    """Business-day arithmetic on arrays of day numbers (days since 1970-01-01, the first day
    of the calendar, so a day number indexes the calendar's ordinal table directly)."""

    def __init__(self, cal: BusinessCalendar, today: date) -> None:
        self.cal = cal
        self.ords = cal.ordinals
        self.offs = cal.business_offsets
        self.today = today
        self.today_n = day_number(today)

    def after(self, d: I64, n: I64 | int) -> I64:
        """The n-th business day after d (n >= 1)."""
        out: I64 = self.offs[self.ords[d] + n - 1]
        return out

    def on_or_before(self, d: I64) -> I64:
        """d when the office is open, else the business day before."""
        out: I64 = self.offs[self.ords[d] - 1]
        return out

    def open_day(self, d: I64) -> I64:
        """d when the office is open, else the next business day."""
        return np.where(self.ords[d] != self.ords[d - 1], d, self.after(d, 1))

    def counted(
        self, start: I64, k: I64, starts: I64 | None = None, ends: I64 | None = None
    ) -> I64:
        """The k-th counted day of a clock started on `start`, through the engine's batch
        path (planned suspensions are all closed, so there is always one)."""
        result = compute_batch(
            self.cal,
            start.view("datetime64[D]"),
            k,
            np.datetime64(self.today),
            None if starts is None else starts.view("datetime64[D]"),
            None if ends is None else ends.view("datetime64[D]"),
        )
        due: I64 = result.due_date.view(np.int64)
        assert not (due == NAT).any()
        return due


def day_number(day: date) -> int:
    return (day - date(1970, 1, 1)).days


@dataclass
class Plan:
    """One row per dossier (in the order of their ids) and one row per slot."""

    n: int
    service: I64  # index in World.services
    unit: I64
    received: I64
    mail: Bools
    client: I64  # user pk or -1
    agent: I64  # user pk
    refused: Bools
    withdrawn_on: I64  # NAT when not withdrawn
    dates: I64  # (slots, n)
    present: Bools  # (slots, n): planned and still there after the cuts
    accepted_reason: I64
    refusal_reason: I64
    notice_items: I64  # variant of the first notice's items
    notice2_items: I64
    observation_text: I64
    hour: I64  # when the request was entered
    minute: I64


def plan_histories(world: World, n: int, rng: np.random.Generator) -> Plan:
    """Dossiers received over the last three years and the whole life planned for each,
    then cut at today, as guichet.demo.histories.Planner does one dossier at a time."""
    days = Days(world.cal, world.today)
    services = world.services
    first, today_n = day_number(world.first_day), days.today_n

    # Reception: any day online (most weekend requests wait for Monday), a business day by mail.
    raw = np.sort(rng.integers(first, today_n + 1, n))
    version = np.full(n, -1, dtype=np.int64)
    for v, (v_from, v_to, _) in enumerate(world.versions):
        in_force = (raw >= day_number(v_from)) & (raw <= (day_number(v_to) if v_to else today_n))
        version[in_force] = v
    if (version < 0).any():
        raise BenchError("some days of the last three years have no declaration in force")
    service = np.zeros(n, dtype=np.int64)
    for v, (_, _, indexes) in enumerate(world.versions):
        # A unit's share of the requests, split between its services like the demo's.
        unit_weight: dict[int, float] = {}
        for j in indexes:
            unit_weight[services[j].unit] = unit_weight.get(services[j].unit, 0.0) + (
                services[j].weight
            )
        p = np.array(
            [
                UNIT_SHARE.get(world.unit_codes[services[j].unit], 0.02)
                * services[j].weight
                / unit_weight[services[j].unit]
                for j in indexes
            ]
        )
        mask = version == v
        service[mask] = rng.choice(np.array(indexes), size=int(mask.sum()), p=p / p.sum())
    pick = np.array
    unit = pick([s.unit for s in services])[service]
    mail = rng.random(n) < pick([s.mail for s in services])[service]
    weekend = days.ords[raw] == days.ords[raw - 1]
    moved = mail | (weekend & (rng.random(n) < 0.6))
    received = np.where(moved, days.on_or_before(raw), raw)
    version_start = pick([day_number(start) for start, _, _ in world.versions])[version]
    received = np.maximum(received, version_start)
    # Ids follow the date of reception, as in real life.
    order = np.argsort(received, kind="stable")
    received, service, unit, mail = received[order], service[order], unit[order], mail[order]

    clients = np.array(world.clients, dtype=np.int64)
    client = clients[rng.integers(0, clients.size, n)]
    client = np.where(mail & (rng.random(n) < 0.5), -1, client)
    # The bench client owns a few dossiers of the big unit, old and recent.
    big = np.flatnonzero(unit == world.unit_codes.index(BIG_UNIT))
    client[big[np.linspace(0, big.size - 1, CLIENT_DOSSIERS).astype(np.int64)]] = world.bench_client
    mail_or_none = mail | (client < 0)
    team_sizes = np.array([len(t) for t in world.agents])
    team_table = np.full((len(world.agents), int(team_sizes.max())), -1, dtype=np.int64)
    for u, team in enumerate(world.agents):
        team_table[u, : len(team)] = team
    agent = team_table[unit, (rng.random(n) * team_sizes[unit]).astype(np.int64)]

    def targets(starts_on: str, stops_on: str) -> I64:
        return pick([s.target(starts_on, stops_on) for s in services], dtype=np.int64)[service]

    def delay(target: I64, first_day: int) -> I64:
        """Counted days to an event promised within `target`: mostly in time, some late."""
        on_time = rng.random(n) < ON_TIME
        early = rng.integers(np.minimum(first_day, target), target + 1)
        late = rng.integers(target + 1, target + 26)
        return np.where(on_time, early, late)

    def client_day(d: I64) -> I64:
        # By mail the agent records what arrived on a business day; online, any day.
        return np.where(mail_or_none, days.open_day(d), d)

    slots = len(SLOTS)
    dates = np.full((slots, n), NAT, dtype=np.int64)
    present = np.zeros((slots, n), dtype=bool)

    def put(slot: int, when: I64, mask: Bools | None = None) -> None:
        m = np.ones(n, dtype=bool) if mask is None else mask
        dates[slot] = np.where(m, when, NAT)
        present[slot] = m

    fee = pick([s.fee is not None for s in services])[service]
    put(RECEIVED, received)
    paid = ~fee | (rng.random(n) < FEE_PAID_ON_RECEPTION)
    put(FEE0, received, fee & paid)
    assigned = days.after(received, rng.integers(1, 4, n))
    put(ASSIGNED, assigned)
    ack_target = targets("received", "acknowledged")
    acknowledged = np.where(
        ack_target > 0,
        days.counted(received, np.maximum(delay(ack_target, 2), 1)),
        days.after(received, rng.integers(1, 5, n)),
    )
    acknowledged = np.maximum(acknowledged, assigned)
    put(ACK, acknowledged)

    # Incompleteness: every unpaid fee, and a share of the others; some get a second notice.
    incomplete = ~paid | (rng.random(n) < INCOMPLETE)
    second = incomplete & (rng.random(n) < SECOND_NOTICE)
    notice1 = days.after(acknowledged, rng.integers(1, 7, n))
    items1 = client_day(notice1 + rng.integers(3, 31, n))
    notice2 = days.after(items1, rng.integers(1, 7, n))
    items2 = client_day(notice2 + rng.integers(3, 31, n))
    put(NOTICE1, notice1, incomplete)
    put(ITEMS1, items1, incomplete)
    put(FEE1, items1, ~paid)
    put(NOTICE2, notice2, second)
    put(ITEMS2, items2, second)
    ready = np.where(second, items2, np.where(incomplete, items1, acknowledged))
    starts = np.stack([np.where(incomplete, notice1, NAT), np.where(second, notice2, NAT)], 1)
    ends = np.stack([np.where(incomplete, items1, NAT), np.where(second, items2, NAT)], 1)

    # The backlog: a share of the dossiers waits months or years more.
    stuck_share = pick([STUCK.get(code, STUCK_ELSEWHERE) for code in world.unit_codes])[unit]
    held = np.where(rng.random(n) < stuck_share, rng.integers(30, 701, n), 0)

    notice_target = targets("received", "admissibility_notice_sent")
    course_target = targets("admissibility_confirmed", "course_started")
    course = (notice_target > 0) & (course_target > 0)

    # Decisions: in time or late; a refusal after a notice of intention and 15 days for
    # observations, as dossier_decide requires.
    decide_target = targets("received", "decided")
    fastest = pick([s.decide[0] for s in services])[service]
    slowest = pick([s.decide[1] for s in services])[service]
    k = np.where(decide_target > 0, delay(decide_target, 5), rng.integers(fastest, slowest + 1))
    k = k + held
    k = np.maximum(k, 1)
    earliest = days.after(ready, rng.integers(1, 4, n))
    refused = ~course & (rng.random(n) < pick([s.refuse for s in services])[service])
    decided_in_time = days.counted(received, k, starts, ends)
    intention = np.maximum(days.counted(received, np.maximum(3, k - 12), starts, ends), earliest)
    until = intention + 15
    observed = refused & (rng.random(n) < 0.5)
    decided = np.where(
        refused,
        np.maximum(decided_in_time, days.after(until, rng.integers(1, 4, n))),
        np.maximum(decided_in_time, earliest),
    )
    put(INTENTION, intention, refused)
    put(OBSERVATIONS, client_day(intention + rng.integers(2, 15, n)), observed)
    put(DECIDED, decided, ~course)

    # French courses: notice of admissibility, its confirmation, the course, then closing.
    notice = np.maximum(
        days.counted(received, np.maximum(delay(notice_target, 3), 1) + held, starts, ends),
        days.after(ready, rng.integers(1, 3, n)),
    )
    confirmed = days.after(notice, rng.integers(1, 9, n))
    started = days.counted(confirmed, np.maximum(delay(course_target, 10), 1))
    put(ADM_NOTICE, notice, course)
    put(ADM_CONFIRMED, confirmed, course)
    put(COURSE, started, course)
    put(CLOSED, days.after(started, rng.integers(1, 6, n)), course)

    # Some clients withdraw between the assignment and the end.
    end = np.where(course, started, decided)
    room = end - assigned
    withdraw_day = client_day(assigned + rng.integers(1, np.maximum(room - 1, 1) + 1))
    withdrawn = (rng.random(n) < WITHDRAWN) & (room > 2) & (withdraw_day < end)
    put(WITHDRAWN_SLOT, withdraw_day, withdrawn)

    # Keep what happened by today (and nothing after a withdrawal).
    cut = np.where(withdrawn, np.minimum(withdraw_day, today_n), today_n)
    present &= dates <= cut[None, :]

    n_labels = pick([max(1, len(s.labels)) for s in services])[service]
    return Plan(
        n=n,
        service=service,
        unit=unit,
        received=received,
        mail=mail,
        client=client,
        agent=agent,
        refused=refused,
        withdrawn_on=np.where(withdrawn, withdraw_day, NAT),
        dates=dates,
        present=present,
        accepted_reason=rng.integers(0, 2, n),
        refusal_reason=(rng.random(n) * n_labels).astype(np.int64),
        notice_items=rng.integers(0, NOTICE_VARIANTS, n),
        notice2_items=rng.integers(0, NOTICE_VARIANTS, n),
        observation_text=rng.integers(0, 2, n),
        hour=np.where(mail, rng.integers(8, 17, n), rng.integers(0, 24, n)),
        minute=rng.integers(0, 60, n),
    )


NOTICE_VARIANTS = 4


# ---------------------------------------------------------------------------------------------
# Events, dossier fields and clocks from the plan
# ---------------------------------------------------------------------------------------------


@dataclass
class Events:
    dossier: I64  # dossier index, sorted
    slot: I64
    day: I64
    seq: I64
    first: I64  # per dossier: index of its first event
    count: I64  # per dossier


def events_of(plan: Plan) -> Events:
    slot, dossier = np.nonzero(plan.present)
    slot = slot.astype(np.int64)
    dossier = dossier.astype(np.int64)
    day = plan.dates[slot, dossier]
    order = np.lexsort((slot, day, dossier))
    slot, dossier, day = slot[order], dossier[order], day[order]
    count = np.bincount(dossier, minlength=plan.n).astype(np.int64)
    first = np.cumsum(count) - count
    seq = np.arange(dossier.size, dtype=np.int64) - first[dossier] + 1
    return Events(dossier, slot, day, seq, first, count)


@dataclass
class Fields:
    state: I64  # index in STATES
    decision: I64  # 0 none, 1 accepted, 2 refused
    decided_on: I64
    fee_paid_on: I64
    assigned_to: I64  # user pk or -1


def fields_of(plan: Plan, ev: Events) -> Fields:
    """What the services would have set, from the events kept (demo.apply_steps)."""
    n = plan.n
    state_of_slot = np.full(len(SLOTS), -1, dtype=np.int64)
    for s, name in STATE_OF_SLOT.items():
        state_of_slot[s] = STATES.index(name)
    last = _last_where(state_of_slot[ev.slot] >= 0, ev, n)
    state = np.where(last >= 0, state_of_slot[ev.slot[np.maximum(last, 0)]], 0)
    kept = plan.present
    decided = kept[DECIDED]
    fee_slot = np.where(kept[FEE1], FEE1, FEE0)
    fee_paid = kept[FEE0] | kept[FEE1]
    return Fields(
        state=state,
        decision=np.where(decided, np.where(plan.refused, 2, 1), 0),
        decided_on=np.where(decided, plan.dates[DECIDED], NAT),
        fee_paid_on=np.where(fee_paid, plan.dates[fee_slot, np.arange(n)], NAT),
        assigned_to=np.where(kept[ASSIGNED], plan.agent, -1),
    )


def _last_where(mask: Bools, ev: Events, n: int) -> I64:
    """Per dossier, the index of its last event where `mask` holds, or -1."""
    positions = np.where(mask, np.arange(mask.size, dtype=np.int64), -1)
    running = np.maximum.accumulate(positions)
    last_event = ev.first + ev.count - 1
    found = np.where(ev.count > 0, running[np.maximum(last_event, 0)], -1)
    return np.where(found >= ev.first, found, -1)


@dataclass
class Clocks:
    dossier: I64
    commitment: I64  # pk
    started_on: I64
    stopped_on: I64
    due_date: I64
    at_risk_on: I64
    overdue_on: I64
    outcome: I64  # 0 none, 1 met, 2 missed
    running: Bools


def clocks_of(world: World, plan: Plan) -> Clocks:
    """Every clock of every dossier, as derive_clocks gives them, a commitment at a time."""
    from guichet.dossiers.clocks import at_risk_day_number

    cal, today = world.cal, np.datetime64(world.today)
    kept, dates = plan.present, plan.dates
    slots_of: dict[str, list[int]] = {}
    for s, kind in enumerate(SLOTS):
        slots_of.setdefault(kind, []).append(s)

    def first_on_or_after(kind: str, rows: I64, floor: I64) -> I64:
        best = np.full(rows.size, BIG, dtype=np.int64)
        for s in slots_of.get(kind, []):
            d = dates[s, rows]
            ok = kept[s, rows] & (d >= floor)
            best = np.where(ok & (d < best), d, best)
        return np.where(best == BIG, NAT, best)

    parts: list[Clocks] = []
    for j, svc in enumerate(world.services):
        for pk, target, starts_on, stops_on, valid_from, valid_to in svc.commitments:
            rows = np.flatnonzero(plan.service == j)
            r = plan.received[rows]
            in_force = r >= day_number(valid_from)
            if valid_to is not None:
                in_force &= r <= day_number(valid_to)
            rows, r = rows[in_force], r[in_force]
            m = rows.size
            if not m:
                continue
            if starts_on == "received":
                start = r
            else:
                start = first_on_or_after(starts_on, rows, np.full(m, NAT + 1))
            started = start != NAT
            safe_start = np.where(started, start, r)
            stop = np.where(started, first_on_or_after(stops_on, rows, safe_start), NAT)
            ended = first_on_or_after("withdrawn", rows, np.full(m, NAT + 1))
            closed = first_on_or_after("closed", rows, np.full(m, NAT + 1))
            ended = np.where((ended == NAT) | ((closed != NAT) & (closed < ended)), closed, ended)
            # Suspensions in history order, clipped to the clock's start (see clocks._clock).
            s_cols, e_cols = [], []
            for notice_slot, items_slot in ((NOTICE1, ITEMS1), (NOTICE2, ITEMS2)):
                has = kept[notice_slot, rows]
                s_on = np.where(has, dates[notice_slot, rows], NAT)
                e_on = np.where(has & kept[items_slot, rows], dates[items_slot, rows], NAT)
                keep = has & ((e_on == NAT) | (e_on >= safe_start))
                s_cols.append(np.where(keep, np.maximum(s_on, safe_start), NAT))
                e_cols.append(np.where(keep, e_on, NAT))
            s_arr = np.stack(s_cols, 1).view("datetime64[D]")
            e_arr = np.stack(e_cols, 1).view("datetime64[D]")
            begin = safe_start.view("datetime64[D]")

            def due(k: int, s_a: Any = s_arr, e_a: Any = e_arr, b: Any = begin) -> I64:
                out = compute_batch(cal, b, np.full(b.size, k), today, s_a, e_a)
                d: I64 = out.due_date.view(np.int64)
                return d

            natural = started & (stop != NAT)
            as_of = np.where(natural, stop, safe_start).view("datetime64[D]")
            elapsed = compute_batch(cal, begin, np.full(m, target), as_of, s_arr, e_arr).elapsed
            outcome = np.where(natural, np.where(elapsed <= target, 1, 2), 0)
            ends_here = started & ~natural & (ended != NAT)
            stopped = np.where(ends_here, np.maximum(ended, safe_start), stop)

            def only_started(values: I64, ok: Bools = started) -> I64:
                return np.where(ok, values, NAT)

            parts.append(
                Clocks(
                    dossier=rows,
                    commitment=np.full(m, pk, dtype=np.int64),
                    started_on=only_started(safe_start),
                    stopped_on=only_started(stopped),
                    due_date=only_started(due(target)),
                    at_risk_on=only_started(due(at_risk_day_number(target))),
                    overdue_on=only_started(due(target + 1)),
                    outcome=outcome,
                    running=started & (stopped == NAT),
                )
            )
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return Clocks(empty, empty, empty, empty, empty, empty, empty, empty, empty.astype(bool))
    names = list(Clocks.__dataclass_fields__)
    joined: dict[str, Any] = {f: np.concatenate([getattr(p, f) for p in parts]) for f in names}
    # Per dossier, in commitment order (the parts are in service then position order).
    order = np.argsort(joined["dossier"], kind="stable")
    return Clocks(**{f: joined[f][order] for f in names})


def caches_of(plan: Plan, fields: Fields, clocks: Clocks) -> tuple[I64, I64, I64]:
    """The earliest dates over the running clocks of open dossiers (clocks.dossier_caches)."""
    open_state = np.isin(fields.state, [STATES.index(s) for s in OPEN])
    out = []
    for values in (clocks.due_date, clocks.at_risk_on, clocks.overdue_on):
        best = np.full(plan.n, BIG, dtype=np.int64)
        use = clocks.running & open_state[clocks.dossier] & (values != NAT)
        np.minimum.at(best, clocks.dossier[use], values[use])
        out.append(np.where(best == BIG, NAT, best))
    return out[0], out[1], out[2]


# ---------------------------------------------------------------------------------------------
# Writing with COPY
# ---------------------------------------------------------------------------------------------


def copy_text(value: str) -> str:
    """Escape a value for COPY's text format."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def as_json(value: object) -> str:
    return copy_text(json.dumps(value, ensure_ascii=False))


class DayText:
    """Day numbers to 'YYYY-MM-DD' (NAT to COPY's null) through a lookup table."""

    def __init__(self, first: int, last: int, suffix: str = "") -> None:
        self.first = first
        days = [date(1970, 1, 1) + timedelta(days=d) for d in range(first, last + 1)]
        self.table = np.array([d.isoformat() + suffix for d in days] + ["\\N"], dtype=object)

    def __call__(self, values: I64) -> list[str]:
        idx = np.where(values == NAT, self.table.size - 1, values - self.first)
        out: list[str] = self.table[idx].tolist()
        return out


def ids_text(values: I64) -> list[str]:
    return [str(v) if v >= 0 else "\\N" for v in values.tolist()]


def _lines(columns: Sequence[list[str]]) -> str:
    return "".join(f"{row}\n" for row in map("\t".join, zip(*columns, strict=True)))


def write_all(world: World, plan: Plan, conn: psycopg.Connection[Any]) -> tuple[int, int, int]:
    from guichet.accounts.models import User
    from guichet.demo import histories as demo_histories
    from guichet.demo import people as demo_people
    from guichet.dossiers import services

    ev = events_of(plan)
    fields = fields_of(plan, ev)
    clocks = clocks_of(world, plan)
    due, at_risk, overdue = caches_of(plan, fields, clocks)

    rng = random.Random(SEED)
    np_rng = np.random.default_rng(SEED + 3)
    names = [f"{f} {last}" for f in demo_people.FIRST_NAMES for last in demo_people.LAST_NAMES]
    companies = [
        f"{k} {c} inc." for k in demo_people.COMPANY_KINDS for c in demo_people.COMPANY_NAMES
    ]
    addresses = [
        copy_text(
            f"{rng.randint(10, 9999)}, {rng.choice(demo_people.STREETS)}\n"
            f"{rng.choice(demo_people.CITIES)} (Québec)  H0H 0H0"
        )
        for _ in range(20_000)
    ]
    client_pks = [*world.clients, world.bench_client]
    people = dict(
        User.objects.filter(pk__in=client_pks).values_list("pk", "full_name"),
    )
    emails = dict(User.objects.filter(pk__in=client_pks).values_list("pk", "email"))

    first_day = int(plan.received.min()) - 1
    last_day = int(
        max(
            np.max(plan.dates, where=plan.dates != NAT, initial=0),
            np.max(clocks.overdue_on, where=clocks.overdue_on != NAT, initial=0),
        )
    )
    day_text = DayText(first_day, last_day)
    noon = DayText(first_day, last_day, " 12:00")
    times = [f" {h:02d}:{m:02d}" for h in range(24) for m in range(60)]

    # Event details: a table per slot of every variant, picked by index.
    svc = world.services
    ack_details = as_json({})
    fee_details = [as_json({"amount": s.fee}) if s.fee else as_json({}) for s in svc]

    def notice_items(j: int, v: int) -> list[str]:
        labels = svc[j].labels or ["Pièce justificative manquante"]
        r = random.Random(j * 100 + v)
        return r.sample(labels, min(len(labels), r.choice((1, 1, 2))))

    notice_details = [
        [
            as_json({"items": notice_items(j, v) + ([services.FEE_ITEM] if unpaid else [])})
            for v in range(NOTICE_VARIANTS)
            for unpaid in (False, True)
        ]
        for j in range(len(svc))
    ]

    def refusal(j: int, v: int) -> str:
        labels = svc[j].labels
        if not labels:
            return "Les renseignements fournis ne démontrent pas que les conditions sont remplies."
        label = labels[v % len(labels)]
        return (
            "Le document suivant ne démontre pas que la condition correspondante est remplie : "
            f"{label[0].lower()}{label[1:]}."
        )

    refusals = [[refusal(j, v) for v in range(max(1, len(s.labels)))] for j, s in enumerate(svc)]
    received_details = {
        True: as_json({"channel": "mail", "documents": []}),
        False: as_json({"channel": "online", "documents": []}),
    }
    items_details = {
        True: as_json({"documents": [], "note": "Documents reçus par la poste."}),
        False: as_json({"documents": [], "note": "Documents reçus en ligne."}),
    }
    assigned_details = {
        pk: as_json({"agent": pk, "agent_name": world.labels[pk]})
        for team in world.agents
        for pk in team
    }
    observation_details = [
        as_json({"text": t, "documents": []}) for t in demo_histories.OBSERVATIONS
    ]
    accepted_details = [
        as_json({"decision": "accepted", "reasons": t}) for t in demo_histories.ACCEPTED_REASONS
    ]
    labels = dict(world.labels)
    labels[-1] = "système"
    state_names = list(STATES)
    decision_names = ["", "accepted", "refused"]
    outcome_names = ["", "met", "missed"]

    def event_details(d: int, s: int, day: int) -> str:
        j = int(plan.service[d])
        if s == RECEIVED:
            return received_details[bool(plan.mail[d])]
        if s in (FEE0, FEE1):
            return fee_details[j]
        if s == ASSIGNED:
            return assigned_details[int(plan.agent[d])]
        if s in (NOTICE1, NOTICE2):
            v = int(plan.notice_items[d] if s == NOTICE1 else plan.notice2_items[d])
            unpaid = s == NOTICE1 and bool(plan.present[FEE1, d] or not plan.present[FEE0, d])
            unpaid = unpaid and svc[j].fee is not None
            return notice_details[j][v * 2 + int(unpaid)]
        if s in (ITEMS1, ITEMS2):
            return items_details[bool(plan.mail[d] or plan.client[d] < 0)]
        if s == INTENTION:
            until = date(1970, 1, 1) + timedelta(days=day + 15)
            return as_json(
                {
                    "intended": "refused",
                    "reasons": refusals[j][int(plan.refusal_reason[d]) % len(refusals[j])],
                    "observations_until": until.isoformat(),
                }
            )
        if s == OBSERVATIONS:
            return observation_details[int(plan.observation_text[d])]
        if s == DECIDED:
            if plan.refused[d]:
                reasons = refusals[j][int(plan.refusal_reason[d]) % len(refusals[j])]
                return as_json({"decision": "refused", "reasons": reasons})
            return accepted_details[int(plan.accepted_reason[d])]
        return ack_details

    dossier_cols = [
        "id",
        "number",
        "applicant_name",
        "applicant_email",
        "postal_address",
        "channel",
        "received_on",
        "filed_at",
        "state",
        "decision",
        "decided_on",
        "fee_paid_on",
        "version",
        "due_date",
        "at_risk_on",
        "overdue_on",
        "assigned_to_id",
        "client_id",
        "service_id",
        "unit_id",
    ]
    event_cols = [
        "id",
        "dossier_id",
        "seq",
        "kind",
        "occurred_on",
        "recorded_at",
        "actor_id",
        "actor_label",
        "details",
    ]
    clock_cols = [
        "id",
        "dossier_id",
        "commitment_id",
        "started_on",
        "stopped_on",
        "due_date",
        "at_risk_on",
        "overdue_on",
        "outcome",
    ]
    # Encrypted identifiers, where the schema has them: a birth date for people, a passport
    # number for most, a federal client id for some; a few thousand ciphertexts, reused.
    present = {
        name
        for (name,) in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
            ("dossiers_dossier",),
        ).fetchall()
    }
    secret_cols = [c for c in SECRET_COLUMNS if c in present]
    secrets_of = encrypted_values(secret_cols, rng)
    dossier_cols += secret_cols
    check_columns(
        conn,
        {
            "dossiers_dossier": [*dossier_cols, "parent_id"],
            "dossiers_dossierevent": event_cols,
            "dossiers_dossierclock": clock_cols,
        },
    )
    service_pks = np.array([s.pk for s in svc], dtype=np.int64)
    unit_pks = np.array(world.unit_pks, dtype=np.int64)
    business = np.array([s.audience == "business" for s in svc])
    client_slot = np.zeros(len(SLOTS), dtype=bool)
    client_slot[list(CLIENT_SLOTS)] = True
    kinds = np.array(SLOTS, dtype=object)

    clock_first = np.searchsorted(clocks.dossier, np.arange(plan.n + 1))
    n = plan.n
    conn.execute("SET TIME ZONE 'America/Toronto'")
    conn.execute("SET synchronous_commit TO off")
    for lo in range(0, n, CHUNK):
        hi = min(n, lo + CHUNK)
        idx = np.arange(lo, hi, dtype=np.int64)
        ids = idx + 1
        years = (plan.received[idx].view("datetime64[D]").astype("datetime64[Y]")).astype(int)
        numbers = [f"{y + 1970}-{i:06d}" for y, i in zip(years.tolist(), ids.tolist(), strict=True)]
        client = plan.client[idx]
        name_pick = rng.choices(range(len(names)), k=hi - lo)
        applicant = [
            companies[p % len(companies)]
            if business[plan.service[d]]
            else (people[c] if c >= 0 else names[p])
            for d, c, p in zip(idx.tolist(), client.tolist(), name_pick, strict=True)
        ]
        filed = [
            d + times[h * 60 + m]
            for d, h, m in zip(
                day_text(plan.received[idx]),
                plan.hour[idx].tolist(),
                plan.minute[idx].tolist(),
                strict=True,
            )
        ]
        dossier_rows = [
            ids_text(ids),
            numbers,
            [copy_text(a) for a in applicant],
            [emails[c] if c >= 0 else "" for c in client.tolist()],
            [addresses[p % len(addresses)] for p in rng.choices(range(20_000), k=hi - lo)],
            ["mail" if m else "online" for m in plan.mail[idx].tolist()],
            day_text(plan.received[idx]),
            filed,
            [state_names[s] for s in fields.state[idx].tolist()],
            [decision_names[s] for s in fields.decision[idx].tolist()],
            day_text(fields.decided_on[idx]),
            day_text(fields.fee_paid_on[idx]),
            [str(c) for c in ev.count[idx].tolist()],
            day_text(due[idx]),
            day_text(at_risk[idx]),
            day_text(overdue[idx]),
            ids_text(fields.assigned_to[idx]),
            ids_text(client),
            ids_text(service_pks[plan.service[idx]]),
            ids_text(unit_pks[plan.unit[idx]]),
        ]
        person = ~business[plan.service[idx]]
        for col in secret_cols:
            values, share, blank = secrets_of[col]
            has = person & (np_rng.random(hi - lo) < share)
            pick_ = np_rng.integers(0, len(values), hi - lo)
            dossier_rows.append(
                [
                    values[v] if h else blank
                    for h, v in zip(has.tolist(), pick_.tolist(), strict=True)
                ]
            )
        e_lo, e_hi = int(ev.first[lo]), int(ev.first[hi - 1] + ev.count[hi - 1])
        e_d = ev.dossier[e_lo:e_hi]
        e_s = ev.slot[e_lo:e_hi]
        e_day = ev.day[e_lo:e_hi]
        by_client = client_slot[e_s] & (plan.client[e_d] >= 0) & ~plan.mail[e_d]
        actor = np.where(by_client, plan.client[e_d], plan.agent[e_d])
        event_rows = [
            [str(i) for i in range(e_lo + 1, e_hi + 1)],
            ids_text(e_d + 1),
            [str(s) for s in ev.seq[e_lo:e_hi].tolist()],
            kinds[e_s].tolist(),
            day_text(e_day),
            noon(e_day),
            ids_text(actor),
            [copy_text(labels[a]) for a in actor.tolist()],
            [
                event_details(d, s, day)
                for d, s, day in zip(e_d.tolist(), e_s.tolist(), e_day.tolist(), strict=True)
            ],
        ]
        c_lo, c_hi = int(clock_first[lo]), int(clock_first[hi])
        part = slice(c_lo, c_hi)
        clock_rows = [
            [str(i) for i in range(c_lo + 1, c_hi + 1)],
            ids_text(clocks.dossier[part] + 1),
            ids_text(clocks.commitment[part]),
            day_text(clocks.started_on[part]),
            day_text(clocks.stopped_on[part]),
            day_text(clocks.due_date[part]),
            day_text(clocks.at_risk_on[part]),
            day_text(clocks.overdue_on[part]),
            [outcome_names[o] for o in clocks.outcome[part].tolist()],
        ]
        with conn.transaction():
            copy_rows(conn, "dossiers_dossier", dossier_cols, dossier_rows)
            copy_rows(conn, "dossiers_dossierevent", event_cols, event_rows)
            copy_rows(conn, "dossiers_dossierclock", clock_cols, clock_rows)
        say(f"  written {hi:,} dossiers, {e_hi:,} events, {c_hi:,} clocks")
    for table in ("dossiers_dossier", "dossiers_dossierevent", "dossiers_dossierclock"):
        conn.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence({t}, 'id'), "
                "(SELECT coalesce(max(id), 1) FROM {i}))"
            ).format(t=sql.Literal(table), i=sql.Identifier(table))
        )
    return n, int(ev.dossier.size), int(clocks.dossier.size)


# column: share of the people's dossiers that have one
SECRET_COLUMNS = {"birth_date": 0.95, "passport_number": 0.7, "federal_client_id": 0.3}


def encrypted_values(
    columns: Sequence[str], rng: random.Random
) -> dict[str, tuple[list[str], float, str]]:
    """Per column: ciphertexts to pick from, the share that has one, the text of a blank."""
    if not columns:
        return {}
    from guichet.crypto import encrypt

    def plain(column: str) -> str:
        if column == "birth_date":
            return (date(1950, 1, 1) + timedelta(days=rng.randrange(58 * 365))).isoformat()
        if column == "passport_number":
            letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
            return f"{rng.choice(letters)}{rng.choice(letters)}{rng.randrange(10**6):06d}"
        return f"{rng.randrange(10**8):08d}"

    return {
        c: (
            [copy_text(encrypt(plain(c))) for _ in range(2_000)],
            SECRET_COLUMNS[c],
            "\\N" if c == "birth_date" else "",
        )
        for c in columns
    }


def copy_rows(
    conn: psycopg.Connection[Any], table: str, columns: list[str], rows: list[list[str]]
) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    step = 20_000
    total = len(rows[0])
    with conn.cursor() as cur, cur.copy(statement) as copy:
        for start in range(0, total, step):
            copy.write(_lines([col[start : start + step] for col in rows]))


def check_columns(conn: psycopg.Connection[Any], written: dict[str, list[str]]) -> None:
    """Fail clearly if the schema grew a required column the generator does not write."""
    for table, columns in written.items():
        missing = [
            name
            for name, nullable, default, identity in conn.execute(
                "SELECT column_name, is_nullable, column_default, is_identity "
                "FROM information_schema.columns WHERE table_name = %s",
                (table,),
            ).fetchall()
            if name not in columns and nullable == "NO" and default is None and identity == "NO"
        ]
        if missing:
            raise BenchError(
                f"{table} has new required column(s) {', '.join(missing)}: teach "
                "bench/dossiers.py to write them"
            )


def build(db: Database, world: World) -> None:
    started = time.perf_counter()
    rng = np.random.default_rng(SEED)
    say(f"building {N_DOSSIERS:,} dossiers over {DAYS_OF_HISTORY} days (once; reused after)")
    plan = plan_histories(world, N_DOSSIERS, rng)
    planned = time.perf_counter()
    say(f"  planned and cut at {world.today.isoformat()} in {planned - started:.1f} s")
    with db.connect() as conn:
        n, events, clocks = write_all(world, plan, conn)
        written = time.perf_counter()
        say(f"  written in {written - planned:.1f} s; VACUUM ANALYZE")
        for table in ("dossiers_dossier", "dossiers_dossierevent", "dossiers_dossierclock"):
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))
    took = time.perf_counter() - started
    say(
        f"built {n:,} dossiers, {events:,} events and {clocks:,} clocks in {took:.0f} s "
        f"({took / 60:.1f} min; vacuum and analyze {time.perf_counter() - written:.0f} s)"
    )


# ---------------------------------------------------------------------------------------------
# Checking the data against the application's own rules
# ---------------------------------------------------------------------------------------------


def verify_sample(world: World, size: int = VERIFY_SAMPLE) -> None:
    """derive_clocks and demo.apply_steps on random dossiers must give exactly what is stored."""
    from guichet.demo.histories import Step, apply_steps
    from guichet.dossiers.clocks import derive_clocks, dossier_caches
    from guichet.dossiers.models import Dossier, DossierClock, EventKind

    top = Dossier.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rng = random.Random(SEED)
    pks = rng.sample(range(1, top + 1), min(size, top))
    problems: list[str] = []
    for dossier in Dossier.objects.filter(pk__in=pks).select_related("service"):
        events = list(dossier.events.order_by("seq"))
        clocks = derive_clocks(world.cal, dossier, events)
        stored = {c.commitment_id: c for c in DossierClock.objects.filter(dossier=dossier.pk)}
        if set(stored) != {c.commitment.pk for c in clocks}:
            problems.append(f"{dossier.number}: clocks {sorted(stored)}")
        for c in clocks:
            row = stored.get(c.commitment.pk)
            want = (
                c.started_on,
                c.stopped_on,
                c.due_date,
                c.at_risk_on,
                c.overdue_on,
                c.outcome.value if c.outcome else "",
            )
            got = (
                (row.started_on, row.stopped_on, row.due_date, row.at_risk_on)
                + (row.overdue_on, row.outcome)
                if row
                else None
            )
            if got != want:
                problems.append(f"{dossier.number} {c.commitment.code}: {got} != {want}")
        caches = dossier_caches(dossier, clocks)
        got_caches = (dossier.due_date, dossier.at_risk_on, dossier.overdue_on)
        if got_caches != (caches.due_date, caches.at_risk_on, caches.overdue_on):
            problems.append(f"{dossier.number} caches {got_caches} != {caches}")
        replay = Dossier(received_on=dossier.received_on, service=dossier.service)
        apply_steps(
            replay,
            [Step(EventKind(e.kind), e.occurred_on, None, e.details) for e in events],
        )
        names = ("state", "decision", "decided_on", "fee_paid_on", "assigned_to_id", "version")
        got_fields = [getattr(dossier, f) for f in names]
        want_fields = [getattr(replay, f) for f in names]
        if got_fields != want_fields:
            problems.append(f"{dossier.number} fields {got_fields} != {want_fields}")
    if problems:
        raise BenchError(
            f"{len(problems)} difference(s) with derive_clocks on {len(pks)} dossiers "
            "(rebuild with BENCH_REBUILD=1 if the rules changed):\n  " + "\n  ".join(problems[:20])
        )
    say(f"checked {len(pks)} random dossiers against derive_clocks: identical")


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def runtime_url(db: Database) -> str:
    """The bench database's URL for a runtime role, created (or given a new password) and
    granted by `guichet db-grants`."""
    done = subprocess.run(  # noqa: S603 — our own interpreter and command
        [sys.executable, "-m", "guichet", "db-grants", "--role", RUNTIME_ROLE]
        + ["--apply", "--create-role"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": db.url, "DJANGO_SETTINGS_MODULE": "guichet.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise BenchError(f"guichet db-grants failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip()


RUNTIME_ROLE = "guichet_bench_app"
# The gunicorn master serving each port (gunicorn() below), for CpuMeter.
_SERVING: dict[int, int] = {}


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU time of one process so far (Linux /proc); 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds spent between start and stop by gunicorn's workers on `port`, by the
    PostgreSQL backends of the runtime role on the bench database, and by this process (the
    client threads): a figure that holds when other work shares the cores, where requests per
    second do not."""

    def __init__(self, db: Database, port: int) -> None:
        self.db, self.port = db, port
        self.workers = self._workers()
        self.backends = self._backends()
        self.client = time.process_time()

    def _workers(self) -> dict[int, float]:
        master = _SERVING[self.port]
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        return {int(pid): process_cpu_seconds(int(pid)) for pid in children}

    def _backends(self) -> dict[int, float]:
        with self.db.connect() as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND usename = %s",
                (self.db.name, RUNTIME_ROLE),
            ).fetchall()
        return {pid: process_cpu_seconds(pid) for (pid,) in rows}

    @staticmethod
    def _spent(before: dict[int, float], after: dict[int, float]) -> float:
        # A process that appeared meanwhile counts from 0; one that left is lost (rare).
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())

    def stop(self) -> dict[str, float]:
        return {
            "gunicorn": self._spent(self.workers, self._workers()),
            "postgresql": self._spent(self.backends, self._backends()),
            "client": time.process_time() - self.client,
        }


@contextmanager
def gunicorn(db: Database) -> Iterator[int]:
    """Serve Guichet with 2 workers on a free loopback port; always stopped on the way out."""
    port = free_port()
    binary = Path(sys.executable).parent / "gunicorn"
    env = {
        **os.environ,
        # As in production: the runtime role, which owns nothing (docs/deployment.md).
        "DATABASE_URL": runtime_url(db),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "LOG_LEVEL": "WARNING",
        "GUICHET_FIELD_KEYS": FIELD_KEY,
    }
    log = tempfile.NamedTemporaryFile("w+", prefix="bench-gunicorn-", suffix=".log", delete=False)
    process = subprocess.Popen(  # noqa: S603 — our own gunicorn, fixed arguments
        [
            str(binary),
            "guichet.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise BenchError(f"gunicorn exited ({process.returncode}):\n{_tail(log.name)}")
            try:
                if get(port, "/accounts/login/").status == 200:
                    break
            except (OSError, http.client.HTTPException):
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"gunicorn did not answer within 60 s:\n{_tail(log.name)}")
            time.sleep(0.2)
        say(f"gunicorn (pid {process.pid}, 2 workers) answers on 127.0.0.1:{port}")
        _SERVING[port] = process.pid
        yield port
    finally:
        _SERVING.pop(port, None)
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
        errors = _tail(log.name)
        if errors.strip():
            say(f"gunicorn log ({log.name}):\n{errors}")
        else:
            os.unlink(log.name)


def _workers(port: int) -> dict[int, dict[str, str]]:
    """The /proc status of the gunicorn workers serving `port` (the master left out)."""
    bind = f"127.0.0.1:{port}".encode()
    found: dict[int, dict[str, str]] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if bind not in (proc / "cmdline").read_bytes():
                continue
            status = (proc / "status").read_text()
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        fields = {k: v.strip() for k, v in (line.split(":", 1) for line in status.splitlines())}
        fields["cpu_ticks"] = str(int(stat[11]) + int(stat[12]))  # utime + stime
        found[int(proc.name)] = fields
    return {pid: f for pid, f in found.items() if int(f["PPid"]) in found}


def worker_rss_kb(port: int) -> int:
    """Resident memory of the gunicorn workers serving `port`, together."""
    return sum(int(f.get("VmRSS", "0 kB").split()[0]) for f in _workers(port).values())


def worker_cpu_s(port: int) -> float:
    """CPU time (user and system) the gunicorn workers serving `port` have used so far."""
    ticks = sum(int(f["cpu_ticks"]) for f in _workers(port).values())
    return ticks / os.sysconf("SC_CLK_TCK")


def _tail(path: str, lines: int = 30) -> str:
    with open(path, encoding="utf-8", errors="replace") as f:
        return "".join(f.readlines()[-lines:])


# ---------------------------------------------------------------------------------------------
# The client side
# ---------------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    body: bytes
    cookies: dict[str, str]
    seconds: float
    location: str = ""


def get(
    port: int,
    path: str,
    headers: dict[str, str] | None = None,
    *,
    method: str = "GET",
    body: str | None = None,
) -> Answer:
    """One request on a new connection (gunicorn's sync workers close every connection)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        cookies: dict[str, str] = {}
        for header in response.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            cookies.update({k: m.value for k, m in jar.items()})
        seconds = time.perf_counter() - started
        return Answer(response.status, data, cookies, seconds, response.getheader("Location") or "")
    finally:
        conn.close()


def log_in(port: int, email: str, password: str, code: Callable[[], str]) -> dict[str, str]:
    """Sign in as a person does: the log-in form, then the authenticator code when Guichet asks
    for it (staff must have one); return the headers that carry the session."""
    jar: dict[str, str] = {}

    def call(path: str, form: dict[str, str] | None = None) -> Answer:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
        body = None
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode(form)
        answer = get(port, path, headers, method="GET" if form is None else "POST", body=body)
        for name, value in answer.cookies.items():
            if value:
                jar[name] = value
            else:
                jar.pop(name, None)
        return answer

    def post_form(path: str, fields: dict[str, str]) -> Answer:
        page = call(path)
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if page.status != 200 or not found:
            raise BenchError(f"GET {path} gave no form with a CSRF token (HTTP {page.status})")
        return call(path, {"csrfmiddlewaretoken": found.group(1).decode(), **fields})

    answer = post_form("/accounts/login/", {"username": email, "password": password, "next": ""})
    if answer.status != 302:
        raise BenchError(f"signing in as {email} failed (HTTP {answer.status})")
    verify = urllib.parse.urlsplit(answer.location).path
    if verify.startswith("/accounts/verification"):
        answer = post_form(verify, {"code": code()})
        if answer.status != 302:
            raise BenchError(
                f"the authenticator code of {email} was refused (HTTP {answer.status})"
            )
    if "sessionid" not in jar:
        raise BenchError(f"signing in as {email} gave no session")
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}


# The bench agent's authenticator (base32); a throwaway account of a throwaway database.
TOTP_SECRET = "GUICHETBENCHAGENTTOTPSECRET23456"  # noqa: S105


def ensure_second_factor(user: User) -> Callable[[], str] | None:
    """Give the bench agent a confirmed authenticator application (through the service, as
    enrolling does) and return what types its next code; None where Guichet has none."""
    try:
        from guichet.accounts import services, totp
        from guichet.accounts.models import TotpDevice
    except ImportError:
        return None

    def next_code() -> str:
        """A code of a step not used yet: the current one, or the next (accepted too)."""
        while True:
            device = TotpDevice.objects.filter(user=user).first()
            used = device.last_used_step if device and device.last_used_step is not None else -1
            now = totp.time_step(time.time())
            if used < now + 1:
                return totp.code_at(TOTP_SECRET, max(now, used + 1) * totp.STEP_SECONDS)
            time.sleep(1)

    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None or device.secret != TOTP_SECRET:
        proof = mailbox_proof(user) if device is None else None
        confirmed = services.totp_device_confirm(
            user=user, secret=TOTP_SECRET, code=next_code(), mailbox_proof=proof
        )
        if not confirmed.ok:
            raise BenchError("could not enrol the bench agent's authenticator")
    return next_code


def mailbox_proof(user: Any) -> int | None:
    """Staff prove their mailbox before a first application, as a person does: the code
    e-mailed to them (kept in memory here), typed back."""
    from django.core import mail
    from django.test.utils import override_settings

    from guichet.accounts import mfa, services

    if not mfa.enrolment_needs_mailbox_proof(user):
        return None
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        services.enrolment_code_send(user=user)
        found = re.search(r"\b(\d{8})\b", str(mail.outbox[-1].body))
    if found is None:
        raise BenchError("no code in the enrolment e-mail")
    return services.enrolment_code_check(user=user, code=found.group(1)).proof


@dataclass
class Run:
    name: str
    seconds: list[float]  # successful requests only
    statuses: Counter[int]
    wall: float
    planned: int
    client_cpu: float  # seconds of this process's CPU (the load generator's own cost)
    ok: int = 200  # the status of a success (201 for a filing)

    @property
    def done(self) -> int:
        return sum(self.statuses.values())

    @property
    def failures(self) -> int:
        return self.done - self.statuses.get(self.ok, 0)

    @property
    def rps(self) -> float:
        return self.statuses.get(self.ok, 0) / self.wall

    def ms(self, q: float) -> float:
        return float(np.percentile(np.array(self.seconds) * 1000, q)) if self.seconds else 0.0

    def summary(self) -> str:
        return (
            f"{self.name}: {self.done} requests in {self.wall:.1f} s "
            f"({self.rps:.0f} ok/s), p50 {self.ms(50):.1f} ms, "
            f"p90 {self.ms(90):.1f} ms, p99 {self.ms(99):.1f} ms, max {self.ms(100):.1f} ms, "
            f"statuses {dict(sorted(self.statuses.items()))}, "
            f"client CPU {self.client_cpu / max(self.done, 1) * 1000:.2f} ms/request"
        )


def hammer(
    name: str,
    port: int,
    paths: Sequence[str],
    headers: dict[str, str],
    threads: int,
    *,
    bodies: Sequence[str] | None = None,
    ok: int = 200,
) -> Run:
    """Send `paths` in order from `threads` threads, each one request at a time (GETs, or
    POSTs of `bodies`, one per path)."""
    results: list[tuple[int, float] | None] = [None] * len(paths)
    counter = itertools.count()
    stop_at = time.monotonic() + PHASE_SECONDS

    def worker() -> None:
        while True:
            i = next(counter)
            if i >= len(paths) or time.monotonic() > stop_at:
                return
            try:
                if bodies is None:
                    answer = get(port, paths[i], headers)
                else:
                    answer = get(port, paths[i], headers, method="POST", body=bodies[i])
                results[i] = (answer.status, answer.seconds)
            except (OSError, http.client.HTTPException):
                results[i] = (0, 0.0)

    started, cpu = time.perf_counter(), time.process_time()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - started
    done = [r for r in results if r is not None]
    return Run(
        name=name,
        seconds=[s for status, s in done if status == ok],
        statuses=Counter(status for status, _ in done),
        wall=wall,
        planned=len(paths),
        client_cpu=time.process_time() - cpu,
        ok=ok,
    )


def check(run: Run, minimum: int) -> None:
    say(run.summary())
    if run.done < minimum:
        raise BenchError(
            f"{run.name}: only {run.done} of {run.planned} requests within {PHASE_SECONDS:.0f} s"
        )
    if run.failures > MAX_FAILURES * run.done:
        raise BenchError(
            f"{run.name}: {run.failures} of {run.done} requests were not HTTP {run.ok}"
        )


def worklist_paths(port: int, headers: dict[str, str], world: World) -> list[str]:
    """First pages of several filters, and the pages after them through their `apres=`
    cursors (read from each page's "Page suivante" link)."""
    from guichet.accounts.models import UnitService

    codes = list(
        UnitService.objects.filter(unit__code=BIG_UNIT)
        .order_by("service_code")
        .values_list("service_code", flat=True)
    )
    filters = [
        "",
        "flag=overdue",
        "flag=at_risk",
        "flag=suspended",
        "state=incomplete",
        f"agent={world.agent.pk}",
        *(f"service={c}" for c in codes),
        f"service={codes[0]}&flag=overdue",
    ]
    paths = []
    for query in filters:
        path = f"/bureau/?{query}" if query else "/bureau/"
        for _ in range(WORKLIST_PAGES):
            paths.append(path)
            answer = get(port, path, headers)
            if answer.status != 200:
                raise BenchError(f"GET {path} answered HTTP {answer.status}")
            found = re.search(rb'href="\?([^"]*apres=[^"]*)"', answer.body)
            if not found:
                break
            path = "/bureau/?" + html.unescape(found.group(1).decode())
    return paths


def sample_numbers(world: World, count: int) -> tuple[list[str], list[str]]:
    """Numbers of random open and closed dossiers of the big unit."""
    from guichet.dossiers.models import OPEN_STATES, Dossier

    top = Dossier.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rng = random.Random(SEED + 1)
    pks = rng.sample(range(1, top + 1), min(top, 40 * count))
    rows = Dossier.objects.filter(pk__in=pks, unit__code=BIG_UNIT).values_list("number", "state")
    open_ = [number for number, state in rows if state in OPEN_STATES][:count]
    closed = [number for number, state in rows if state not in OPEN_STATES][:count]
    if not open_ or not closed:
        raise BenchError(f"no open or no closed dossier found in {BIG_UNIT}")
    return open_, closed


def cpu_busy(seconds: float = 3.0) -> float | None:
    """The share of all CPUs busy over `seconds` (Linux), to tell a quiet machine."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat", encoding="ascii") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        idle = values[3] + (values[4] if len(values) > 4 else 0)
        return sum(values), idle

    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return 1 - (idle1 - idle0) / max(total1 - total0, 1)


def api_token(world: World) -> str:
    from guichet.accounts.models import ApiToken
    from guichet.accounts.services import api_token_create

    ApiToken.objects.filter(user=world.service_account, name=TOKEN_NAME).delete()
    _, secret = api_token_create(
        name=TOKEN_NAME, user=world.service_account, actor=None, actor_label="make bench"
    )
    return secret


def measure(port: int, world: World, *, reads_only: bool = False) -> None:
    rng = random.Random(SEED + 2)
    code = ensure_second_factor(world.agent)
    session = log_in(port, AGENT_EMAIL, PASSWORD, code or (lambda: ""))
    secret = api_token(world)
    bearer = {"Authorization": f"Bearer {secret}"}
    open_, closed = sample_numbers(world, REQUESTS)

    def choose(pool: Sequence[str], k: int) -> list[str]:
        return [rng.choice(pool) for _ in range(k)]

    busy = cpu_busy()
    if busy is not None:
        say(
            f"CPUs {busy:.0%} busy over 3 s before measuring (gunicorn idle)"
            + (": other work is running, the figures will be pessimistic" if busy > 0.1 else "")
        )
    pages = worklist_paths(port, session, world)
    say(f"worklist: {len(pages)} distinct pages (filters and cursor pages)")
    dossier_pool = [f"/bureau/dossiers/{n}/" for n in open_ + closed]
    api_pool = [f"/api/dossiers/{n}" for n in open_ + closed]
    phases: list[tuple[str, list[str], dict[str, str]]] = [
        ("worklist", pages, session),
        ("dossier_page", dossier_pool, session),
        ("api_status", api_pool, bearer),
    ]
    for name, pool, headers in phases:
        check(hammer(f"{name} warm-up", port, choose(pool, WARMUP), headers, CLIENT_THREADS), 1)
        run = hammer(name, port, choose(pool, REQUESTS), headers, CLIENT_THREADS)
        check(run, MIN_REQUESTS)
        emit(f"{name}_p99_ms", run.ms(99), "ms")
        emit(f"{name}_p50_ms", run.ms(50), "ms")
    if reads_only:
        return
    burst = hammer("api_status burst", port, choose(api_pool, BURST), bearer, BURST_THREADS)
    check(burst, BURST)
    emit("api_status_rps", burst.rps, "req/s")
    file_through_api(port, world, bearer)


def filing_bodies(world: World, count: int, rng: random.Random) -> list[str]:
    """JSON bodies of new dossiers, for the services of the unit the bench's token serves."""
    from guichet.accounts.models import UnitService

    codes = sorted(
        UnitService.objects.filter(unit__code=BIG_UNIT).values_list("service_code", flat=True)
    )
    return [
        json.dumps(
            {
                "service": rng.choice(codes),
                "applicant_name": f"Banc Dépôt {i:06d}",
                "applicant_email": f"depot-{i}@example.org",
            }
        )
        for i in range(count)
    ]


def file_through_api(port: int, world: World, bearer: dict[str, str]) -> None:
    """Filing through the API in parallel: each request opens a dossier (its event, clocks,
    access-log entries), the API's hot write path (docs/scale.md). The dossiers stay in the
    bench database, received today, like any other system's."""
    rng = random.Random(SEED + 3)
    headers = {**bearer, "Content-Type": "application/json"}
    warm = filing_bodies(world, WARMUP, rng)
    check(
        hammer(
            "api_file warm-up",
            port,
            ["/api/dossiers"] * len(warm),
            headers,
            CLIENT_THREADS,
            bodies=warm,
            ok=201,
        ),
        1,
    )
    bodies = filing_bodies(world, REQUESTS, rng)
    cpu = worker_cpu_s(port)
    run = hammer(
        "api_file",
        port,
        ["/api/dossiers"] * len(bodies),
        headers,
        CLIENT_THREADS,
        bodies=bodies,
        ok=201,
    )
    check(run, MIN_REQUESTS)
    emit("api_file_rps", run.rps, "req/s")
    emit("api_file_p99_ms", run.ms(99), "ms")
    emit("api_file_p50_ms", run.ms(50), "ms")
    # The application's own CPU per filing (both workers), whatever else the machine runs.
    emit("api_file_app_cpu_ms", (worker_cpu_s(port) - cpu) / max(run.done, 1) * 1000, "ms")


def describe(world: World) -> None:
    from django.db.models import Count, Q
    from django.utils import timezone

    from guichet.dossiers.models import OPEN_STATES, Dossier, DossierEvent

    today = timezone.localdate()
    total = Dossier.objects.count()
    events = DossierEvent.objects.count()
    big = Dossier.objects.filter(unit__code=BIG_UNIT, state__in=OPEN_STATES).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(overdue_on__lte=today)),
        suspended=Count("pk", filter=Q(due_date__isnull=True)),
    )
    opened = Dossier.objects.filter(state__in=OPEN_STATES).count()
    say(
        f"{total:,} dossiers ({opened / max(total, 1):.1%} open), {events:,} events; "
        f"{BIG_UNIT}: {big['open']:,} open, {big['overdue']:,} overdue, "
        f"{big['suspended']:,} without due date"
    )


# What `run` does after building or reusing the data (bench/scale.py sets it per size):
# "all" measures every figure; "read" only the reading paths (worklist, dossier page, API
# status); "build" only builds and checks the data; "soak" runs the mixed soak; "file" only
# files through the API (api_file_*).
MODES = ("all", "read", "build", "soak", "file")


def run() -> None:
    mode = os.environ.get("BENCH_DOSSIERS_MODE", "all")
    if mode not in MODES:
        raise BenchError(f"BENCH_DOSSIERS_MODE={mode!r}: one of {', '.join(MODES)}")
    db = Database.from_env()
    rebuild = os.environ.get("BENCH_REBUILD", "") not in ("", "0", "false")
    must_build = prepare_database(db, wanted=N_DOSSIERS, rebuild=rebuild)
    setup_django(db)
    world = ensure_world()
    if must_build:
        build(db, world)
    else:
        say(f"reusing the dossiers of {db.name} (BENCH_REBUILD=1 rebuilds them)")
    describe(world)
    verify_sample(world)
    from django.db import connections

    connections.close_all()
    if mode == "build":
        return
    with gunicorn(db) as port:
        if mode == "soak":
            from bench.soak import soak

            soak(port, world)
        elif mode == "file":
            file_through_api(port, world, {"Authorization": f"Bearer {api_token(world)}"})
        else:
            measure(port, world, reads_only=mode == "read")
