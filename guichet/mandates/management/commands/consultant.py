"""guichet consultant: keep the register of recognized immigration consultants."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from guichet.accounts.models import User
from guichet.cli import OneLineErrorsMixin, fail
from guichet.mandates.models import Consultant
from guichet.mandates.services import (
    MandateError,
    consultant_register,
    consultant_revoke_recognition,
    consultant_suspend,
)

# Who recorded a change, in the access log: the command, whoever ran it on the server.
ACTOR_LABEL = "guichet consultant"


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"guichet consultant : date invalide « {value} » (AAAA-MM-JJ attendu)")


class Command(OneLineErrorsMixin, BaseCommand):
    help = (
        "Registre des consultants en immigration reconnus : inscrire ou renouveler "
        "(--numero, --nom, --courriel, --du, --au, --compte), suspendre (--suspendre DU[:AU]), "
        "révoquer (--revoquer DATE), ou afficher une inscription (--numero seul)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--numero", required=True, help="numéro de reconnaissance")
        parser.add_argument("--nom", help="nom du consultant")
        parser.add_argument("--courriel", help="adresse courriel professionnelle")
        parser.add_argument("--du", help="reconnu à partir du (AAAA-MM-JJ)")
        parser.add_argument("--au", help="reconnu jusqu'au (AAAA-MM-JJ), facultatif")
        parser.add_argument("--compte", help="adresse courriel du compte Guichet du consultant")
        parser.add_argument(
            "--suspendre", metavar="DU[:AU]", help="suspendre la reconnaissance (AU facultatif)"
        )
        parser.add_argument("--revoquer", metavar="DATE", help="révoquer à partir de DATE")

    def handle(self, *args: Any, **options: Any) -> None:
        number = options["numero"].strip()
        try:
            if options["suspendre"] or options["revoquer"]:
                consultant = self._existing(number)
                if options["suspendre"]:
                    start, _, end = options["suspendre"].partition(":")
                    consultant = consultant_suspend(
                        consultant=consultant,
                        start=_day(start),
                        end=_day(end) if end else None,
                        actor=None,
                        actor_label=ACTOR_LABEL,
                    )
                if options["revoquer"]:
                    consultant = consultant_revoke_recognition(
                        consultant=consultant,
                        on=_day(options["revoquer"]),
                        actor=None,
                        actor_label=ACTOR_LABEL,
                    )
            elif options["nom"] or options["courriel"] or options["du"]:
                missing = [o for o in ("nom", "courriel", "du") if not options[o]]
                if missing:
                    fail(
                        "guichet consultant : pour inscrire, donnez aussi "
                        + ", ".join(f"--{o}" for o in missing)
                    )
                user = None
                if options["compte"]:
                    user = User.objects.filter(email__iexact=options["compte"].strip()).first()
                    if user is None:
                        fail(f"guichet consultant : aucun compte « {options['compte']} »")
                consultant = consultant_register(
                    recognition_number=number,
                    full_name=options["nom"],
                    email=options["courriel"],
                    recognized_from=_day(options["du"]),
                    recognized_until=_day(options["au"]) if options["au"] else None,
                    user=user,
                )
            else:
                consultant = self._existing(number)
        except MandateError as exc:
            fail(f"guichet consultant : {exc}")
        self.stdout.write(self._describe(consultant))

    def _existing(self, number: str) -> Consultant:
        consultant = Consultant.objects.filter(recognition_number=number).first()
        if consultant is None:
            fail(f"guichet consultant : aucun consultant n° {number} au registre")
        return consultant

    def _describe(self, c: Consultant) -> str:
        parts = [
            f"n° {c.recognition_number} : {c.full_name} <{c.email}>",
            f"reconnu du {c.recognized_from}"
            + (f" au {c.recognized_until}" if c.recognized_until else ""),
        ]
        if c.suspended_from:
            parts.append(
                f"suspendu du {c.suspended_from}"
                + (f" au {c.suspended_until}" if c.suspended_until else " jusqu'à nouvel ordre")
            )
        if c.revoked_on:
            parts.append(f"révoqué le {c.revoked_on}")
        parts.append(f"compte : {c.user.email}" if c.user else "sans compte Guichet")
        return " ; ".join(parts)
