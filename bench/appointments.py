"""Meeting figures, on PostgreSQL (its own database, `guichet_bench_appointments`;
BENCH_APPOINTMENTS_DATABASE_URL overrides, and its name must contain "bench"):

- `slot_search_p99_ms`: the client's first page of slots (`offered_slots`, the query behind
  /rendez-vous/<pk>/creneaux/), for requests spread over 20 offices that each offer a year of
  slots (8 meetings a business day, two group sessions a week); the 99th percentile of
  BENCH_SEARCHES searches (default 1,000), in process. Target: under 50 ms.
- `booking_rps`: bookings per second through gunicorn (2 workers, the runtime role), client
  threads posting the confirmation form of distinct seats (each a real `booking_create`: row
  lock, seat count, events, access log, the confirmation e-mail queued). Target: above 200.
- `booking_cpu_ms`: the CPU time one of those bookings costs gunicorn's workers and the
  PostgreSQL backends together (Linux /proc): unlike the rate, it holds when other work shares
  the cores. The client's own CPU is printed beside it.

The world is built once (kept between runs; BENCH_REBUILD=1 rebuilds it).
"""

from __future__ import annotations

import os
import random
import re
import threading
import time
import urllib.parse
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from psycopg import sql

from bench.__main__ import emit
from bench.dossiers import CpuMeter, Database, gunicorn, log_in, prepare_database, setup_django
from bench.dossiers import get as http_get

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/guichet_bench_appointments"
OFFICES = 20
CLIENTS = 40
BOOKINGS_PER_CLIENT = 10
SEARCHES = int(os.environ.get("BENCH_SEARCHES", "1000"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
PASSWORD = "bench-Appointments-42"  # noqa: S105 (a throwaway database)
TZ = ZoneInfo("America/Toronto")
MEETING = "siq-rencontre-individuelle"
SESSION = "s-adapter-monde-travail"
# Eight meetings a business day per office.
TIMES = [
    clock_time(h, m)
    for h, m in ((8, 30), (9, 15), (10, 0), (10, 45), (13, 0), (13, 45), (14, 30), (15, 15))
]


def say(message: str) -> None:
    print(f"bench appointments: {message}", flush=True)


def database() -> Database:
    url = os.environ.get("BENCH_APPOINTMENTS_DATABASE_URL", DEFAULT_URL)
    name = url.rsplit("/", 1)[-1]
    if "bench" not in name:
        raise SystemExit("bench appointments: the database's name must contain 'bench'")
    return Database(url, name, url.split("@")[-1].split("/")[0])


def fresh(db: Database) -> None:
    if os.environ.get("BENCH_REBUILD") != "1":
        return
    with db.connect(maintenance=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db.name))
        )
        say(f"dropped {db.name}")


def build_world(today: date) -> None:
    """20 offices with a year of slots; the clients of the booking figure."""
    from django.contrib.auth.hashers import make_password

    from guichet.accounts.models import Unit, User
    from guichet.appointments.models import Office, Room, Slot, SlotKind
    from guichet.calendars.services import business_calendar

    if Office.objects.filter(code__startswith="bench-").count() >= OFFICES:
        return
    say("building 20 offices and a year of slots")
    cal = business_calendar()
    offices = []
    for i in range(OFFICES):
        unit, _ = Unit.objects.get_or_create(
            code=f"bench-siq-{i:02d}", defaults={"name": f"Bureau {i}"}
        )
        office = Office.objects.create(
            code=f"bench-{i:02d}",
            name=f"Bureau SIQ banc d'essai {i:02d}",
            unit=unit,
            address="1, rue de l'Exemple",
            region="Montréal",
            hours="8 h 30 à 16 h 30",
            services=[MEETING, SESSION],
        )
        Room.objects.create(office=office, name="Salle", capacity=20)
        offices.append(office)
    rows = []
    for office in offices:
        room = office.rooms.get()
        for d in range(1, 366):
            day = today + timedelta(days=d)
            if not cal.is_business_day(day):
                continue
            for t in TIMES:
                start = datetime.combine(day, t, tzinfo=TZ)
                rows.append(
                    Slot(
                        office=office,
                        service_code=MEETING,
                        kind=SlotKind.MEETING,
                        starts_at=start,
                        ends_at=start + timedelta(minutes=45),
                    )
                )
            if day.weekday() in (1, 3):
                start = datetime.combine(day, clock_time(9, 0), tzinfo=TZ)
                rows.append(
                    Slot(
                        office=office,
                        service_code=SESSION,
                        kind=SlotKind.SESSION,
                        room=room,
                        capacity=20,
                        starts_at=start,
                        ends_at=start + timedelta(hours=3),
                    )
                )
    Slot.objects.bulk_create(rows, batch_size=5000)
    say(f"{len(rows):,} slots")
    password = make_password(PASSWORD)
    User.objects.bulk_create(
        [
            User(
                email=f"client{i:03d}@bench.example.org", full_name=f"Client {i}", password=password
            )
            for i in range(CLIENTS)
        ]
    )


