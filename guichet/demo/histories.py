"""How the demo's dossiers go: each service's profile, and the life of one dossier planned with
real dates, then cut at today. The fields a history determines are set from it as the service
functions would have set them (`apply_steps`, which the bench also checks its data with)."""

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from guichet.accounts.models import User
from guichet.catalogue.models import ClockEvent, Service
from guichet.clock import BusinessCalendar, Suspension, due_date
from guichet.demo.people import Staff
from guichet.dossiers import services
from guichet.dossiers.clocks import DerivedClock, commitments_of
from guichet.dossiers.models import (
    Channel,
    Decision,
    Dossier,
    DossierEvent,
    DossierState,
    EventKind,
)

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
