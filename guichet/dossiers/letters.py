"""Letters to clients as tagged PDF files (PDF/UA-1), made with WeasyPrint from templates.

A letter is always complete in French. When the client's language of service is valid on the
letter's date (guichet/accounts/language.py), the same letter follows in that language in the
same PDF: a second part with its own heading, French first and stated to prevail. Each part is
an `<article lang="…">`; WeasyPrint tags the document language only, so the language of each
part is written into the PDF's structure tree afterwards (`_tag_part_languages`), as screen
readers need it to switch voices.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from weasyprint import HTML

from guichet.accounts.language import FRENCH, letter_languages
from guichet.dossiers.models import Dossier, LetterKind

TITLES = {
    LetterKind.ACKNOWLEDGMENT: _("Accusé de réception de votre demande"),
    LetterKind.INCOMPLETENESS: _("Votre demande est incomplète"),
    LetterKind.INTENTION: _("Avis d'intention concernant votre demande"),
    LetterKind.DECISION: _("Décision concernant votre demande"),
}

MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
# How each language writes a date in a letter (Django's month names for that language).
_DATE_FORMATS = {"en": "F j, Y", "es": r"j \d\e F \d\e Y"}


def long_date_fr(day: date) -> str:
    """« 1er février 2027 », as French letters write dates."""
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS_FR[day.month - 1]} {day.year}"


def long_date(day: date | None, language: str | None = None) -> str:
    """A date as a letter writes it in `language` (the active one by default): « 1er février
    2027 », "February 1, 2027", "1 de febrero de 2027". Empty for no date."""
    if day is None:
        return ""
    language = (language or translation.get_language() or FRENCH)[:2]
    if language not in _DATE_FORMATS:
        return long_date_fr(day)
    with translation.override(language):
        return formats.date_format(day, _DATE_FORMATS[language])


def _title(kind: LetterKind, dossier: Dossier) -> str:
    return gettext("%(title)s — dossier %(number)s") % {
        "title": TITLES[kind],
        "number": dossier.number,
    }


def _service_name(dossier: Dossier, language: str) -> str:
    service = dossier.service
    names = {"en": service.name_en, "es": service.name_es}
    return names.get(language) or service.name_fr


def letter_title(kind: LetterKind, dossier: Dossier) -> str:
    """The letter's title in French: the PDF's title and the name shown in the dossier."""
    with translation.override(FRENCH):
        return _title(kind, dossier)


@dataclass(frozen=True)
class _Part:
    language: str
    html: SafeString
    footer: str  # "Dossier 2027-000123 — page ", then the page number
    of: str  # " de ", then the number of pages


def _render_parts(
    kind: LetterKind,
    dossier: Dossier,
    context: dict[str, Any],
    day: date,
    languages: Sequence[str],
) -> list[_Part]:
    other = languages[1] if len(languages) > 1 else None
    parts = []
    for language in languages:
        with translation.override(language):
            html = render_to_string(
                f"dossiers/letters/{kind}.html",
                {
                    "dossier": dossier,
                    "service": dossier.service,
                    "service_name": _service_name(dossier, language),
                    "declaration": dossier.service.declaration,
                    "title": _title(kind, dossier),
                    "today": long_date(day),
                    "received_long": long_date(dossier.received_on),
                    "lang": language,
                    "other_language": other,
                    "translation": language != FRENCH,
                    **{
                        f"{key}_long": long_date(value)
                        for key, value in context.items()
                        if isinstance(value, date)
                    },
                    **context,
                },
            )
            footer = gettext("Dossier %(number)s — page ") % {"number": dossier.number}
            of = pgettext("pied de page des lettres : page 1 de 2", " de ")
        parts.append(_Part(language, mark_safe(html), footer, of))  # noqa: S308 (our template)
    return parts


def render_letter_preview(
    kind: LetterKind, dossier: Dossier, context: dict[str, Any], *, day: date | None = None
) -> SafeString:
    """The French part of the letter as HTML (an `<article lang="fr">`), for the agent to read
    before it goes: the same template and words as the PDF."""
    day = day or timezone.localdate()
    return _render_parts(kind, dossier, context, day, [FRENCH])[0].html


def render_letter_pdf(
    kind: LetterKind, dossier: Dossier, context: dict[str, Any], *, day: date | None = None
) -> bytes:
    """The letter of `kind` for `dossier`, dated `day` (today), as PDF bytes: tagged, with a
    title and a language, in French and, on a valid basis, in the client's other language."""
    day = day or timezone.localdate()
    languages = letter_languages(dossier.client, day)
    other = languages[1] if len(languages) > 1 else None
    parts = _render_parts(kind, dossier, context, day, languages)
    document = render_to_string(
        "dossiers/letters/document.html",
        {"title": letter_title(kind, dossier), "parts": parts, "dossier": dossier},
    )
    rendered = HTML(string=document).render()
    # The first page of each part, found by the id of its <article>.
    starts = [
        next(i for i, page in enumerate(rendered.pages) if f"partie-{p.language}" in page.anchors)
        for p in parts
    ]
    page_languages = [
        parts[max(j for j, start in enumerate(starts) if start <= i)].language
        for i in range(len(rendered.pages))
    ]
    pdf: bytes = rendered.write_pdf(pdf_variant="pdf/ua-1")
    return _tag_part_languages(pdf, page_languages, other) if other else pdf


def _tag_part_languages(pdf: bytes, page_languages: list[str], other: str) -> bytes:
    """Write /Lang into the structure tree, where the letter templates mark a language change
    with the element they use for it (WeasyPrint keeps the element, not its `lang`):

    - /Art, each part (one element per page it spans): the language of that page's part;
    - /Sect, the notice in the other language at the top of the French part: `other`;
    - /BlockQuote, what an agent wrote in French, quoted as is in a translation: French.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    pages = {page.indirect_reference.idnum: i for i, page in enumerate(writer.pages)}  # type: ignore[union-attr]
    root: Any = writer.root_object["/StructTreeRoot"].get_object()

    def visit(node: Any) -> None:
        node = node.get_object()
        if not isinstance(node, DictionaryObject):
            return
        structure = node.get("/S")
        page = node.get("/Pg")
        if structure == "/Art" and page is not None:
            language = page_languages[pages[page.idnum]]
            node[NameObject("/Lang")] = TextStringObject(language)
        elif structure == "/Sect":
            node[NameObject("/Lang")] = TextStringObject(other)
        elif structure == "/BlockQuote":
            node[NameObject("/Lang")] = TextStringObject(FRENCH)
        kids = node.get("/K")
        for kid in kids if isinstance(kids, ArrayObject) else [kids] if kids is not None else []:
            visit(kid)

    visit(root)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
