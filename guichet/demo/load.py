"""Demo data: units, staff and client accounts, and a year of dossiers with believable histories.

This is for `make run` and for showing Guichet, never for a real deployment (a real deployment
has no account with a published password). `demo_load` puts it together; two ways of writing
dossiers live beside it:

- the bulk (about 2,000 dossiers, `bulk.py`) is written directly with `bulk_create`, because going
  through the service functions one action at a time (row locks, PDF letters) would take minutes.
  Each history is planned as a list of events with real dates, then cut at today (`histories.py`);
  the state, the decision, the agent and the clock caches are all derived from the events that
  remain, with the same `derive_clocks` the services use, so the data obeys the same rules as
  real data;
- the four dossiers of the demo client (`client.py`) go through the real service functions, so
  they have real PDF letters and show exactly what a client sees; so do the consultant's
  mandates (`mandates.py`).
"""

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from guichet.accounts.models import User
from guichet.calendars.services import business_calendar
from guichet.demo.appointments import demo_appointments
from guichet.demo.bulk import Builder, write_plans
from guichet.demo.client import client_dossiers, client_language
from guichet.demo.complaints import commissaire_office, surveys_and_referrals
from guichet.demo.contact import contact_demo
from guichet.demo.histories import DAYS_OF_HISTORY
from guichet.demo.mandates import consultant_mandates
from guichet.demo.people import (
    CLIENT,
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    UNITS,
    account,
    synthetic_clients,
    units_and_staff,
)
from guichet.demo.reference import Catalogue, ensure_reference_data
from guichet.dossiers.models import OPEN_STATES, Dossier, DossierClock, DossierEvent, Letter


@dataclass
class DemoResult:
    dossiers: int
    events: int
    letters: int
    accounts: int
    states: dict[str, int]
    clocks_met: int
    clocks_missed: int
    open_overdue: int
    agents: list[tuple[str, str]]  # (e-mail, unit name)


def demo_present() -> bool:
    """Demo data (or any real data) is there: the demo never adds to existing dossiers."""
    return Dossier.objects.exists()


@transaction.atomic
def demo_load(*, dossiers: int, seed: int) -> DemoResult:
    """Create the demo units, accounts and about `dossiers` dossiers of the last twelve months,
    plus the demo client's four dossiers. Deterministic for a seed and a day."""
    ensure_reference_data()
    today = timezone.localdate()
    rng = random.Random(seed)  # noqa: S311 — made-up data, not security
    cal = business_calendar()
    catalogue = Catalogue(today - timedelta(days=DAYS_OF_HISTORY), today)
    # One hash for every demo account: hashing is slow on purpose, and the password is public.
    password = make_password(DEMO_PASSWORD)
    owner, staff, _ = units_and_staff(catalogue, password)
    client = account(CLIENT, password)
    client_language(client, today)
    clients = synthetic_clients(rng, max(10, min(300, dossiers // 6)))
    builder = Builder(rng, cal, today, catalogue, owner, staff, clients)
    write_plans(builder.plans(dossiers), cal, rng)
    client_dossiers(client, catalogue, today, owner, staff)
    consultant_mandates(client, password, today)
    commissaire_office(password=password, today=today, cal=cal, rng=rng, client=client)
    surveys_and_referrals(today=today, rng=rng, client=client)
    demo_appointments(rng=rng, cal=cal, today=today, clients=clients, client=client)
    contact_demo(rng=rng, cal=cal, today=today)
    return _result(today)


def _result(today: date) -> DemoResult:
    outcomes = Counter(DossierClock.objects.exclude(outcome="").values_list("outcome", flat=True))
    agents = [(spec.agent.email, spec.name) for spec in UNITS]
    return DemoResult(
        dossiers=Dossier.objects.count(),
        events=DossierEvent.objects.count(),
        letters=Letter.objects.count(),
        accounts=User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").count(),
        states=dict(Counter(Dossier.objects.values_list("state", flat=True))),
        clocks_met=outcomes.get("met", 0),
        clocks_missed=outcomes.get("missed", 0),
        open_overdue=Dossier.objects.filter(state__in=OPEN_STATES, overdue_on__lte=today).count(),
        agents=agents,
    )
