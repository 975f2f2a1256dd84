"""The questions of the questionnaire: one per qualitative commitment of the declaration, and
overall satisfaction. Each has the code of its row in the report (`satisfaction-…`) and the
declaration's qualitative commitment it measures."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


@dataclass(frozen=True)
class Question:
    field: str
    code: str  # the row's code in the dashboard and the annual report
    qualitative: str  # the declaration's qualitative commitment (declarations/micc.toml)
    label: "_StrPromise"  # a lazy translation
    report_label: str  # French, for the report


QUESTIONS = (
    Question(
        "courtesy",
        "satisfaction-courtoisie",
        "courtoisie-nommer",
        _("Le personnel a été courtois et vous a écouté avec attention."),
        "Courtoisie et écoute",
    ),
    Question(
        "clear_language",
        "satisfaction-langage-clair",
        "information-langage-simple",
        _("Le langage employé était simple, clair et facile à comprendre."),
        "Langage simple et clair",
    ),
    Question(
        "complete_information",
        "satisfaction-information-complete",
        "information-complete-exacte",
        _("Les renseignements reçus étaient complets et exacts."),
        "Renseignements complets et exacts",
    ),
    Question(
        "decision_explained",
        "satisfaction-decision-expliquee",
        "information-decision-recours",
        _("La décision vous a été expliquée, avec les recours possibles."),
        "Décision expliquée, avec ses recours",
    ),
    Question(
        "appointment_time",
        "satisfaction-heure-rendez-vous",
        "accessibilite-heure-rendez-vous",
        _("L'heure de votre rendez-vous a été respectée."),
        "Heure du rendez-vous respectée",
    ),
    Question(
        "right_referral",
        "satisfaction-orientation",
        "accessibilite-orientation",
        _("Vous avez été dirigé vers l'organisation la mieux en mesure de vous aider."),
        "Orientation vers le bon organisme",
    ),
)
OVERALL = Question(
    "overall",
    "satisfaction-globale",
    "amelioration-consultation",
    _("Dans l'ensemble, êtes-vous satisfait du service reçu ?"),
    "Satisfaction globale",
)
ALL_QUESTIONS = (*QUESTIONS, OVERALL)
