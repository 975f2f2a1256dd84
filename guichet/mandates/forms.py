"""Forms of the mandates. Every input is validated here, in French."""

from django import forms
from django.utils.translation import gettext_lazy as _


class GrantForm(forms.Form):
    """The client names the consultant by their recognition number and their professional
    e-mail address as the register has it: both must match a consultant recognized today."""

    recognition_number = forms.CharField(
        label=_("Numéro de reconnaissance du consultant"),
        max_length=20,
        help_text=_("Le numéro que le ministère a donné au consultant en le reconnaissant."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Adresse courriel professionnelle du consultant"),
        max_length=254,
        help_text=_(
            "Celle que le consultant vous a donnée ; elle doit être la même qu'au registre."
        ),
        error_messages={"invalid": _("Entrez une adresse courriel valide.")},
    )
    confirm = forms.BooleanField(
        label=_(
            "Je donne à ce consultant le mandat d'agir en mon nom sur ce dossier, jusqu'à ce que "
            "je le révoque."
        ),
        error_messages={"required": _("Cochez cette case pour donner le mandat.")},
    )
