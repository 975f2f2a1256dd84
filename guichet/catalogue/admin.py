"""Read-only admin of the declaration: it changes only by loading a new version from a file."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from guichet.catalogue.declaration_file import COMMITMENT_FIELDS
from guichet.catalogue.models import (
    Commitment,
    Declaration,
    QualitativeCommitment,
    Service,
    ServiceGroup,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Published commitments are never edited in place (see services.declaration_load)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CommitmentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Commitment
    extra = 0
    fields = readonly_fields = COMMITMENT_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyAdmin):
    list_display = ["title", "code", "version", "in_force_from", "in_force_to", "loaded_at"]


@admin.register(ServiceGroup)
class ServiceGroupAdmin(ReadOnlyAdmin):
    list_display = ["name_fr", "code", "declaration"]
    list_filter = ["declaration"]


@admin.register(Service)
class ServiceAdmin(ReadOnlyAdmin):
    list_display = ["name_fr", "code", "group", "kind", "audience", "partner"]
    list_filter = ["declaration", "group", "kind", "audience"]
    search_fields = ["code", "name_fr"]
    inlines = [CommitmentInline]


@admin.register(QualitativeCommitment)
class QualitativeCommitmentAdmin(ReadOnlyAdmin):
    list_display = ["text_fr", "section", "declaration"]
    list_filter = ["declaration", "section"]
