"""The referrals' services for the retention schedule (rule `referrals` of
privacy/retention.toml): once its period is over, a referral keeps what the results count
(partner, need, region, origin, unit, who referred, the day) and loses the person
(`Referral.PERSONAL_FIELDS`: the account, the e-mail address, the dossier's number, the
reason), or is destroyed when the rule says so. The privacy app's purge decides what is due,
checks the legal holds and calls them through the registry (guichet/retention.py); nothing
else should.
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q

from guichet.accounts.models import ANONYMIZED
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_system_entry
from guichet.referrals.models import Referral
from guichet.retention import Due, register_retention

# An anonymized referral: every personal field emptied.
_ANONYMOUS = (
    Q(person__isnull=True)
    & Q(person_email="")
    & Q(dossier_number="")
    & Q(reason__in=["", ANONYMIZED])
)


def _log(referral: Referral, action: AccessAction, why: str, actor_label: str) -> None:
    access_log_system_entry(
        action=action,
        subject_kind=SubjectKind.REFERRAL,
        why=why,
        actor_label=actor_label,
        subject_id=referral.pk,
        subject_number=referral.dossier_number,
        person=referral.person_id,
    )


@transaction.atomic
def referral_anonymize(*, referral: Referral, why: str, actor_label: str) -> None:
    _log(referral, AccessAction.ANONYMIZE, why, actor_label)
    referral.person = None
    referral.person_email = ""
    referral.dossier_number = ""
    referral.reason = ANONYMIZED if referral.reason else ""
    referral.save(update_fields=list(Referral.PERSONAL_FIELDS))


@transaction.atomic
def referral_destroy(*, referral: Referral, why: str, actor_label: str) -> None:
    pk = referral.pk
    _log(referral, AccessAction.DESTROY, why, actor_label)
    Referral.objects.filter(pk=pk).delete()


def _due(cutoff: date, action: str) -> list[Due]:
    referrals = Referral.objects.filter(referred_on__lte=cutoff)
    if action != "destroy":
        referrals = referrals.exclude(_ANONYMOUS)
    return [
        Due(
            f"orientation n° {r.pk}",
            r,
            person_ids=frozenset({r.person_id}) if r.person_id else frozenset(),
            emails=frozenset({r.person_email.lower()}) if r.person_email else frozenset(),
            dossier_numbers=frozenset({r.dossier_number}) if r.dossier_number else frozenset(),
        )
        for r in referrals.order_by("pk")
    ]


def _apply(record: Any, *, action: str, why: str, actor_label: str, staff_ids: set[int]) -> bool:
    referral = Referral.objects.filter(pk=record.pk).first()
    if referral is None:
        return False
    if action == "destroy":
        referral_destroy(referral=referral, why=why, actor_label=actor_label)
    else:
        referral_anonymize(referral=referral, why=why, actor_label=actor_label)
    return True


register_retention("referrals", due=_due, apply=_apply)
