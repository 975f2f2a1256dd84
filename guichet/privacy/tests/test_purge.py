"""`guichet purge`: the retention calendar, the dry run that changes nothing, and --apply, which
anonymizes or destroys what is due, spares what is under legal hold, removes the files and
logs each destruction and anonymization."""

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from guichet.accounts.models import User
from guichet.audit.models import AccessLog
from guichet.audit.services import access_log_read
from guichet.dossiers import services
from guichet.dossiers.models import (
    Decision,
    Document,
    Dossier,
    DossierEvent,
    EventKind,
    Letter,
)
from guichet.dossiers.services import Applicant
from guichet.privacy.models import LegalHold
from guichet.privacy.services import legal_hold_lift, legal_hold_place
from guichet.testing import PASSWORD, Personas, checked, make_dossier, pdf_upload, run_command

pytestmark = pytest.mark.django_db

RETENTION = Path(__file__).resolve().parents[3] / "privacy" / "retention.toml"


def decide(dossier: Dossier, agent: User) -> None:
    services.dossier_record_fee_payment(dossier=dossier, actor=agent)
    services.dossier_decide(
        dossier=dossier, decision=Decision.ACCEPTED, reasons="Conditions remplies.", actor=agent
    )


@pytest.fixture
def world(personas: Personas, officer: User) -> dict[str, Dossier]:
    """On 2026-12-18: A (the owner's, decided, a document, two letters, a change of address),
    B (the owner's, decided, under legal hold), C (still open), D (another client's,
    withdrawn)."""
    agent = personas.agent
    with time_machine.travel("2026-12-18 10:00 -05:00", tick=False):
        a = make_dossier(personas, documents=[checked(pdf_upload("passeport-a.pdf"))])
        services.dossier_acknowledge(dossier=a, actor=agent)
        services.dossier_report_change(
            dossier=a,
            kind=EventKind.ADDRESS_CHANGED,
            text="200, rue Nouvelle, Québec",
            actor=personas.owner,
        )
        decide(a, agent)
        b = make_dossier(personas, documents=[checked(pdf_upload("passeport-b.pdf"))])
        decide(b, agent)
        c = make_dossier(personas)
        d = make_dossier(
            personas,
            client=personas.other_client,
            actor=personas.other_client,
            applicant=Applicant("Claude Autre-Exemple", "autre@example.org", "1, rue Autre"),
        )
        services.dossier_withdraw(dossier=d, actor=personas.other_client)
        legal_hold_place(actor=officer, dossier=b, reason="Recours devant le TAQ.")
    return {"a": a, "b": b, "c": c, "d": d}


def snapshot() -> tuple[Any, ...]:
    return (
        list(Dossier.objects.order_by("pk").values()),
        list(DossierEvent.objects.order_by("pk").values()),
        list(Document.objects.order_by("pk").values()),
        list(Letter.objects.order_by("pk").values()),
        AccessLog.objects.count(),
        list(User.objects.order_by("pk").values("email", "full_name", "is_active")),
    )


def files(*records: Any) -> list[bool]:
    return [Path(r.file.path).exists() for r in records]


