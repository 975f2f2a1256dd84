"""Forms of the referrals: the public directory's filter and e-mail, the agent's referral."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guichet.referrals.models import Need, Partner, Region


class FilterForm(forms.Form):
    need = forms.ChoiceField(
        label=_("Votre besoin"),
        choices=[("", _("Tous les besoins")), *Need.choices],
        required=False,
    )
    region = forms.ChoiceField(
        label=_("Votre région"),
        choices=[("", _("Toutes les régions")), *Region.choices],
        required=False,
    )


class SendForm(forms.Form):
    email = forms.EmailField(
        label=_("Votre adresse courriel"),
        error_messages={
            "required": _("Entrez votre adresse courriel."),
            "invalid": _("Entrez une adresse courriel valide."),
        },
    )
    need = forms.ChoiceField(label=_("Votre besoin"), choices=Need.choices)


class ReferForm(forms.Form):
    partner = forms.ModelChoiceField(
        label="Organisme", queryset=Partner.objects.filter(active=True).order_by("name")
    )
    need = forms.ChoiceField(label="Besoin", choices=Need.choices)
    region = forms.ChoiceField(label="Région", choices=[("", "—"), *Region.choices], required=False)
    reason = forms.CharField(
        label="Pourquoi cet organisme", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
