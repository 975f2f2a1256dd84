"""Forms of the portal and the back office. Every input is validated here, in French.

The portal's labels and messages are marked for translation (docs/languages.md); the back
office's stay in French only, as staff screens do."""

from collections.abc import Sequence
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
from guichet.dossiers.services import SERVICE_EVENTS, MissingItem, NewDocument
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


class DatePartsWidget(forms.MultiWidget):
    """A date as three boxes, day, month and year (GOV.UK's date input): no browser date
    picker, whose format (mm/dd/yyyy) follows the browser's locale, not the page's."""

    template_name = "django/forms/widgets/multiwidget.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        def box(size: str, autocomplete: str) -> forms.TextInput:
            return forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "size": size,
                    "maxlength": size,
                    "class": f"date-{size}",
                    "autocomplete": autocomplete,
                }
            )

        super().__init__(
            {
                "jour": box("2", "bday-day"),
                "mois": box("2", "bday-month"),
                "annee": box("4", "bday-year"),
            },
            attrs,
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DatePartsField(forms.MultiValueField):
    """A date entered as day, month and year, with messages that say which part is wrong."""

    widget = DatePartsWidget

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages", {"required": _("Entrez la date de naissance : jour, mois et année.")}
        )
        parts = (
            forms.CharField(required=False),
            forms.CharField(required=False),
            forms.CharField(required=False),
        )
        super().__init__(parts, *args, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[Any]) -> date | None:
        if not data_list or not any(str(v or "").strip() for v in data_list):
            return None
        day, month, year = (str(v or "").strip() for v in data_list)
        if not (day and month and year):
            raise forms.ValidationError(
                _("La date doit comprendre un jour, un mois et une année."), code="incomplete"
            )
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise forms.ValidationError(
                _("Entrez la date en chiffres, l'année sur quatre chiffres (p. ex. 17 5 1990)."),
                code="invalid",
            )
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(
                _("Cette date n'existe pas : vérifiez le jour et le mois."), code="invalid"
            ) from None


def _past(day: date) -> date:
    if day >= timezone.localdate():
        raise forms.ValidationError(_("La date de naissance doit être dans le passé."))
    return day


class IdentityFields(forms.Form):
    """Identity of the applicant: the sensitive identifiers are encrypted at rest."""

    birth_date = DatePartsField(label=_("Date de naissance"))
    passport_number = forms.CharField(
        label=_("Numéro de passeport (facultatif)"), max_length=20, required=False
    )

    def clean_birth_date(self) -> date:
        return _past(self.cleaned_data["birth_date"])


# The online request, in short steps (one topic a page), then "Vérifier vos réponses"
# (guichet/dossiers/views/request.py keeps the answers in the session between steps).


