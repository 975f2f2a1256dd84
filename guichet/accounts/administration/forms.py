"""The forms of the Administration area: every input is checked here before a service runs."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guichet.accounts.models import GlobalRole, StaffRole, Unit
from guichet.accounts.services import REASON_MAX_LENGTH
from guichet.catalogue.models import Service


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Motif"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Pourquoi ce changement ; il est conservé dans l'historique."),
    )


def _conflict_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=_(
            "Je sais que cette personne a des dossiers comme cliente ; le bureau ne les lui "
            "montrera pas."
        ),
        required=False,
    )


class PersonSearchForm(forms.Form):
    courriel = forms.EmailField(label=_("Adresse courriel"), max_length=254)


class MembershipGrantForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Unité"),
        queryset=Unit.objects.order_by("name"),
        empty_label=None,
        error_messages={"invalid_choice": _("Choisissez une unité de la liste.")},
    )
    role = forms.ChoiceField(label=_("Rôle dans l'unité"), choices=StaffRole.choices)
    reason = _reason_field()
    acknowledge_conflict = _conflict_field()

    def __init__(self, *args: Any, conflict: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not conflict:
            del self.fields["acknowledge_conflict"]


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label=_("Rôle"), choices=GlobalRole.choices)
    reason = _reason_field()
    acknowledge_conflict = _conflict_field()

    def __init__(self, *args: Any, conflict: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not conflict:
            del self.fields["acknowledge_conflict"]


class RevokeForm(forms.Form):
    reason = _reason_field()


class UnitForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Lettres minuscules, chiffres et traits d'union, par exemple « csq »."),
    )
    name = forms.CharField(label=_("Nom"), max_length=200)
    reason = _reason_field()


class ServiceAssignForm(forms.Form):
    service = forms.ChoiceField(label=_("Service de la déclaration en vigueur"))
    unit = forms.ModelChoiceField(
        label=_("Unité responsable"),
        queryset=Unit.objects.order_by("name"),
        empty_label=None,
        error_messages={"invalid_choice": _("Choisissez une unité de la liste.")},
    )
    reason = _reason_field()

    def __init__(self, *args: Any, services: list[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [(s.code, s.name_fr) for s in services]  # type: ignore[attr-defined]