def test_dry_run_lists_what_is_due_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], world: dict[str, Dossier]
) -> None:
    a, b, d = world["a"], world["b"], world["d"]
    before = snapshot()
    all_files = [*Document.objects.all(), *Letter.objects.all()]
    result = run_command(capsys, "purge", "--as-of", "2033-12-18")
    assert result.code == 0, result.err
    doc_a, doc_b = a.documents.get(), b.documents.get()
    letters_a = list(a.letters.order_by("pk"))
    letter_b = b.letters.get()
    assert result.out.splitlines() == [
        f"Purge au 2033-12-18 selon {RETENTION} : simulation, rien n'est modifié "
        "(--apply pour exécuter).",
        "documents (détruire 2 ans après la fin du dossier) : 1 à détruire, "
        "1 sous conservation légale",
        f"  document n° {doc_a.pk} (dossier {a.number})",
        f"  document n° {doc_b.pk} (dossier {b.number}) : retenu (conservation légale)",
        "letters (détruire 7 ans après la fin du dossier) : 2 à détruire, "
        "1 sous conservation légale",
        f"  lettre n° {letters_a[0].pk} (dossier {a.number})",
        f"  lettre n° {letters_a[1].pk} (dossier {a.number})",
        f"  lettre n° {letter_b.pk} (dossier {b.number}) : retenu (conservation légale)",
        "dossiers (anonymiser 7 ans après la fin du dossier) : 2 à anonymiser, "
        "1 sous conservation légale",
        f"  dossier {a.number}",
        f"  dossier {b.number} : retenu (conservation légale)",
        f"  dossier {d.number}",
        "requests (détruire 5 ans après la réponse) : 0 à détruire, 0 sous conservation légale",
        "accounts (anonymiser 3 ans après la dernière connexion) : 0 à anonymiser, "
        "0 sous conservation légale",
        "voice_messages (anonymiser 2 ans après le rappel) : 0 à anonymiser, "
        "0 sous conservation légale",
        "enquiries (anonymiser 2 ans après la dernière réponse) : 0 à anonymiser, "
        "0 sous conservation légale",
        "complaints (anonymiser 5 ans après la réponse) : 0 à anonymiser, "
        "0 sous conservation légale",
        "survey_invitations (détruire 1 an après l'envoi) : 0 à détruire, "
        "0 sous conservation légale",
        "referrals (anonymiser 2 ans après l'orientation) : 0 à anonymiser, "
        "0 sous conservation légale",
        "appointments (anonymiser 2 ans après la fin de la demande de rendez-vous) : "
        "0 à anonymiser, 0 sous conservation légale",
        "access_log (détruire 10 ans après l'inscription) : 0 à détruire, "
        "0 sous conservation légale",
    ]
    assert snapshot() == before
    assert files(*all_files) == [True] * 5


def test_nothing_is_due_before_its_term(
    capsys: pytest.CaptureFixture[str], world: dict[str, Dossier]
) -> None:
    result = run_command(capsys, "purge", "--as-of", "2033-12-17")
    assert "dossiers (anonymiser 7 ans après la fin du dossier) : 0 à anonymiser" in result.out
    assert "letters (détruire 7 ans après la fin du dossier) : 0 à détruire" in result.out
    assert "documents (détruire 2 ans après la fin du dossier) : 1 à détruire" in result.out


