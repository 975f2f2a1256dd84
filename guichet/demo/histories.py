"""Demo data: units, staff and client accounts, and a year of dossiers with believable histories.

This is for `make run` and for showing Guichet, never for a real deployment (a real deployment
has no account with a published password). Two ways of writing dossiers live here:

- the bulk (about 2,000 dossiers) is written directly with `bulk_create`, because going through
  the service functions one action at a time (row locks, PDF letters) would take minutes. Each
  history is planned as a list of events with real dates, then cut at today; the state, the
  decision, the agent and the clock caches are all derived from the events that remain, with
  the same `derive_clocks` the services use, so the data obeys the same rules as real data;
- the four dossiers of the demo client go through the real service functions, so they have
  real PDF letters and show exactly what a client sees.
"""

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from guichet.accounts.language import language_basis
from guichet.accounts.models import (
    GlobalRole,
    LanguageBasis,
    Membership,
    RoleGrant,
    StaffRole,
    Unit,
    UnitService,
    User,
)
from guichet.accounts.services import language_of_service_declare
from guichet.calendars.models import CalendarYear
from guichet.calendars.services import business_calendar, calendar_load
from guichet.catalogue.models import ClockEvent, Declaration, Service, ServiceKind
from guichet.catalogue.services import declaration_load
from guichet.clock import BusinessCalendar, Suspension, due_date
from guichet.dossiers import services
from guichet.dossiers.clocks import (
    DerivedClock,
    apply_caches,
    commitments_of,
    derive_clocks,
)
from guichet.dossiers.models import (
    OPEN_STATES,
    Channel,
    Decision,
    Dossier,
    DossierClock,
    DossierEvent,
    DossierState,
    EventKind,
    Letter,
)
from guichet.mandates.services import consultant_register, mandate_grant

DEMO_PASSWORD = "demo-guichet"  # noqa: S105 — published on purpose: demo accounts only
DEMO_DOMAIN = "example.org"
DECLARATION_CODE = "micc"

# ---------------------------------------------------------------------------------------------
# Who is who
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    email: str
    full_name: str


CLIENT = Person("client@example.org", "Camille Demo-Tremblay")
AGENT = Person("agent@example.org", "Alex Agent-Demo")
SUPERVISOR = Person("superviseur@example.org", "Sam Superviseur-Demo")
PRIVACY_OFFICER = Person("confidentialite@example.org", "Jo Confidentialite-Demo")
ADMINISTRATOR = Person("administration@example.org", "Dominique Administration-Demo")
# A recognized immigration consultant holding mandates on two of the demo client's dossiers.
CONSULTANT = Person("consultant@example.org", "Noa Consultant-Demo")
CONSULTANT_NUMBER = "RC-DEMO-0001"
LOGINS = (
    CLIENT.email,
    AGENT.email,
    SUPERVISOR.email,
    PRIVACY_OFFICER.email,
    ADMINISTRATOR.email,
    CONSULTANT.email,
)


@dataclass(frozen=True)
class DemoUnit:
    code: str
    name: str
    agent: Person
    services: tuple[str, ...]


UNITS = (
    DemoUnit(
        "immigration-temporaire",
        "Direction de l'immigration temporaire",
        AGENT,
        ("caq-etudiant", "caq-travailleur-temporaire", "caq-traitement-medical"),
    ),
    DemoUnit(
        "selection-travailleurs",
        "Direction de la sélection des travailleurs",
        Person("agent2@example.org", "Dominique Agent-Demo"),
        (
            "csq-travailleur-permanent",
            "csq-travailleur-temporaire-diplome",
            "csq-gens-affaires",
            "csq-revision-administrative",
        ),
    ),
    DemoUnit(
        "parrainage",
        "Direction du parrainage",
        Person("agent3@example.org", "Claude Agent-Demo"),
        ("parrainage-familial", "parrainage-collectif"),
    ),
    DemoUnit(
        "francisation",
        "Direction de la francisation",
        Person("agent4@example.org", "Maxime Agent-Demo"),
        (
            "francais-temps-complet",
            "francais-temps-partiel",
            "francais-specialise",
            "francais-en-ligne",
            "aide-financiere-etudiants",
            "remboursement-cours-etranger",
        ),
    ),
    DemoUnit(
        "reconnaissance-competences",
        "Direction de la reconnaissance des compétences",
        Person("agent5@example.org", "Sacha Agent-Demo"),
        ("evaluation-comparative",),
    ),
    DemoUnit(
        "consultants-employeurs",
        "Direction des consultants et des employeurs",
        Person("agent6@example.org", "Andréa Agent-Demo"),
        ("consultant-reconnaissance", "validation-offre-emploi"),
    ),
)
SUPERVISED_UNIT = "immigration-temporaire"
# An application service the list above does not name (a later declaration) goes to the unit
# of its group.
UNIT_OF_GROUP = {
    "immigrer": "selection-travailleurs",
    "apprendre-francais": "francisation",
    "integrer": "reconnaissance-competences",
    "consultants": "consultants-employeurs",
    "entreprises": "consultants-employeurs",
}

