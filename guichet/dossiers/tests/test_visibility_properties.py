"""Who may see a dossier, said once: a property over many small generated worlds.

The staff getter reads a dossier with a plain statement of its own (`_unit_dossier`, ADR 0004;
the API's `dossier_get_for_system` runs the same one), while the worklist's links, the reports
and the lists scope the back office with `dossiers_of_staff`; the client-side
getter lets a consultant in through a mandate in force. Hypothesis builds worlds of units,
services owned by units, staff in one or several units as agent or supervisor, people with
global roles, clients, dossiers (paper ones without a client, some filed by a staff member
under their own account, some kept by a unit that no longer owns their service), consultants
recognized, expired, suspended or struck off around today, and mandates in force or revoked,
then asks every getter about every (person, dossier) pair. Both definitions of "who may see
this dossier" must agree with each other and with a slow, obviously-right reference written
here from the rows themselves (`Consultant.is_recognized_on`, not the query's `recognized_on`).

Each world is built inside a savepoint and rolled back, so one test's declaration serves all
the examples.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guichet.accounts.models import (
    GlobalRole,
    Membership,
    RoleGrant,
    StaffRole,
    Unit,
    UnitService,
    User,
)
from guichet.catalogue.models import Declaration, Service
from guichet.dossiers.models import Channel, Dossier, DossierState
from guichet.dossiers.selectors import (
    dossier_get_for_client,
    dossier_get_for_owner,
    dossier_get_for_staff,
    dossiers_of_staff,
)
from guichet.mandates.models import Consultant, Mandate

TODAY = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=ZoneInfo("America/Toronto"))
SERVICE_CODES = (
    "caq-etudiant",
    "caq-travailleur-temporaire",
    "csq-travailleur-permanent",
    "csq-revision-administrative",
)
WHY = "vérification des règles d'accès"

# --- The worlds, as plain values (hypothesis shrinks these, then they are built) -----------

# A day around today, as an offset: yesterday, today or tomorrow, so that every boundary of
# recognition and suspension is crossed.
offsets = st.integers(min_value=-1, max_value=1)
maybe_offsets = st.sampled_from([None, -1, 0, 1])


@dataclass(frozen=True)
class ConsultantSpec:
    recognized_from: int
    recognized_until: int | None
    suspended_from: int | None
    suspended_until: int | None
    revoked_on: int | None


@dataclass(frozen=True)
class PersonSpec:
    active: bool
    memberships: dict[int, str]  # unit index → role
    global_roles: frozenset[str]
    consultant: ConsultantSpec | None


@dataclass(frozen=True)
class DossierSpec:
    service: int
    unit: int | None  # None: the unit that owns the service today
    client: int | None  # a person's index; None: a paper dossier without an account
    state: str


@dataclass(frozen=True)
class MandateSpec:
    dossier: int
    consultant: int  # a person's index (only people in the register hold one)
    revoked: bool


@dataclass(frozen=True)
class World:
    units: int
    owners: tuple[int, ...]  # per service: the index of the unit that owns it
    people: tuple[PersonSpec, ...]
    dossiers: tuple[DossierSpec, ...]
    mandates: tuple[MandateSpec, ...]


consultants = st.builds(
    ConsultantSpec,
    recognized_from=offsets,
    recognized_until=maybe_offsets,
    suspended_from=maybe_offsets,
    suspended_until=maybe_offsets,
    revoked_on=maybe_offsets,
)


@st.composite
def worlds(draw: st.DrawFn) -> World:
    units = draw(st.integers(min_value=1, max_value=3))
    unit = st.integers(min_value=0, max_value=units - 1)
    owners = tuple(draw(unit) for _ in SERVICE_CODES)
    people = tuple(
        draw(
            st.lists(
                st.builds(
                    PersonSpec,
                    active=st.booleans(),
                    memberships=st.dictionaries(unit, st.sampled_from(StaffRole.values)),
                    global_roles=st.frozensets(st.sampled_from(GlobalRole.values)),
                    consultant=st.none() | consultants,
                ),
                min_size=1,
                max_size=5,
            )
        )
    )
    person = st.integers(min_value=0, max_value=len(people) - 1)
    dossiers = tuple(
        draw(
            st.lists(
                st.builds(
                    DossierSpec,
                    service=st.integers(min_value=0, max_value=len(SERVICE_CODES) - 1),
                    unit=st.none() | unit,
                    client=st.none() | person,
                    state=st.sampled_from(DossierState.values),
                ),
                min_size=1,
                max_size=6,
            )
        )
    )
    in_register = [i for i, p in enumerate(people) if p.consultant is not None]
    mandates: tuple[MandateSpec, ...] = ()
    if in_register:
        mandates = tuple(
            draw(
                st.lists(
                    st.builds(
                        MandateSpec,
                        dossier=st.integers(min_value=0, max_value=len(dossiers) - 1),
                        consultant=st.sampled_from(in_register),
                        revoked=st.booleans(),
                    ),
                    max_size=5,
                )
            )
        )
    return World(units, owners, people, dossiers, mandates)


@st.composite
def consultant_worlds(draw: st.DrawFn) -> World:
    """A client's dossier and a consultant with one to three mandates on it: the days around
    a recognition's or a suspension's start and end, which the large worlds seldom line up."""
    consultant = PersonSpec(
        active=True, memberships={}, global_roles=frozenset(), consultant=draw(consultants)
    )
    client = PersonSpec(active=True, memberships={}, global_roles=frozenset(), consultant=None)
    mandates = draw(
        st.lists(
            st.builds(
                MandateSpec, dossier=st.just(0), consultant=st.just(1), revoked=st.booleans()
            ),
            min_size=1,
            max_size=3,
        )
    )
    dossier = DossierSpec(service=0, unit=None, client=0, state=DossierState.RECEIVED)
    return World(1, (0,) * len(SERVICE_CODES), (client, consultant), (dossier,), tuple(mandates))


# --- Building a world in the database -------------------------------------------------------


def _day(offset: int | None) -> date | None:
    return None if offset is None else TODAY + timedelta(days=offset)


@dataclass
class Built:
    people: list[User]
    dossiers: list[Dossier]
    mandates: list[Mandate]


def build(world: World, services: dict[str, Service]) -> Built:
    units = [Unit.objects.create(code=f"u{i}", name=f"Unité {i}") for i in range(world.units)]
    for code, owner in zip(SERVICE_CODES, world.owners, strict=True):
        UnitService.objects.create(unit=units[owner], service_code=code)
    people = [_person(i, spec, units) for i, spec in enumerate(world.people)]
    dossiers = [
        Dossier.objects.create(
            number=f"2026-{i + 1:06d}",
            service=services[SERVICE_CODES[d.service]],
            unit=units[world.owners[d.service] if d.unit is None else d.unit],
            client=None if d.client is None else people[d.client],
            applicant_name=f"Demandeur {i}",
            channel=Channel.ONLINE if d.client is not None else Channel.MAIL,
            received_on=TODAY - timedelta(days=30),
            state=d.state,
        )
        for i, d in enumerate(world.dossiers)
    ]
    mandates = []
    unrevoked: set[int] = set()
    for m in world.mandates:
        # One unrevoked mandate per dossier (a constraint): a second one is a past one.
        revoked = m.revoked or m.dossier in unrevoked
        if not revoked:
            unrevoked.add(m.dossier)
        dossier = dossiers[m.dossier]
        giver = dossier.client or people[0]
        mandates.append(
            Mandate.objects.create(
                dossier=dossier,
                consultant=Consultant.objects.get(user=people[m.consultant]),
                granted_by=giver,
                granted_at=NOW - timedelta(days=10),
                revoked_at=NOW - timedelta(days=1) if revoked else None,
                revoked_by=giver if revoked else None,
            )
        )
    return Built(people, dossiers, mandates)


def _person(i: int, spec: PersonSpec, units: list[Unit]) -> User:
    person = User.objects.create(email=f"p{i}@example.org", is_active=spec.active)
    for unit_index, role in spec.memberships.items():
        Membership.objects.create(user=person, unit=units[unit_index], role=role)
    for role in spec.global_roles:
        RoleGrant.objects.create(user=person, role=role)
    if spec.consultant is not None:
        c = spec.consultant
        Consultant.objects.create(
            recognition_number=f"RC-{i}",
            full_name=f"Consultant {i}",
            email=f"cabinet{i}@example.org",
            user=person,
            recognized_from=TODAY + timedelta(days=c.recognized_from),
            recognized_until=_day(c.recognized_until),
            suspended_from=_day(c.suspended_from),
            suspended_until=_day(c.suspended_until),
            revoked_on=_day(c.revoked_on),
        )
    return person


# --- The reference: who may see what, from the rows themselves ------------------------------


def staff_reference(person: User, built: Built) -> set[str]:
    units = {m.unit_id for m in Membership.objects.filter(user=person)}
    return {d.number for d in built.dossiers if d.unit_id in units and d.client_id != person.pk}


def client_reference(person: User, built: Built) -> set[str]:
    owned = {d.number for d in built.dossiers if d.client_id == person.pk}
    mandated = {
        m.dossier.number
        for m in built.mandates
        if m.consultant.user_id == person.pk and m.in_force_on(TODAY)
    }
    return owned | mandated


def let_through(getter: Any, person: Any, numbers: list[str]) -> set[str]:
    """The numbers `getter` answers with a dossier (not a 404) for `person`."""
    found = set()
    for number in numbers:
        try:
            dossier = getter(person, number, why=WHY)
        except Http404:
            continue
        assert dossier.number == number
        found.add(number)
    return found


@pytest.fixture
def services(micc: Declaration) -> dict[str, Service]:
    return {s.code: s for s in micc.services.filter(code__in=SERVICE_CODES)}


@pytest.fixture
def today() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def holds(world: World, services: dict[str, Service]) -> None:
    """Build `world` in a savepoint, ask every getter about every (person, dossier) pair, and
    roll the world back."""
    with transaction.atomic():
        built = build(world, services)
        for person in built.people:
            owned = {d.number for d in built.dossiers if d.client_id == person.pk}
            sees(
                person,
                built,
                staff=staff_reference(person, built),
                client=client_reference(person, built),
                owned=owned,
            )
        sees(AnonymousUser(), built, staff=set(), client=set(), owned=set())
        transaction.set_rollback(True)


def sees(person: Any, built: Built, *, staff: set[str], client: set[str], owned: set[str]) -> None:
    numbers = [d.number for d in built.dossiers] + ["2026-999999"]
    # The back office: the plain statement, the ORM's list and the reference agree.
    assert let_through(dossier_get_for_staff, person, numbers) == staff
    assert set(dossiers_of_staff(person).values_list("number", flat=True)) == staff
    # The portal: the owner's dossiers and those of a mandate in force today.
    assert let_through(dossier_get_for_client, person, numbers) == client
    # What nobody does by mandate: the owner only.
    assert let_through(dossier_get_for_owner, person, numbers) == owned


DATABASE_BACKED = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.django_db
@settings(DATABASE_BACKED, max_examples=60)
@given(world=worlds())
def test_every_getter_lets_through_exactly_what_the_rules_say(
    world: World, services: dict[str, Service], today: None
) -> None:
    holds(world, services)


@pytest.mark.django_db
@settings(DATABASE_BACKED, max_examples=300)
@given(world=consultant_worlds())
def test_a_consultant_reads_a_dossier_exactly_while_a_mandate_is_in_force(
    world: World, services: dict[str, Service], today: None
) -> None:
    """The consultant's side alone, so that many more recognitions and suspensions are tried
    for the same time."""
    with transaction.atomic():
        built = build(world, services)
        consultant, dossier = built.people[1], built.dossiers[0]
        expected = client_reference(consultant, built)
        assert let_through(dossier_get_for_client, consultant, [dossier.number]) == expected
        transaction.set_rollback(True)
