"""dossier_rectify: one identity field corrected at the privacy officer's request, recorded in
the history without the inexact value; anything else refused with nothing changed."""

from datetime import date
from typing import Any

import pytest
from django.test import Client

from guichet.dossiers import services
from guichet.dossiers.models import Dossier, EventKind
from guichet.testing import Personas, make_dossier

pytestmark = pytest.mark.django_db


def snapshot(dossier: Dossier) -> tuple[Any, ...]:
    dossier.refresh_from_db()
    return (dossier.version, dossier.birth_date, dossier.applicant_name, dossier.events.count())


def test_a_field_is_corrected_and_the_history_says_so(personas: Personas) -> None:
    dossier = make_dossier(personas)
    services.dossier_rectify(
        dossier=dossier,
        field_name="birth_date",
        value=date(1990, 7, 15),
        reference="DRP-2026-00001",
        actor=personas.supervisor,
    )
    dossier.refresh_from_db()
    assert dossier.birth_date == date(1990, 7, 15)
    event = dossier.events.order_by("-seq").first()
    assert event is not None
    assert (event.kind, event.actor_id, event.details) == (
        EventKind.RECTIFIED,
        personas.supervisor.pk,
        {
            "text": "Rectification (DRP-2026-00001) : date de naissance",
            "rectification": "DRP-2026-00001",
            "field": "birth_date",
        },
    )
    assert "1990-05-17" not in str(event.details)
    # The client reads it in their history under its own name.
    client = Client()
    client.force_login(personas.owner)
    page = client.get(f"/dossiers/{dossier.number}/").content.decode()
    assert "Renseignement rectifié à la demande du client" in page


@pytest.mark.parametrize(
    ("field_name", "value", "message"),
    [
        ("state", "decided", "Ce renseignement ne se rectifie pas ainsi."),
        ("birth_date", date(2999, 1, 1), "La date de naissance rectifiée doit être une date"),
        ("birth_date", "1990-07-15", "La date de naissance rectifiée doit être une date"),
        ("applicant_name", "  ", "Indiquez le renseignement exact."),
    ],
)
def test_anything_else_is_refused_and_nothing_changes(
    personas: Personas, field_name: str, value: Any, message: str
) -> None:
    dossier = make_dossier(personas)
    before = snapshot(dossier)
    with pytest.raises(services.DossierError, match=message):
        services.dossier_rectify(
            dossier=dossier,
            field_name=field_name,
            value=value,
            reference="DRP-2026-00001",
            actor=personas.supervisor,
        )
    assert snapshot(dossier) == before
