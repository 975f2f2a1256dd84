"""Everything Guichet holds about one person, as a structured JSON file and a readable PDF.

The export is assembled from *sections*. Each app contributes what it holds in a module
`guichet/<app>/personal_data.py` that registers one function per section:

    from guichet.privacy.export import register_section

    @register_section(
        "mandats",
        title="Mandats donnés à un consultant",
        description="Les mandats que vous avez donnés, leurs dates et leur révocation.",
        order=40,
    )
    def section(user: User) -> dict[str, Any]:
        return {"mandats": [...]}

`personal_data(user)` imports every installed app's `personal_data` module, calls each
section in `order`, and returns one document. A section returns only what is about `user`:
other people (staff, other clients) appear as a role ("vous", "le personnel du ministère"),
never by name. Values are JSON types, dates as ISO 8601 strings (`iso()`).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.module_loading import autodiscover_modules
from django.utils.safestring import SafeString, mark_safe

from guichet.accounts.models import Membership, RoleGrant, User

FORMAT = "guichet.renseignements-personnels"
FORMAT_VERSION = 1
EXPORT_TITLE = "Vos renseignements personnels détenus par le Ministère"

SectionProvider = Callable[[User], dict[str, Any]]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    description: str
    provider: SectionProvider
    order: int


_SECTIONS: dict[str, Section] = {}


def register_section(
    key: str, *, title: str, description: str, order: int = 100
) -> Callable[[SectionProvider], SectionProvider]:
    """Register `section(user) -> dict` under `key` (a JSON key, unique across apps)."""

    def decorator(provider: SectionProvider) -> SectionProvider:
        known = _SECTIONS.get(key)
        if known is not None and known.provider.__qualname__ != provider.__qualname__:
            raise ValueError(f"personal-data section {key!r} is registered twice")
        _SECTIONS[key] = Section(key, title, description, provider, order)
        return provider

    return decorator


def sections() -> list[Section]:
    """Every registered section, in order (each app's personal_data module imported first)."""
    autodiscover_modules("personal_data")
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


def iso(value: date | datetime | None) -> str | None:
    """A date or a moment as ISO 8601 (moments in the local zone, to the second)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


class Who:
    """Who did something, as the person may be told: themselves, the ministry's staff,
    another person, or a system (by its label); never another person's name. One per
    section call (it remembers who is staff)."""

    def __init__(self, user: User) -> None:
        self.user = user
        self._staff: dict[int, bool] = {}

    def __call__(self, actor_id: int | None, label: str = "") -> str:
        if actor_id is None:
            return label or "système"
        if actor_id == self.user.pk:
            return "vous"
        if actor_id not in self._staff:
            self._staff[actor_id] = (
                Membership.objects.filter(user_id=actor_id).exists()
                or RoleGrant.objects.filter(user_id=actor_id).exists()
            )
        return "le personnel du ministère" if self._staff[actor_id] else "une autre personne"


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
