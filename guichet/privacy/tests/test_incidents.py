"""The register of confidentiality incidents: its eight pieces of information, its workflow
(detected → assessed → notified → closed), refusals that change nothing, its screens and its
CSV export."""

import csv
import io
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from guichet.accounts.models import User
from guichet.audit.models import AccessLog
from guichet.privacy import services
from guichet.privacy.models import ConfidentialityIncident, IncidentStatus
from guichet.privacy.services import PrivacyError
from guichet.privacy.tests.conftest import client_for

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 18, 15, 0, tzinfo=ZoneInfo("UTC"))
DETECTION = {
    "circumstances": "Une liste de dossiers envoyée par courriel à un mauvais destinataire.",
    "occurred_from": date(2026, 12, 10),
    "aware_from": date(2026, 12, 11),
}
ASSESSMENT = {
    "information": "Noms, numéros de dossier et services demandés.",
    "persons_concerned": 40,
    "persons_approximate": True,
    "sensitivity": "Moyenne : révèle une démarche d'immigration.",
    "consequences": "Atteinte à la réputation, sollicitations.",
    "likelihood": "Faible : le destinataire est un organisme public.",
}
NOTICES = {
    "commission_notified_on": date(2026, 12, 14),
    "persons_notified_on": date(2026, 12, 15),
}
MEASURES = {"measures": "Destinataire prié de supprimer le courriel ; envoi groupé interdit."}


@pytest.fixture(autouse=True)
def _today(frozen: Any) -> None:
    """Every test here happens on 2026-12-18 at 10:00."""


def report(officer: User, **fields: Any) -> ConfidentialityIncident:
    return services.incident_report(actor=officer, fields={**DETECTION, **fields})


def snapshot(incident: ConfidentialityIncident) -> tuple[Any, ...]:
    incident.refresh_from_db()
    return (incident.status, incident.version, AccessLog.objects.count())


def test_reporting_needs_the_circumstances_and_the_dates(frozen: Any, officer: User) -> None:
    with pytest.raises(PrivacyError) as refused:
        services.incident_report(
            actor=officer,
            fields={
                "circumstances": "  ",
                "occurred_from": date(2026, 12, 10),
                "occurred_to": date(2026, 12, 9),
                "aware_from": date(2026, 12, 19),
            },
        )
    assert str(refused.value) == (
        "Circonstances de l'incident : à remplir ; "
        "jusqu'au (incident survenu le (ou à partir du)) : précède le début de la période ; "
        "connu de l'organisme le (ou à partir du) : date dans le futur."
    )
    assert ConfidentialityIncident.objects.count() == 0
    assert AccessLog.objects.count() == 0


def test_the_full_workflow_with_a_risk_of_serious_injury(frozen: Any, officer: User) -> None:
    incident = report(officer)
    assert (incident.status, incident.reference) == ("detected", f"INC-2026-{incident.pk:04d}")
    incident = services.incident_update(
        incident=incident, actor=officer, fields={**ASSESSMENT, "serious_risk": True}
    )
    incident = services.incident_assess(incident=incident, actor=officer)
    incident = services.incident_update(incident=incident, actor=officer, fields=NOTICES)
    incident = services.incident_notify(incident=incident, actor=officer)
    incident = services.incident_update(incident=incident, actor=officer, fields=MEASURES)
    incident = services.incident_close(incident=incident, actor=officer)

    incident.refresh_from_db()
    assert (incident.status, incident.assessed_at, incident.notified_at, incident.closed_at) == (
        "closed",
        AT,
        AT,
        AT,
    )
    assert list(
        AccessLog.objects.order_by("id").values_list(
            "actor_id", "action", "subject_kind", "subject_id", "why"
        )
    ) == [
        (officer.pk, "change", "incident", incident.pk, f"registre des incidents : {why}")
        for why in (
            "inscription",
            "mise à jour",
            "évaluation du risque terminée",
            "mise à jour",
            "avis transmis",
            "mise à jour",
            "fermeture",
        )
    ]


def test_without_serious_risk_it_closes_without_notices(officer: User) -> None:
    incident = report(officer, **ASSESSMENT, serious_risk=False)
    services.incident_assess(incident=incident, actor=officer)
    with pytest.raises(PrivacyError, match="Aucun avis n'est exigé"):
        services.incident_notify(incident=incident, actor=officer)
    with pytest.raises(
        PrivacyError, match="^Mesures prises pour diminuer les risques : à remplir.$"
    ):
        services.incident_close(incident=incident, actor=officer)
    services.incident_update(incident=incident, actor=officer, fields=MEASURES)
    services.incident_close(incident=incident, actor=officer)
    incident.refresh_from_db()
    assert (incident.status, incident.notified_at) == ("closed", None)


