"""The application's logs say nothing about the people it serves.

A handler captures every log record (all loggers, DEBUG and up) during a representative flow:
log-ins (one failed), an online request with documents, the agent's actions and letters, the
client's answers, a refused read, the API, the privacy officer's search and export, and the
retention purge. No record may contain a name, an e-mail address, a postal address or an
identity document number of the people of the test.
"""

import logging
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client

from guichet.accounts.models import Membership, StaffRole, User
from guichet.accounts.services import api_token_create
from guichet.audit.models import AccessLog
from guichet.dossiers.models import Dossier
from guichet.privacy.tests.conftest import client_for, search_log
from guichet.testing import PASSWORD, Personas, file_online, pdf_upload, run_command

pytestmark = pytest.mark.django_db

PASSPORT = "XK4471902"
API_APPLICANT = "Ana Souza-Exemple"
API_EMAIL = "ana.souza@example.org"


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def captured() -> Iterator[Capture]:
    """Every record of every logger, including those that do not propagate to the root."""
    handler = Capture()
    root = logging.getLogger()
    loggers = [root] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate
    ]
    levels = {logger: logger.level for logger in loggers}
    for logger in loggers:
        logger.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    for logger, level in levels.items():
        logger.removeHandler(handler)
        logger.setLevel(level)


def everything_in(record: logging.LogRecord) -> str:
    """What any formatter could print: the message, its arguments, the traceback, and every
    extra attribute (a JSON formatter prints those)."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    parts = [formatter.format(record), repr(record.args)]
    parts += [repr(value) for value in vars(record).values()]
    return "\n".join(parts)


def test_no_personal_information_in_the_logs(
    settings: Any,
    capsys: pytest.CaptureFixture[str],
    personas: Personas,
    officer: User,
    captured: Capture,
) -> None:
    settings.AXES_ENABLED = True  # the log-in lock-out logs attempts: it must not name anyone
    owner, agent = personas.owner, personas.agent

    with time_machine.travel("2026-12-18 10:00 -05:00", tick=False):
        browser = Client()
        wrong = browser.post(
            "/accounts/login/", {"username": owner.email, "password": "pas-le-bon-1"}
        )
        assert wrong.status_code == 200
        signed_in = browser.post(
            "/accounts/login/", {"username": owner.email, "password": PASSWORD}
        )
        assert signed_in.status_code == 302, signed_in.content.decode()[-2000:]
        settings.AXES_ENABLED = False  # staff sign in through the test client below

        filed = file_online(
            browser,
            applicant_name=owner.full_name,
            birth_date=date(1990, 4, 12),
            passport_number=PASSPORT,
            doc_passeport=pdf_upload("passeport.pdf"),
        )
        assert filed.status_code == 302, filed.content.decode()[-3000:]
        dossier = Dossier.objects.get()
        n = dossier.number

        office = client_for(agent)
        assert office.get(f"/bureau/dossiers/{n}/").status_code == 200

        def act(action: str, prefix: str, **data: str) -> None:
            dossier.refresh_from_db()
            fields = {f"{prefix}-{k}": v for k, v in data.items()}
            response = office.post(
                f"/bureau/dossiers/{n}/{action}/", {f"{prefix}-version": dossier.version, **fields}
            )
            assert response.status_code == 302, response.content.decode()[-3000:]

        act("accuser-reception", "confirm")
        act("incomplet", "items", items=f"Copie du passeport {PASSPORT}", envoyer="1")
        dossier.refresh_from_db()
        sent = browser.post(
            f"/dossiers/{n}/elements/",
            {
                "answer-version": dossier.version,
                "answer-answer_1": pdf_upload("passeport-complet.pdf"),
            },
        )
        assert sent.status_code == 302
        act("frais-payes", "confirm")
        act("intention", "intention", intended="refused", reasons="Fonds.")
        dossier.refresh_from_db()
        observed = browser.post(
            f"/dossiers/{n}/observations/",
            {
                "observations-version": dossier.version,
                "observations-text": f"Je suis {owner.full_name}, {owner.email}.",
            },
        )
        assert observed.status_code == 302
        act("decision", "decision", decision="accepted", reasons="Fonds suffisants.")

        for letter in dossier.letters.all():
            assert browser.get(f"/dossiers/{n}/lettres/{letter.pk}/").status_code == 200
            assert office.get(f"/bureau/dossiers/{n}/lettres/{letter.pk}/").status_code == 200
        document = dossier.documents.first()
        assert document is not None
        assert office.get(f"/bureau/dossiers/{n}/documents/{document.pk}/").status_code == 200
        # Refused: another client, an agent of another unit (404, logged by Django).
        assert client_for(personas.other_client).get(f"/dossiers/{n}/").status_code == 404
        assert client_for(personas.other_agent).get(f"/bureau/dossiers/{n}/").status_code == 404

        account = User.objects.create_user("systeme@guichet.example", full_name="Système")
        Membership.objects.create(
            user=account, unit=Membership.objects.get(user=agent).unit, role=StaffRole.AGENT
        )
        _, secret = api_token_create(name="Système des études", user=account, actor=None)
        api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert api.get(f"/api/dossiers/{n}").status_code == 200
        assert api.get(f"/api/dossiers/{n}/events").status_code == 200
        body = {"service": "caq-etudiant", "applicant_name": API_APPLICANT}
        assert api.post("/api/dossiers", body, content_type="application/json").status_code == 201
        invalid = {**body, "applicant_email": API_EMAIL.replace("@", " at "), "x": 1}
        assert (
            api.post("/api/dossiers", invalid, content_type="application/json").status_code == 422
        )

        privacy = client_for(officer, reauthenticated=True)
        results = search_log(privacy, personne=owner.email)
        assert results.status_code == 200
        bad = {"personne": owner.email, "du": "2026-12-20", "au": "2026-12-01"}
        assert privacy.post("/confidentialite/journal/", bad).status_code == 400
        exported = privacy.get(f"{results.redirect_chain[-1][0]}export.csv")
        assert exported.status_code == 200
        assert owner.email in b"".join(exported.streaming_content).decode()  # type: ignore[attr-defined]

    with time_machine.travel("2033-12-20 03:00 -05:00", tick=False):
        purged = run_command(capsys, "purge", "--apply")
    assert "dossiers (anonymiser 7 ans après la fin du dossier) : 1 anonymisé(s)" in purged.out
    assert AccessLog.objects.filter(action="anonymize", subject_kind="dossier").count() == 1
    assert captured.records, "the flow should have logged something (404s, the purge)"
    people = [owner, personas.other_client, agent, personas.other_agent, personas.supervisor]
    secrets = {
        PASSPORT,
        API_APPLICANT,
        API_EMAIL,
        "rue de l'Exemple",
        "1990-04-12",
        *(p.email for p in [*people, officer]),
        *(p.full_name for p in [*people, officer]),
    }
    leaks = [
        (record.name, secret, record.getMessage()[:200])
        for record in captured.records
        for secret in secrets
        if secret.lower() in everything_in(record).lower()
    ]
    assert leaks == []
    names = {record.name for record in captured.records}
    assert {"django.request", "guichet.privacy.purge"} <= names
