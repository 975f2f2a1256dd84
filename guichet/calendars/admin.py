"""Admin of the closure calendar. Every change goes through services.py, which keeps the old
row (retired) beside the new one, so nothing recorded is ever lost."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from guichet.calendars.models import CalendarYear, ClosureDay
from guichet.calendars.services import (
    ClosureDayError,
    calendar_year_confirm,
    check_closure_day,
    check_year_confirmable,
    closure_day_record,
    closure_day_replace,
    closure_day_retire,
)


class ClosureDayForm(forms.ModelForm):  # type: ignore[type-arg]
    reason = forms.CharField(label=_("Motif du changement"), max_length=200)

    class Meta:
        model = ClosureDay
        fields = ["date", "name"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, name = data.get("date"), data.get("name")
        if day is not None and name is not None:
            replacing = self.instance if self.instance.pk else None
            try:
                check_closure_day(day, name, replacing=replacing)
            except ClosureDayError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return data


class CurrentFilter(admin.SimpleListFilter):
    title = _("état")
    parameter_name = "etat"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("courant", _("En vigueur")), ("retire", _("Retiré ou remplacé"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "courant":
            return queryset.filter(retired_at__isnull=True)
        if self.value() == "retire":
            return queryset.filter(retired_at__isnull=False)
        return queryset


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ClosureDayForm
    list_display = ["date", "name", "recorded_at", "recorded_by", "retired_at", "reason"]
    list_filter = [CurrentFilter]
    date_hierarchy = "date"
    actions = ["retire_selected"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # retire instead: the row stays, with the date it stopped counting

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and (
            obj is None or obj.retired_at is None
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        user = request.user if request.user.is_authenticated else None
        reason = form.cleaned_data["reason"]
        try:
            if change:
                original = ClosureDay.objects.get(pk=obj.pk)
                new = closure_day_replace(
                    closure=original, day=obj.date, name=obj.name, user=user, reason=reason
                )
            else:
                new = closure_day_record(day=obj.date, name=obj.name, user=user, reason=reason)
        except ClosureDayError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        obj.pk = new.pk

    @admin.action(description=_("Retirer les jours sélectionnés (gardés dans l'historique)"))
    def retire_selected(self, request: HttpRequest, queryset: QuerySet[ClosureDay]) -> None:
        user = request.user if request.user.is_authenticated else None
        for closure in queryset.filter(retired_at__isnull=True):
            closure_day_retire(closure=closure, user=user, reason="retiré dans l'administration")


class CalendarYearForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CalendarYear
        fields = ["year"]

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        try:
            check_year_confirmable(year)
        except ClosureDayError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return year


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Adding a year here confirms it: its rule days become recorded, editable data."""

    form = CalendarYearForm
    list_display = ["year", "confirmed_at", "confirmed_by", "source"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        user = request.user if request.user.is_authenticated else None
        try:
            obj.pk = calendar_year_confirm(year=obj.year, user=user).pk
        except ClosureDayError as exc:
            self.message_user(request, str(exc), messages.ERROR)
