"""The portal in English and Spanish: the catalogues are complete and compiled, extraction would
add nothing, and the key pages come out translated with no French sentence left over.

French is the source of every string (ADR 0001): a page in English or Spanish that still shows a
sentence of the French page is a string someone forgot to mark or to translate. Text that is
French on purpose (the declaration's published wording, what an agent wrote, letter titles)
carries `lang="fr"` and is left out of that comparison.
"""

import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from guichet.accounts.models import LanguageBasis
from guichet.accounts.services import language_of_service_declare
from guichet.dossiers import services
from guichet.dossiers.models import Decision
from guichet.testing import Personas, make_dossier

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
LANGUAGES = ("en", "es")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
MARKUP = re.compile(r"</?[a-z][^>]*>")


# --- Reading a .po file (no dependency: gettext tools may be missing) -------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


def _unquote(text: str) -> str:
    body = text.strip()
    assert body.startswith('"') and body.endswith('"'), body
    return bytes(body[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def read_po(path: Path) -> list[Entry]:
    """The entries of a catalogue, the header first; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal entry
        if target is not None:
            entries.append(entry)
        entry = Entry()

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if target is not None and target[0] == "msgstr":
                finish()
                target = None
            if line.startswith("#,"):
                entry.flags.update(f.strip() for f in line[2:].split(","))
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            assert target is not None, f"{path}:{number}"
            name, index = target
            value = _unquote(line)
            if name == "msgstr":
                entry.msgstr[index or 0] += value
            else:
                setattr(entry, name, getattr(entry, name) + value)
            continue
        if keyword in ("msgctxt", "msgid") and target is not None and target[0] == "msgstr":
            finish()
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            setattr(entry, keyword, _unquote(rest))
            target = (keyword, None)
            entry.line = entry.line or number
        elif keyword == "msgstr":
            entry.msgstr[0] = _unquote(rest)
            target = ("msgstr", 0)
        elif (found := re.fullmatch(r"msgstr\[(\d)\]", keyword)) is not None:
            entry.msgstr[int(found.group(1))] = _unquote(rest)
            target = ("msgstr", int(found.group(1)))
        else:
            raise AssertionError(f"{path}:{number}: {raw!r}")
    finish()
    return entries


def catalogue(language: str) -> list[Entry]:
    """The entries of `language`, without the header."""
    entries = read_po(LOCALE_DIR / language / "LC_MESSAGES" / "django.po")
    assert entries[0].msgid == "" and "Plural-Forms:" in entries[0].msgstr[0]
    return entries[1:]


# --- The catalogues ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language: str) -> None:
    entries = catalogue(language)
    assert len(entries) > 500
    untranslated = [e.msgid for e in entries if not all(e.msgstr.values())]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    header = read_po(LOCALE_DIR / language / "LC_MESSAGES" / "django.po")[0]
    assert (untranslated, fuzzy, "fuzzy" in header.flags) == ([], [], False)


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder_and_every_tag(language: str) -> None:
    wrong = []
    for e in catalogue(language):
        for index, text in e.msgstr.items():
            source = e.msgid_plural if index > 0 and e.msgid_plural else e.msgid
            for pattern in (PLACEHOLDER, MARKUP):
                if sorted(pattern.findall(text)) != sorted(pattern.findall(source)):
                    wrong.append((e.line, e.msgid, text))
            if source.endswith("\n") != text.endswith("\n"):
                wrong.append((e.line, e.msgid, "newline at the end"))
    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_msgfmt_accepts_the_catalogue(language: str, tmp_path: Path) -> None:
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt is not installed (Debian package gettext): `make messages` installs it")
    po = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    run = subprocess.run(  # noqa: S603 (fixed arguments)
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(po)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    assert (run.returncode, run.stderr) == (0, "")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_the_po_file(language: str) -> None:
    """The committed .mo is what `make run` serves on a machine with no gettext tools."""
    expected: dict[Any, str] = {}
    for e in catalogue(language):
        if "fuzzy" in e.flags or not all(e.msgstr.values()):
            continue
        if e.msgid_plural is None:
            expected[e.key] = e.msgstr[0]
        else:
            expected.update({(e.key, i): text for i, text in e.msgstr.items()})
    with (LOCALE_DIR / language / "LC_MESSAGES" / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    found = {k: v for k, v in compiled._catalog.items() if k != ""}  # type: ignore[attr-defined]
    assert found == expected


def test_makemessages_would_add_no_new_string(tmp_path: Path, settings: Any) -> None:
    """Every string marked in the portal is in the catalogues (run `make messages` if not)."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.skip("xgettext is not installed (Debian package gettext): cannot extract strings")
    package = Path(__file__).resolve().parents[1] / "guichet"
    copy = tmp_path / "guichet"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    settings.LOCALE_PATHS = [copy / "locale"]
    call_command("makemessages", root=str(copy), verbosity=0)
    for language in LANGUAGES:
        committed = {e.key for e in catalogue(language)}
        fresh = read_po(copy / "locale" / language / "LC_MESSAGES" / "django.po")[1:]
        assert sorted(e.msgid for e in fresh if e.key not in committed) == []


# --- Pages in English and Spanish ---------------------------------------------------------------


class Text(HTMLParser):
    """The text of a page, piece by piece, except inside `lang="fr"`, scripts and styles; the
    accessible names given by attributes count as text."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    NAMED = ("aria-label", "title", "alt", "placeholder")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.html_lang = ""
        self._stack: list[bool] = []  # per open element: does its text count?

    def _counts(self) -> bool:
        return not self._stack or self._stack[-1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.html_lang = values.get("lang") or ""
        # The page's own language (on <html>) is not a French part of it.
        french_part = tag != "html" and values.get("lang") == "fr"
        counts = self._counts() and not french_part and tag not in ("script", "style")
        if counts:
            self.pieces += [v for name in self.NAMED if (v := values.get(name))]
        if tag not in self.VOID:
            self._stack.append(counts)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if self._counts() and data.strip():
            self.pieces.append(" ".join(data.split()))


def page_text(html: str) -> Text:
    parser = Text()
    parser.feed(html)
    return parser


def sentences(pieces: list[str]) -> set[str]:
    """The pieces with at least two words: a lone name or number is no sentence."""
    return {p for p in pieces if len(re.findall(r"[^\W\d_]{2,}", p)) >= 2}


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    signed_in: bool
    method: str = "get"
    data: dict[str, str] | None = None


def _get(client: Client, page: Page) -> str:
    if page.method == "post":
        response = client.post(page.url, page.data or {}, follow=True)
    else:
        response = client.get(page.url)
    assert response.status_code in (200, 400, 404), (page.name, response.status_code)
    return response.content.decode()


@pytest.fixture
def portal(personas: Personas) -> dict[str, Any]:
    """A client with a request waiting for a document and a request refused after a notice
    of intention, on 12 March 2027."""
    with time_machine.travel("2027-03-12 10:00 -05:00"):
        waiting = make_dossier(personas)
        services.dossier_acknowledge(dossier=waiting, actor=personas.agent)
        services.dossier_request_items(
            dossier=waiting, items=["Relevé de notes du dernier trimestre"], actor=personas.agent
        )
        refused = make_dossier(personas, service_code="csq-travailleur-permanent")
        services.dossier_record_fee_payment(dossier=refused, actor=personas.other_agent)
        services.dossier_notify_intention(
            dossier=refused,
            intended=Decision.REFUSED,
            reasons="Le diplôme présenté n'est pas reconnu.",
            actor=personas.other_agent,
        )
        services.dossier_decide(
            dossier=refused,
            decision=Decision.REFUSED,
            reasons="Le diplôme présenté n'est pas reconnu.",
            actor=personas.other_agent,
        )
    return {"owner": personas.owner, "waiting": waiting, "refused": refused}


def pages(portal: dict[str, Any]) -> list[Page]:
    filing = "/demande/caq-etudiant/coordonnees/"
    return [
        Page("home", "/", signed_in=False),
        Page("log-in", "/accounts/login/", signed_in=False),
        Page("sign-up", "/accounts/inscription/", signed_in=False),
        Page("privacy policy", "/confidentialite/politique/", signed_in=False),
        Page("service page", filing, signed_in=True),
        Page("file a request, refused input", filing, True, "post", {"applicant_name": ""}),
        # The steps, posted in this order by the same client (the answers are kept in its
        # session): each answer shows the next step, the last the confirmation.
        Page(
            "file a request, contact accepted",
            filing,
            True,
            "post",
            {
                "applicant_name": "Dominique Exemple",
                "postal_address": "100, rue de l'Exemple, Montréal",
            },
        ),
        Page(
            "file a request, identity accepted",
            "/demande/caq-etudiant/identite/",
            True,
            "post",
            {"birth_date_jour": "17", "birth_date_mois": "5", "birth_date_annee": "1990"},
        ),
        Page("file a request, documents", "/demande/caq-etudiant/documents/", True, "post", {}),
        Page(
            "file a request, sent",
            "/demande/caq-etudiant/verifier/",
            True,
            "post",
            {"certify": "on"},
        ),
        Page("my dossiers", "/dossiers/", signed_in=True),
        Page("dossier waiting for a document", f"/dossiers/{portal['waiting'].number}/", True),
        Page("dossier decided", f"/dossiers/{portal['refused'].number}/", True),
        Page("not found", "/dossiers/2099-999999/", signed_in=True),
    ]


def render(portal: dict[str, Any], language: str) -> dict[str, str]:
    """Every page as a visitor who chose `language`, or as the client whose recorded basis
    gives `language` ("fr": a visitor and a client with no basis)."""
    with time_machine.travel("2027-03-15 10:00 -04:00"):
        visitor, client = Client(), Client()
        client.force_login(portal["owner"])
        if language != "fr":
            visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            language_of_service_declare(
                user=portal["owner"],
                actor=portal["owner"],
                language=language,
                basis=LanguageBasis.OUTSIDE_QUEBEC,
                outside_quebec=True,
            )
        return {
            p.name: _get(client if p.signed_in else visitor, p)
            for p in pages(portal)
            if p.method == "get"
        } | {
            # Posted last: filing a request adds a dossier to the other pages.
            p.name: _get(client, p)
            for p in pages(portal)
            if p.method == "post"
        }


# What each page must say in each language: headings, sentences, dates, field errors.
EXPECTED = {
    "en": {
        "home": ["Our services and our commitments", "To learn French", "Submit a request"],
        "log-in": ["Log in", "Forgot your password?", "Email address"],
        "sign-up": ["Create an account", "Full name", "Create my account"],
        "privacy policy": ["Privacy policy", "Only the French version of the policy"],
        "service page": ["Our commitment", "Your contact information", "Continue"],
        "file a request, refused input": ["Please correct the following", "Mailing address"],
        "file a request, contact accepted": ["Your identity", "Date of birth", "Month"],
        "file a request, identity accepted": ["Your documents", "Step 3 of 4"],
        "file a request, documents": ["Check your answers", "Change", "Send my request"],
        "file a request, sent": ["Request sent", "What happens next", "Your file number"],
        "my dossiers": ["My files", "Received on", "March 12, 2027"],
        "dossier waiting for a document": [
            "Where does your request stand?",
            "Received on March 12, 2027.",
            "What your request is missing",
            "Incomplete: documents awaited",
        ],
        "dossier decided": ["<strong>refused</strong>", "Request an administrative review"],
        "not found": ["Page not found", "My files"],
    },
    "es": {
        "home": ["Nuestros servicios y nuestros compromisos", "Para aprender francés"],
        "log-in": ["Iniciar sesión", "¿Olvidó su contraseña?"],
        "sign-up": ["Crear una cuenta", "Nombre completo", "Crear mi cuenta"],
        "privacy policy": ["Política de privacidad", "Solo la versión francesa de la política"],
        "service page": ["Nuestro compromiso", "Sus datos de contacto", "Continuar"],
        "file a request, refused input": ["Corrija lo siguiente", "Dirección postal"],
        "file a request, contact accepted": ["Su identidad", "Fecha de nacimiento", "Mes"],
        "file a request, identity accepted": ["Sus documentos", "Paso 3 de 4"],
        "file a request, documents": [
            "Verifique sus respuestas",
            "Modificar",
            "Enviar mi solicitud",
        ],
        "file a request, sent": [
            "Solicitud enviada",
            "Lo que sucede después",
            "Su número de expediente",
        ],
        "my dossiers": ["Mis expedientes", "Recibida el", "12 de marzo de 2027"],
        "dossier waiting for a document": [
            "¿En qué punto está su solicitud?",
            "Recibida el 12 de marzo de 2027.",
            "Lo que falta en su solicitud",
            "Incompleto: se esperan documentos",
        ],
        "dossier decided": ["<strong>denegada</strong>", "Solicitar una revisión administrativa"],
        "not found": ["Página no encontrada", "Mis expedientes"],
    },
}
# Data that reads the same in every language (a person's name, an address typed in a form).
SAME_IN_EVERY_LANGUAGE = {"Dominique Exemple", "100, rue de l'Exemple, Montréal"}


@pytest.mark.django_db
def test_french_pages_are_the_reference(portal: dict[str, Any]) -> None:
    french = render(portal, "fr")
    assert "Reçue le 12 mars 2027." in french["dossier waiting for a document"]
    assert "Nos services et nos engagements" in french["home"]
    assert all(page_text(html).html_lang == "fr" for html in french.values())
    assert "Nos services et nos engagements" in page_text(french["home"]).pieces


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_key_pages_are_translated_with_no_french_sentence_left(
    portal: dict[str, Any], language: str
) -> None:
    french = {
        name: sentences(page_text(html).pieces) for name, html in render(portal, "fr").items()
    }
    french_sentences = set().union(*french.values()) - SAME_IN_EVERY_LANGUAGE
    assert len(french_sentences) > 150  # the comparison has something to compare
    translated = render(portal, language)
    missing, leftovers, langs = {}, {}, {}
    for name, html in translated.items():
        text = page_text(html)
        langs[name] = text.html_lang
        absent = [s for s in EXPECTED[language][name] if s not in html]
        if absent:
            missing[name] = absent
        left = sorted(sentences(text.pieces) & french_sentences)
        if left:
            leftovers[name] = left
    assert (missing, leftovers) == ({}, {})
    assert set(langs.values()) == {language}


@pytest.mark.django_db
def test_french_data_is_marked_as_french_on_a_translated_page(portal: dict[str, Any]) -> None:
    """Screen readers switch voice for what stays in French: the declaration's wording and
    what the agent wrote."""
    html = render(portal, "en")["dossier decided"]
    assert '<p lang="fr">Le diplôme présenté n&#x27;est pas reconnu.</p>' in html
    assert re.search(r'<h3 lang="fr">[^<]+</h3>', html)
    assert date(2027, 3, 12).strftime("%B") in html  # "March", from the English date format