def test_assessment_requires_the_information_the_count_and_the_risk(officer: User) -> None:
    incident = report(officer)
    before = snapshot(incident)
    with pytest.raises(PrivacyError) as refused:
        services.incident_assess(incident=incident, actor=officer)
    assert str(refused.value) == (
        "Renseignements personnels visés : décrivez-les, ou dites pourquoi ce n'est pas "
        "possible ; nombre de personnes concernées : à remplir ; sensibilité des "
        "renseignements : à remplir ; conséquences appréhendées : à remplir ; probabilité "
        "d'une utilisation préjudiciable : à remplir ; risque qu'un préjudice sérieux soit "
        "causé : répondez oui ou non."
    )
    assert snapshot(incident) == before


def test_information_that_cannot_be_described_needs_the_reason(officer: User) -> None:
    fields = {**ASSESSMENT, "information": "", "serious_risk": False}
    incident = report(officer, **fields, information_unknown_reason="Le fichier est chiffré.")
    assert services.incident_assess(incident=incident, actor=officer).status == "assessed"


def test_notices_are_required_before_closing_a_serious_incident(officer: User) -> None:
    incident = report(officer, **ASSESSMENT, **MEASURES, serious_risk=True)
    services.incident_assess(incident=incident, actor=officer)
    before = snapshot(incident)
    with pytest.raises(PrivacyError, match="aviser la Commission et les personnes concernées"):
        services.incident_close(incident=incident, actor=officer)
    with pytest.raises(PrivacyError) as refused:
        services.incident_notify(incident=incident, actor=officer)
    assert str(refused.value) == (
        "Avis à la Commission d'accès à l'information le : à remplir ; avis aux personnes "
        "concernées le : à remplir (ou indiquez l'avis public)."
    )
    assert snapshot(incident) == before
    # A public notice, with its reason, stands in for the notice to each person.
    services.incident_update(
        incident=incident,
        actor=officer,
        fields={
            "commission_notified_on": date(2026, 12, 14),
            "public_notice": True,
            "public_notice_reason": "Coordonnées des personnes inconnues.",
        },
    )
    services.incident_notify(incident=incident, actor=officer)
    incident.refresh_from_db()
    assert incident.status == "notified"