def search_p99() -> float:
    from guichet.accounts.models import User
    from guichet.appointments.models import AppointmentRequest, Office
    from guichet.appointments.selectors import offered_slots
    from guichet.appointments.services import request_create

    offices = list(Office.objects.filter(code__startswith="bench-").order_by("code"))
    client = User.objects.get(email="client000@bench.example.org")
    requests = list(AppointmentRequest.objects.filter(client=client, state="open")[: OFFICES * 2])
    if len(requests) < OFFICES * 2:
        for office in offices:
            for code in (MEETING, SESSION):
                requests.append(
                    request_create(client=client, service_code=code, office=office, actor=client)
                )
    rng = random.Random(13)
    for r in requests[:5]:
        offered_slots(r)  # warm
    seconds = []
    for _ in range(SEARCHES):
        request = rng.choice(requests)
        started = time.perf_counter()
        offers = offered_slots(request)
        seconds.append(time.perf_counter() - started)
        assert offers  # noqa: S101
    return float(np.percentile(np.array(seconds), 99) * 1000)


def booking_plan() -> list[tuple[int, int, int]]:
    """(client index, request pk, slot pk): distinct seats, each among its request's offers."""
    from guichet.accounts.models import User
    from guichet.appointments.models import Office, Slot
    from guichet.appointments.services import request_create

    offices = list(Office.objects.filter(code__startswith="bench-").order_by("code"))
    plan = []
    used: set[int] = set()
    for c in range(CLIENTS):
        client = User.objects.get(email=f"client{c:03d}@bench.example.org")
        for b in range(BOOKINGS_PER_CLIENT):
            office = offices[(c * BOOKINGS_PER_CLIENT + b) % OFFICES]
            request = request_create(
                client=client, service_code=MEETING, office=office, actor=client
            )
            slot = (
                Slot.objects.filter(office=office, service_code=MEETING, booked=0)
                .exclude(pk__in=used)
                .order_by("starts_at")
                .values_list("pk", flat=True)
                .first()
            )
            assert slot is not None  # noqa: S101
            used.add(slot)
            plan.append((c, request.pk, slot))
    return plan


def booking_rps(db: Database) -> tuple[float, int, int]:
    plan = booking_plan()
    with gunicorn(db) as port:
        sessions = [
            log_in(port, f"client{c:03d}@bench.example.org", PASSWORD, lambda: "")
            for c in range(CLIENTS)
        ]
        forms = []
        for c, request, slot in plan:
            path = f"/rendez-vous/{request}/creneaux/{slot}/"
            page = http_get(port, path, sessions[c])
            found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
            if page.status != 200 or not found:
                raise SystemExit(f"bench appointments: GET {path} gave HTTP {page.status}")
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": found.group(1).decode()})
            headers = {**sessions[c], "Content-Type": "application/x-www-form-urlencoded"}
            forms.append((path, headers, body))
        outcomes: list[int] = []
        lock = threading.Lock()
        queue = list(forms)

        def worker() -> None:
            while True:
                with lock:
                    if not queue:
                        return
                    path, headers, body = queue.pop()
                answer = http_get(port, path, headers, method="POST", body=body)
                with lock:
                    outcomes.append(answer.status)

        threads = [threading.Thread(target=worker) for _ in range(THREADS)]
        meter = CpuMeter(db, port)
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        cpu = meter.stop()
    ok = outcomes.count(302)
    say(
        "CPU per booking: "
        + ", ".join(
            f"{name} {seconds / len(outcomes) * 1000:.2f} ms" for name, seconds in cpu.items()
        )
        + f" (load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])})"
    )
    emit("booking_cpu_ms", (cpu["gunicorn"] + cpu["postgresql"]) / len(outcomes) * 1000, "ms")
    return ok / elapsed, ok, len(outcomes)


def run() -> None:
    db = database()
    fresh(db)
    prepare_database(db, wanted=0, rebuild=False)
    setup_django(db)
    from django.utils import timezone

    build_world(timezone.localdate())
    p99 = search_p99()
    emit("slot_search_p99_ms", p99, "ms")
    rps, ok, total = booking_rps(db)
    say(f"{ok} of {total} bookings made ({THREADS} client threads, distinct seats)")
    emit("booking_rps", rps, "req/s")
