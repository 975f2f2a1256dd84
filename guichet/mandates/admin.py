"""The register of recognized consultants is kept by staff in the admin; mandates are shown,
never edited there (they change only through the client's actions, which write the dossier's
history).

Saving an entry goes through the services of guichet/mandates/services.py: the register's
own fields through `consultant_register`, a suspension or a revocation (given, lifted or
cancelled) through its service, which writes the access log with the administrator as actor.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from guichet.accounts.decorators import signed_in_user
from guichet.mandates.models import Consultant, Mandate
from guichet.mandates.services import (
    consultant_register,
    consultant_revocation_cancel,
    consultant_revoke_recognition,
    consultant_suspend,
    consultant_suspension_lift,
)
from guichet.searches import SearchByPostAdmin


class ConsultantAdminForm(forms.ModelForm[Consultant]):
    """The services' refusals, said on the fields before anything is saved."""

    class Meta:
        model = Consultant
        fields = (
            "recognition_number",
            "full_name",
            "email",
            "user",
            "recognized_from",
            "recognized_until",
            "suspended_from",
            "suspended_until",
            "revoked_on",
            "recognition_dossier",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        recognized_from, recognized_until = (
            data.get("recognized_from"),
            data.get("recognized_until"),
        )
        start, end = data.get("suspended_from"), data.get("suspended_until")
        revoked_on = data.get("revoked_on")
        if recognized_from and recognized_until and recognized_until < recognized_from:
            self.add_error("recognized_until", "La fin de la reconnaissance précède son début.")
        if end is not None and start is None:
            self.add_error("suspended_from", "Indiquez le début de la suspension.")
        elif start and end and end < start:
            self.add_error("suspended_until", "La fin de la suspension précède son début.")
        if recognized_from and revoked_on and revoked_on < recognized_from:
            self.add_error("revoked_on", "La révocation précède le début de la reconnaissance.")
        return data


@admin.register(Consultant)
class ConsultantAdmin(SearchByPostAdmin[Consultant]):
    form = ConsultantAdminForm
    list_display = (
        "recognition_number",
        "full_name",
        "email",
        "recognized_from",
        "recognized_until",
        "suspended_from",
        "suspended_until",
        "revoked_on",
    )
    search_fields = ("recognition_number", "full_name", "email")
    raw_id_fields = ("user", "recognition_dossier")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # The number identifies the entry (`consultant_register` finds it by its number).
        return ("recognition_number",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Consultant, form: Any, change: bool) -> None:
        actor = signed_in_user(request)
        consultant = consultant_register(
            recognition_number=obj.recognition_number,
            full_name=obj.full_name,
            email=obj.email,
            recognized_from=obj.recognized_from,
            recognized_until=obj.recognized_until,
            user=obj.user,
            recognition_dossier=obj.recognition_dossier,
        )
        changed = set(form.changed_data)
        if changed & {"suspended_from", "suspended_until"}:
            if obj.suspended_from is not None:
                consultant = consultant_suspend(
                    consultant=consultant,
                    start=obj.suspended_from,
                    end=obj.suspended_until,
                    actor=actor,
                )
            elif consultant.suspended_from is not None:
                consultant = consultant_suspension_lift(consultant=consultant, actor=actor)
        if "revoked_on" in changed:
            if obj.revoked_on is not None:
                consultant = consultant_revoke_recognition(
                    consultant=consultant, on=obj.revoked_on, actor=actor
                )
            elif consultant.revoked_on is not None:
                consultant = consultant_revocation_cancel(consultant=consultant, actor=actor)
        # The admin goes on with `obj` (its history entry, the redirect).
        obj.pk = consultant.pk
        obj._state.adding = False


@admin.register(Mandate)
class MandateAdmin(admin.ModelAdmin[Mandate]):
    list_display = ("dossier", "consultant", "granted_at", "revoked_at")
    raw_id_fields = ("dossier", "consultant", "granted_by", "revoked_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
