"""The register of recognized consultants is kept by staff in the admin; mandates are shown,
never edited there (they change only through the client's actions, which write the dossier's
history)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from guichet.mandates.models import Consultant, Mandate
from guichet.searches import SearchByPostAdmin


@admin.register(Consultant)
class ConsultantAdmin(SearchByPostAdmin[Consultant]):
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
