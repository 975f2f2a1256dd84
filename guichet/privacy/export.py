"""Everything Guichet holds about one person, as a structured JSON file and a readable PDF,
assembled from the sections every app registers (guichet/personal_data.py)."""

import json
from datetime import date, datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from guichet.accounts.models import User
from guichet.personal_data import iso, sections

FORMAT = "guichet.renseignements-personnels"
FORMAT_VERSION = 1
EXPORT_TITLE = "Vos renseignements personnels détenus par le Ministère"


def personal_data(user: User) -> dict[str, Any]:
    """The whole export of `user` as one JSON-ready document."""
    chosen = sections()
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "titre": EXPORT_TITLE,
        "produit_le": iso(timezone.now()),
        "personne": {"compte": user.pk, "courriel": user.email},
        "documentation": {
            "dates": "AAAA-MM-JJ ; les moments en heure de l'Est (ISO 8601, avec le décalage).",
            "par": (
                "Qui a agi : « vous », « le personnel du ministère », « une autre personne » "
                "ou le nom d'un système. Le nom des autres personnes n'est pas communiqué."
            ),
            "sections": {s.key: s.description for s in chosen},
        },
        "sections": {},
    }
    for section in chosen:
        document["sections"][section.key] = {
            "titre": section.title,
            "description": section.description,
            "contenu": section.provider(user),
        }
    normalized: dict[str, Any] = json.loads(export_json(document))
    return normalized


def _default(value: object) -> str:
    if isinstance(value, date | datetime):
        return iso(value) or ""
    return str(value)


def export_json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2, default=_default).encode("utf-8")


# --- The readable PDF ------------------------------------------------------------------------


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _html(value: Any) -> SafeString:
    """A JSON value as accessible HTML: objects as definition lists, lists as lists."""
    if value is None or value == "":
        return mark_safe("<span class='none'>—</span>")  # noqa: S308 (a constant)
    if isinstance(value, bool):
        return format_html("{}", "oui" if value else "non")
    if isinstance(value, dict):
        if not value:
            return mark_safe("<span class='none'>—</span>")  # noqa: S308 (a constant)
        items = format_html_join(
            "", "<dt>{}</dt><dd>{}</dd>", ((_label(k), _html(v)) for k, v in value.items())
        )
        return format_html("<dl>{}</dl>", items)
    if isinstance(value, list):
        if not value:
            return mark_safe("<span class='none'>aucun</span>")  # noqa: S308 (a constant)
        items = format_html_join("", "<li>{}</li>", ((_html(v),) for v in value))
        return format_html("<ol>{}</ol>", items)
    return format_html("{}", value)


def export_pdf(document: dict[str, Any]) -> bytes:
    """The same document as a tagged PDF (PDF/UA-1), in French, with its title."""
    from weasyprint import HTML

    html = render_to_string(
        "privacy/export/document.html",
        {
            "title": document["titre"],
            "document": document,
            "sections": [
                {
                    "key": key,
                    "title": s["titre"],
                    "description": s["description"],
                    "body": _html(s["contenu"]),
                }
                for key, s in document["sections"].items()
            ],
        },
    )
    pdf: bytes = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    return pdf
