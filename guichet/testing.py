"""Test fixtures and helpers shared by every test folder (loaded by the root conftest.py):
the real data files loaded into the test database, and running a `guichet` command."""

import io
import re
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command

from guichet.calendars.services import calendar_load
from guichet.catalogue.models import Declaration
from guichet.catalogue.selectors import forget_catalogue
from guichet.catalogue.services import declaration_load

MICC = Path(settings.GUICHET_DECLARATIONS_DIR) / "micc.toml"
QUEBEC = Path(settings.GUICHET_CALENDARS_DIR) / "quebec.toml"


@pytest.fixture
def micc(db: None) -> Declaration:
    return declaration_load(path=MICC).declaration


@pytest.fixture
def quebec_calendar(db: None) -> None:
    calendar_load(path=QUEBEC)


@dataclass(frozen=True)
class CommandRun:
    code: int
    out: str
    err: str


def run_tasks() -> None:
    """Run the queued background tasks with the real database worker (it closes its database
    connection as in production: a test that uses it needs `django_db(transaction=True)`, or
    must not touch the database afterwards)."""
    call_command("db_worker", "--batch", "--interval", "0", verbosity=0)


def run_command(capsys: pytest.CaptureFixture[str], *args: str) -> CommandRun:
    """Run `guichet <args>` in-process; return its exit status and what it printed."""
    out = io.StringIO()
    code = 0
    try:
        call_command(*args, stdout=out)
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return CommandRun(code, out.getvalue() + captured.out, captured.err)


# --- Personas and builders for the dossier tests --------------------------------------------

PASSWORD = "x-Test-pass-42"  # noqa: S105 (test accounts only)


@dataclass(frozen=True)
class Personas:
    """The people of the access matrix: the client who owns the dossier, another client, an
    agent of the unit that owns the service, an agent of another unit, a supervisor of the
    unit."""

    owner: Any
    other_client: Any
    agent: Any
    other_agent: Any
    supervisor: Any

    def all(self) -> dict[str, Any]:
        return {
            "owner": self.owner,
            "other_client": self.other_client,
            "agent": self.agent,
            "other_agent": self.other_agent,
            "supervisor": self.supervisor,
        }


@pytest.fixture
def personas(micc: Declaration, quebec_calendar: None) -> Personas:
    from guichet.accounts.models import Membership, Unit, UnitService, User

    caq = Unit.objects.create(code="caq", name="Direction de l'immigration temporaire")
    csq = Unit.objects.create(code="csq", name="Direction de la sélection")
    for code in ("caq-etudiant", "caq-travailleur-temporaire", "francais-temps-complet"):
        UnitService.objects.create(unit=caq, service_code=code)
    for code in ("csq-travailleur-permanent", "csq-revision-administrative"):
        UnitService.objects.create(unit=csq, service_code=code)

    def user(email: str, name: str) -> Any:
        return User.objects.create_user(email, PASSWORD, full_name=name)

    people = Personas(
        owner=user("proprietaire@example.org", "Dominique Exemple"),
        other_client=user("autre@example.org", "Claude Autre-Exemple"),
        agent=user("agent.caq@example.org", "Alex Agent"),
        other_agent=user("agent.csq@example.org", "Robin Agent"),
        supervisor=user("superviseur.caq@example.org", "Sam Superviseur"),
    )
    Membership.objects.create(user=people.agent, unit=caq, role="agent")
    Membership.objects.create(user=people.supervisor, unit=caq, role="supervisor")
    Membership.objects.create(user=people.other_agent, unit=csq, role="agent")
    return people


@pytest.fixture
def administrator(db: None) -> Any:
    """An administrator of Guichet (the global role), in no unit and with no dossier: the
    persona of the Administration area."""
    from guichet.accounts.models import GlobalRole, RoleGrant, User

    admin = User.objects.create_user(
        "administratrice@example.org", PASSWORD, full_name="Ariane Administratrice"
    )
    RoleGrant.objects.create(user=admin, role=GlobalRole.ADMINISTRATOR)
    return admin


