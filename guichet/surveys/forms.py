"""The questionnaire (GOV.UK radios, one question per fieldset) and the consent control."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guichet.surveys.models import Agreement, Satisfaction
from guichet.surveys.questions import OVERALL, QUESTIONS


class QuestionnaireForm(forms.Form):
    comment = forms.CharField(
        label=_("Un commentaire ou une suggestion ? (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Il est transmis au Commissaire aux plaintes et à la qualité des services, sans "
            "votre nom. N'y écrivez aucun renseignement personnel."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, forms.Field] = {}
        for q in QUESTIONS:
            fields[q.field] = forms.TypedChoiceField(
                label=q.label,
                choices=Agreement.choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choisissez une réponse.")},
            )
        fields[OVERALL.field] = forms.TypedChoiceField(
            label=OVERALL.label,
            choices=Satisfaction.choices,
            coerce=int,
            widget=forms.RadioSelect,
            error_messages={"required": _("Choisissez une réponse.")},
        )
        fields["comment"] = self.fields.pop("comment")
        self.fields = fields

    def ratings(self) -> dict[str, int]:
        return {name: value for name, value in self.cleaned_data.items() if name != "comment"}


class ConsentForm(forms.Form):
    agreed = forms.BooleanField(
        label=_(
            "J'accepte que le ministère me demande, de temps à autre, mon avis sur le service "
            "reçu (au plus une fois tous les 90 jours, par courriel ; réponses anonymes)."
        ),
        required=False,
    )
