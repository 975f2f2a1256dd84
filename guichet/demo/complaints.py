"""The Commissaire's office, a year of complaints and comments, satisfaction survey answers
and referrals: enough for the report to have results for both complaint commitments and the
survey rows (satisfaction-…) in the current fiscal year.

Histories in the past are written as rows with their real dates, as the dossiers' are
(histories.py): the services act on today only. Synthetic people only.
"""

import random
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import Q

from guichet.accounts.models import GlobalRole, RoleGrant, Unit, User
from guichet.clock import BusinessCalendar
from guichet.complaints.models import (
    Channel,
    Complaint,
    ComplaintEvent,
    EventKind,
    Kind,
    Outcome,
    Recommendation,
    State,
    Subject,
)
from guichet.demo.people import Person, account
from guichet.dossiers.models import Dossier
from guichet.referrals.models import Need, Origin, Partner, Referral
from guichet.referrals.services import partners_load
from guichet.surveys.models import Invitation, Response, Source, SurveyConsent
from guichet.surveys.services import invitation_token_hash

COMMISSAIRE = Person("commissaire@example.org", "Andrea Commissaire-Demo")

FINDINGS = {
    Outcome.FOUNDED: (
        "Le délai annoncé n'a pas été respecté et personne ne vous en a avisé.",
        "L'accueil au comptoir n'a pas été à la hauteur de nos engagements de courtoisie.",
    ),
    Outcome.PARTLY_FOUNDED: (
        "La lettre de décision mentionnait le recours, mais sans en expliquer les étapes.",
    ),
    Outcome.UNFOUNDED: (
        "Le dossier a été traité dans le délai : il était incomplet jusqu'à la réception des "
        "pièces demandées.",
    ),
}
CHANGES = {
    Outcome.FOUNDED: "Un avis automatique sera envoyé quand un délai risque d'être dépassé.",
    Outcome.PARTLY_FOUNDED: "Les lettres de décision expliqueront les étapes du recours.",
    Outcome.UNFOUNDED: "Aucun changement : nous avons précisé l'information sur notre site.",
}
TEXTS = (
    "J'attends une réponse depuis plusieurs semaines sans nouvelles.",
    "La personne au téléphone a été impatiente avec moi.",
    "Je ne comprends pas les motifs de la décision.",
    "Le formulaire en ligne n'est pas utilisable avec mon lecteur d'écran.",
    "On m'a répondu en anglais alors que j'avais écrit en français.",
    "Merci pour l'accueil chaleureux au bureau de Québec.",
    "Il serait utile de pouvoir prendre rendez-vous en soirée.",
)


def _bday(cal: BusinessCalendar, day: date, n: int) -> date:
    """The n-th business day after `day`."""
    return cal.business_day(cal.ordinal(day) + n)


def _history(complaint: Complaint, events: list[tuple[EventKind, date, User | None, str]]) -> None:
    ComplaintEvent.objects.bulk_create(
        ComplaintEvent(complaint=complaint, kind=k, occurred_on=d, actor=a, note=n)
        for k, d, a, n in events
    )


def commissaire_office(
    *, password: str, today: date, cal: BusinessCalendar, rng: random.Random, client: User
) -> User:
    """The Commissaire's account and a year of complaints and comments."""
    office = account(COMMISSAIRE, password)
    RoleGrant.objects.get_or_create(user=office, role=GlobalRole.COMMISSAIRE)
    if Complaint.objects.exists():
        return office
    units = list(Unit.objects.order_by("code"))
    subjects = list(Subject)
    start = today - timedelta(days=365)
    count = 0
    for offset in range(0, 365, 4):
        received = start + timedelta(days=offset)
        if not cal.is_business_day(received):
            continue
        count += 1
        kind = Kind.COMMENT if count % 4 == 0 else Kind.COMPLAINT
        complaint = Complaint.objects.create(
            number=f"P-{received.year}-D{count:04d}",
            kind=kind,
            channel=rng.choice([Channel.WEB, Channel.WEB, Channel.MAIL, Channel.PHONE]),
            received_on=received,
            subject=rng.choice(subjects),
            text=rng.choice(TEXTS),
            unit=rng.choice(units) if units and rng.random() < 0.8 else None,
            contact_name=f"Personne Exemple {count}",
            contact_email=f"plaignant{count}@example.org",
        )
        events: list[tuple[EventKind, date, User | None, str]] = [
            (EventKind.RECEIVED, received, None, "")
        ]
        ack = _bday(cal, received, rng.choice([1, 1, 2, 2, 2, 3]))
        if ack > today:
            _history(complaint, events)
            continue
        events.append((EventKind.ACKNOWLEDGED, ack, office, ""))
        complaint.acknowledged_on = ack
        complaint.state = State.ACKNOWLEDGED
        if kind == Kind.COMPLAINT:
            waited = 0
            if rng.random() < 0.2:
                asked = _bday(cal, ack, 1)
                back = _bday(cal, asked, rng.choice([2, 3, 5]))
                if back <= today:
                    events.append(
                        (EventKind.INFO_REQUESTED, asked, office, "Précisions demandées.")
                    )
                    events.append((EventKind.INFO_RECEIVED, back, office, "Précisions reçues."))
                    waited = cal.ordinal(back) - cal.ordinal(asked)
                else:
                    complaint.state = State.WAITING
                    events.append(
                        (EventKind.INFO_REQUESTED, asked, office, "Précisions demandées.")
                    )
            answered = _bday(cal, received, rng.choice([6, 8, 9, 10, 10, 11, 13]) + waited)
            if complaint.state != State.WAITING and answered <= today:
                outcome = rng.choice(
                    [Outcome.FOUNDED, Outcome.PARTLY_FOUNDED, Outcome.UNFOUNDED, Outcome.UNFOUNDED]
                )
                complaint.state = State.ANSWERED
                complaint.answered_on = answered
                complaint.outcome = outcome
                complaint.findings = rng.choice(FINDINGS[outcome])
                complaint.changes = CHANGES[outcome]
                events.append((EventKind.ANSWERED, answered, office, ""))
                if outcome != Outcome.UNFOUNDED and complaint.unit is not None:
                    done = _bday(cal, answered, 15)
                    Recommendation.objects.create(
                        complaint=complaint,
                        unit=complaint.unit,
                        text=CHANGES[outcome],
                        made_on=answered,
                        done_on=done if done <= today else None,
                        done_report="Mise en œuvre confirmée par l'unité." if done <= today else "",
                    )
                    events.append((EventKind.RECOMMENDED, answered, office, CHANGES[outcome]))
        complaint.save()
        _history(complaint, events)
    _client_complaint(client, office, today, cal)
    return office