# Generic names from many origins, combined at random: no real person is meant.
FIRST_NAMES = (
    "Amina", "Karim", "Sofia", "Mateo", "Lina", "Omar", "Chloé", "Jonathan", "Mei", "Arjun",
    "Fatou", "Diego", "Nadia", "Samuel", "Yasmine", "Hugo", "Aïcha", "Lucas", "Priya", "Thomas",
    "Ana", "Malik", "Élodie", "Kenji", "Léa", "Rafael", "Inès", "Minh", "Zoé", "Ibrahim",
)  # fmt: skip
LAST_NAMES = (
    "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Nguyen", "Diallo", "Martinez", "Haddad",
    "Chen", "Kumar", "Morin", "Lavoie", "Fortin", "Pelletier", "Traoré", "Garcia", "Benali",
    "Silva", "Santos", "Wang", "Okafor", "Dubois", "Rossi", "Kowalski", "Petrov", "Mendoza",
    "Osei", "Park", "Ahmed",
)  # fmt: skip
# Employers for the business services: words that say they are made up.
COMPANY_KINDS = ("Atelier", "Boulangerie", "Logiciels", "Transports", "Ferme", "Usinage")
COMPANY_NAMES = ("Exemple", "Modèle", "Fictif", "Démo", "Essai", "Prototype")
STREETS = ("rue de l'Exemple", "avenue des Essais", "boulevard du Modèle", "rue Fictive")
CITIES = ("Montréal", "Québec", "Sherbrooke", "Gatineau", "Trois-Rivières", "Saguenay")

ACCEPTED_REASONS = (
    "Les documents fournis démontrent que vous remplissez toutes les conditions applicables.",
    "Votre demande est complète et satisfait aux conditions du programme.",
)
OBSERVATIONS = (
    "Je joins des renseignements complémentaires et je vous demande de réexaminer ma demande.",
    "Ma situation a changé depuis le dépôt de ma demande ; je vous en explique les détails.",
)
REVIEW_REASONS = (
    "Des éléments de mon dossier n'ont pas été pris en compte dans la décision.",
    "Je conteste l'évaluation de mon expérience de travail.",
)

# ---------------------------------------------------------------------------------------------
# How each service's dossiers tend to go
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    weight: int  # share of the dossiers received
    decide: tuple[int, int]  # counted days to a decision when no commitment governs it
    refuse: float  # share ending with a notice of intention, then a refusal
    mail: float  # share received by mail (the others online)


DEFAULT_PROFILE = Profile(1, (10, 40), 0.10, 0.10)
PROFILES = {
    "caq-etudiant": Profile(20, (8, 20), 0.10, 0.05),
    "csq-travailleur-temporaire-diplome": Profile(16, (8, 20), 0.12, 0.05),
    "parrainage-familial": Profile(12, (8, 20), 0.10, 0.30),
    "evaluation-comparative": Profile(12, (20, 60), 0.05, 0.20),
    "francais-temps-complet": Profile(12, (0, 0), 0.0, 0.10),
    "csq-travailleur-permanent": Profile(6, (45, 160), 0.12, 0.15),
    "caq-travailleur-temporaire": Profile(5, (10, 35), 0.10, 0.10),
    "francais-temps-partiel": Profile(4, (3, 15), 0.03, 0.10),
    "francais-en-ligne": Profile(3, (2, 10), 0.02, 0.0),
    "aide-financiere-etudiants": Profile(3, (5, 20), 0.08, 0.10),
    "validation-offre-emploi": Profile(3, (8, 30), 0.10, 0.05),
    "csq-gens-affaires": Profile(2, (60, 200), 0.15, 0.20),
    "parrainage-collectif": Profile(2, (20, 60), 0.08, 0.40),
    "francais-specialise": Profile(2, (3, 15), 0.03, 0.10),
    "caq-traitement-medical": Profile(1, (5, 20), 0.05, 0.20),
    "remboursement-cours-etranger": Profile(1, (10, 30), 0.10, 0.30),
    "consultant-reconnaissance": Profile(1, (15, 45), 0.15, 0.0),
    # Only reached through a request for review of a refused CSQ.
    "csq-revision-administrative": Profile(0, (20, 60), 0.50, 0.0),
}
FEE_PAID_ON_RECEPTION = 0.88
INCOMPLETE = 0.24  # besides every dossier whose fee is unpaid, which is incomplete by force
SECOND_NOTICE = 0.12
WITHDRAWN = 0.04
ON_TIME = 0.86
REVIEW_REQUESTED = 0.40
DAYS_OF_HISTORY = 365


