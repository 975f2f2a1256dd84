"""Forms of the results pages: the dashboard's filters, the drill-down and the annual report."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guichet.accounts.models import Unit, UnitService
from guichet.catalogue.models import Declaration, Service
from guichet.clock.calendar import FIRST_YEAR, LAST_YEAR
from guichet.dossiers.models import Channel
from guichet.reports import clocktable as ct
from guichet.reports.dashboard import (
    AGE_BUCKETS,
    OPEN_KINDS,
    STOPPED_KINDS,
    Drill,
    Filters,
    month_index,
)
from guichet.reports.fiscal import FiscalYear

FORMAT_LABELS = {"csv": "CSV", "xlsx": "Excel (XLSX)", "pdf": "PDF", "html": "HTML"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def default_period(today: date) -> tuple[date, date]:
    """The twelve months up to today: from the first day of the month eleven months back."""
    index = month_index(today) - 11
    year, month = divmod(index, 12)
    return date(1970 + year, month + 1, 1), today


class FilterForm(forms.Form):
    unite = forms.ChoiceField(label=_("Unité"), required=False)
    service = forms.ChoiceField(label=_("Service"), required=False)
    canal = forms.ChoiceField(
        label=_("Mode de réception"),
        required=False,
        choices=[("", _("Tous"))] + [(str(v), str(label)) for v, label in Channel.choices],
    )
    du = forms.DateField(label=_("Arrêtés du"), required=False, widget=DateInput())
    au = forms.DateField(label=_("au"), required=False, widget=DateInput())

    def __init__(self, data: Any, *, units: Sequence[Unit], today: date) -> None:
        super().__init__(data)
        self.units = list(units)
        self.today = today
        self._choices("unite").choices = [("", _("Toutes mes unités"))] + [
            (u.code, u.name) for u in self.units
        ]
        codes = UnitService.objects.filter(unit__in=self.units).values_list(
            "service_code", flat=True
        )
        names: dict[str, str] = {}
        # The name of each service in its latest version.
        for code, name in (
            Service.objects.filter(code__in=list(codes))
            .order_by("code", "-declaration__in_force_from")
            .values_list("code", "name_fr")
        ):
            names.setdefault(code, name)
        services: list[tuple[str, Any]] = sorted(names.items(), key=lambda item: item[1])
        self._choices("service").choices = [("", _("Tous")), *services]
        start, end = default_period(today)
        self.fields["du"].widget.attrs["placeholder"] = start.isoformat()
        self.fields["au"].widget.attrs["placeholder"] = end.isoformat()

    def _choices(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        return field

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = default_period(self.today)
        data["du"] = data.get("du") or start
        data["au"] = data.get("au") or end
        for name in ("du", "au"):
            if not FIRST_YEAR <= data[name].year <= LAST_YEAR:
                self.add_error(
                    name, _("Choisissez une date entre %(a)s et %(b)s.") % {"a": 1970, "b": 2100}
                )
        if not self.errors and data["du"] > data["au"]:
            self.add_error("au", _("La fin de la période précède son début."))
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        units = [u for u in self.units if not data.get("unite") or u.code == data["unite"]]
        services = None
        if data.get("service"):
            services = tuple(
                Service.objects.filter(code=data["service"]).values_list("pk", flat=True)
            )
        channel = ct.CHANNELS.index(data["canal"]) + 1 if data.get("canal") else None
        return Filters(
            units=tuple(u.pk for u in units),
            services=services,
            channel=channel,
            start=data["du"],
            end=data["au"],
        )

    def query(self) -> dict[str, str]:
        """The filters as query parameters, for links that keep them."""
        data = self.cleaned_data
        found = {
            "unite": data.get("unite") or "",
            "service": data.get("service") or "",
            "canal": data.get("canal") or "",
            "du": data["du"].isoformat(),
            "au": data["au"].isoformat(),
        }
        return {k: v for k, v in found.items() if v}


_MONTH = re.compile(r"(\d{4})-(\d{2})")
WHAT_CHOICES = [
    ("arretes", _("Délais arrêtés")),
    ("respectes", _("Délais respectés")),
    ("non-respectes", _("Délais non respectés")),
    ("ouverts", _("Dossiers ouverts")),
    ("en-retard", _("Dossiers ouverts en retard")),
    ("a-risque", _("Dossiers ouverts à risque")),
    ("dans-les-temps", _("Dossiers ouverts dans les temps")),
    ("suspendus", _("Dossiers ouverts suspendus (documents attendus)")),
    ("age", _("Dossiers ouverts selon leur âge")),
]
assert {w for w, _label in WHAT_CHOICES} == {*STOPPED_KINDS, "ouverts", *OPEN_KINDS, "age"}  # noqa: S101


class DrillForm(FilterForm):
    quoi = forms.ChoiceField(label=_("Quoi"), choices=WHAT_CHOICES, required=False)
    engagement = forms.IntegerField(label=_("Engagement"), required=False, min_value=1)
    mois = forms.CharField(label=_("Mois"), required=False, max_length=7)
    age = forms.ChoiceField(
        label=_("Âge"), required=False, choices=[("", "")] + [(b[0], b[1]) for b in AGE_BUCKETS]
    )
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1)

    def clean_mois(self) -> int | None:
        text = self.cleaned_data.get("mois") or ""
        if not text:
            return None
        found = _MONTH.fullmatch(text)
        if not found or not 1 <= int(found.group(2)) <= 12:
            raise forms.ValidationError(_("Un mois s'écrit AAAA-MM."))
        return month_index(date(int(found.group(1)), int(found.group(2)), 1))

    def drill(self) -> Drill:
        data = self.cleaned_data
        return Drill(
            what=data.get("quoi") or "arretes",
            commitment=data.get("engagement"),
            month=data.get("mois"),
            age=data.get("age") or None,
        )


def fiscal_year_choices(today: date) -> list[tuple[str, str]]:
    """From the fiscal year of the first declaration to the current one, newest first."""
    first = Declaration.objects.order_by("in_force_from").values_list("in_force_from", flat=True)
    start = FiscalYear.of(first[0]) if first else FiscalYear.of(today)
    current = FiscalYear.of(today)
    years = [FiscalYear(y) for y in range(current.start_year, start.start_year - 1, -1)]
    return [(fy.label, fy.label) for fy in years]


class AnnualReportForm(forms.Form):
    exercice = forms.ChoiceField(label=_("Exercice financier"))

    def __init__(self, data: Any, *, today: date) -> None:
        super().__init__(data)
        choices = fiscal_year_choices(today)
        field = self.fields["exercice"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = choices
        closed = [c for c in choices if FiscalYear.parse(c[0]).is_closed(today)]
        self.fields["exercice"].initial = (closed or choices)[0][0]

    def fiscal_year(self) -> FiscalYear:
        return FiscalYear.parse(self.cleaned_data["exercice"])
