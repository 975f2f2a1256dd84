"""The directory's loading and the referrals: one typed, atomic function each.

A referral is recorded (who, to whom, why) and the person gets the partner's contact by
e-mail after the commit. Staff refer from a dossier (reached through their own scoped
getter by the caller); anyone may ask for a partner's contact from the public directory.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from guichet.accounts.models import User
from guichet.datafiles import DataFileError, read_toml
from guichet.dossiers.models import Dossier
from guichet.referrals.models import Need, Origin, Partner, Referral, Region

LANGUAGE_CODES = {"fr", "en", "es", "ar", "zh", "pt", "ru", "fa", "uk", "it", "de", "ht"}


class ReferralError(Exception):
    """The action is refused; the message says why, in French, and nothing changed."""


@dataclass(frozen=True)
class Loaded:
    created: int
    updated: int


def _list(
    path: Path, code: str, entry: dict[str, object], key: str, allowed: set[str]
) -> list[str]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DataFileError(f"{path} : organisme {code} : {key} doit être une liste de textes")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise DataFileError(f"{path} : organisme {code} : {key} inconnus : {', '.join(unknown)}")
    return list(value)


@transaction.atomic
def partners_load(*, path: Path) -> Loaded:
    """Load the directory's data file: every entry checked first, then created or updated by
    its code (nothing loaded when one entry is wrong). Partners missing from the file are
    kept (their referrals point to them) but made inactive."""
    data = read_toml(path)
    entries = data.get("partners")
    if not isinstance(entries, list) or not entries:
        raise DataFileError(f"{path} : aucune entrée [[partners]]")
    rows: list[dict[str, object]] = []
    for entry in entries:
        code = str(entry.get("code", ""))
        if not code or not entry.get("name"):
            raise DataFileError(f"{path} : chaque organisme a un code et un nom")
        rows.append(
            {
                "code": code,
                "name": str(entry["name"]),
                "needs": _list(path, code, entry, "needs", set(Need.values)),
                "regions": _list(path, code, entry, "regions", set(Region.values)),
                "languages": _list(path, code, entry, "languages", LANGUAGE_CODES),
                "email": str(entry.get("email", "")),
                "phone": str(entry.get("phone", "")),
                "website": str(entry.get("website", "")),
                "address": str(entry.get("address", "")),
                "accessibility": str(entry.get("accessibility", "")),
                "active": True,
            }
        )
    created = updated = 0
    for row in rows:
        _partner, was_created = Partner.objects.update_or_create(code=row["code"], defaults=row)
        created += was_created
        updated += not was_created
    Partner.objects.exclude(code__in=[r["code"] for r in rows]).update(active=False)
    return Loaded(created, updated)


def partners_matching(*, need: str = "", region: str = "") -> list[Partner]:
    """Active partners serving `need` in `region` (either may be empty: all)."""
    found = Partner.objects.filter(active=True).order_by("name")
    return [
        p for p in found if (not need or need in p.needs) and (not region or region in p.regions)
    ]


@transaction.atomic
def referral_make(
    *,
    partner: Partner,
    need: str,
    origin: Origin,
    person_email: str,
    actor: User | None,
    region: str = "",
    reason: str = "",
    dossier: Dossier | None = None,
) -> Referral:
    """Record a referral and e-mail the partner's contact to the person."""
    if not partner.active:
        raise ReferralError(_("Cet organisme ne fait plus partie du répertoire."))
    if origin == Origin.DOSSIER and dossier is None:
        raise ReferralError(_("Une orientation faite depuis un dossier nomme ce dossier."))
    signed_in = actor if actor is not None and actor.is_authenticated else None
    referral = Referral.objects.create(
        partner=partner,
        need=need,
        region=region,
        reason=reason,
        origin=origin,
        person=dossier.client if dossier is not None else signed_in,
        person_email=person_email,
        dossier_number=dossier.number if dossier is not None else "",
        referred_by=signed_in if origin != Origin.PUBLIC else None,
        unit_id=dossier.unit_id if dossier is not None else None,
        referred_on=timezone.localdate(),
    )
    if person_email:
        body = render_to_string("referrals/email.txt", {"partner": partner, "referral": referral})
        transaction.on_commit(
            lambda: send_mail(
                subject=_("Un organisme qui peut vous aider : %(name)s") % {"name": partner.name},
                message=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[person_email],
            )
        )
    return referral