# ---------------------------------------------------------------------------------------------
# Planning histories
# ---------------------------------------------------------------------------------------------


@dataclass
class Step:
    kind: EventKind
    on: date
    actor: User | None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    dossier: Dossier
    steps: list[Step]
    parent: "Plan | None" = None
    review_on: date | None = None  # the day the client asks for a review of this refusal
    events: list[DossierEvent] = field(default_factory=list)
    clocks: list[DerivedClock] = field(default_factory=list)


@dataclass(frozen=True)
class Staff:
    agent: User
    assigner: User  # the supervisor where there is one, else the agent takes the dossier


class Planner:
    """Plans the whole life of one dossier with real dates, then keeps what happened by today."""

    def __init__(self, rng: random.Random, cal: BusinessCalendar, today: date) -> None:
        self.rng = rng
        self.cal = cal
        self.today = today

    def after(self, day: date, n: int) -> date:
        """The n-th business day after `day` (n >= 1)."""
        return self.cal.business_day(self.cal.ordinal(day) + n)

    def open_day(self, day: date) -> date:
        """`day` when the office is open, else the next business day."""
        return day if self.cal.is_business_day(day) else self.after(day, 1)

    def counted(self, start: date, k: int, suspensions: Sequence[Suspension] = ()) -> date:
        """The k-th counted day of a clock started on `start` (planned suspensions are closed)."""
        day = due_date(self.cal, start, k, suspensions)
        if day is None:  # pragma: no cover — only an open suspension gives none
            raise ValueError("planned suspensions are always closed")
        return day

    def delay(self, target: int, first: int) -> int:
        """Counted days to an event promised within `target`: mostly in time, some late."""
        if self.rng.random() < ON_TIME:
            return self.rng.randint(min(first, target), target)
        return self.rng.randint(target + 1, target + 25)

    def plan(self, dossier: Dossier, staff: Staff, *, parent: Plan | None = None) -> Plan:
        rng, service, received = self.rng, dossier.service, dossier.received_on
        profile = PROFILES.get(service.code, DEFAULT_PROFILE)
        agent = staff.agent
        by_mail = dossier.channel == Channel.MAIL
        # Online, the client acts under their own name, any day; by mail, the agent records
        # what arrived, on a business day.
        client_actor = agent if by_mail or dossier.client is None else dossier.client

        def client_day(day: date) -> date:
            return self.open_day(day) if client_actor is agent else day

        stops = {c.stops_on: c for c in commitments_of(dossier)}
        steps = [
            Step(
                EventKind.RECEIVED,
                received,
                client_actor,
                {"channel": str(dossier.channel), "documents": []},
            )
        ]
        if parent is not None:
            reasons = rng.choice(REVIEW_REASONS)
            steps.append(
                Step(EventKind.REVIEW_REQUESTED, received, client_actor, {"reasons": reasons})
            )
        paid = True
        if service.fee_amount is not None:
            paid = rng.random() < FEE_PAID_ON_RECEPTION
            if paid:
                steps.append(Step(EventKind.FEE_PAID, received, client_actor, _fee(service)))
        assigned = self.after(received, rng.randint(1, 3))
        steps.append(
            Step(
                EventKind.ASSIGNED,
                assigned,
                staff.assigner,
                {"agent": agent.pk, "agent_name": str(agent)},
            )
        )
        ack = stops.get(ClockEvent.ACKNOWLEDGED)
        if ack is not None and ack.starts_on == ClockEvent.RECEIVED:
            acknowledged = max(self.counted(received, self.delay(ack.target, 2)), assigned)
        else:
            acknowledged = max(self.after(received, rng.randint(1, 4)), assigned)
        steps.append(Step(EventKind.ACKNOWLEDGED, acknowledged, agent))

        # Incompleteness: the clocks stop from the notice until the missing items arrive. An
        # unpaid fee is always among the missing items, as in dossier_request_items.
        ready = acknowledged
        suspensions: list[Suspension] = []
        if not paid or rng.random() < INCOMPLETE:
            for _round in range(2 if rng.random() < SECOND_NOTICE else 1):
                notice = self.after(ready, rng.randint(1, 6))
                items = self.missing_items(service)
                if not paid:
                    items.append(services.FEE_ITEM)
                steps.append(Step(EventKind.INCOMPLETENESS_NOTICE, notice, agent, {"items": items}))
                back = client_day(notice + timedelta(days=rng.randint(3, 30)))
                note = "Documents reçus par la poste." if by_mail else "Documents reçus en ligne."
                steps.append(
                    Step(
                        EventKind.ITEMS_RECEIVED,
                        back,
                        client_actor,
                        {"documents": [], "note": note},
                    )
                )
                if not paid:
                    steps.append(Step(EventKind.FEE_PAID, back, agent, _fee(service)))
                    paid = True
                suspensions.append(Suspension(notice, back))
                ready = back

        admissibility = stops.get(ClockEvent.ADMISSIBILITY_NOTICE_SENT)
        course = stops.get(ClockEvent.COURSE_STARTED)
        refused = False
        if admissibility is not None and course is not None:
            end = self.course_path(
                steps, agent, received, ready, suspensions, admissibility.target, course.target
            )
        else:
            end, refused = self.decision_path(
                steps, dossier, profile, agent, client_actor, ready, suspensions, client_day
            )

        withdrawn = False
        if rng.random() < WITHDRAWN and (end - assigned).days > 2:
            day = client_day(assigned + timedelta(days=rng.randint(1, (end - assigned).days - 1)))
            if day < end:
                steps = [s for s in steps if s.on <= day]
                steps.append(Step(EventKind.WITHDRAWN, day, client_actor))
                withdrawn = True

        plan = Plan(dossier, steps, parent=parent)
        if (
            refused
            and not withdrawn
            and service.review_service_code
            and service.review_within_days
            and dossier.client is not None
            and dossier.channel == Channel.ONLINE
            and rng.random() < REVIEW_REQUESTED
        ):
            plan.review_on = end + timedelta(days=rng.randint(3, service.review_within_days - 2))
        self.cut_at_today(plan)
        return plan

    def missing_items(self, service: Service) -> list[str]:
        labels = [d.label_fr for d in service.documents.all() if d.required]
        if not labels:
            return ["Pièce justificative manquante"]
        return self.rng.sample(labels, min(len(labels), self.rng.choice((1, 1, 2))))

    def refusal_reasons(self, service: Service) -> str:
        labels = [d.label_fr for d in service.documents.all() if d.required]
        if not labels:
            return "Les renseignements fournis ne démontrent pas que les conditions sont remplies."
        label = self.rng.choice(labels)
        return (
            "Le document suivant ne démontre pas que la condition correspondante est remplie : "
            f"{label[0].lower()}{label[1:]}."
        )

    def decision_path(
        self,
        steps: list[Step],
        dossier: Dossier,
        profile: Profile,
        agent: User,
        client_actor: User,
        ready: date,
        suspensions: list[Suspension],
        client_day: Callable[[date], date],
    ) -> tuple[date, bool]:
        """A decision, in time or late; a refusal comes after a notice of intention and the
        period for observations, as dossier_decide requires."""
        rng, received = self.rng, dossier.received_on
        decided = next(
            (c for c in commitments_of(dossier) if c.stops_on == ClockEvent.DECIDED), None
        )
        k = self.delay(decided.target, 5) if decided else rng.randint(*profile.decide)
        earliest_day = self.after(ready, rng.randint(1, 3))
        if rng.random() >= profile.refuse:
            day = max(self.counted(received, k, suspensions), earliest_day)
            details = {"decision": Decision.ACCEPTED.value, "reasons": rng.choice(ACCEPTED_REASONS)}
            steps.append(Step(EventKind.DECIDED, day, agent, details))
            return day, False
        reasons = self.refusal_reasons(dossier.service)
        intention = max(self.counted(received, max(3, k - 12), suspensions), earliest_day)
        until = intention + timedelta(days=services.OBSERVATIONS_DAYS)
        steps.append(
            Step(
                EventKind.INTENTION_TO_REFUSE,
                intention,
                agent,
                {
                    "intended": Decision.REFUSED.value,
                    "reasons": reasons,
                    "observations_until": until.isoformat(),
                },
            )
        )
        if rng.random() < 0.5:
            text = rng.choice(OBSERVATIONS)
            steps.append(
                Step(
                    EventKind.OBSERVATIONS,
                    client_day(intention + timedelta(days=rng.randint(2, 14))),
                    client_actor,
                    {"text": text, "documents": []},
                )
            )
        day = max(self.counted(received, k, suspensions), self.after(until, rng.randint(1, 3)))
        details = {"decision": Decision.REFUSED.value, "reasons": reasons}
        steps.append(Step(EventKind.DECIDED, day, agent, details))
        return day, True

    def course_path(
        self,
        steps: list[Step],
        agent: User,
        received: date,
        ready: date,
        suspensions: list[Suspension],
        notice_target: int,
        course_target: int,
    ) -> date:
        """French courses: notice of admissibility, its confirmation, the course, then closing
        (the service ends with the course, not with a decision)."""
        rng = self.rng
        notice = max(
            self.counted(received, self.delay(notice_target, 3), suspensions),
            self.after(ready, rng.randint(1, 2)),
        )
        steps.append(Step(EventKind.ADMISSIBILITY_NOTICE_SENT, notice, agent))
        confirmed = self.after(notice, rng.randint(1, 8))
        steps.append(Step(EventKind.ADMISSIBILITY_CONFIRMED, confirmed, agent))
        started = self.counted(confirmed, self.delay(course_target, 10))
        steps.append(Step(EventKind.COURSE_STARTED, started, agent))
        steps.append(Step(EventKind.CLOSED, self.after(started, rng.randint(1, 5)), agent))
        return started

    def cut_at_today(self, plan: Plan) -> None:
        """Keep what happened up to today, and set the dossier's fields from it."""
        ordered = sorted(plan.steps, key=lambda s: s.on)  # stable: same-day order is kept
        plan.steps = [s for s in ordered if s.on <= self.today]
        if plan.review_on is not None and plan.review_on > self.today:
            plan.review_on = None
        apply_steps(plan.dossier, plan.steps)


