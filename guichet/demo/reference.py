"""The reference data the demo needs (the declaration and the closure calendar), and the
application services in force on each day of the demo period."""

from datetime import date
from pathlib import Path

from django.conf import settings

from guichet.calendars.models import CalendarYear
from guichet.calendars.services import calendar_load
from guichet.catalogue.models import Declaration, Service, ServiceKind
from guichet.catalogue.services import declaration_load

DECLARATION_CODE = "micc"


def ensure_reference_data() -> None:
    """Load the declaration and the closure calendar, as `make data` does, when missing."""
    if not Declaration.objects.filter(code=DECLARATION_CODE).exists():
        declaration_load(path=Path(settings.GUICHET_DECLARATIONS_DIR) / f"{DECLARATION_CODE}.toml")
    if not CalendarYear.objects.exists():
        calendar_load(path=Path(settings.GUICHET_CALENDAR_FILE))


class Catalogue:
    """The declaration versions of the demo period and their application services."""

    def __init__(self, since: date, today: date) -> None:
        self.versions = [
            v
            for v in Declaration.objects.filter(code=DECLARATION_CODE).order_by("-in_force_from")
            if v.in_force_from <= today and (v.in_force_to is None or v.in_force_to >= since)
        ]
        if not self.versions:
            raise LookupError(f"aucune version de la déclaration « {DECLARATION_CODE} » en vigueur")
        self.services: dict[int, dict[str, Service]] = {
            v.pk: {
                s.code: s
                for s in Service.objects.filter(declaration=v, kind=ServiceKind.APPLICATION)
                .select_related("declaration", "group")
                .prefetch_related("commitments", "documents")
            }
            for v in self.versions
        }
        self.first_day = max(since, min(v.in_force_from for v in self.versions))

    def on(self, day: date) -> dict[str, Service]:
        for v in self.versions:
            if v.in_force_from <= day and (v.in_force_to is None or day <= v.in_force_to):
                return self.services[v.pk]
        return {}

    def codes(self) -> set[str]:
        return {code for by_code in self.services.values() for code in by_code}

    def group_of(self, code: str) -> str:
        for by_code in self.services.values():
            if code in by_code:
                return by_code[code].group.code
        return ""
