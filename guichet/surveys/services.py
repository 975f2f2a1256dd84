"""Every state change of the surveys: consent, invitations (and the sampler that sends them
after a dossier is decided), and answers. One typed, atomic function each.

Other apps (meetings, enquiries) invite through `survey_invite`; the dossiers never call
this app: `surveys_sample` reads the dossiers decided on a day and invites a sample of their
clients, run daily by `guichet surveys-sample` (docs/complaints.md).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from guichet.accounts.models import Unit, User
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_record
from guichet.complaints.models import Kind, Subject
from guichet.complaints.services import complaint_file
from guichet.dossiers.models import Dossier
from guichet.public_url import public_url
from guichet.surveys.models import Invitation, Response, Source, SurveyConsent

# At most one invitation per person in this many days.
QUIET_DAYS = 90
# A link works for this many days after it was sent.
LINK_DAYS = 30
_LINK_SALT = "guichet.surveys.invitation_token"


class SurveyError(Exception):
    """The action is refused; the message says why, in French, and nothing changed."""


def invitation_token_hash(token: str) -> str:
    """Keyed with SECRET_KEY (like the enrolment codes, guichet/accounts/services.py): the
    table keeps this, never the link's secret. Migration 0002 hashes the tokens stored before
    with the same salt."""
    return salted_hmac(_LINK_SALT, token, algorithm="sha256").hexdigest()


def survey_consent_of(user: User) -> bool:
    return SurveyConsent.objects.filter(user=user, agreed=True).exists()


@transaction.atomic
def survey_consent_set(*, user: User, agreed: bool) -> SurveyConsent:
    """The client agrees (or no longer agrees) to be asked about their satisfaction."""
    consent, _created = SurveyConsent.objects.update_or_create(
        user=user, defaults={"agreed": agreed, "changed_at": timezone.now()}
    )
    access_log_record(
        action=AccessAction.CHANGE,
        subject_kind=SubjectKind.PERSON,
        subject_id=user.pk,
        person=user,
        actor=user,
        why="accepte d'être sondé" if agreed else "refuse d'être sondé",
    )
    return consent


@transaction.atomic
def survey_invite(
    *,
    person: User,
    source: Source,
    source_ref: str,
    service_code: str,
    unit: Unit | None = None,
    today: date | None = None,
) -> Invitation | None:
    """Invite `person` to the questionnaire after `source` (a decided dossier, a meeting held,
    an enquiry answered: `source_ref` is its number). Nothing is sent, and None returned,
    when the person did not agree to be asked, was invited in the last 90 days, or was
    already invited for this same source."""
    today = today or timezone.localdate()
    if not person.is_active or not survey_consent_of(person):
        return None
    User.objects.select_for_update().filter(pk=person.pk).first()  # one invitation at a time
    recent = Invitation.objects.filter(
        person=person, sent_on__gt=today - timedelta(days=QUIET_DAYS)
    ).exists()
    if recent or Invitation.objects.filter(source=source, source_ref=source_ref).exists():
        return None
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        person=person,
        source=source,
        source_ref=source_ref,
        service_code=service_code,
        unit=unit,
        token_hash=invitation_token_hash(token),
        sent_on=today,
    )
    invitation.link_token = token
    link = public_url(reverse("surveys:answer", args=[token]))
    address = person.email
    transaction.on_commit(
        lambda: send_mail(
            subject=_("Votre avis sur nos services"),
            message=_(
                "Bonjour,\n\nVous avez accepté que nous vous demandions votre avis. Le "
                "questionnaire prend deux minutes et vos réponses sont anonymes :\n%(link)s\n\n"
                "Vous pouvez retirer votre accord dans votre compte Guichet.\n"
            )
            % {"link": link},
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )
    )
    return invitation


def _sampled(number: str, percent: int) -> bool:
    """A fixed draw per dossier (the same on every run): its number's hash below `percent`."""
    digest = hashlib.sha256(f"sondage:{number}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < percent


@dataclass(frozen=True)
class Sampled:
    decided: int
    drawn: int
    invited: int


def surveys_sample(*, day: date, percent: int | None = None) -> Sampled:
    """Invite a sample of the clients whose dossier was decided on `day` (those who agreed to
    be asked and were not invited in the last 90 days)."""
    percent = settings.GUICHET_SURVEY_SAMPLE_PERCENT if percent is None else percent
    decided = Dossier.objects.filter(decided_on=day, client__isnull=False).select_related(
        "client", "service"
    )
    drawn = invited = count = 0
    for dossier in decided.order_by("pk"):
        count += 1
        if not _sampled(dossier.number, percent):
            continue
        drawn += 1
        assert dossier.client is not None  # noqa: S101 (filtered above)
        sent = survey_invite(
            person=dossier.client,
            source=Source.DOSSIER_DECIDED,
            source_ref=dossier.number,
            service_code=dossier.service.code,
            unit=dossier.unit,
            today=day,
        )
        invited += sent is not None
    return Sampled(count, drawn, invited)


def _expired(invitation: Invitation, today: date) -> bool:
    return invitation.sent_on < today - timedelta(days=LINK_DAYS)


def invitation_get_for_answer(token: str, today: date | None = None) -> Invitation:
    """The invitation of a link, unused and not expired; SurveyError otherwise."""
    invitation = (
        Invitation.objects.filter(token_hash=invitation_token_hash(token)).first()
        if len(token) <= 64
        else None
    )
    if invitation is None:
        raise SurveyError(_("Ce lien de sondage n'existe pas."))
    if invitation.answered:
        raise SurveyError(_("Ce questionnaire a déjà été rempli. Merci !"))
    if _expired(invitation, today or timezone.localdate()):
        raise SurveyError(_("Ce lien de sondage a expiré."))
    return invitation


@transaction.atomic
def survey_answer(
    *, token: str, ratings: dict[str, int], comment: str = "", today: date | None = None
) -> Response:
    """Record an anonymous answer (nothing links it to the person), mark the invitation
    used, and send the comment, if any, to the Commissaire as an anonymous comment."""
    locked = (
        Invitation.objects.select_for_update()
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )
    if locked is None or locked.answered:
        raise SurveyError(_("Ce questionnaire a déjà été rempli. Merci !"))
    today = today or timezone.localdate()
    if _expired(locked, today):
        raise SurveyError(_("Ce lien de sondage a expiré."))
    response = Response.objects.create(
        source=locked.source,
        service_code=locked.service_code,
        unit=locked.unit,
        submitted_on=today,
        **ratings,
    )
    locked.answered = True
    locked.save(update_fields=["answered"])
    if comment.strip():
        complaint_file(
            actor=None,
            kind=Kind.COMMENT,
            subject=Subject.OTHER,
            text=comment.strip(),
            anonymous=True,
        )
    return response