class ContactStepForm(forms.Form):
    applicant_name = forms.CharField(
        label=_("Nom complet"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Entrez votre nom complet.")},
    )
    postal_address = forms.CharField(
        label=_("Adresse postale"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
        error_messages={"required": _("Entrez votre adresse postale.")},
    )


class IdentityStepForm(IdentityFields):
    pass


class DocumentsStepForm(forms.Form):
    """The documents of the service's checklist, one field each (all may wait: a missing
    required document is said on the confirmation, and what it does to the clock)."""

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

    def uploads(self) -> dict[str, list[Any]]:
        """The checked files of each checklist document that got some."""
        return {
            doc.code: list(self.cleaned_data.get(f"doc_{doc.code}") or [])
            for doc in self.service.documents.all()
            if self.cleaned_data.get(f"doc_{doc.code}")
        }


class CertifyForm(forms.Form):
    certify = forms.BooleanField(
        label=_("Je déclare que les renseignements fournis sont complets et exacts."),
        error_messages={"required": _("Cochez la déclaration pour envoyer votre demande.")},
    )


class SendDocumentsForm(VersionedForm):
    """A document the client adds to an open dossier, saying which checklist item it is."""

    item = forms.ChoiceField(
        label=_("De quel document s'agit-il ?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez de quel document il s'agit.")},
    )
    attachments = MultipleFileField(
        label=_("Fichiers"), error_messages={"required": _("Choisissez au moins un fichier.")}
    )

    def __init__(self, *args: Any, service: Service | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        documents = list(service.documents.all()) if service is not None else []
        self.labels = {d.code: d.label_fr for d in documents}
        self.fields["item"].choices = [  # type: ignore[attr-defined]
            *((d.code, format_html('<span lang="fr">{}</span>', d.label_fr)) for d in documents),
            ("autre", _("Un autre document")),
        ]

    def documents(self) -> list[NewDocument]:
        code = self.cleaned_data["item"]
        return [
            NewDocument(u, checklist_code=code, label=self.labels[code])
            if code in self.labels
            else NewDocument(u)
            for u in self.cleaned_data["attachments"]
        ]


class AnswerItemsForm(VersionedForm):
    """The client's answer to an incompleteness notice: a file field for each item still
    awaited (the fee is paid, not uploaded: the page says how)."""

    def __init__(self, *args: Any, outstanding: Sequence[MissingItem] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = [item for item in outstanding if not item.is_fee]
        for n, item in enumerate(self.items, start=1):
            self.fields[f"answer_{n}"] = MultipleFileField(
                label=format_html('<span lang="fr">{}</span>', item.label),
                required=False,
                help_text=_("PDF, JPEG ou PNG, 10 Mo au plus par fichier."),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            self.items
            and not self.errors
            and not any(data.get(f"answer_{n}") for n in range(1, len(self.items) + 1))
        ):
            raise forms.ValidationError(
                _("Joignez au moins un des documents demandés."), code="required"
            )
        return data

    def documents(self) -> list[NewDocument]:
        return [
            NewDocument(u, checklist_code=item.checklist_code, label=item.label, answers=item.code)
            for n, item in enumerate(self.items, start=1)
            for u in self.cleaned_data.get(f"answer_{n}") or []
        ]


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
    birth_date = DatePartsField(label=_("Date de naissance du demandeur"))


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
    """The incompleteness notice: the agent picks what is missing among the checklist's
    documents not received and the unpaid fee (`candidates`), or writes it out."""

    codes = forms.MultipleChoiceField(
        label="Éléments manquants",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Les documents de la liste qui n'ont pas été reçus, et les frais s'ils sont dus.",
    )
    items = forms.CharField(
        label="Autres éléments manquants (un par ligne, facultatif)",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    on = DateField(label="Date d'envoi de l'avis", required=False)

    def __init__(self, *args: Any, candidates: Sequence[MissingItem] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = [  # type: ignore[attr-defined]
            (
                c.code,
                f"{c.label} (toujours demandés tant qu'ils ne sont pas payés)"
                if c.is_fee
                else c.label,
            )
            for c in candidates
        ]

    def clean_on(self) -> date | None:
        day: date | None = self.cleaned_data.get("on")
        return _not_future(day) if day else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("codes") and not (data.get("items") or "").strip() and not self.errors:
            self.add_error(
                "codes",
                "Choisissez au moins un élément manquant, ou décrivez-le : un avis vide n'est "
                "pas envoyé.",
            )
        return data

    def item_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class ItemsReceivedForm(VersionedForm):
    """Items received by mail or at the counter: the agent says which of those still awaited."""

    received = forms.MultipleChoiceField(
        label="Éléments reçus",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins un des éléments reçus."},
    )
    on = DateField(label="Date de réception des éléments")
    note = forms.CharField(label="Remarque (facultatif)", max_length=1000, required=False)
    attachments = MultipleFileField(label="Documents numérisés (facultatif)", required=False)

    def __init__(self, *args: Any, outstanding: Sequence[MissingItem] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outstanding = [item for item in outstanding if not item.is_fee]
        self.fields["received"].choices = [  # type: ignore[attr-defined]
            (item.code, item.label) for item in self.outstanding
        ]

    def clean_on(self) -> date:
        day: date = self.cleaned_data["on"]
        return _not_future(day)

    def documents(self) -> list[NewDocument]:
        """The scans, named after the items they bring (the checklist's when it is one)."""
        chosen = [i for i in self.outstanding if i.code in self.cleaned_data["received"]]
        label = " ; ".join(i.label for i in chosen)
        code = chosen[0].checklist_code if len(chosen) == 1 else ""
        return [
            NewDocument(u, checklist_code=code, label=label)
            for u in self.cleaned_data.get("attachments") or []
        ]


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