def test_apply_anonymizes_what_is_due_and_spares_the_legal_hold(
    capsys: pytest.CaptureFixture[str],
    django_capture_on_commit_callbacks: Callable[..., Any],
    personas: Personas,
    world: dict[str, Dossier],
) -> None:
    a, b, c, d = world["a"], world["b"], world["c"], world["d"]
    owner, agent, other = personas.owner, personas.agent, personas.other_client
    a_files = [*a.documents.all(), *a.letters.all()]
    d_files = [*d.documents.all(), *d.letters.all()]
    b_files = [*b.documents.all(), *b.letters.all()]
    b_before = (
        list(Dossier.objects.filter(pk=b.pk).values()),
        list(b.events.values()),
        list(b.documents.values()),
        list(b.letters.values()),
    )
    c_before = list(Dossier.objects.filter(pk=c.pk).values())
    log_start = AccessLog.objects.order_by("-id").values_list("id", flat=True).first()

    with (
        time_machine.travel("2033-12-18 03:00 -05:00", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = run_command(capsys, "purge", "--apply")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == (f"Purge au 2033-12-18 selon {RETENTION} : exécutée.")
    assert (
        "dossiers (anonymiser 7 ans après la fin du dossier) : 2 anonymisé(s), "
        "1 sous conservation légale" in result.out
    )

    a.refresh_from_db()
    assert (
        a.applicant_name,
        a.applicant_email,
        a.postal_address,
        a.client,
        a.birth_date,
        a.passport_number,
        a.state,
        a.decision,
        str(a.decided_on),
    ) == ("[anonymisé]", "", "[anonymisé]", None, None, "", "decided", "accepted", "2026-12-18")
    assert list(
        a.events.order_by("seq").values_list("kind", "actor_id", "actor_label", "details")
    ) == [
        ("received", None, "[anonymisé]", {"channel": "online", "documents": [a_files[0].pk]}),
        ("acknowledged", agent.pk, "Alex Agent", {}),
        ("address_changed", None, "[anonymisé]", {"text": "[anonymisé]"}),
        ("fee_paid", agent.pk, "Alex Agent", {"amount": "128.00"}),
        ("decided", agent.pk, "Alex Agent", {"decision": "accepted", "reasons": "[anonymisé]"}),
    ]
    assert (a.documents.count(), a.letters.count()) == (0, 0)
    assert files(*a_files) == [False] * len(a_files)
    d.refresh_from_db()
    assert (d.applicant_name, d.client) == ("[anonymisé]", None)
    assert files(*d_files) == [False] * len(d_files)

    # Under legal hold: exactly as it was, files included; still open: untouched.
    assert b_before == (
        list(Dossier.objects.filter(pk=b.pk).values()),
        list(b.events.values()),
        list(b.documents.values()),
        list(b.letters.values()),
    )
    assert files(*b_files) == [True] * len(b_files)
    assert list(Dossier.objects.filter(pk=c.pk).values()) == c_before

    at = datetime(2033, 12, 18, 8, 0, tzinfo=ZoneInfo("UTC"))
    why = "calendrier de conservation : {}"
    doc_why = why.format("documents, détruire 2 ans après la fin du dossier")
    letter_why = why.format("letters, détruire 7 ans après la fin du dossier")
    dossier_why = why.format("dossiers, anonymiser 7 ans après la fin du dossier")
    logged: list[Any] = list(
        AccessLog.objects.filter(id__gt=log_start)
        .order_by("id")
        .values_list(
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
    )
    assert logged == [
        (
            at,
            None,
            "guichet purge",
            "destroy",
            "document",
            a_files[0].pk,
            a.number,
            owner.pk,
            doc_why,
            "",
        ),
        (
            at,
            None,
            "guichet purge",
            "destroy",
            "letter",
            a_files[1].pk,
            a.number,
            owner.pk,
            letter_why,
            "",
        ),
        (
            at,
            None,
            "guichet purge",
            "destroy",
            "letter",
            a_files[2].pk,
            a.number,
            owner.pk,
            letter_why,
            "",
        ),
        (
            at,
            None,
            "guichet purge",
            "anonymize",
            "dossier",
            a.pk,
            a.number,
            owner.pk,
            dossier_why,
            "",
        ),
        (
            at,
            None,
            "guichet purge",
            "anonymize",
            "dossier",
            d.pk,
            d.number,
            other.pk,
            dossier_why,
            "",
        ),
    ]

    # A second run finds nothing more to do.
    with time_machine.travel("2033-12-18 04:00 -05:00", tick=False):
        again = run_command(capsys, "purge")
    assert "dossiers (anonymiser 7 ans après la fin du dossier) : 0 à anonymiser" in again.out


def test_a_hold_on_a_person_spares_all_their_dossiers_until_lifted(
    capsys: pytest.CaptureFixture[str],
    personas: Personas,
    officer: User,
    world: dict[str, Dossier],
) -> None:
    hold = legal_hold_place(actor=officer, person=personas.other_client, reason="Demande d'accès.")
    d = world["d"]
    with time_machine.travel("2033-12-18 03:00 -05:00", tick=False):
        run_command(capsys, "purge", "--apply")
        d.refresh_from_db()
        assert d.applicant_name == "Claude Autre-Exemple"
        legal_hold_lift(hold=hold, actor=officer)
        run_command(capsys, "purge", "--apply")
    d.refresh_from_db()
    assert d.applicant_name == "[anonymisé]"
    assert LegalHold.objects.get(pk=hold.pk).lifted_by == officer


def test_inactive_client_accounts_are_anonymized(
    capsys: pytest.CaptureFixture[str], personas: Personas, officer: User
) -> None:
    with time_machine.travel("2022-05-01 10:00 -04:00", tick=False):
        idle = User.objects.create_user("ancien@example.org", PASSWORD, full_name="Ancien Client")
        recent = User.objects.create_user("recent@example.org", PASSWORD, full_name="Récent")
    recent.last_login = datetime(2025, 1, 1, tzinfo=ZoneInfo("UTC"))
    recent.save(update_fields=["last_login"])
    with time_machine.travel("2026-12-18 10:00 -05:00", tick=False):
        result = run_command(capsys, "purge", "--apply")
    assert (
        "accounts (anonymiser 3 ans après la dernière connexion) : 1 anonymisé(s), "
        "0 sous conservation légale" in result.out
    )
    assert f"  compte n° {idle.pk}" in result.out
    idle.refresh_from_db()
    assert (idle.email, idle.full_name, idle.is_active, idle.has_usable_password()) == (
        f"anonymise-{idle.pk}@anonymise.invalid",
        "[anonymisé]",
        False,
        False,
    )
    recent.refresh_from_db()
    assert recent.email == "recent@example.org"
    # Staff and people who still own a dossier are never "inactive clients".
    assert User.objects.filter(email__endswith="@anonymise.invalid").count() == 1


def test_old_access_log_entries_are_destroyed_except_under_hold(
    capsys: pytest.CaptureFixture[str], personas: Personas, officer: User
) -> None:
    with time_machine.travel("2026-12-18 10:00 -05:00", tick=False):
        kept = make_dossier(personas)
        other = make_dossier(
            personas,
            client=personas.other_client,
            actor=personas.other_client,
            applicant=Applicant("Claude Autre-Exemple", "autre@example.org"),
        )
        access_log_read(dossier=other, actor=personas.agent, why="traitement du dossier")
    with time_machine.travel("2027-06-01 10:00 -04:00", tick=False):
        legal_hold_place(actor=officer, person=personas.owner, reason="Litige.")
        access_log_read(dossier=other, actor=personas.agent, why="traitement du dossier")
    held = list(AccessLog.objects.filter(subject_number=kept.number).values_list("id", flat=True))
    with time_machine.travel("2037-01-01 10:00 -05:00", tick=False):
        result = run_command(capsys, "purge", "--apply")
    assert (
        "access_log (détruire 10 ans après l'inscription) : 2 détruit(s), "
        "1 sous conservation légale" in result.out
    )
    remaining = AccessLog.objects.order_by("id")
    assert [e.id for e in remaining if e.subject_number == kept.number] == held
    assert [
        (e.action, e.subject_kind, e.subject_number, str(e.at.date()))
        for e in remaining
        if e.subject_number == other.number
    ] == [("read", "dossier", other.number, "2027-06-01")]
    summary = remaining.last()
    assert summary is not None
    assert (summary.action, summary.subject_kind, summary.actor_label, summary.why) == (
        "destroy",
        "access_log",
        "guichet purge",
        "calendrier de conservation : access_log, détruire 10 ans après l'inscription "
        "(2 entrée(s) inscrite(s) au plus tard le 2027-01-01)",
    )


def test_destroy_removes_the_dossier_its_history_and_its_reviews(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
    personas: Personas,
) -> None:
    calendar = tmp_path / "retention.toml"
    calendar.write_text(
        RETENTION.read_text(encoding="utf-8").replace(
            'years = 7\naction = "anonymize"', 'years = 7\naction = "destroy"'
        ),
        encoding="utf-8",
    )
    with time_machine.travel("2026-12-18 10:00 -05:00", tick=False):
        parent = make_dossier(personas, "csq-travailleur-permanent")
        services.dossier_record_fee_payment(dossier=parent, actor=personas.other_agent)
        services.dossier_notify_intention(
            dossier=parent, intended=Decision.REFUSED, reasons="Motifs.", actor=personas.other_agent
        )
        services.dossier_decide(
            dossier=parent, decision=Decision.REFUSED, reasons="Motifs.", actor=personas.other_agent
        )
        review = services.dossier_request_review(
            dossier=parent, reasons="Je conteste.", actor=personas.owner
        )
    with time_machine.travel("2027-01-10 10:00 -05:00", tick=False):
        services.dossier_withdraw(dossier=review, actor=personas.owner)
    letters = list(Letter.objects.filter(dossier=parent))
    # The parent ended on 2026-12-18 but waits for its review, which ended on 2027-01-10.
    early = run_command(capsys, "purge", "--file", str(calendar), "--as-of", "2033-12-20")
    assert "dossiers (détruire 7 ans après la fin du dossier) : 0 à détruire" in early.out
    with (
        time_machine.travel("2034-01-10 10:00 -05:00", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = run_command(capsys, "purge", "--apply", "--file", str(calendar))
    assert result.code == 0, result.err
    assert not Dossier.objects.filter(pk__in=[parent.pk, review.pk]).exists()
    assert not DossierEvent.objects.filter(dossier_id__in=[parent.pk, review.pk]).exists()
    assert files(*letters) == [False] * len(letters)
    assert list(
        AccessLog.objects.filter(action="destroy", subject_kind="dossier")
        .order_by("id")
        .values_list("subject_number", flat=True)
    ) == [review.number, parent.number]


def test_a_parent_waits_for_its_review(
    capsys: pytest.CaptureFixture[str], personas: Personas
) -> None:
    with time_machine.travel("2026-12-18 10:00 -05:00", tick=False):
        parent = make_dossier(personas, "csq-travailleur-permanent")
        services.dossier_record_fee_payment(dossier=parent, actor=personas.other_agent)
        services.dossier_notify_intention(
            dossier=parent, intended=Decision.REFUSED, reasons="Motifs.", actor=personas.other_agent
        )
        services.dossier_decide(
            dossier=parent, decision=Decision.REFUSED, reasons="Motifs.", actor=personas.other_agent
        )
        services.dossier_request_review(
            dossier=parent, reasons="Je conteste.", actor=personas.owner
        )
    result = run_command(capsys, "purge", "--as-of", "2040-01-01")
    assert f"  dossier {parent.number}" not in result.out
    assert "dossiers (anonymiser 7 ans après la fin du dossier) : 0 à anonymiser" in result.out


# --- Errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t + '\n[photos]\nyears = 1\naction = "destroy"\n',
            "« photos » : sorte de document inconnue (permises : documents, letters, dossiers, "
            "requests, accounts, voice_messages, enquiries, complaints, survey_invitations, "
            "referrals, appointments, access_log)",
        ),
        (
            lambda t: t.replace("[accounts]", "[accounts_old]"),
            "« accounts_old » : sorte de document inconnue",
        ),
        (
            lambda t: t.replace('years = 2\naction = "destroy"', 'years = 2\naction = "anonymize"'),
            "[documents], champ « action » : « anonymize » n'est pas une valeur permise (destroy)",
        ),
        (
            lambda t: t.replace("years = 7", "years = 0", 1),
            "[dossiers], champ « years » : doit être au moins 1, pas 0",
        ),
        (
            lambda t: t.replace("years = 10", 'years = "dix"'),
            "[access_log], champ « years » : doit être un nombre entier, pas 'dix'",
        ),
        (
            lambda t: t.replace("years = 3", "years = 3\nmonths = 6"),
            "[accounts], champ « months » : champ inconnu",
        ),
        (lambda t: t.replace("[letters]", "[letters"), "TOML invalide"),
    ],
)
def test_a_bad_retention_file_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    db: None,
    change: Callable[[str], str],
    message: str,
) -> None:
    bad = tmp_path / "retention.toml"
    bad.write_text(change(RETENTION.read_text(encoding="utf-8")), encoding="utf-8")
    result = run_command(capsys, "purge", "--file", str(bad))
    assert result.code == 2
    assert result.out == ""
    assert result.err.count("\n") == 1
    assert result.err.startswith(f"{bad} : ")
    assert message in result.err


def test_a_missing_kind_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: None
) -> None:
    text = RETENTION.read_text(encoding="utf-8")
    start = text.index("[letters]")
    bad = tmp_path / "retention.toml"
    bad.write_text(text[:start] + text[text.index("[accounts]") :], encoding="utf-8")
    result = run_command(capsys, "purge", "--file", str(bad))
    assert (result.code, result.err) == (
        2,
        f"{bad} : [letters] manquant : chaque sorte a sa durée\n",
    )


