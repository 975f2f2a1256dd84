"""Forms of the complaints: the public's (translated) and the Commissaire's office's."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guichet.accounts.models import Unit
from guichet.complaints.models import Channel, Kind, Outcome, Subject


class FileForm(forms.Form):
    """A complaint or a comment sent online. A person not signed in leaves a way to be
    reached; a signed-in person may name one of their dossiers."""

    kind = forms.ChoiceField(
        label=_("Vous voulez"),
        choices=[
            (Kind.COMPLAINT, _("Porter plainte")),
            (Kind.COMMENT, _("Faire un commentaire ou une suggestion")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez plainte ou commentaire.")},
    )
    subject = forms.ChoiceField(
        label=_("À quel sujet ?"),
        choices=Subject.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez un sujet.")},
    )
    text = forms.CharField(
        label=_("Décrivez la situation"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Ce qui s'est passé, quand, et ce que vous attendez. 5 000 caractères au plus."
        ),
        error_messages={"required": _("Décrivez la situation.")},
    )
    dossier = forms.ChoiceField(label=_("Dossier concerné"), required=False)
    contact_name = forms.CharField(label=_("Votre nom"), max_length=200, required=False)
    contact_email = forms.EmailField(
        label=_("Votre adresse courriel"),
        required=False,
        error_messages={"invalid": _("Entrez une adresse courriel valide.")},
    )
    contact_phone = forms.CharField(label=_("Votre téléphone"), max_length=40, required=False)

    def __init__(self, *args: Any, dossiers: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.signed_in = dossiers is not None
        if self.signed_in:
            del self.fields["contact_name"], self.fields["contact_email"]
            del self.fields["contact_phone"]
            field = self.fields["dossier"]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 (declared above)
            field.choices = [("", _("Aucun dossier en particulier")), *(dossiers or [])]
        else:
            del self.fields["dossier"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.signed_in and not (data.get("contact_email") or data.get("contact_phone")):
            raise forms.ValidationError(
                _("Indiquez au moins un moyen de vous joindre : courriel ou téléphone.")
            )
        return data


class EnterForm(forms.Form):
    """A complaint or comment received by mail or telephone (the Commissaire's office)."""

    channel = forms.ChoiceField(
        label="Reçue",
        choices=[(Channel.MAIL, "Par la poste"), (Channel.PHONE, "Par téléphone")],
        widget=forms.RadioSelect,
    )
    received_on = forms.DateField(
        label="Date de réception réelle",
        help_text="AAAA-MM-JJ : le jour où la plainte est arrivée, pas celui de la saisie.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    kind = forms.ChoiceField(label="Nature", choices=Kind.choices, widget=forms.RadioSelect)
    subject = forms.ChoiceField(label="Sujet", choices=Subject.choices)
    text = forms.CharField(label="Description", max_length=5000, widget=forms.Textarea)
    dossier_number = forms.CharField(label="Numéro du dossier visé", required=False, max_length=20)
    contact_name = forms.CharField(label="Nom", max_length=200, required=False)
    contact_email = forms.EmailField(label="Adresse courriel", required=False)
    contact_phone = forms.CharField(label="Téléphone", max_length=40, required=False)
    contact_address = forms.CharField(
        label="Adresse postale", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_received_on(self) -> Any:
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("La date de réception ne peut pas être dans le futur.")
        return day


class QuestionForm(forms.Form):
    question = forms.CharField(
        label="Renseignements demandés", max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )


class InformationReceivedForm(forms.Form):
    received_on = forms.DateField(
        label="Reçus le",
        required=False,
        help_text="Vide : aujourd'hui.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(
        label="Ce qui a été reçu", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Conclusion", choices=Outcome.choices, widget=forms.RadioSelect
    )
    findings = forms.CharField(
        label="Ce qui a été constaté", widget=forms.Textarea(attrs={"rows": 4})
    )
    changes = forms.CharField(label="Ce qui changera", widget=forms.Textarea(attrs={"rows": 3}))


class UnitForm(forms.Form):
    unit = forms.ModelChoiceField(
        label="Unité visée", queryset=Unit.objects.order_by("name"), required=False
    )


class RecommendationForm(forms.Form):
    unit = forms.ModelChoiceField(label="Unité", queryset=Unit.objects.order_by("name"))
    text = forms.CharField(label="Recommandation", widget=forms.Textarea(attrs={"rows": 3}))


class DoneForm(forms.Form):
    report = forms.CharField(
        label="Compte rendu de la mise en œuvre", widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Motif de la consultation du dossier",
        max_length=150,
        help_text="Inscrit au journal des accès.",
    )