def _fee(service: Service) -> dict[str, Any]:
    return {"amount": str(service.fee_amount)}


def apply_steps(dossier: Dossier, steps: Sequence[Step]) -> None:
    """Set the fields a history determines, as the service functions would have set them."""
    dossier.state = DossierState.RECEIVED
    for step in steps:
        if step.kind == EventKind.ASSIGNED:
            dossier.assigned_to_id = step.details["agent"]
        elif step.kind == EventKind.FEE_PAID:
            dossier.fee_paid_on = step.on
        elif step.kind == EventKind.INCOMPLETENESS_NOTICE:
            dossier.state = DossierState.INCOMPLETE
        elif step.kind == EventKind.ITEMS_RECEIVED:
            dossier.state = DossierState.RECEIVED
        elif step.kind == EventKind.INTENTION_TO_REFUSE:
            dossier.state = DossierState.INTENTION
        elif step.kind == EventKind.DECIDED:
            dossier.state = DossierState.DECIDED
            dossier.decision = step.details["decision"]
            dossier.decided_on = step.on
        elif step.kind == EventKind.WITHDRAWN:
            dossier.state = DossierState.WITHDRAWN
        elif step.kind == EventKind.CLOSED:
            dossier.state = DossierState.CLOSED
    # Every action of the services adds one event and one version.
    dossier.version = len(steps)


