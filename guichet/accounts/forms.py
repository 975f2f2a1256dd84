"""The forms of sign-up, log-in, password reset, second factor and re-authentication.

Labels and messages are French; every field carries the `autocomplete` token that lets browsers
and password managers fill it (WCAG 1.3.5), and the code fields `one-time-code`.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from guichet.accounts import totp
from guichet.accounts.models import LanguageBasis, ServiceLanguage, User

PASSWORD_HELP = _(
    "Au moins 12 caractères. Évitez un mot de passe courant, fait seulement de chiffres ou "
    "proche de votre nom ou de votre adresse courriel."
)
CODE_HELP = _("Les 6 chiffres affichés en ce moment par votre application d'authentification.")


def _email_field(autocomplete: str) -> forms.EmailField:
    return forms.EmailField(
        label=_("Adresse courriel"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": autocomplete}),
    )


def _new_password_fields() -> tuple[forms.CharField, forms.CharField]:
    first = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=PASSWORD_HELP,
    )
    second = forms.CharField(
        label=_("Confirmez le mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    return first, second


def one_time_code_input() -> forms.TextInput:
    """The input of a one-time code: digits, filled in by the browser from an SMS or a mail."""
    return forms.TextInput(
        attrs={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "spellcheck": "false",
            "autocapitalize": "off",
        }
    )


class CodeField(forms.CharField):
    """Six digits from an authenticator application; spaces are tolerated."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Code à 6 chiffres"))
        kwargs.setdefault("help_text", CODE_HELP)
        super().__init__(max_length=12, widget=one_time_code_input(), **kwargs)

    def clean(self, value: Any) -> str:
        code = totp.normalize_code(str(super().clean(value)))
        if len(code) != totp.DIGITS or not code.isascii() or not code.isdigit():
            raise ValidationError(
                _("Entrez les 6 chiffres affichés par votre application."), code="format"
            )
        return code


