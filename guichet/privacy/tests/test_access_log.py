"""Every read and every change of a dossier leaves an entry in the access log, with who, what,
when and why; a refused read leaves none; and nobody can change or remove an entry, not even
with SQL."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from guichet.accounts.models import Membership, StaffRole, User
from guichet.accounts.services import api_token_create
from guichet.append_only import AppendOnlyError
from guichet.audit.models import AccessLog
from guichet.dossiers import services
from guichet.dossiers.models import Decision, Dossier
from guichet.privacy.tests.conftest import client_for
from guichet.testing import Personas, make_dossier

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 18, 15, 0, tzinfo=ZoneInfo("UTC"))
FIELDS = (
    "at",
    "actor_id",
    "actor_label",
    "action",
    "subject_kind",
    "subject_id",
    "subject_number",
    "person_id",
    "why",
    "path",
)


def rows(**filters: Any) -> list[tuple[Any, ...]]:
    return list(AccessLog.objects.filter(**filters).order_by("id").values_list(*FIELDS))


def new_rows(before: int) -> list[tuple[Any, ...]]:
    return rows(id__gt=before)


def last_id() -> int:
    return AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_client_reads_are_logged(frozen: Any, personas: Personas, dossier: Dossier) -> None:
    letter, document = dossier.letters.get(), dossier.documents.get()
    owner = personas.owner
    client = client_for(owner)
    start = last_id()
    n = dossier.number

    assert client.get(f"/dossiers/{n}/").status_code == 200
    assert client.get(f"/dossiers/{n}/lettres/{letter.pk}/").status_code == 200
    assert client.get(f"/dossiers/{n}/documents/{document.pk}/").status_code == 200

    why = "consultation par le client"
    assert new_rows(start) == [
        (AT, owner.pk, "", "read", "dossier", dossier.pk, n, owner.pk, why, f"/dossiers/{n}/"),
        (
            AT,
            owner.pk,
            "",
            "read",
            "letter",
            letter.pk,
            n,
            owner.pk,
            why,
            f"/dossiers/{n}/lettres/{letter.pk}/",
        ),
        (
            AT,
            owner.pk,
            "",
            "read",
            "document",
            document.pk,
            n,
            owner.pk,
            why,
            f"/dossiers/{n}/documents/{document.pk}/",
        ),
    ]


@pytest.mark.parametrize("persona", ["agent", "supervisor"])
def test_staff_reads_are_logged(
    frozen: Any, personas: Personas, dossier: Dossier, persona: str
) -> None:
    letter, document = dossier.letters.get(), dossier.documents.get()
    staff = personas.all()[persona]
    client = client_for(staff)
    start = last_id()
    n, owner = dossier.number, personas.owner.pk

    assert client.get(f"/bureau/dossiers/{n}/").status_code == 200
    assert client.get(f"/bureau/dossiers/{n}/lettres/{letter.pk}/").status_code == 200
    assert client.get(f"/bureau/dossiers/{n}/documents/{document.pk}/").status_code == 200

    why = "traitement du dossier"
    base = f"/bureau/dossiers/{n}"
    assert new_rows(start) == [
        (AT, staff.pk, "", "read", "dossier", dossier.pk, n, owner, why, f"{base}/"),
        (
            AT,
            staff.pk,
            "",
            "read",
            "letter",
            letter.pk,
            n,
            owner,
            why,
            f"{base}/lettres/{letter.pk}/",
        ),
        (
            AT,
            staff.pk,
            "",
            "read",
            "document",
            document.pk,
            n,
            owner,
            why,
            f"{base}/documents/{document.pk}/",
        ),
    ]


@pytest.mark.parametrize(
    ("persona", "path"),
    [
        ("other_client", "/dossiers/{n}/"),
        ("other_client", "/dossiers/{n}/lettres/{letter}/"),
        ("other_client", "/dossiers/{n}/documents/{document}/"),
        ("agent", "/dossiers/{n}/"),
        ("other_agent", "/bureau/dossiers/{n}/"),
        ("other_agent", "/bureau/dossiers/{n}/lettres/{letter}/"),
        ("other_agent", "/bureau/dossiers/{n}/documents/{document}/"),
        ("owner", "/bureau/dossiers/{n}/"),
        ("owner", "/dossiers/{n}/lettres/999999/"),
    ],
)
def test_a_refused_read_logs_nothing(
    personas: Personas, dossier: Dossier, persona: str, path: str
) -> None:
    url = path.format(
        n=dossier.number, letter=dossier.letters.get().pk, document=dossier.documents.get().pk
    )
    client = client_for(personas.all()[persona])
    before = AccessLog.objects.count()
    assert client.get(url).status_code == 404
    assert AccessLog.objects.count() == before


def test_anonymous_read_logs_nothing(dossier: Dossier) -> None:
    before = AccessLog.objects.count()
    response = Client().get(f"/dossiers/{dossier.number}/")
    assert response.status_code == 302
    assert AccessLog.objects.count() == before


def test_every_change_is_logged_with_its_actor(frozen: Any, personas: Personas) -> None:
    owner, agent = personas.owner, personas.agent
    dossier = make_dossier(personas)
    services.dossier_assign(dossier=dossier, agent=agent, actor=agent)
    services.dossier_record_fee_payment(dossier=dossier, actor=agent)
    services.dossier_notify_intention(
        dossier=dossier, intended=Decision.REFUSED, reasons="Preuve de fonds absente.", actor=agent
    )
    services.dossier_add_observations(dossier=dossier, text="Je joins la preuve.", actor=owner)
    n, pk = dossier.number, dossier.pk
    expected = [
        ("received", owner.pk, "Demande reçue"),
        ("assign", agent.pk, "Dossier attribué"),
        ("fee", agent.pk, "Frais acquittés"),
        ("intention", agent.pk, "Avis d'intention envoyé"),
        ("observations", owner.pk, "Observations du client"),
    ]
    assert rows(subject_number=n) == [
        (
            AT,
            actor,
            "",
            "change",
            "dossier",
            pk,
            n,
            owner.pk,
            f"inscription au dossier : {label}",
            "",
        )
        for _, actor, label in expected
    ]


def test_a_change_through_the_office_records_its_path(
    frozen: Any, personas: Personas, dossier: Dossier
) -> None:
    client = client_for(personas.agent)
    start = last_id()
    response = client.post(
        f"/bureau/dossiers/{dossier.number}/incomplet/",
        {"items-version": dossier.version, "items-envoyer": "1", "items-items": "Passeport"},
    )
    assert response.status_code == 302
    path = f"/bureau/dossiers/{dossier.number}/incomplet/"
    n, owner, agent = dossier.number, personas.owner.pk, personas.agent.pk
    assert new_rows(start) == [
        (AT, agent, "", "read", "dossier", dossier.pk, n, owner, "traitement du dossier", path),
        (
            AT,
            agent,
            "",
            "change",
            "dossier",
            dossier.pk,
            n,
            owner,
            "inscription au dossier : Avis de dossier incomplet envoyé",
            path,
        ),
    ]


@pytest.fixture
def api(personas: Personas) -> tuple[Client, User]:
    account = User.objects.create_user("systeme@guichet.example", full_name="Système études")
    caq = Membership.objects.get(user=personas.agent).unit
    Membership.objects.create(user=account, unit=caq, role=StaffRole.AGENT)
    _, secret = api_token_create(name="Système des études", user=account, actor=None)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}"), account


def test_api_reads_and_filing_are_logged(
    frozen: Any, personas: Personas, dossier: Dossier, api: tuple[Client, User]
) -> None:
    client, account = api
    start = last_id()
    n, owner = dossier.number, personas.owner.pk

    assert client.get(f"/api/dossiers/{n}").status_code == 200
    assert client.get(f"/api/dossiers/{n}/events").status_code == 200
    assert client.get("/api/dossiers/2026-999999").status_code == 404
    filed = client.post(
        "/api/dossiers",
        {"service": "caq-etudiant", "applicant_name": "Ana Souza"},
        content_type="application/json",
    )
    assert filed.status_code == 201
    new = Dossier.objects.get(number=filed.json()["number"])

    why = "consultation par un autre système (API)"
    assert new_rows(start) == [
        (AT, account.pk, "", "read", "dossier", dossier.pk, n, owner, why, f"/api/dossiers/{n}"),
        (
            AT,
            account.pk,
            "",
            "read",
            "dossier",
            dossier.pk,
            n,
            owner,
            why,
            f"/api/dossiers/{n}/events",
        ),
        (
            AT,
            account.pk,
            "API : Système des études",
            "change",
            "dossier",
            new.pk,
            new.number,
            None,
            "inscription au dossier : Demande reçue",
            "/api/dossiers",
        ),
        (
            AT,
            account.pk,
            "",
            "read",
            "dossier",
            new.pk,
            new.number,
            None,
            "dépôt par un autre système (API)",
            "/api/dossiers",
        ),
    ]


# --- Append-only ----------------------------------------------------------------------------


@pytest.fixture
def entry(personas: Personas, dossier: Dossier) -> AccessLog:
    return AccessLog.objects.filter(subject_number=dossier.number).order_by("id").first()  # type: ignore[return-value]


def test_the_model_refuses_to_change_or_delete_an_entry(entry: AccessLog) -> None:
    entry.why = "autre chose"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AccessLog.objects.get(pk=entry.pk).why == "inscription au dossier : Demande reçue"


def test_the_database_refuses_an_update_through_the_orm(entry: AccessLog) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=entry.pk).update(why="effacé")
    assert AccessLog.objects.get(pk=entry.pk).why == "inscription au dossier : Demande reçue"


def test_the_database_refuses_an_update_in_raw_sql(entry: AccessLog) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE privacy_accesslog SET actor_id = NULL, why = 'effacé' WHERE id = %s",
                [entry.pk],
            )
    assert AccessLog.objects.get(pk=entry.pk).actor_id == entry.actor_id


def test_the_database_refuses_a_delete(entry: AccessLog) -> None:
    # PostgreSQL and SQLite alike (SQLite through the function Guichet registers, db.py).
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM privacy_accesslog")
    assert AccessLog.objects.filter(pk=entry.pk).exists()


def test_a_purge_may_delete_only_entries_older_than_its_cutoff(
    personas: Personas, dossier: Dossier
) -> None:
    from guichet.audit.db import access_log_deletable

    first = AccessLog.objects.order_by("id").first()
    assert first is not None
    later = AccessLog.objects.filter(at__gt=first.at).order_by("id").first()
    assert later is not None
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with access_log_deletable(first.at):  # the cutoff itself is not before it
            AccessLog.objects.filter(pk=first.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with access_log_deletable(later.at):  # no UPDATE, ever
            AccessLog.objects.filter(pk=first.pk).update(why="effacé")
    with transaction.atomic(), access_log_deletable(later.at):
        AccessLog.objects.filter(pk=first.pk).delete()
    assert not AccessLog.objects.filter(pk=first.pk).exists()
    # Once the purge's block is over, the guard is back.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=later.pk).delete()


def test_the_trigger_is_installed(db: None) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'privacy_accesslog'::regclass "
                "AND NOT tgisinternal"
            )
            assert [r[0] for r in cursor.fetchall()] == ["accesslog_append_only"]
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'privacy_accesslog' ORDER BY name"
            )
            assert [r[0] for r in cursor.fetchall()] == [
                "accesslog_no_delete",
                "accesslog_no_update",
            ]
