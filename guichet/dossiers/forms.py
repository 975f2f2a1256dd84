"""Forms of the portal and the back office. Every input is validated here, in French.

The portal's labels and messages are marked for translation (docs/languages.md); the back
office's stay in French only, as staff screens do."""

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from guichet.accounts.models import Membership, User
from guichet.catalogue.models import Service
from guichet.dossiers.models import Decision, EventKind
from guichet.dossiers.services import SERVICE_EVENTS, NewDocument
from guichet.dossiers.uploads import UploadError, check_upload

ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field, each checked by content (PDF, JPEG, PNG; 10 Mo)."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        checked = []
        for upload in files:
            single(upload, initial)
            try:
                checked.append(check_upload(upload))
            except UploadError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return checked


class VersionedForm(forms.Form):
    """Carries the dossier version the person saw, so that a stale action is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


def _past(day: date) -> date:
    if day >= timezone.localdate():
        raise forms.ValidationError(_("La date de naissance doit être dans le passé."))
    return day


class IdentityFields(forms.Form):
    """Identity of the applicant: the sensitive identifiers are encrypted at rest."""

    birth_date = forms.DateField(
        label=_("Date de naissance"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        error_messages={"invalid": _("Entrez une date valide (AAAA-MM-JJ).")},
    )
    passport_number = forms.CharField(
        label=_("Numéro de passeport (facultatif)"), max_length=20, required=False
    )

    def clean_birth_date(self) -> date:
        return _past(self.cleaned_data["birth_date"])


class FileRequestForm(IdentityFields):
    """A client's online request for one service, with the documents of its checklist."""

    applicant_name = forms.CharField(
        label=_("Nom complet"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    postal_address = forms.CharField(
        label=_("Adresse postale"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    certify = forms.BooleanField(
        label=_("Je déclare que les renseignements fournis sont complets et exacts."),
        error_messages={"required": _("Cochez la déclaration pour envoyer votre demande.")},
    )

    def __init__(self, *args: Any, service: Service, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service = service
        for doc in service.documents.all():
            # The checklist is published in French only: marked so on a page in another language.
            name = format_html('<span lang="fr">{}</span>', doc.label_fr)
            label = (
                name
                if doc.required
                # Our own catalogue's text, escaped, around the escaped name.
                else mark_safe(escape(_("%(document)s (facultatif)")) % {"document": name})  # noqa: S308
            )
            self.fields[f"doc_{doc.code}"] = MultipleFileField(
                label=label,
                required=False,
                help_text=_("PDF, JPEG ou PNG, 10 Mo au plus par fichier."),
            )

    def documents(self) -> list[NewDocument]:
        found = []
        for doc in self.service.documents.all():
            for upload in self.cleaned_data.get(f"doc_{doc.code}") or []:
                found.append(NewDocument(upload, checklist_code=doc.code, label=doc.label_fr))
        return found

    def missing_required(self) -> list[str]:
        return [
            d.label_fr
            for d in self.service.documents.all()
            if d.required and not self.cleaned_data.get(f"doc_{d.code}")
        ]


class SendDocumentsForm(VersionedForm):
    attachments = MultipleFileField(label=_("Documents à transmettre"))
    note = forms.CharField(
        label=_("Message (facultatif)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ObservationsForm(VersionedForm):
    text = forms.CharField(
        label=_("Vos observations"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    attachments = MultipleFileField(label=_("Documents à l'appui (facultatif)"), required=False)


class ReviewForm(VersionedForm):
    reasons = forms.CharField(
        label=_("Pourquoi demandez-vous une révision ?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ChangeForm(VersionedForm):
    kind = forms.ChoiceField(
        label=_("Type de changement"),
        choices=[
            (EventKind.ADDRESS_CHANGED.value, EventKind.ADDRESS_CHANGED.label),
            (EventKind.SITUATION_CHANGED.value, EventKind.SITUATION_CHANGED.label),
        ],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Nouvelle adresse ou description du changement"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # Asked because a new address in Québec ends a language of service given to a client who
    # lived outside Québec (guichet/accounts/language.py).
    in_quebec = forms.TypedChoiceField(
        label=_("Pour un changement d'adresse : la nouvelle adresse est-elle au Québec ?"),
        choices=[("oui", _("Oui, au Québec")), ("non", _("Non, hors du Québec"))],
        coerce=lambda value: value == "oui",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


class ConfirmForm(VersionedForm):
    """An action with nothing to enter but the confirmation itself."""


def _not_future(day: date) -> date:
    if day > timezone.localdate():
        raise forms.ValidationError("La date ne peut pas être dans le futur.")
    return day


class DateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"invalid": _("Entrez une date valide (AAAA-MM-JJ).")})
        super().__init__(*args, **kwargs)


class LinkStartForm(forms.Form):
    number = forms.CharField(
        label=_("Numéro de dossier"),
        max_length=20,
        help_text=_("Il figure sur l'accusé de réception, p. ex. 2026-000123."),
    )
    birth_date = DateField(label=_("Date de naissance du demandeur"))


class LinkCodeForm(forms.Form):
    number = forms.CharField(widget=forms.HiddenInput, max_length=20)
    code = forms.CharField(
        label=_("Code reçu par courriel"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class MailRequestForm(IdentityFields):
    """A paper request: the agent enters the real date of reception."""

    service = forms.ModelChoiceField(
        label="Service", queryset=Service.objects.none(), empty_label="— Choisir —"
    )
    received_on = DateField(label="Date de réception (timbre du Ministère)")
    applicant_name = forms.CharField(label="Nom du demandeur", max_length=200)
    applicant_email = forms.EmailField(label="Courriel du demandeur (facultatif)", required=False)
    postal_address = forms.CharField(
        label="Adresse postale", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    attachments = MultipleFileField(label="Documents numérisés (facultatif)", required=False)

    def __init__(self, *args: Any, services: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services  # type: ignore[attr-defined]

    def clean_received_on(self) -> date:
        day: date = self.cleaned_data["received_on"]
        return _not_future(day)


class AssignForm(VersionedForm):
    agent = forms.ModelChoiceField(
        label="Agent", queryset=User.objects.none(), empty_label="— Choisir —"
    )

    def __init__(self, *args: Any, unit_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = Membership.objects.filter(unit_id=unit_id).values("user_id")
        self.fields["agent"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=members
        ).order_by("full_name", "email")


class RequestItemsForm(VersionedForm):
    items = forms.CharField(
        label="Éléments manquants (un par ligne)",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    on = DateField(label="Date d'envoi de l'avis", required=False)

    def clean_on(self) -> date | None:
        day: date | None = self.cleaned_data.get("on")
        return _not_future(day) if day else None

    def item_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class ItemsReceivedForm(VersionedForm):
    on = DateField(label="Date de réception des éléments")
    note = forms.CharField(label="Éléments reçus", max_length=1000)
    attachments = MultipleFileField(label="Documents numérisés (facultatif)", required=False)

    def clean_on(self) -> date:
        day: date = self.cleaned_data["on"]
        return _not_future(day)


class IntentionForm(VersionedForm):
    intended = forms.ChoiceField(
        label="Décision envisagée",
        choices=[(Decision.REFUSED.value, "Refus"), (Decision.REJECTED.value, "Rejet")],
    )
    reasons = forms.CharField(
        label="Motifs", max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )


class DecisionForm(VersionedForm):
    decision = forms.ChoiceField(label="Décision", choices=Decision.choices)
    reasons = forms.CharField(
        label="Motifs, en langage clair", max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )


class ServiceEventForm(VersionedForm):
    kind = forms.ChoiceField(
        label="Événement", choices=[(k.value, k.label) for k in SERVICE_EVENTS]
    )
    on = DateField(label="Date")

    def clean_on(self) -> date:
        day: date = self.cleaned_data["on"]
        return _not_future(day)


class WorklistFilterForm(forms.Form):
    service = forms.ChoiceField(label="Service", required=False)
    state = forms.ChoiceField(label="État", required=False)
    agent = forms.ChoiceField(label="Agent", required=False)
    flag = forms.ChoiceField(
        label="Échéance",
        required=False,
        choices=[
            ("", "Toutes"),
            ("overdue", "En retard"),
            ("at_risk", "À risque"),
            ("suspended", "Suspendus (sans échéance)"),
        ],
    )
