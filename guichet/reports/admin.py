"""Frozen reports, read-only: they change only through `guichet report --freeze`."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from guichet.reports.models import ReportSnapshot


@admin.register(ReportSnapshot)
class ReportSnapshotAdmin(admin.ModelAdmin[ReportSnapshot]):
    list_display = ["__str__", "frozen_at", "frozen_by_label", "checksum"]
    readonly_fields = ["fiscal_year", "frozen_at", "frozen_by", "frozen_by_label", "checksum"]
    exclude = ["content"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
