"""The reply templates are kept in the admin; the telephony logs read so far are shown there,
never edited (calls, voice messages and enquiries change only through the services and the
staff pages, which write their history and the access log)."""

from django.contrib import admin
from django.http import HttpRequest

from guichet.contact.models import LogSource, ReplyTemplate


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin[ReplyTemplate]):
    list_display = ("name",)
    search_fields = ("name", "body")


@admin.register(LogSource)
class LogSourceAdmin(admin.ModelAdmin[LogSource]):
    list_display = ("path", "lines", "offset", "updated_at")
    readonly_fields = ("path", "offset", "prefix_sha256", "lines", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
