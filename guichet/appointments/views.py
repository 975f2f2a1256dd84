"""Meetings in the portal (the client: ask, choose a slot, confirm, postpone, cancel, past
meetings) and in the back office (an office's day, its worklist and its capacity ahead).

Every page reaches its object through an access-scoped getter (selectors.py): a client only
their own requests, staff only the offices of their units; anything else is a 404 and nothing
changes.
"""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from guichet.accounts.decorators import signed_in_user, staff_required
from guichet.appointments import services
from guichet.appointments.clocks import clock_of
from guichet.appointments.forms import DayForm, RequestForm, WalkInForm
from guichet.appointments.ics import invitation
from guichet.appointments.measures import ended_apart
from guichet.appointments.models import (
    AppointmentRequest,
    BookingState,
    Mode,
    RequestState,
)
from guichet.appointments.presentation import service_name
from guichet.appointments.selectors import (
    booking_get_for_staff,
    bookings_of_day,
    capacity_ahead,
    live_booking,
    log_staff_read,
    offered_slots,
    office_get_for_staff,
    offices_of,
    request_get_for_client,
    requests_of_client,
    slot_offered_to,
    worklist,
)

# --- Portal -----------------------------------------------------------------------------------


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    current: list[dict[str, object]] = []
    past: list[dict[str, object]] = []
    for r in requests_of_client(user).order_by("-requested_at", "-pk"):
        row = {"request": r, "name": service_name(r.service_code), "booking": live_booking(r)}
        (current if r.is_active else past).append(row)
    return render(request, "appointments/portal/index.html", {"current": current, "past": past})


@login_required
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.request_create(
                client=user,
                service_code=data["service"],
                office=data["office"],
                actor=user,
                mode=Mode(data["mode"]),
                interpreter_language=data["interpreter_language"],
                sign_language=data["sign_language"],
                accessible_room=data["accessible_room"],
                child_care=data["child_care"],
            )
        except services.AppointmentError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("appointments:slots", pk=created.pk)
    return render(
        request, "appointments/portal/ask.html", {"form": form}, status=400 if form.errors else 200
    )


def _client_request(request: HttpRequest, pk: int) -> AppointmentRequest:
    return request_get_for_client(signed_in_user(request), pk)


@login_required
@require_safe
def slots(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _client_request(request, pk)
    if appointment.state != RequestState.OPEN:
        return redirect("appointments:detail", pk=pk)
    offers = offered_slots(appointment)
    return render(
        request,
        "appointments/portal/slots.html",
        {
            "appointment": appointment,
            "name": service_name(appointment.service_code),
            "keeping": [o for o in offers if o.keeps_promise],
            "later": [o for o in offers if not o.keeps_promise],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, pk: int, slot: int) -> HttpResponse:
    """Check your answers, then book (one service call)."""
    user = signed_in_user(request)
    appointment = _client_request(request, pk)
    if appointment.state != RequestState.OPEN:
        return redirect("appointments:detail", pk=pk)
    chosen = slot_offered_to(appointment, slot)
    error = None
    if request.method == "POST":
        try:
            services.booking_create(request=appointment, slot=chosen, actor=user)
        except services.BookingError as exc:
            error = str(exc)
        else:
            return redirect(f"{appointment_url(pk)}?confirme=1")
    return render(
        request,
        "appointments/portal/confirm.html",
        {
            "appointment": appointment,
            "slot": chosen,
            "name": service_name(appointment.service_code),
            "error": error,
        },
        status=409 if error else 200,
    )


def appointment_url(pk: int) -> str:
    return reverse("appointments:detail", kwargs={"pk": pk})


@login_required
@require_POST
def wait(request: HttpRequest, pk: int, slot: int) -> HttpResponse:
    user = signed_in_user(request)
    appointment = _client_request(request, pk)
    chosen = slot_offered_to(appointment, slot)
    try:
        services.waiting_join(request=appointment, slot=chosen, actor=user)
    except services.AppointmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "Vous êtes sur la liste d'attente de cette séance. Si une place se libère, elle "
                "vous est attribuée et vous recevez un courriel."
            ),
        )
    return redirect("appointments:slots", pk=pk)


@login_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _client_request(request, pk)
    booking = live_booking(appointment)
    return render(
        request,
        "appointments/portal/detail.html",
        {
            "appointment": appointment,
            "name": service_name(appointment.service_code),
            "booking": booking,
            "clock": clock_of(appointment, timezone.localdate()),
            "confirmed": request.GET.get("confirme") == "1" and booking is not None,
            "next": getattr(appointment, "next", None)
            if appointment.state == RequestState.POSTPONED
            else None,
            "can_change": appointment.is_active
            and (booking is None or booking.state == BookingState.BOOKED),
        },
    )


