"""Forms of the privacy officer's screens. Every input is validated here, in French."""

from datetime import date
from typing import Any, ClassVar, cast

from django import forms
from django.core import validators
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from guichet.accounts.models import User
from guichet.audit.models import AccessAction
from guichet.dossiers.models import is_dossier_number
from guichet.dossiers.selectors import dossier_get_for_privacy_officer
from guichet.privacy.models import ConfidentialityIncident, InfoRequestKind
from guichet.privacy.services import INCIDENT_FIELDS

DATE = {"type": "date"}


class AccessLogSearchForm(forms.Form):
    """The search of the access log. Each term is checked here: the dossier number searched
    for is itself written to the log (a column of twenty characters), so anything else is
    refused with a message rather than reaching the database."""

    personne = forms.CharField(
        label="Personne concernée",
        help_text="Courriel du client ou numéro de dossier (par exemple 2026-000123).",
        required=False,
        max_length=254,
    )
    personnel = forms.EmailField(
        label="Membre du personnel",
        help_text="Courriel de la personne qui a consulté ou modifié.",
        required=False,
        max_length=254,
        error_messages={"invalid": "Indiquez l'adresse courriel d'un membre du personnel."},
    )
    du = forms.DateField(
        label="Du", required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    au = forms.DateField(
        label="Au", required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Toutes"), *AccessAction.choices]
    )

    def clean_personne(self) -> str:
        value: str = (self.cleaned_data.get("personne") or "").strip()
        if not value:
            return ""
        if "@" in value:
            try:
                validators.validate_email(value)
            except forms.ValidationError:
                raise forms.ValidationError(
                    "Adresse courriel invalide : vérifiez le courriel du client."
                ) from None
        elif not is_dossier_number(value):
            raise forms.ValidationError(
                "Indiquez le courriel du client ou un numéro de dossier : quatre chiffres, un "
                "trait d'union et au moins six chiffres, par exemple 2026-000123."
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("du"), data.get("au")
        if start and end and end < start:
            self.add_error("au", "La fin de la période précède son début.")
        return data

    def criteria(self) -> dict[str, str]:
        """The valid search as text, to be kept in the session and read back by this form."""
        return {
            name: value.isoformat() if isinstance(value, date) else str(value or "")
            for name, value in self.cleaned_data.items()
            if value
        }


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


YES_NO_UNKNOWN = [("", "Pas encore évalué"), ("oui", "Oui"), ("non", "Non")]


class IncidentForm(forms.ModelForm):  # type: ignore[type-arg]
    """The eight pieces of information of the register; the services decide what each step
    requires."""

    serious_risk = forms.ChoiceField(
        label="Risque qu'un préjudice sérieux soit causé",
        choices=YES_NO_UNKNOWN,
        required=False,
        widget=forms.RadioSelect,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    GROUPS: ClassVar[list[tuple[str, list[str]]]] = [
        (
            "1. Renseignements personnels visés",
            ["information", "information_unknown_reason"],
        ),
        ("2. Circonstances", ["circumstances"]),
        (
            "3. Date ou période de l'incident",
            ["occurred_from", "occurred_to", "occurred_approximate"],
        ),
        ("4. Date ou période où l'organisme en a pris connaissance", ["aware_from", "aware_to"]),
        ("5. Personnes concernées", ["persons_concerned", "persons_approximate"]),
        (
            "6. Évaluation du risque de préjudice sérieux",
            ["sensitivity", "consequences", "likelihood", "serious_risk"],
        ),
        (
            "7. Avis (s'il y a un risque de préjudice sérieux)",
            [
                "commission_notified_on",
                "persons_notified_on",
                "public_notice",
                "public_notice_reason",
            ],
        ),
        ("8. Mesures prises pour diminuer les risques", ["measures"]),
    ]

    class Meta:
        model = ConfidentialityIncident
        fields = [f for f in INCIDENT_FIELDS if f != "serious_risk"]
        widgets: ClassVar[dict[str, Any]] = {
            name: forms.DateInput(attrs=DATE, format="%Y-%m-%d")
            for name in (
                "occurred_from",
                "occurred_to",
                "aware_from",
                "aware_to",
                "commission_notified_on",
                "persons_notified_on",
            )
        } | {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "information",
                "information_unknown_reason",
                "circumstances",
                "sensitivity",
                "consequences",
                "likelihood",
                "public_notice_reason",
                "measures",
            )
        }
        help_texts: ClassVar[dict[str, str]] = {
            "information": "Quels renseignements (nature, pas les renseignements eux-mêmes).",
            "information_unknown_reason": "Seulement s'ils ne peuvent pas être décrits.",
            "circumstances": "Brève description de ce qui s'est passé.",
            "occurred_to": "Laissez vide pour une seule date.",
            "aware_to": "Laissez vide pour une seule date.",
            "persons_concerned": "Le nombre, ou une approximation (cochez alors la case).",
            "public_notice_reason": "Pourquoi un avis public a été donné.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk and not self.is_bound:
            risk = instance.serious_risk
            self.initial["serious_risk"] = "" if risk is None else ("oui" if risk else "non")
            self.initial["version"] = instance.version

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.GROUPS]

    def clean_serious_risk(self) -> bool | None:
        value = self.cleaned_data.get("serious_risk")
        return None if not value else value == "oui"

    def incident_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in INCIDENT_FIELDS}


class LegalHoldForm(forms.Form):
    """A legal hold on a dossier (found through the privacy officer's own getter, which logs
    the read) or on everything about a person."""

    WHY = "conservation légale par le responsable de la protection des renseignements personnels"

    dossier = forms.CharField(label="Numéro de dossier", required=False, max_length=20)
    courriel = forms.EmailField(
        label="ou courriel du compte client",
        help_text="La conservation vise alors tous les dossiers de cette personne.",
        required=False,
    )
    reason = forms.CharField(
        label="Motif",
        help_text="Par exemple : recours devant un tribunal, demande d'accès en cours.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args: Any, officer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officer = officer

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        number = (data.get("dossier") or "").strip()
        email = (data.get("courriel") or "").strip()
        if bool(number) == bool(email):
            raise forms.ValidationError(
                "Indiquez un numéro de dossier ou un courriel, pas les deux."
            )
        if number:
            try:
                data["target_dossier"] = dossier_get_for_privacy_officer(
                    self.officer, number, why=self.WHY
                )
            except Http404:
                self.add_error("dossier", "Aucun dossier ne porte ce numéro.")
                data["target_dossier"] = None
        else:
            person = User.objects.filter(email__iexact=email).first()
            if person is None:
                self.add_error("courriel", "Aucun compte n'utilise ce courriel.")
            data["target_person"] = person
        return data


# --- Requests for access or rectification -----------------------------------------------------

LONG_TEXT = 4000


class InfoRequestForm(forms.Form):
    """A person's request, from the page « Mes renseignements personnels »."""

    kind = forms.ChoiceField(
        label=_("Que demandez-vous ?"),
        choices=InfoRequestKind.choices,
        widget=forms.RadioSelect,
    )
    details = forms.CharField(
        label=_("Précisions"),
        help_text=_(
            "Accès : ce que vous cherchez en particulier (facultatif ; sans précision, vous "
            "recevez tous vos renseignements). Rectification : le renseignement inexact et où "
            "il se trouve."
        ),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    correction = forms.CharField(
        label=_("Ce que le renseignement devrait être (rectification seulement)"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    dossier = forms.ChoiceField(
        label=_("Dossier visé (facultatif)"),
        required=False,
    )

    def __init__(self, *args: Any, numbers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["dossier"]).choices = [
            ("", _("Aucun en particulier")),
            *((n, n) for n in numbers),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == InfoRequestKind.RECTIFICATION:
            if not (data.get("details") or "").strip():
                self.add_error("details", _("Indiquez quel renseignement est inexact."))
            if not (data.get("correction") or "").strip():
                self.add_error("correction", _("Indiquez ce que le renseignement devrait être."))
        return data


class ExtendForm(forms.Form):
    reason = forms.CharField(
        label="Motif de la prolongation",
        help_text="Il figure dans l'avis envoyé à la personne.",
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswerAccessForm(forms.Form):
    message = forms.CharField(
        label="Message à joindre à la lettre (facultatif)",
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RectifyForm(forms.Form):
    dossier = forms.ChoiceField(label="Dossier à corriger")
    field_name = forms.ChoiceField(label="Renseignement à corriger")
    value = forms.CharField(
        label="Renseignement exact",
        help_text="Pour une date de naissance : AAAA-MM-JJ.",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    message = forms.CharField(
        label="Message à joindre à la lettre (facultatif)",
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, numbers: list[str], **kwargs: Any) -> None:
        from guichet.dossiers.services import RECTIFIABLE_FIELDS

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["dossier"]).choices = [(n, n) for n in numbers]
        cast(forms.ChoiceField, self.fields["field_name"]).choices = list(
            RECTIFIABLE_FIELDS.items()
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        field_name = data.get("field_name")
        raw = (data.get("value") or "").strip()
        if field_name == "birth_date":
            try:
                data["value"] = date.fromisoformat(raw)
            except ValueError:
                self.add_error("value", "Date invalide : écrivez-la AAAA-MM-JJ.")
        elif field_name == "applicant_email" and raw:
            try:
                validators.validate_email(raw)
            except forms.ValidationError:
                self.add_error("value", "Adresse courriel invalide.")
        elif field_name == "applicant_name" and not raw:
            self.add_error("value", "Le nom ne peut pas être vide.")
        return data


class RefuseForm(forms.Form):
    reasons = forms.CharField(
        label="Motifs du refus",
        help_text=(
            "Ils figurent dans la lettre, avec le recours devant la Commission d'accès à "
            "l'information (30 jours)."
        ),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
