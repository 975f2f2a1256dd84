"""The Django admin of accounts. What it changes goes through the services that log it
(guichet/accounts/services/), with the administrator signed in as the actor: creating and
revoking API tokens, removing someone's authenticator application. Roles are not given here:
`is_staff`, `is_superuser`, groups and permissions are shown read-only, and the staff's roles
are given and taken back in the Administration area (/administration/), which keeps their
history."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guichet.accounts import services
from guichet.accounts.decorators import signed_in_user
from guichet.accounts.models import ApiToken, Signup, TotpDevice, User
from guichet.searches import SearchByPostAdmin


@admin.register(User)
class UserAdmin(SearchByPostAdmin[User], BaseUserAdmin):  # type: ignore[type-arg]
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("full_name",)}),
        (
            _("Droits"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    # Who may do what is given in the Administration area, where each change is a logged
    # service with a reason; here a POST cannot change them (Django ignores read-only fields).
    readonly_fields = ("is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(ApiToken)
class ApiTokenAdmin(SearchByPostAdmin[ApiToken]):
    """Tokens are created here (the secret is shown once) and revoked, never edited nor
    deleted: both go through the services, which write the access log."""

    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__email"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("name", "user")
        return ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(
        self, request: HttpRequest, obj: ApiToken | None = None
    ) -> tuple[str, ...]:
        if obj is None:
            return ()
        return ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return  # every field of an existing token is read-only
        token, secret = services.api_token_create(
            name=obj.name, user=obj.user, actor=signed_in_user(request)
        )
        # The admin goes on with `obj` (its history entry, the redirect): make it the token.
        obj.pk, obj.name, obj.key_hash, obj.prefix, obj.created_at = (
            token.pk,
            token.name,
            token.key_hash,
            token.prefix,
            token.created_at,
        )
        obj._state.adding = False
        messages.warning(
            request,
            gettext(
                "Secret du jeton « %(name)s » : %(secret)s — copiez-le maintenant, il ne "
                "sera plus jamais affiché."
            )
            % {"name": obj.name, "secret": secret},
        )

    @admin.action(description=_("Révoquer les jetons choisis"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        actor = signed_in_user(request)
        count = sum(
            services.api_token_revoke(token=token, actor=actor)
            for token in queryset.filter(revoked_at__isnull=True)
        )
        messages.success(request, gettext("Jetons révoqués : %(count)d.") % {"count": count})


@admin.register(TotpDevice)
class TotpDeviceAdmin(SearchByPostAdmin[TotpDevice]):
    """An administrator may remove the application of someone who lost it (after checking
    their identity); the secret is never shown and nothing is edited here. Removing goes
    through `totp_device_remove`, which logs the administrator as the actor."""

    list_display = ["user", "confirmed_at"]
    search_fields = ["user__email"]
    fields = ["user", "created_at", "confirmed_at"]
    readonly_fields = ["user", "created_at", "confirmed_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TotpDevice | None = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: TotpDevice) -> None:
        services.totp_device_remove(user=obj.user, actor=signed_in_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[TotpDevice]) -> None:
        actor = signed_in_user(request)
        for device in queryset.select_related("user"):
            services.totp_device_remove(user=device.user, actor=actor)


@admin.register(Signup)
class SignupAdmin(SearchByPostAdmin[Signup]):
    list_display = ["user", "requested_at", "activated_at"]
    list_filter = [("activated_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email"]
    readonly_fields = ["user", "requested_at", "activated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Signup | None = None) -> bool:
        return False
