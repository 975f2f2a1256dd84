"""The directory of partner organizations, kept by administrators in the admin (the data file
loads it first, `guichet load-partners`); referrals are shown, never edited."""

from django.contrib import admin
from django.http import HttpRequest

from guichet.referrals.models import Partner, Referral


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin[Partner]):
    list_display = ("name", "code", "active")
    list_filter = ("active",)
    search_fields = ("name", "code")


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin[Referral]):
    list_display = ("referred_on", "partner", "need", "region", "origin")
    list_filter = ("origin", "need", "region")
    fields = ("referred_on", "partner", "need", "region", "origin", "referred_by", "unit")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