def pdf_bytes(
    *,
    catalog: bytes = b"",
    page: bytes = b"",
    extra: Sequence[bytes] = (),
    comment: bytes = b"% Guichet test document\n",
    packed: bool = False,
) -> bytes:
    """A small valid PDF of one blank page, written byte by byte (so that a test controls every
    byte, escapes and all): `catalog` and `page` are added inside those dictionaries, `extra`
    are the objects 4, 5..., and `comment` follows the header line. `packed` puts the objects
    in a compressed object stream with a cross-reference stream (PDF 1.5), where no byte search
    finds them."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] " + page + b" >>",
        *extra,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + comment)
    count = len(objects)
    if not packed:
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (count + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count + 1, xref)
        return bytes(out)
    index, content = bytearray(), bytearray()
    for number, body in enumerate(objects, start=1):
        index += b"%d %d " % (number, len(content))
        content += body + b"\n"
    packed_data = zlib.compress(bytes(index + content))
    stream_number, xref_number = count + 1, count + 2
    stream_offset = len(out)
    out += b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\n" % (
        stream_number,
        count,
        len(index),
        len(packed_data),
    )
    out += b"stream\n" + packed_data + b"\nendstream\nendobj\n"
    xref_offset = len(out)
    rows = struct.pack(">BIH", 0, 0, 65535)
    rows += b"".join(struct.pack(">BIH", 2, stream_number, i) for i in range(count))
    rows += struct.pack(">BIH", 1, stream_offset, 0) + struct.pack(">BIH", 1, xref_offset, 0)
    out += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\n" % (
        xref_number,
        xref_number + 1,
        len(rows),
    )
    out += b"stream\n" + rows + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(out)


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A PNG whose header says `width` x `height`, with a token of pixel data (enough for a
    header check; the pixels are never decoded)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * (1 + 3 * min(width, 64)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real JPEG made by Pillow."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "JPEG")
    return out.getvalue()


# Every address a page gives: links, form targets, htmx requests, scripts and styles.
_ADDRESS = re.compile(r'\b(?:href|action|src|hx-get|hx-post|formaction)="([^"]*)"')


def addresses(response: Any) -> list[str]:
    """The addresses a test client's response sends the browser to: the redirects it went
    through (with follow=True), its own redirect, and every address in its page."""
    chain = [url for url, _status in getattr(response, "redirect_chain", [])]
    if response.status_code in (301, 302, 303, 307, 308):
        chain.append(response["Location"])
    html = "" if response.streaming else response.content.decode()
    return chain + _ADDRESS.findall(html)


def assert_no_email_in(urls: list[str], *emails: str) -> None:
    """No address holds an e-mail address, as is or %-encoded (once, or twice as in ?next=),
    nor any "@" at all."""
    forms = {"@", "%40"}
    for email in emails:
        once = quote(email, safe="")
        forms |= {email.lower(), once.lower(), quote(once, safe="").lower()}
    leaks = [u for u in urls for f in forms if f in u.lower()]
    assert leaks == []  # noqa: S101 (a test helper)


def pdf_upload(name: str = "document.pdf", size: int = 0) -> Any:
    """A valid PDF upload; `size` adds that many bytes (in a comment) to it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = pdf_bytes(comment=b"% Guichet test document\n%" + b"0" * size + b"\n")
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def checked(upload: Any, **fields: Any) -> Any:
    """An upload checked as the forms check it, as a document to store (`fields`: its
    checklist code, label, or the asked item it `answers`)."""
    from guichet.dossiers.services import NewDocument
    from guichet.dossiers.uploads import check_upload

    return NewDocument(check_upload(upload), **fields)