def test_bad_options(capsys: pytest.CaptureFixture[str], db: None, tmp_path: Path) -> None:
    assert run_command(capsys, "purge", "--as-of", "2026-13-01").err == (
        "guichet purge : --as-of « 2026-13-01 » : date invalide (AAAA-MM-JJ)\n"
    )
    with time_machine.travel("2026-12-18 10:00 -05:00", tick=False):
        future = run_command(capsys, "purge", "--apply", "--as-of", "2026-12-19")
    assert (future.code, future.err) == (
        2,
        "guichet purge : --apply avec --as-of 2026-12-19 dans le futur : rien ne se détruit "
        "avant son terme\n",
    )
    missing = run_command(capsys, "purge", "--file", str(tmp_path / "absent.toml"))
    assert (missing.code, missing.err) == (2, f"{tmp_path / 'absent.toml'} : fichier introuvable\n")


def test_the_shipped_calendar_is_valid() -> None:
    from guichet.privacy.retention import read_retention

    calendar = read_retention(RETENTION)
    assert {k.value: (r.years, r.action.value) for k, r in calendar.rules.items()} == {
        "documents": (2, "destroy"),
        "letters": (7, "destroy"),
        "dossiers": (7, "anonymize"),
        "requests": (5, "destroy"),
        "accounts": (3, "anonymize"),
        "voice_messages": (2, "anonymize"),
        "enquiries": (2, "anonymize"),
        "complaints": (5, "anonymize"),
        "survey_invitations": (1, "destroy"),
        "referrals": (2, "anonymize"),
        "appointments": (2, "anonymize"),
        "access_log": (10, "destroy"),
    }