# ---------------------------------------------------------------------------------------------
# The whole demo
# ---------------------------------------------------------------------------------------------


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


def ensure_reference_data() -> None:
    """Load the declaration and the closure calendar, as `make data` does, when missing."""
    if not Declaration.objects.filter(code=DECLARATION_CODE).exists():
        declaration_load(path=Path(settings.GUICHET_DECLARATIONS_DIR) / f"{DECLARATION_CODE}.toml")
    if not CalendarYear.objects.exists():
        calendar_load(path=Path(settings.GUICHET_CALENDAR_FILE))


class Catalogue:
    """The declaration versions of the demo period and their application services."""

    def __init__(self, since: date, today: date) -> None:
        self.versions = [
            v
            for v in Declaration.objects.filter(code=DECLARATION_CODE).order_by("-in_force_from")
            if v.in_force_from <= today and (v.in_force_to is None or v.in_force_to >= since)
        ]
        if not self.versions:
            raise LookupError(f"aucune version de la déclaration « {DECLARATION_CODE} » en vigueur")
        self.services: dict[int, dict[str, Service]] = {
            v.pk: {
                s.code: s
                for s in Service.objects.filter(declaration=v, kind=ServiceKind.APPLICATION)
                .select_related("declaration", "group")
                .prefetch_related("commitments", "documents")
            }
            for v in self.versions
        }
        self.first_day = max(since, min(v.in_force_from for v in self.versions))

    def on(self, day: date) -> dict[str, Service]:
        for v in self.versions:
            if v.in_force_from <= day and (v.in_force_to is None or day <= v.in_force_to):
                return self.services[v.pk]
        return {}

    def codes(self) -> set[str]:
        return {code for by_code in self.services.values() for code in by_code}

    def group_of(self, code: str) -> str:
        for by_code in self.services.values():
            if code in by_code:
                return by_code[code].group.code
        return ""


def _account(person: Person, password: str) -> User:
    user, _ = User.objects.update_or_create(
        email=person.email,
        defaults={"full_name": person.full_name, "password": password, "is_active": True},
    )
    return user