def make_dossier(people: Personas, service_code: str = "caq-etudiant", **overrides: Any) -> Any:
    """A dossier filed online by the owner, through the real service function."""
    from guichet.catalogue.models import Service
    from guichet.dossiers.services import Applicant, dossier_file

    service = Service.objects.get(code=service_code)
    fields: dict[str, Any] = {
        "service": service,
        "applicant": Applicant(
            "Dominique Exemple",
            "proprietaire@example.org",
            "100, rue de l'Exemple\nMontréal (Québec) H2Y 0A0",
            date(1990, 5, 17),
            "XK123456",
        ),
        "actor": people.owner,
        "client": people.owner,
    }
    fields.update(overrides)
    return dossier_file(**fields)


@pytest.fixture(autouse=True)
def _test_settings(settings: Any) -> None:
    """Production hashes passwords slowly on purpose; tests need not wait for it. Lock-out
    (django-axes) is switched on only by the tests about it: Django's test client logs in
    without a request, which axes refuses; it also skips our second step."""
    from guichet.measures import forget_recent

    forget_recent()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = False
    # Staff must give a second factor (TOTP) in production; the many tests that log staff in
    # with Client.login()/force_login() would otherwise land on the enrolment page. The tests
    # of the second factor switch it back on (guichet/accounts/tests/test_second_factor.py).
    settings.GUICHET_STAFF_MFA_REQUIRED = False
    # Links in e-mails follow the request's address unless a test sets the public address
    # (guichet/public_url.py), whatever the environment running the tests says.
    settings.GUICHET_PUBLIC_URL = ""
    # The worklist keeps its counts a few seconds in the process cache: no test sees another's.
    cache.clear()
    forget_catalogue()


@pytest.fixture
def commissaire(db: None) -> Any:
    """A member of the Commissaire aux plaintes' office (the global role), in no unit."""
    from guichet.accounts.models import GlobalRole, RoleGrant, User

    person = User.objects.create_user(
        "commissaire.test@example.org", PASSWORD, full_name="Camille Commissaire"
    )
    RoleGrant.objects.create(user=person, role=GlobalRole.COMMISSAIRE)
    return person


def signed_in_client(user: Any) -> Any:
    """A browser signed in as `user`, past the second factor (as after the log-in page)."""
    from django.test import Client

    from guichet.accounts.mfa import VERIFIED_KEY

    client = Client()
    assert client.login(username=user.email, password=PASSWORD)  # noqa: S101 (a test helper)
    session = client.session
    session[VERIFIED_KEY] = True
    session.save()
    return client


def birth_date_fields(day: date, name: str = "birth_date") -> dict[str, str]:
    """A date of birth as the three boxes of the forms post it (jour, mois, année)."""
    return {
        f"{name}_jour": str(day.day),
        f"{name}_mois": str(day.month),
        f"{name}_annee": str(day.year),
    }


def file_online(client: Any, code: str = "caq-etudiant", **answers: Any) -> Any:
    """File a request through the portal's steps, as a browser without JavaScript does:
    each step's form, then "Vérifier vos réponses" and its declaration. `answers`: the
    fields of the steps (applicant_name, postal_address, birth_date as a date,
    passport_number, doc_<checklist code> files). Returns the last response (a redirect to
    the confirmation when the request was filed); stops at the first step refused."""
    birth = answers.pop("birth_date", date(1990, 5, 17))
    steps = {
        "coordonnees": {
            "applicant_name": answers.pop("applicant_name", "Dominique Exemple"),
            "postal_address": answers.pop(
                "postal_address", "100, rue de l'Exemple\nMontréal (Québec) H2Y 0A0"
            ),
        },
        "identite": {
            **(birth_date_fields(birth) if isinstance(birth, date) else {"birth_date_jour": birth}),
            "passport_number": answers.pop("passport_number", ""),
        },
        "documents": {k: answers.pop(k) for k in list(answers) if k.startswith("doc_")},
    }
    certify = answers.pop("certify", "on")
    if answers:
        raise TypeError(f"unknown answers: {sorted(answers)}")
    for step, data in steps.items():
        response = client.post(f"/demande/{code}/{step}/", data)
        if response.status_code != 302:
            return response
    return client.post(f"/demande/{code}/verifier/", {"certify": certify} if certify else {})
