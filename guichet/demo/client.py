"""The demo client: served in English on a recorded basis, with four dossiers made through the
real service functions (real PDF letters), so that they show exactly what a client sees."""

from datetime import date, timedelta

from guichet.accounts.language import language_basis
from guichet.accounts.models import LanguageBasis, User
from guichet.accounts.services import language_of_service_declare
from guichet.demo.histories import ACCEPTED_REASONS, OBSERVATIONS
from guichet.demo.people import Staff
from guichet.demo.reference import Catalogue
from guichet.dossiers import services
from guichet.dossiers.models import Decision, Dossier


def client_language(client: User, today: date) -> None:
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


def client_dossiers(
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
