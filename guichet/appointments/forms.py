from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guichet.appointments.models import Mode, Office
from guichet.appointments.presentation import MEETING_SERVICES, service_name


class RequestForm(forms.Form):
    service = forms.ChoiceField(label=_("Ce que vous demandez"), widget=forms.RadioSelect)
    mode = forms.ChoiceField(
        label=_("Où"), choices=Mode.choices, widget=forms.RadioSelect, initial=Mode.OFFICE
    )
    office = forms.ModelChoiceField(
        label=_("Bureau"),
        queryset=Office.objects.filter(active=True).order_by("name"),
        empty_label=None,
        help_text=_("En ligne : le bureau qui vous suivra."),
    )
    interpreter_language = forms.CharField(
        label=_("Besoin d'un interprète : dans quelle langue ?"),
        required=False,
        max_length=60,
        help_text=_("Laissez vide si vous n'avez pas besoin d'interprète."),
    )
    sign_language = forms.BooleanField(
        label=_("J'ai besoin d'un interprète en langue des signes québécoise (LSQ)"),
        required=False,
    )
    accessible_room = forms.BooleanField(
        label=_("J'ai besoin d'une salle accessible (fauteuil roulant, mobilité réduite)"),
        required=False,
    )
    child_care = forms.BooleanField(
        label=_("J'ai besoin d'une halte-garderie pendant la rencontre"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = [(c, service_name(c)) for c in MEETING_SERVICES]


class WalkInForm(forms.Form):
    name = forms.CharField(label="Nom de la personne", max_length=200)
    service = forms.ChoiceField(label="Service")

    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = [(c, service_name(c)) for c in office.services]


class DayForm(forms.Form):
    jour = forms.DateField(
        label="Jour", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