def _units_and_staff(
    catalogue: Catalogue, password: str
) -> tuple[dict[str, int], dict[int, Staff], User]:
    """Units owning every application service, an agent in each, the supervisor of one."""
    units = {}
    agents = {}
    for spec in UNITS:
        unit, _ = Unit.objects.get_or_create(code=spec.code, defaults={"name": spec.name})
        agent = _account(spec.agent, password)
        Membership.objects.get_or_create(user=agent, unit=unit, defaults={"role": StaffRole.AGENT})
        units[spec.code] = unit
        agents[unit.pk] = agent
    supervisor = _account(SUPERVISOR, password)
    supervised = units[SUPERVISED_UNIT]
    Membership.objects.get_or_create(
        user=supervisor, unit=supervised, defaults={"role": StaffRole.SUPERVISOR}
    )
    officer = _account(PRIVACY_OFFICER, password)
    RoleGrant.objects.get_or_create(user=officer, role=GlobalRole.PRIVACY_OFFICER)
    administrator = _account(ADMINISTRATOR, password)
    RoleGrant.objects.get_or_create(user=administrator, role=GlobalRole.ADMINISTRATOR)
    declared = {code: spec.code for spec in UNITS for code in spec.services}
    owned = set(UnitService.objects.values_list("service_code", flat=True))
    for code in sorted(catalogue.codes() - owned):
        unit_code = declared.get(code) or UNIT_OF_GROUP.get(catalogue.group_of(code), UNITS[0].code)
        UnitService.objects.create(unit=units[unit_code], service_code=code)
    owner = dict(UnitService.objects.values_list("service_code", "unit_id"))
    staff = {}
    for unit_id in set(owner.values()):
        handler = agents.get(unit_id)
        if handler is None:  # a unit set up by hand: its first agent handles the demo dossiers
            first = (
                Membership.objects.filter(unit_id=unit_id, role=StaffRole.AGENT)
                .select_related("user")
                .order_by("pk")
                .first()
            )
            handler = first.user if first else None
        if handler is not None:
            staff[unit_id] = Staff(handler, supervisor if unit_id == supervised.pk else handler)
    return owner, staff, supervisor


def _synthetic_clients(rng: random.Random, count: int) -> list[User]:
    emails = [f"client-{i:04d}@{DEMO_DOMAIN}" for i in range(1, count + 1)]
    names = [f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in emails]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    User.objects.bulk_create(
        [
            # No password: these people exist only as owners of dossiers.
            User(email=email, full_name=name, password=make_password(None))
            for email, name in zip(emails, names, strict=True)
            if email not in existing
        ],
        batch_size=500,
    )
    by_email = {u.email: u for u in User.objects.filter(email__in=emails)}
    return [by_email[e] for e in emails]


def _address(rng: random.Random) -> str:
    return f"{rng.randint(10, 9999)}, {rng.choice(STREETS)}\n{rng.choice(CITIES)} (Québec)  H0H 0H0"


