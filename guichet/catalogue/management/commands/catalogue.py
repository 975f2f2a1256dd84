"""guichet catalogue [--json] [--on DATE]: the services of the declaration in force."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from guichet.catalogue.models import Commitment, Declaration, Service
from guichet.catalogue.services import declaration_in_force
from guichet.cli import OneLineErrorsMixin, dumps, fail


def _service_json(service: Service) -> dict[str, Any]:
    return {
        "code": service.code,
        "name": service.name_fr,
        "name_en": service.name_en,
        "name_es": service.name_es,
        "group": service.group.code,
        "kind": service.kind,
        "audience": service.audience,
        "partner": service.partner,
        "commitments": [_commitment_json(c) for c in service.commitments.all()],
    }


def _commitment_json(c: Commitment) -> dict[str, Any]:
    return {
        "code": c.code,
        "label": c.label_fr,
        "target": c.target,
        "unit": c.unit,
        "starts_on": c.starts_on,
        "stops_on": c.stops_on,
        "in_force_from": c.in_force_from.isoformat(),
        "in_force_to": c.in_force_to.isoformat() if c.in_force_to else None,
        "performance_target": c.performance_target,
    }


class Command(OneLineErrorsMixin, BaseCommand):
    help = "Affiche les services de la déclaration en vigueur, avec leurs engagements."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="une liste JSON de services")
        parser.add_argument(
            "--on",
            type=date.fromisoformat,
            default=None,
            help="la version en vigueur à cette date (défaut : aujourd'hui)",
        )
        parser.add_argument("--code", default=None, help="code de la déclaration (p. ex. micc)")

    def handle(
        self, *args: Any, json: bool, on: date | None, code: str | None, **options: Any
    ) -> None:
        day = on or timezone.localdate()
        declaration = declaration_in_force(code=code, on=day)
        if declaration is None:
            loaded = Declaration.objects.exists()
            fail(
                f"aucune déclaration en vigueur le {day.isoformat()}"
                if loaded
                else "aucune déclaration chargée : lancez « guichet load-declaration "
                "declarations/micc.toml »"
            )
        services = (
            declaration.services.select_related("group")
            .prefetch_related("commitments")
            .order_by("position")
        )
        if json:
            self.stdout.write(dumps([_service_json(s) for s in services]))
            return
        self.stdout.write(f"{declaration} — en vigueur le {day.isoformat()}")
        group = None
        for s in services:
            if s.group != group:
                group = s.group
                self.stdout.write(f"\n{group.name_fr}")
            self.stdout.write(f"  {s.code:<40} {s.name_fr}")
            for c in s.commitments.all():
                self.stdout.write(f"      {c.target} {c.get_unit_display()} : {c.label_fr}")
