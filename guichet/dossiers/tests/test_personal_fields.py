"""Every column of the dossiers' and accounts' models that hold personal information is
classified, personal or not: a field added or renamed without a decision fails here instead of
silently escaping the retention schedule (guichet purge)."""

from types import SimpleNamespace
from typing import Any

import pytest

from guichet.accounts.models import User
from guichet.dossiers.models import Dossier, DossierEvent


@pytest.mark.parametrize("model", [Dossier, DossierEvent, User])
def test_every_column_is_classified_once(model: Any) -> None:
    columns = {f.name for f in model._meta.concrete_fields}
    personal, kept = set(model.PERSONAL_FIELDS), set(model.NOT_PERSONAL)
    assert personal & kept == set()
    assert personal | kept == columns


def test_a_column_left_out_is_caught() -> None:
    # The Dossier's columns, with one more that nobody classified.
    fields = [*Dossier._meta.concrete_fields, SimpleNamespace(name="nickname")]
    probe = SimpleNamespace(
        _meta=SimpleNamespace(concrete_fields=fields),
        PERSONAL_FIELDS=Dossier.PERSONAL_FIELDS,
        NOT_PERSONAL=Dossier.NOT_PERSONAL,
    )
    with pytest.raises(AssertionError):
        test_every_column_is_classified_once(probe)


def test_anonymize_replaces_exactly_the_personal_fields() -> None:
    dossier = Dossier(
        number="2026-000001",
        applicant_name="Dominique Exemple",
        applicant_email="proprietaire@example.org",
        postal_address="100, rue de l'Exemple",
        passport_number="X1234567",
        federal_client_id="1234-5678",
        client_id=7,
    )
    assert sorted(dossier.anonymize()) == sorted(Dossier.PERSONAL_FIELDS)
    assert (
        dossier.client_id,
        dossier.applicant_name,
        dossier.applicant_email,
        dossier.postal_address,
        dossier.birth_date,
        dossier.passport_number,
        dossier.federal_client_id,
        dossier.number,
    ) == (None, "[anonymisé]", "", "[anonymisé]", None, "", "", "2026-000001")


def test_scrub_keeps_codes_and_staff_and_replaces_the_rest() -> None:
    event = DossierEvent(
        details={"decision": "accepted", "reasons": "Texte libre", "missing": ["a", "b"], "x": ""},
        actor_id=3,
        actor_label="Dominique Exemple",
    )
    event.scrub(client_id=3, staff_ids={9})
    assert event.details == {
        "decision": "accepted",
        "reasons": "[anonymisé]",
        "missing": ["[anonymisé]", "[anonymisé]"],
        "x": "",
    }
    assert (event.actor_id, event.actor_label) == (None, "[anonymisé]")
    staff_event = DossierEvent(details={}, actor_id=9, actor_label="Alex Agent")
    staff_event.scrub(client_id=3, staff_ids={9})
    assert (staff_event.actor_id, staff_event.actor_label) == (9, "Alex Agent")
