"""From the notice of intention to the end: observations, the decision and its review, a
withdrawal, the closing."""

from collections.abc import Sequence
from datetime import date, timedelta

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from guichet.accounts.models import User, is_staff_member
from guichet.catalogue.models import Service
from guichet.dossiers.models import (
    Channel,
    Decision,
    Dossier,
    DossierState,
    EventKind,
    Letter,
    LetterKind,
)
from guichet.dossiers.services.base import (
    Applicant,
    DossierError,
    NewDocument,
    _event,
    _letter,
    _lock,
    _require_decidable,
    _require_open,
    _save,
    _stops_without_decision,
    _store_documents,
    _today,
)
from guichet.dossiers.services.filing import dossier_file

# Days a client has to present observations after a notice of intention.
OBSERVATIONS_DAYS = 15


@transaction.atomic
def dossier_notify_intention(
    *,
    dossier: Dossier,
    intended: Decision,
    reasons: str,
    actor: User,
    expected_version: int | None = None,
) -> Letter:
    """Notice of intention to refuse or reject, with reasons: the client may answer before a
    decision is made (no unfavourable decision without it)."""
    dossier = _lock(dossier, expected_version)
    _require_decidable(dossier)
    if intended not in (Decision.REFUSED, Decision.REJECTED):
        raise DossierError("Un avis d'intention annonce un refus ou un rejet.")
    if not reasons.strip():
        raise DossierError("Les motifs de l'avis d'intention sont obligatoires.")
    until = _today() + timedelta(days=OBSERVATIONS_DAYS)
    event = _event(
        dossier,
        EventKind.INTENTION_TO_REFUSE,
        actor,
        intended=intended,
        reasons=reasons.strip(),
        observations_until=until.isoformat(),
    )
    dossier.state = DossierState.INTENTION
    _save(dossier, "state")
    return _letter(
        dossier,
        LetterKind.INTENTION,
        event,
        {
            "intended": intended,
            "reasons": reasons.strip(),
            "observations_until": until,
            "officer": str(actor),
        },
    )


@transaction.atomic
def dossier_add_observations(
    *,
    dossier: Dossier,
    text: str,
    actor: User,
    documents: Sequence[NewDocument] = (),
    expected_version: int | None = None,
) -> Dossier:
    dossier = _lock(dossier, expected_version)
    if dossier.state != DossierState.INTENTION:
        raise DossierError(_("Aucun avis d'intention n'attend vos observations."))
    if not text.strip():
        raise DossierError(_("Écrivez vos observations."))
    stored = _store_documents(dossier, documents, actor)
    _event(
        dossier, EventKind.OBSERVATIONS, actor, text=text.strip(), documents=[d.pk for d in stored]
    )
    _save(dossier)
    return dossier


@transaction.atomic
def dossier_decide(
    *,
    dossier: Dossier,
    decision: Decision,
    reasons: str,
    actor: User,
    expected_version: int | None = None,
) -> Letter:
    """Decide, once. A refusal or rejection needs a prior notice of intention."""
    dossier = _lock(dossier, expected_version)
    _require_decidable(dossier)
    if not reasons.strip():
        raise DossierError("Les motifs de la décision sont obligatoires.")
    if (
        decision != Decision.ACCEPTED
        and not dossier.events.filter(kind=EventKind.INTENTION_TO_REFUSE).exists()
    ):
        raise DossierError("Une décision défavorable doit être précédée d'un avis d'intention.")
    today = _today()
    event = _event(dossier, EventKind.DECIDED, actor, decision=decision, reasons=reasons.strip())
    dossier.state = DossierState.DECIDED
    dossier.decision = decision
    dossier.decided_on = today
    _save(dossier, "state", "decision", "decided_on")
    review_until = review_deadline(dossier)
    return _letter(
        dossier,
        LetterKind.DECISION,
        event,
        {
            "decision": decision,
            "reasons": reasons.strip(),
            "recourse": dossier.service.recourse_fr,
            "review_until": review_until,
            "officer": str(actor),
        },
    )


def review_deadline(dossier: Dossier) -> date | None:
    """The last day to ask for an administrative review, when the decision allows one."""
    service = dossier.service
    if (
        dossier.decision in (Decision.REFUSED, Decision.REJECTED)
        and dossier.decided_on
        and service.review_service_code
        and service.review_within_days
    ):
        return dossier.decided_on + timedelta(days=service.review_within_days)
    return None


@transaction.atomic
def dossier_request_review(
    *, dossier: Dossier, reasons: str, actor: User, expected_version: int | None = None
) -> Dossier:
    """Open the linked administrative-review dossier, within the allowed period."""
    dossier = _lock(dossier, expected_version)
    until = review_deadline(dossier)
    if until is None:
        raise DossierError(_("Cette décision ne peut pas faire l'objet d'une révision."))
    if _today() > until:
        raise DossierError(
            _("Le délai pour demander une révision a pris fin le %(day)s.")
            % {"day": date_format(until)}
        )
    if dossier.reviews.exists():
        raise DossierError(_("Une révision a déjà été demandée pour ce dossier."))
    if not reasons.strip():
        raise DossierError(_("Expliquez pourquoi vous demandez une révision."))
    review_service = Service.objects.get(
        declaration=dossier.service.declaration, code=dossier.service.review_service_code
    )
    review = dossier_file(
        service=review_service,
        applicant=Applicant(
            dossier.applicant_name,
            dossier.applicant_email,
            dossier.postal_address,
            dossier.birth_date,
            dossier.passport_number,
        ),
        actor=actor,
        client=dossier.client,
        channel=Channel.ONLINE,
    )
    review.parent = dossier
    _event(review, EventKind.REVIEW_REQUESTED, actor, of=dossier.number, reasons=reasons.strip())
    _save(review, "parent")
    _event(
        dossier, EventKind.REVIEW_REQUESTED, actor, review=review.number, reasons=reasons.strip()
    )
    _save(dossier)
    return review


@transaction.atomic
def dossier_withdraw(
    *, dossier: Dossier, actor: User, expected_version: int | None = None
) -> Dossier:
    """End the request at the client's own decision. Nobody else signs it for them: a
    consultant holding a mandate cannot (docs/mandates.md says why); staff record a
    withdrawal the client signed."""
    dossier = _lock(dossier, expected_version)
    if dossier.client_id is not None and actor.pk != dossier.client_id:
        if not is_staff_member(actor):
            raise DossierError(
                "Seul le client ou la cliente peut retirer sa demande : un retrait ne se fait "
                "pas par mandat."
            )
    _require_open(dossier)
    _event(dossier, EventKind.WITHDRAWN, actor)
    dossier.state = DossierState.WITHDRAWN
    _save(dossier, "state")
    return dossier


@transaction.atomic
def dossier_close(*, dossier: Dossier, actor: User, expected_version: int | None = None) -> Dossier:
    dossier = _lock(dossier, expected_version)
    if dossier.state in (DossierState.CLOSED, DossierState.WITHDRAWN):
        raise DossierError("Ce dossier est déjà fermé.")
    if dossier.is_open and not _stops_without_decision(dossier):
        raise DossierError("Rendez la décision avant de fermer le dossier.")
    _event(dossier, EventKind.CLOSED, actor)
    dossier.state = DossierState.CLOSED
    _save(dossier, "state")
    return dossier
