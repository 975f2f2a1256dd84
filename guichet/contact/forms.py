from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guichet.contact.models import ReplyTemplate


class TranscriptForm(forms.Form):
    transcript = forms.CharField(
        label=_("Transcription du message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        required=False,
    )


class CallBackForm(forms.Form):
    note = forms.CharField(
        label=_("Compte rendu du rappel"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=_("Réponse"), widget=forms.Textarea(attrs={"rows": 10}), max_length=50000
    )


class TemplateChoiceForm(forms.Form):
    modele = forms.ModelChoiceField(
        label=_("Partir d'un modèle de réponse"),
        queryset=ReplyTemplate.objects.all(),
        required=False,
    )


class LinkDossierForm(forms.Form):
    number = forms.CharField(label=_("Numéro du dossier"), max_length=20)


class EmlUploadForm(forms.Form):
    eml = forms.FileField(label=_("Courriel enregistré (.eml)"))

    def clean_eml(self) -> Any:
        upload = self.cleaned_data["eml"]
        if upload.size > 25 * 1024 * 1024:
            raise forms.ValidationError(_("Le fichier dépasse 25 Mo."))
        head = upload.read(2048)
        upload.seek(0)
        if b":" not in head.split(b"\n", 1)[0]:
            raise forms.ValidationError(_("Ce fichier n'est pas un courriel (.eml)."))
        return upload
