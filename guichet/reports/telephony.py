"""The supervisors' telephony page: service level per day and per half hour against the target,
the distribution of waits, abandonment, calls outside office hours, and the staffing of a
week (Erlang C) beside the agents who were logged in. Every chart has its table of the same
figures. The figures are the contact app's (guichet/contact/telephony.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from guichet.accounts.decorators import supervisor_required
from guichet.contact.telephony import TARGET_S, breakdown, slot_label, staffing_week
from guichet.reports import charts
from guichet.reports.forms import DateInput

TARGET_SHARE = 0.8
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi")


class TelephonyForm(forms.Form):
    du = forms.DateField(label=gettext_lazy("Du"), widget=DateInput())
    au = forms.DateField(label=gettext_lazy("Au"), widget=DateInput())
    file = forms.CharField(label=gettext_lazy("File d'attente"), required=False, max_length=80)
    semaine = forms.DateField(
        label=gettext_lazy("Semaine des effectifs (un jour de la semaine)"), widget=DateInput()
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("du"), data.get("au")
        if first and last and last < first:
            self.add_error("au", _("La fin de la période précède son début."))
        if first and last and (last - first).days > 400:
            self.add_error("au", _("Choisissez une période d'au plus 400 jours."))
        return data


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %".replace(".", ",")


def _texts(f: dict[str, Any]) -> dict[str, Any]:
    return {**f, "sl": _percent(f["service_level"]), "ar": _percent(f["abandonment_rate"])}


def _level_chart(chart_id: str, title: str, rows: list[tuple[str, dict[str, Any]]]) -> Any:
    bars = [
        charts.Bar(
            label=label,
            value=None if f["service_level"] is None else f["service_level"] * 100,
            text=_percent(f["service_level"]),
        )
        for label, f in rows
    ]
    return charts.bar_chart(
        chart_id=chart_id,
        title=title,
        description=_(
            "Niveau de service de chaque barre, face à la cible de 80 % ; le tableau qui suit "
            "donne les mêmes chiffres."
        ),
        bars=bars,
        maximum=100,
        ticks=[(0, "0 %"), (50, "50 %"), (100, "100 %")],
        target=(TARGET_SHARE * 100, _("cible 80 %")),
    )


@require_safe
@supervisor_required
def telephony_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("du", (today - timedelta(days=27)).isoformat())
    data.setdefault("au", today.isoformat())
    data.setdefault("semaine", today.isoformat())
    form = TelephonyForm(data)
    context: dict[str, Any] = {"form": form, "target_s": TARGET_S}
    if form.is_valid():
        first, last = form.cleaned_data["du"], form.cleaned_data["au"]
        queue = form.cleaned_data["file"] or None
        week: date = form.cleaned_data["semaine"]
        monday = week - timedelta(days=week.weekday())
        figures = breakdown(first, last, queue)
        days = [(d.isoformat(), _texts(f)) for d, f in figures.days]
        staffing = staffing_week(monday, TARGET_SHARE, TARGET_S, queue)
        context.update(
            period=(first, last),
            monday=monday,
            total=_texts(figures.total),
            days=days,
            slots=[(label, _texts(f)) for label, f in figures.slots],
            out_of_hours=figures.out_of_hours_days,
            wait_bins=figures.wait_bins,
            staffing=[
                {
                    "day": WEEKDAYS[r.weekday],
                    "slot": slot_label(r.slot),
                    "expected": f"{r.expected_calls:.1f}".replace(".", ","),
                    "aht": f"{r.aht_s:.0f}",
                    "agents": r.agents,
                    "level": _percent(r.service_level),
                    "logged_in": r.logged_in,
                    "short": r.logged_in < r.agents,
                }
                for r in staffing
            ],
            day_chart=_level_chart(
                "sl-days", _("Niveau de service par jour"), [(d[5:], f) for d, f in days]
            ),
            slot_chart=_level_chart(
                "sl-slots", _("Niveau de service par demi-heure"), figures.slots
            ),
            wait_chart=charts.bar_chart(
                chart_id="waits",
                title=_("Attente des appels répondus"),
                description=_(
                    "Nombre d'appels répondus par tranche d'attente ; le tableau qui suit donne "
                    "les mêmes chiffres."
                ),
                bars=[
                    charts.Bar(label=label, value=count, text=str(count))
                    for label, count in figures.wait_bins
                ],
                maximum=max([c for _l, c in figures.wait_bins] + [1]),
                ticks=[(0, "0")],
            ),
        )
    return render(
        request, "reports/telephony.html", context, status=200 if form.is_valid() else 400
    )