def _client_complaint(client: User, office: User, today: date, cal: BusinessCalendar) -> None:
    """The demo client's own complaint about one of their dossiers, answered (they read it
    under « Mes plaintes »)."""
    dossier = Dossier.objects.filter(client=client).order_by("received_on").first()
    received = _bday(cal, today - timedelta(days=30), 0)
    ack, answered = _bday(cal, received, 1), _bday(cal, received, 7)
    complaint = Complaint.objects.create(
        number=f"P-{received.year}-D9999",
        kind=Kind.COMPLAINT,
        channel=Channel.WEB,
        received_on=received,
        subject=Subject.DELAYS,
        text="Mon dossier n'avance pas et je n'ai reçu aucune nouvelle.",
        dossier=dossier,
        unit=dossier.unit if dossier else None,
        complainant=client,
        contact_name=client.full_name,
        contact_email=client.email,
        state=State.ANSWERED,
        acknowledged_on=ack,
        answered_on=answered,
        outcome=Outcome.PARTLY_FOUNDED,
        findings="Votre dossier était incomplet ; l'avis envoyé n'était pas assez clair.",
        changes="Les avis d'incomplétude nommeront désormais chaque pièce manquante.",
    )
    _history(
        complaint,
        [
            (EventKind.RECEIVED, received, client, ""),
            (EventKind.ACKNOWLEDGED, ack, office, ""),
            (EventKind.ANSWERED, answered, office, ""),
        ],
    )


def surveys_and_referrals(*, today: date, rng: random.Random, client: User) -> None:
    """A year of invitations and anonymous answers, the demo client's consent, the partners'
    directory and a year of referrals."""
    SurveyConsent.objects.update_or_create(user=client, defaults={"agreed": True})
    partners_load(path=Path(settings.GUICHET_PARTNERS_FILE))
    if Response.objects.exists():
        return
    people = list(
        User.objects.filter(memberships__isnull=True, role_grants__isnull=True)
        .exclude(Q(pk=client.pk) | Q(email__startswith="consultant"))
        .order_by("pk")[:400]
    )
    decided = list(
        Dossier.objects.filter(decided_on__isnull=False, client__in=people)
        .select_related("service")
        .order_by("pk")[:400]
    )
    invitations = []
    responses = []
    used: set[int] = set()
    for dossier in decided:
        if dossier.client_id in used or dossier.decided_on is None:
            continue
        used.add(dossier.client_id or 0)
        answered = rng.random() < 0.45
        invitations.append(
            Invitation(
                person_id=dossier.client_id or 0,
                source=Source.DOSSIER_DECIDED,
                source_ref=dossier.number,
                service_code=dossier.service.code,
                unit_id=dossier.unit_id,
                token_hash=invitation_token_hash(f"demo-{dossier.number}"),
                sent_on=dossier.decided_on,
                answered=answered,
            )
        )
        if answered:

            def rate(good: float, applies: float = 1.0) -> int:
                if rng.random() > applies:
                    return 0
                return rng.choice([1, 2]) if rng.random() < good else rng.choice([3, 4])

            responses.append(
                Response(
                    source=Source.DOSSIER_DECIDED,
                    service_code=dossier.service.code,
                    unit_id=dossier.unit_id,
                    submitted_on=min(today, dossier.decided_on + timedelta(days=rng.randint(0, 6))),
                    courtesy=rate(0.9),
                    clear_language=rate(0.8),
                    complete_information=rate(0.75),
                    decision_explained=rate(0.7),
                    appointment_time=rate(0.85, applies=0.4),
                    right_referral=rate(0.8, applies=0.3),
                    overall=rate(0.82),
                )
            )
    Invitation.objects.bulk_create(invitations)
    Response.objects.bulk_create(responses)
    partners = list(Partner.objects.filter(active=True).order_by("code"))
    if not partners or Referral.objects.exists():
        return
    referrals = []
    for n in range(60):
        partner = rng.choice(partners)
        referrals.append(
            Referral(
                partner=partner,
                need=rng.choice([nd for nd in Need if nd.value in partner.needs] or list(Need)),
                region=rng.choice(partner.regions) if partner.regions else "",
                reason="Besoin hors de la mission du ministère.",
                origin=rng.choice([Origin.PUBLIC, Origin.DOSSIER, Origin.DOSSIER]),
                person_email=f"oriente{n}@example.org",
                referred_on=today - timedelta(days=rng.randint(0, 364)),
            )
        )
    Referral.objects.bulk_create(referrals)
