"""The demo consultant and their mandates, through the mandates app's service functions."""

from datetime import date, timedelta

from django.db.models import Q

from guichet.accounts.models import User
from guichet.demo.people import CONSULTANT, CONSULTANT_NUMBER, account
from guichet.dossiers.models import Decision, Dossier, DossierState
from guichet.mandates.services import consultant_register, mandate_grant


def consultant_mandates(client: User, password: str, today: date) -> None:
    """The demo consultant, recognized for five years around today, with the demo client's
    mandate on the dossier waiting for a document and on the refused one (through the real
    service functions: the events and the e-mails are those of a real grant)."""
    user = account(CONSULTANT, password)
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
