"""guichet demo: demo units, accounts and a year of dossiers, for `make run` (never production)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from guichet.appointments.models import AppointmentRequest
from guichet.cli import OneLineErrorsMixin, fail
from guichet.contact.models import Call, Enquiry, VoiceMessage
from guichet.datafiles import DataFileError
from guichet.demo.load import demo_load, demo_present
from guichet.demo.people import DEMO_PASSWORD, LOGINS
from guichet.dossiers.models import DossierState
from guichet.env import env_bool

MAX_DOSSIERS = 100_000


def _n(value: int) -> str:
    """12 345, as French writes numbers (a narrow no-break space between thousands)."""
    return f"{value:,}".replace(",", "\u202f")


class Command(OneLineErrorsMixin, BaseCommand):
    help = (
        "Crée les données de démonstration : unités, comptes de démonstration (mot de passe "
        f"{DEMO_PASSWORD}) et environ un an de dossiers. Ne fait rien si des dossiers existent "
        "déjà. Jamais en production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dossiers", type=int, default=2000, help="nombre de dossiers (2000 par défaut)"
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=2026,
            help="graine du hasard (mêmes données pour une même graine et une même date)",
        )

    def handle(self, *args: Any, dossiers: int, seed: int, **options: Any) -> None:
        if env_bool("GUICHET_REQUIRE_SECRET_KEY", False):
            fail(
                "guichet demo : refusé sur une installation de production "
                "(GUICHET_REQUIRE_SECRET_KEY=true) ; les comptes de démonstration ont un mot de "
                "passe public"
            )
        if not 0 <= dossiers <= MAX_DOSSIERS:
            fail(f"guichet demo : --dossiers doit être entre 0 et {_n(MAX_DOSSIERS)}")
        if demo_present():
            self.stdout.write(
                "guichet demo : données de démonstration déjà présentes, rien n'a changé"
            )
            return
        started = time.monotonic()
        try:
            result = demo_load(dossiers=dossiers, seed=seed)
        except (DataFileError, LookupError) as exc:
            fail(f"guichet demo : {exc}")
        seconds = f"{time.monotonic() - started:.1f}".replace(".", ",")
        states = " ; ".join(
            f"{DossierState(state).label.lower()} : {_n(result.states[state])}"
            for state in DossierState.values
            if result.states.get(state)
        )
        write = self.stdout.write
        write(
            f"Données de démonstration créées en {seconds} s : {_n(result.dossiers)} dossiers, "
            f"{_n(result.events)} événements, {_n(result.letters)} lettres PDF, "
            f"{_n(result.accounts)} comptes."
        )
        write(f"États : {states}.")
        write(
            f"Engagements terminés : {_n(result.clocks_met)} respectés, "
            f"{_n(result.clocks_missed)} non respectés (en retard) ; "
            f"{_n(result.open_overdue)} dossiers ouverts en retard aujourd'hui."
        )
        held = AppointmentRequest.objects.filter(state="held").count()
        write(f"Rendez-vous : {_n(held)} rencontres et séances tenues dans les bureaux SIQ.")
        write(
            f"Centre de contact : {_n(Call.objects.count())} appels, "
            f"{_n(VoiceMessage.objects.count())} messages vocaux, "
            f"{_n(Enquiry.objects.count())} demandes par courriel."
        )
        write(f"Comptes de démonstration (mot de passe {DEMO_PASSWORD}) : {', '.join(LOGINS)}")
        write(
            "Agents des unités : " + ", ".join(f"{email} ({unit})" for email, unit in result.agents)
        )
