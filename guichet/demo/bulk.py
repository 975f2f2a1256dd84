"""The bulk of the demo (about 2,000 dossiers), written with `bulk_create`: going through the
service functions one action at a time (row locks, PDF letters) would take minutes. The dossiers
of the period are drawn, their histories planned (`histories.Planner`), then the dossiers, their
events and their clocks are inserted, the clock caches derived with the same `derive_clocks` the
services use."""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from guichet.accounts.models import User
from guichet.catalogue.models import Service
from guichet.clock import BusinessCalendar
from guichet.demo.histories import (
    DEFAULT_PROFILE,
    PROFILES,
    Plan,
    Planner,
    Step,
    apply_steps,
)
from guichet.demo.people import (
    COMPANY_KINDS,
    COMPANY_NAMES,
    FIRST_NAMES,
    LAST_NAMES,
    Staff,
    postal_address,
)
from guichet.demo.reference import Catalogue
from guichet.dossiers.clocks import apply_caches, derive_clocks
from guichet.dossiers.models import Channel, Dossier, DossierClock, DossierEvent, EventKind


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
        dossier = self.dossier(service, received, channel, client, name, postal_address(rng))
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


def write_plans(plans: list[Plan], cal: BusinessCalendar, rng: random.Random) -> None:
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