class SignUpForm(forms.Form):
    """Whether the address already has an account is never checked here: the answer to a
    sign-up must be the same for every address (see `user_sign_up`)."""

    full_name = forms.CharField(
        label=_("Nom complet"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = _email_field("email")
    password1, password2 = _new_password_fields()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        if password1:
            person = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password1, person)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class LoginForm(AuthenticationForm):
    """Django's log-in form, by e-mail address; the same message for every refusal."""

    username = forms.EmailField(
        label=_("Adresse courriel"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("Votre adresse courriel ou votre mot de passe est incorrect."),
        "inactive": _("Votre adresse courriel ou votre mot de passe est incorrect."),
    }

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()


class CodeForm(forms.Form):
    code = CodeField()


class ReauthForm(forms.Form):
    """The password again, and the code when the person has an authenticator application."""

    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = CodeField()

    def __init__(self, *args: Any, request: HttpRequest, user: User, with_code: bool, **kw: Any):
        super().__init__(*args, **kw)
        self.request = request
        self.user = user
        if not with_code:
            del self.fields["code"]

    def clean_password(self) -> str:
        password = str(self.cleaned_data["password"])
        # Through authenticate(), so that failures count towards the lock-out (django-axes).
        checked = authenticate(self.request, username=self.user.email, password=password)
        if checked is None or checked.pk != self.user.pk:
            raise ValidationError(_("Ce mot de passe est incorrect."), code="invalid")
        return password


class ResetRequestForm(PasswordResetForm):
    email = _email_field("email")


def _log_password(user: User, event: str) -> None:
    from guichet.audit.models import AccountEvent
    from guichet.audit.services import access_log_account_event

    access_log_account_event(event=AccountEvent(event), person=user, actor=user)


class NewPasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    """The new password of a reset (Django's view saves it; the access log records it)."""

    new_password1, new_password2 = _new_password_fields()
    field_order = ["new_password1", "new_password2"]

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit)
        if commit:
            _log_password(user, "password_reset")
        return user

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Nouveau mot de passe")
        self.fields["new_password2"].label = _("Confirmez le nouveau mot de passe")
        self.error_messages = {
            **self.error_messages,
            "password_mismatch": _("Les deux mots de passe ne sont pas identiques."),
        }


class ChangePasswordForm(PasswordChangeForm):
    old_password = forms.CharField(
        label=_("Mot de passe actuel"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1, new_password2 = _new_password_fields()
    field_order = ["old_password", "new_password1", "new_password2"]

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit)
        if commit:
            _log_password(user, "password_changed")
        return user

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Nouveau mot de passe")
        self.fields["new_password2"].label = _("Confirmez le nouveau mot de passe")
        self.error_messages = {
            **self.error_messages,
            "password_mismatch": _("Les deux mots de passe ne sont pas identiques."),
            "password_incorrect": _("Ce mot de passe est incorrect."),
        }


# --- Language of service ---------------------------------------------------------------------


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def _date_field(label: Any, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text=help_text,
        widget=_DateInput(),
        error_messages={"invalid": _("Entrez une date valide (AAAA-MM-JJ).")},
    )


class LanguageOfServiceForm(forms.Form):
    """A language of service with its basis and the facts behind it (the client's own)."""

    language = forms.ChoiceField(
        label=_("Langue souhaitée, en plus du français"),
        choices=ServiceLanguage.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez l'anglais ou l'espagnol.")},
    )
    basis = forms.ChoiceField(
        label=_("Motif"),
        choices=LanguageBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez le motif qui vous donne droit à cette langue.")},
    )
    arrived_on = _date_field(
        _("Date d'arrivée au Québec"),
        _(
            "Pour le motif « personne immigrante » : la langue vaut six mois à partir de "
            "cette date."
        ),
    )
    outside_quebec = forms.BooleanField(
        label=_("Je confirme que mon domicile est hors du Québec"), required=False
    )
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        max_length=2000,
        help_text=_(
            "Pour l'admissibilité à l'enseignement en anglais, ou pour une raison de santé, de "
            "sécurité publique ou de justice naturelle : expliquez votre situation."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        basis = data.get("basis")
        if basis == LanguageBasis.RECENT_ARRIVAL and not data.get("arrived_on"):
            if "arrived_on" not in self.errors:
                self.add_error("arrived_on", _("Indiquez la date de votre arrivée au Québec."))
        elif basis == LanguageBasis.OUTSIDE_QUEBEC and not data.get("outside_quebec"):
            self.add_error("outside_quebec", _("Confirmez que votre domicile est hors du Québec."))
        elif (
            basis in (LanguageBasis.ENGLISH_INSTRUCTION, LanguageBasis.HEALTH_SAFETY_JUSTICE)
            and not (data.get("justification") or "").strip()
        ):
            self.add_error("justification", _("Expliquez ce qui vous donne droit à ce motif."))
        return data


class StaffLanguageOfServiceForm(LanguageOfServiceForm):
    """The same, recorded by an agent, who also sets the last day of the bases that have no
    end of their own."""

    valid_until = _date_field(
        _("Valide jusqu'au (inclusivement)"),
        _(
            "Obligatoire pour l'enseignement en anglais et pour la santé, la sécurité ou la "
            "justice."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outside_quebec"].label = _(
            "La personne a confirmé que son domicile est hors du Québec"
        )
        self.fields["language"].label = _("Langue, en plus du français")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("basis")
            in (LanguageBasis.ENGLISH_INSTRUCTION, LanguageBasis.HEALTH_SAFETY_JUSTICE)
            and not data.get("valid_until")
            and "valid_until" not in self.errors
        ):
            self.add_error("valid_until", _("Indiquez jusqu'à quand ce motif est valide."))
        return data


class LanguageSwitchForm(forms.Form):
    """The switch in the header: the language of the pages for this visit."""

    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False, max_length=2000)