@login_required
@require_POST
def postpone(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    appointment = _client_request(request, pk)
    try:
        new = services.request_postpone(request=appointment, actor=user)
    except services.AppointmentError as exc:
        messages.error(request, str(exc))
        return redirect("appointments:detail", pk=pk)
    messages.success(
        request,
        _(
            "Votre rendez-vous est reporté. Choisissez un nouveau créneau : le délai promis "
            "compte à partir d'aujourd'hui."
        ),
    )
    return redirect("appointments:slots", pk=new.pk)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    appointment = _client_request(request, pk)
    booking = live_booking(appointment)
    try:
        if booking is None or booking.state != BookingState.BOOKED:
            raise services.AppointmentError(_("Aucun rendez-vous à venir à annuler."))
        services.booking_cancel(booking=booking, actor=user)
    except services.AppointmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Votre rendez-vous est annulé."))
    return redirect("appointments:detail", pk=pk)


@login_required
@require_safe
def ics(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _client_request(request, pk)
    booking = live_booking(appointment)
    if booking is None or booking.slot is None:
        raise Http404("Aucun rendez-vous")
    office = appointment.office
    body = invitation(
        booking,
        summary=service_name(appointment.service_code),
        location=f"{office.name}, {office.address}",
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rendez-vous.ics"'
    return response


# --- Back office (staff screens are in French) ------------------------------------------------


@staff_required
@require_safe
def office_list(request: HttpRequest) -> HttpResponse:
    offices = list(offices_of(signed_in_user(request)))
    if not offices:
        raise Http404("Page introuvable")
    return render(request, "appointments/office/offices.html", {"offices": offices})


@staff_required
@require_safe
def office_day(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in_user(request)
    office = office_get_for_staff(user, code)
    form = DayForm(request.GET or None)
    day = (form.cleaned_data["jour"] if form.is_valid() else None) or timezone.localdate()
    bookings = bookings_of_day(office, day)
    log_staff_read(user, [b.request for b in bookings], why="journée du bureau")
    return render(
        request,
        "appointments/office/day.html",
        {
            "office": office,
            "day": day,
            "form": form,
            "bookings": bookings,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "walk_in": WalkInForm(office=office),
            "names": {c: service_name(c) for c in office.services},
        },
    )


STEPS = {
    "arrivee": services.booking_check_in,
    "debut": services.booking_start,
    "tenu": services.booking_hold,
    "absence": services.booking_no_show,
}


@staff_required
@require_POST
def office_step(request: HttpRequest, code: str, pk: int, step: str) -> HttpResponse:
    user = signed_in_user(request)
    office = office_get_for_staff(user, code)
    booking = booking_get_for_staff(user, pk, why="journée du bureau")
    if booking.request.office_id != office.pk or (step not in STEPS and step != "annuler"):
        raise Http404("Rendez-vous introuvable")
    try:
        if step == "annuler":
            services.booking_cancel(booking=booking, actor=user, by_ministry=True)
        else:
            STEPS[step](booking=booking, actor=user)
    except services.AppointmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "C'est inscrit.")
    day = (
        timezone.localtime(booking.slot.starts_at).date() if booking.slot else timezone.localdate()
    )
    return redirect(f"{request.path.split('/reservations/')[0]}/?jour={day.isoformat()}")


@staff_required
@require_POST
def office_walk_in(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in_user(request)
    office = office_get_for_staff(user, code)
    form = WalkInForm(request.POST, office=office)
    if form.is_valid():
        services.walk_in_record(
            office=office,
            service_code=form.cleaned_data["service"],
            name=form.cleaned_data["name"],
            actor=user,
        )
        messages.success(request, "Arrivée sans rendez-vous inscrite.")
    else:
        messages.error(request, "Donnez le nom de la personne et le service.")
    return redirect("appointments_office:day", code=office.code)


@staff_required
@require_safe
def office_worklist(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in_user(request)
    office = office_get_for_staff(user, code)
    items = worklist(office, timezone.localdate())
    log_staff_read(user, [i.request for i in items], why="demandes du bureau")
    return render(
        request,
        "appointments/office/worklist.html",
        {
            "office": office,
            "items": items,
            "names": {c: service_name(c) for c in office.services},
            "today": timezone.localdate(),
        },
    )


@staff_required
@require_safe
def office_capacity(request: HttpRequest, code: str) -> HttpResponse:
    office = office_get_for_staff(signed_in_user(request), code)
    today = timezone.localdate()
    first = date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    apart = ended_apart(first, today, [office.unit_id])
    return render(
        request,
        "appointments/office/capacity.html",
        {
            "office": office,
            "today": today,
            "rows": [
                {"name": service_name(c.service_code), "capacity": c}
                for c in capacity_ahead(office, today, office.services)
            ],
            "apart": [
                {"name": service_name(code), "counts": counts} for code, counts in apart.items()
            ],
            "fiscal_first": first,
        },
    )