class Builder:
    """Draws the dossiers of the period and plans their histories."""

    def __init__(
        self,
        rng: random.Random,
        cal: BusinessCalendar,
        today: date,
        catalogue: Catalogue,
        owner: dict[str, int],
        staff: dict[int, Staff],
        clients: list[User],
    ) -> None:
        self.rng = rng
        self.cal = cal
        self.today = today
        self.catalogue = catalogue
        self.owner = owner
        self.staff = staff
        self.clients = clients
        self.planner = Planner(rng, cal, today)

    def staff_of(self, service: Service) -> Staff | None:
        unit_id = self.owner.get(service.code)
        return self.staff.get(unit_id) if unit_id is not None else None

    def plans(self, n: int) -> list[Plan]:
        rng, first = self.rng, self.catalogue.first_day
        span = (self.today - first).days
        pending = sorted(first + timedelta(days=rng.randint(0, span)) for _ in range(n))
        plans: list[Plan] = []
        i = 0
        while i < len(pending) and len(plans) < n:
            plan = self.primary(pending[i])
            i += 1
            if plan is None:
                continue
            plans.append(plan)
            if plan.review_on is not None and len(plans) < n:
                review = self.review(plan)
                if review is not None:
                    plans.append(review)
                    if i < len(pending):  # a review takes the place of a later request
                        pending.pop(rng.randrange(i, len(pending)))
        return plans

    def primary(self, day: date) -> Plan | None:
        rng = self.rng
        choices = [
            s
            for s in self.catalogue.on(day).values()
            if self.staff_of(s) and PROFILES.get(s.code, DEFAULT_PROFILE).weight
        ]
        if not choices:
            return None
        weights = [PROFILES.get(s.code, DEFAULT_PROFILE).weight for s in choices]
        service = rng.choices(choices, weights)[0]
        profile = PROFILES.get(service.code, DEFAULT_PROFILE)
        if rng.random() < profile.mail:
            channel = Channel.MAIL
            # Mail is received on business days; the date stamped on arrival is the reception.
            received = self.cal.business_day(self.cal.ordinal(day))
            client = rng.choice(self.clients) if rng.random() < 0.5 else None
        else:
            channel = Channel.ONLINE
            received = day
            if day.weekday() >= 5 and rng.random() < 0.6:
                received = self.cal.business_day(self.cal.ordinal(day))
            client = rng.choice(self.clients)
        if received < self.catalogue.first_day:  # moved back before the period: its first day
            received = self.planner.open_day(self.catalogue.first_day)
        if not self.catalogue.on(received):
            return None
        service = self.catalogue.on(received).get(service.code, service)
        if client is not None:
            name = client.full_name
        else:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if service.audience == "business":
            name = f"{rng.choice(COMPANY_KINDS)} {rng.choice(COMPANY_NAMES)} inc."
        dossier = self.dossier(service, received, channel, client, name, _address(rng))
        staff = self.staff_of(service)
        if staff is None:  # pragma: no cover — filtered above
            return None
        return self.planner.plan(dossier, staff)

    def review(self, parent: Plan) -> Plan | None:
        """The client asks for the administrative review of a refused CSQ."""
        day = parent.review_on
        code = parent.dossier.service.review_service_code
        service = self.catalogue.on(day).get(code) if day else None
        staff = self.staff_of(service) if service else None
        if day is None or service is None or staff is None:
            return None
        d = parent.dossier
        dossier = self.dossier(
            service, day, Channel.ONLINE, d.client, d.applicant_name, d.postal_address
        )
        reasons = {}
        review = self.planner.plan(dossier, staff, parent=parent)
        for step in review.steps:
            if step.kind == EventKind.REVIEW_REQUESTED:
                reasons = dict(step.details)
        parent.steps.append(Step(EventKind.REVIEW_REQUESTED, day, d.client, reasons))
        apply_steps(parent.dossier, parent.steps)
        return review

    def dossier(
        self,
        service: Service,
        received: date,
        channel: Channel,
        client: User | None,
        name: str,
        address: str,
    ) -> Dossier:
        return Dossier(
            number="",
            service=service,
            unit_id=self.owner[service.code],
            client=client,
            applicant_name=name,
            applicant_email=client.email if client else "",
            postal_address=address,
            channel=channel,
            received_on=received,
        )


def _write(plans: list[Plan], cal: BusinessCalendar, rng: random.Random) -> None:
    """Insert the planned dossiers, their events and their clocks, a batch at a time."""
    plans.sort(key=lambda p: p.dossier.received_on)  # numbers grow with the date of reception
    labels: dict[int | None, str] = {}
    for plan in plans:
        plan.events = [
            DossierEvent(
                seq=seq,
                kind=step.kind,
                occurred_on=step.on,
                actor=step.actor,
                actor_label=_label(step.actor, labels),
                details=step.details,
            )
            for seq, step in enumerate(plan.steps, start=1)
        ]
        plan.clocks = derive_clocks(cal, plan.dossier, plan.events)
        apply_caches(plan.dossier, plan.clocks)
    for i, plan in enumerate(plans):
        plan.dossier.number = f"demo-{i}"  # unique until the primary keys are known
    Dossier.objects.bulk_create([p.dossier for p in plans], batch_size=500)
    for plan in plans:
        d = plan.dossier
        d.number = f"{d.received_on.year}-{d.pk:06d}"
        # When the request was entered: online at the time it came in, by mail in office hours.
        hour = rng.randint(0, 23) if d.channel == Channel.ONLINE else rng.randint(8, 16)
        d.filed_at = timezone.make_aware(
            datetime.combine(d.received_on, time(hour, rng.randint(0, 59)))
        )
        if plan.parent is not None:
            d.parent = plan.parent.dossier
    Dossier.objects.bulk_update(
        [p.dossier for p in plans], ["number", "filed_at", "parent"], batch_size=500
    )
    for plan in plans:
        if plan.parent is not None:
            parent = plan.parent
            _link(plan, "of", parent.dossier.number)
            _link(parent, "review", plan.dossier.number)
    DossierEvent.objects.bulk_create(
        [_bound(e, p.dossier) for p in plans for e in p.events], batch_size=1000
    )
    DossierClock.objects.bulk_create(
        [
            DossierClock(
                dossier=p.dossier,
                commitment=c.commitment,
                started_on=c.started_on,
                stopped_on=c.stopped_on,
                due_date=c.due_date,
                at_risk_on=c.at_risk_on,
                overdue_on=c.overdue_on,
                outcome=c.outcome or "",
            )
            for p in plans
            for c in p.clocks
        ],
        batch_size=1000,
    )


def _label(actor: User | None, labels: dict[int | None, str]) -> str:
    key = actor.pk if actor else None
    if key not in labels:
        labels[key] = str(actor) if actor else "système"
    return labels[key]


