"""The offices, rooms, recurring schedules and slots in the administration area. A schedule's
slots are created by its action (never on a closure day); bookings are changed only through
the services (the portal and the office's day), so they are read-only here."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from guichet.appointments.models import Office, Room, Schedule, ScheduleException, Slot
from guichet.appointments.services import AppointmentError, schedule_generate


class RoomInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Room
    extra = 0


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "code", "region", "unit", "accessible", "active"]
    list_filter = ["region", "accessible", "active"]
    search_fields = ["name", "code"]
    inlines = [RoomInline]


class ExceptionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ScheduleException
    extra = 1


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["office", "service_code", "kind", "weekday", "start_time", "first_day", "weeks"]
    list_filter = ["office", "kind"]
    inlines = [ExceptionInline]
    actions = ["generate"]

    @admin.action(description="Créer les créneaux (sauf exceptions et jours de fermeture)")
    def generate(self, request: HttpRequest, queryset: QuerySet[Schedule]) -> None:
        made = 0
        for schedule in queryset:
            try:
                made += len(schedule_generate(schedule=schedule, actor=request.user))  # type: ignore[arg-type]
            except AppointmentError as exc:
                self.message_user(request, str(exc), messages.ERROR)
        self.message_user(request, f"{made} créneaux créés.")


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["starts_at", "office", "service_code", "kind", "mode", "capacity", "booked"]
    list_filter = ["office", "kind", "mode", "service_code"]
    date_hierarchy = "starts_at"
    readonly_fields = ["booked"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