@pytest.mark.parametrize(
    ("status", "move", "message"),
    [
        ("detected", "notify", "« Détecté » ne peut pas passer à « Avis transmis »"),
        ("detected", "close", "« Détecté » ne peut pas passer à « Fermé »"),
        ("notified", "assess", "« Avis transmis » ne peut pas passer à « Risque évalué »"),
        ("closed", "assess", "« Fermé » ne peut pas passer à « Risque évalué »"),
        ("closed", "notify", "« Fermé » ne peut pas passer à « Avis transmis »"),
        ("closed", "close", "« Fermé » ne peut pas passer à « Fermé »"),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(
    officer: User, status: str, move: str, message: str
) -> None:
    incident = report(officer, **ASSESSMENT, **NOTICES, **MEASURES, serious_risk=True)
    path = ["assess", "notify", "close"][
        : ["detected", "assessed", "notified", "closed"].index(status)
    ]
    moves = {
        "assess": services.incident_assess,
        "notify": services.incident_notify,
        "close": services.incident_close,
    }
    for step in path:
        moves[step](incident=incident, actor=officer)
    before = snapshot(incident)
    assert before[0] == status
    with pytest.raises(PrivacyError, match=message):
        moves[move](incident=incident, actor=officer)
    assert snapshot(incident) == before


def test_a_closed_incident_no_longer_changes(officer: User) -> None:
    incident = report(officer, **ASSESSMENT, **MEASURES, serious_risk=False)
    services.incident_assess(incident=incident, actor=officer)
    services.incident_close(incident=incident, actor=officer)
    before = snapshot(incident)
    with pytest.raises(PrivacyError, match="fermé : il ne se modifie plus"):
        services.incident_update(incident=incident, actor=officer, fields={"measures": "x"})
    assert snapshot(incident) == before


def test_an_update_may_not_undo_what_the_step_requires(officer: User) -> None:
    incident = report(officer, **ASSESSMENT, serious_risk=False)
    services.incident_assess(incident=incident, actor=officer)
    before = snapshot(incident)
    with pytest.raises(PrivacyError, match="^Sensibilité des renseignements : à remplir.$"):
        services.incident_update(incident=incident, actor=officer, fields={"sensitivity": ""})
    assert snapshot(incident) == before


def test_a_stale_version_is_refused(officer: User) -> None:
    incident = report(officer)
    services.incident_update(incident=incident, actor=officer, fields=ASSESSMENT)
    with pytest.raises(PrivacyError, match="Quelqu'un d'autre vient de modifier"):
        services.incident_update(
            incident=incident, actor=officer, fields=MEASURES, expected_version=0
        )


# --- Screens --------------------------------------------------------------------------------


def test_the_form_shows_the_eight_parts_and_an_error_summary(officer: User) -> None:
    client = client_for(officer)
    page = client.get("/confidentialite/incidents/nouveau/").content.decode()
    for legend in (
        "1. Renseignements personnels visés",
        "2. Circonstances",
        "3. Date ou période de l&#x27;incident",
        "4. Date ou période où l&#x27;organisme en a pris connaissance",
        "5. Personnes concernées",
        "6. Évaluation du risque de préjudice sérieux",
        "7. Avis (s&#x27;il y a un risque de préjudice sérieux)",
        "8. Mesures prises pour diminuer les risques",
    ):
        assert f"<legend>{legend}</legend>" in page
    response = client.post(
        "/confidentialite/incidents/nouveau/",
        {"occurred_from": "2026-12-01", "aware_from": "2026-12-02"},
    )
    assert response.status_code == 400
    assert (
        '<a href="#id_circumstances">Circonstances de l&#x27;incident : Ce champ est '
        "obligatoire.</a>" in response.content.decode()
    )
    assert ConfidentialityIncident.objects.count() == 0


def test_an_incident_goes_through_its_steps_on_screen(officer: User) -> None:
    client = client_for(officer)
    created = client.post(
        "/confidentialite/incidents/nouveau/",
        {
            "circumstances": "Portable volé.",
            "occurred_from": "2026-11-01",
            "aware_from": "2026-11-02",
            "serious_risk": "",
        },
    )
    incident = ConfidentialityIncident.objects.get()
    assert created["Location"] == f"/confidentialite/incidents/{incident.pk}/"
    refused = client.post(
        f"/confidentialite/incidents/{incident.pk}/evaluer/", {"version": incident.version}
    )
    assert refused.status_code == 400
    assert "L'étape n'a pas changé" in refused.content.decode()
    edited = client.post(
        f"/confidentialite/incidents/{incident.pk}/modifier/",
        {
            "circumstances": "Portable volé.",
            "occurred_from": "2026-11-01",
            "aware_from": "2026-11-02",
            "information": "Courriels et numéros de dossier.",
            "persons_concerned": "12",
            "sensitivity": "Faible.",
            "consequences": "Hameçonnage possible.",
            "likelihood": "Faible : disque chiffré.",
            "serious_risk": "non",
            "version": incident.version,
        },
    )
    assert edited.status_code == 302, edited.content.decode()[-2000:]
    incident.refresh_from_db()
    assert (incident.serious_risk, incident.persons_concerned) == (False, 12)
    moved = client.post(
        f"/confidentialite/incidents/{incident.pk}/evaluer/", {"version": incident.version}
    )
    assert moved.status_code == 302
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ASSESSED
    assert client.post(f"/confidentialite/incidents/{incident.pk}/inconnu/").status_code == 404


def test_the_register_exports_as_csv(frozen: Any, officer: User) -> None:
    incident = report(officer, **ASSESSMENT, **NOTICES, **MEASURES, serious_risk=True)
    response = client_for(officer, reauthenticated=True).get(
        "/confidentialite/incidents/export.csv"
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    table = list(csv.reader(io.StringIO(body)))
    assert len(table[0]) == 21
    assert table[1] == [
        f"INC-2026-{incident.pk:04d}",
        "Détecté",
        "Noms, numéros de dossier et services demandés.",
        "",
        "Une liste de dossiers envoyée par courriel à un mauvais destinataire.",
        "2026-12-10",
        "",
        "non",
        "2026-12-11",
        "",
        "40",
        "oui",
        "Moyenne : révèle une démarche d'immigration.",
        "Atteinte à la réputation, sollicitations.",
        "Faible : le destinataire est un organisme public.",
        "oui",
        "2026-12-14",
        "2026-12-15",
        "non",
        "",
        "Destinataire prié de supprimer le courriel ; envoi groupé interdit.",
    ]
    export = AccessLog.objects.order_by("-id").first()
    assert export is not None
    assert (export.action, export.subject_kind, export.actor, export.why) == (
        "export",
        "incident",
        officer,
        "export du registre des incidents (1 incidents) du responsable de la protection des "
        "renseignements personnels",
    )