def _link(plan: Plan, key: str, number: str) -> None:
    for event in plan.events:
        if event.kind == EventKind.REVIEW_REQUESTED:
            event.details = {key: number, **event.details}


def _bound(event: DossierEvent, dossier: Dossier) -> DossierEvent:
    event.dossier = dossier
    return event


def _client_dossiers(
    client: User, catalogue: Catalogue, today: date, owner: dict[str, int], staff: dict[int, Staff]
) -> None:
    """The demo client's four dossiers, through the real service functions (real letters)."""
    by_code = catalogue.on(today)
    applicant = services.Applicant(
        client.full_name, client.email, "1234, rue de l'Exemple\nMontréal (Québec)  H0H 0H0"
    )

    def file(code: str) -> tuple[Dossier, Staff] | None:
        service = by_code.get(code)
        team = staff.get(owner.get(code, -1)) if service else None
        if service is None or team is None:
            return None
        dossier = services.dossier_file(
            service=service, applicant=applicant, actor=client, client=client
        )
        services.dossier_assign(dossier=dossier, agent=team.agent, actor=team.assigner)
        if service.fee_amount is not None:
            services.dossier_record_fee_payment(dossier=dossier, actor=team.agent)
        services.dossier_acknowledge(dossier=dossier, actor=team.agent)
        return dossier, team

    # 1. Just filed and acknowledged: its clock runs, the agent can decide it.
    file("caq-etudiant")
    # 2. Incomplete: a document is awaited, the clock is suspended.
    filed = file("parrainage-familial")
    if filed:
        dossier, team = filed
        wanted = [d.label_fr for d in dossier.service.documents.all() if d.required][-1:]
        services.dossier_request_items(
            dossier=dossier, items=wanted or ["Pièce justificative"], actor=team.agent
        )
    # 3. Accepted, with its decision letter.
    filed = file("caq-etudiant")
    if filed:
        dossier, team = filed
        services.dossier_decide(
            dossier=dossier,
            decision=Decision.ACCEPTED,
            reasons=ACCEPTED_REASONS[0],
            actor=team.agent,
        )
    # 4. Refused after a notice of intention and the client's observations: a CSQ, so the
    # client may ask for an administrative review.
    filed = file("csq-travailleur-temporaire-diplome")
    if filed:
        dossier, team = filed
        reasons = (
            "L'expérience de travail au Québec démontrée n'atteint pas la durée exigée par le "
            "Programme de l'expérience québécoise."
        )
        services.dossier_notify_intention(
            dossier=dossier, intended=Decision.REFUSED, reasons=reasons, actor=team.agent
        )
        services.dossier_add_observations(dossier=dossier, text=OBSERVATIONS[0], actor=client)
        services.dossier_decide(
            dossier=dossier, decision=Decision.REFUSED, reasons=reasons, actor=team.agent
        )


def _consultant_mandates(client: User, password: str, today: date) -> None:
    """The demo consultant, recognized for five years around today, with the demo client's
    mandate on the dossier waiting for a document and on the refused one (through the real
    service functions: the events and the e-mails are those of a real grant)."""
    user = _account(CONSULTANT, password)
    consultant = consultant_register(
        recognition_number=CONSULTANT_NUMBER,
        full_name=CONSULTANT.full_name,
        email=CONSULTANT.email,
        recognized_from=today - timedelta(days=3 * 365),
        recognized_until=today + timedelta(days=2 * 365),
        user=user,
    )
    represented = Dossier.objects.filter(client=client).filter(
        Q(state=DossierState.INCOMPLETE) | Q(decision=Decision.REFUSED)
    )
    for dossier in represented.order_by("pk"):
        mandate_grant(
            dossier=dossier,
            recognition_number=consultant.recognition_number,
            email=consultant.email,
            actor=client,
        )


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
    owner, staff, _ = _units_and_staff(catalogue, password)
    client = _account(CLIENT, password)
    _client_language(client, today)
    clients = _synthetic_clients(rng, max(10, min(300, dossiers // 6)))
    builder = Builder(rng, cal, today, catalogue, owner, staff, clients)
    _write(builder.plans(dossiers), cal, rng)
    _client_dossiers(client, catalogue, today, owner, staff)
    _consultant_mandates(client, password, today)
    return _result(today)


def _client_language(client: User, today: date) -> None:
    """The demo client arrived in Québec two months ago and asked for English: the portal
    is in English (with its "Français" switch) and their letters in French, then English."""
    if language_basis(client, today) is None:
        language_of_service_declare(
            user=client,
            actor=client,
            language="en",
            basis=LanguageBasis.RECENT_ARRIVAL,
            arrived_on=today - timedelta(days=60),
        )


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