# --- Requests for access or rectification ---------------------------------------------------


def test_answered_requests_are_destroyed_with_their_history_and_files(
    capsys: pytest.CaptureFixture[str],
    django_capture_on_commit_callbacks: Callable[..., Any],
    personas: Personas,
    officer: User,
) -> None:
    """Five years after the answer: the request, its steps and its files (the exports hold
    everything about the person) go, and the access log says so; an unanswered request and
    one of a person under legal hold stay."""
    from guichet.privacy.models import InfoRequest, InfoRequestEvent, InfoRequestFile
    from guichet.privacy.models import InfoRequestKind as Kind
    from guichet.privacy.services import info_request_answer_access, info_request_submit

    with time_machine.travel("2026-12-18 10:00 -05:00", tick=False):
        make_dossier(personas)
        answered = info_request_submit(person=personas.owner, kind=Kind.ACCESS)
        waiting = info_request_submit(person=personas.owner, kind=Kind.ACCESS, details="Tout.")
        held = info_request_submit(person=personas.other_client, kind=Kind.ACCESS)
    with time_machine.travel("2027-01-05 10:00 -05:00", tick=False):
        sent = info_request_answer_access(request=answered, actor=officer)
        info_request_answer_access(request=held, actor=officer)
        legal_hold_place(actor=officer, person=personas.other_client, reason="Recours à la CAI.")
    assert files(*sent) == [True, True, True]

    early = run_command(capsys, "purge", "--as-of", "2032-01-04")
    assert "requests (détruire 5 ans après la réponse) : 0 à détruire" in early.out
    due = run_command(capsys, "purge", "--as-of", "2032-01-05")
    assert (
        "requests (détruire 5 ans après la réponse) : 1 à détruire, 1 sous conservation légale"
        in due.out
    )
    assert f"  demande {answered.reference}\n" in due.out
    assert f"  demande {held.reference} : retenu (conservation légale)\n" in due.out

    with (
        time_machine.travel("2032-01-05 03:00 -05:00", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = run_command(capsys, "purge", "--apply")
    assert result.code == 0, result.err
    assert "requests (détruire 5 ans après la réponse) : 1 détruit(s)" in result.out
    assert set(InfoRequest.objects.values_list("pk", flat=True)) == {waiting.pk, held.pk}
    assert not InfoRequestEvent.objects.filter(request_id=answered.pk).exists()
    assert not InfoRequestFile.objects.filter(request_id=answered.pk).exists()
    assert files(*sent) == [False, False, False]
    assert InfoRequestFile.objects.filter(request=held).count() == 3
    logged = AccessLog.objects.get(action="destroy", subject_kind="info_request")
    assert (logged.subject_id, logged.person_id, logged.actor_label) == (
        answered.pk,
        personas.owner.pk,
        "guichet purge",
    )
    assert answered.reference in logged.why
