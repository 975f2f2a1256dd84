"""Invitation links: the table keeps only a keyed hash of their secret; migration 0002 hashes
the tokens stored before, and those links still work; a link expires after 30 days."""

import importlib
from typing import Any

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from guichet.surveys.models import Invitation, Response, Source
from guichet.surveys.services import invitation_token_hash, survey_consent_set, survey_invite
from guichet.surveys.tests.test_surveys import ALL_GOOD
from guichet.testing import Personas

pytestmark = pytest.mark.django_db
OLD = "ancien-jeton-en-clair"  # noqa: S105 (a token as migration 0001 stored it)
MIGRATION = importlib.import_module("guichet.surveys.migrations.0002_invitation_token_hash")


def stored(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT token_hash FROM surveys_invitation WHERE id = %s", [pk])
        row = cursor.fetchone()
    assert row is not None
    return str(row[0])


def invite(personas: Personas, ref: str = "R-1") -> Invitation:
    survey_consent_set(user=personas.owner, agreed=True)
    invitation = survey_invite(
        person=personas.owner, source=Source.MEETING_HELD, source_ref=ref, service_code="x"
    )
    assert invitation is not None
    return invitation


@time_machine.travel("2027-03-01 10:00 -05:00", tick=False)
def test_only_a_keyed_hash_is_stored_and_the_link_works(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(personas)
    token = invitation.link_token
    assert len(token) == 43
    assert stored(invitation.pk) == invitation_token_hash(token)
    assert token not in stored(invitation.pk)
    assert Invitation.objects.get(pk=invitation.pk).link_token == ""
    assert f"/sondage/{token}/" in mail.outbox[0].body
    # The stored hash is not a link.
    assert Client().get(reverse("surveys:answer", args=[stored(invitation.pk)])).status_code == 404
    url = reverse("surveys:answer", args=[token])
    assert Client().post(url, ALL_GOOD).status_code == 302
    assert Response.objects.count() == 1
    assert Invitation.objects.get(pk=invitation.pk).answered


def test_the_migration_hashes_the_tokens_stored_before(personas: Personas) -> None:
    with time_machine.travel("2027-03-01 10:00 -05:00", tick=False):
        invitation = invite(personas)
        # As migration 0001 stored it: the link's secret itself.
        Invitation.objects.filter(pk=invitation.pk).update(token_hash=OLD)
        MIGRATION.hash_tokens(django_apps, None)
        assert stored(invitation.pk) == invitation_token_hash(OLD)
        assert Client().get(reverse("surveys:answer", args=[OLD])).status_code == 200
        assert (Client().post(reverse("surveys:answer", args=[OLD]), ALL_GOOD)).status_code == 302
    assert Response.objects.count() == 1


def test_a_link_expires_after_30_days(personas: Personas) -> None:
    with time_machine.travel("2027-03-01 10:00 -05:00", tick=False):
        invitation = invite(personas)
    url = reverse("surveys:answer", args=[invitation.link_token])
    with time_machine.travel("2027-03-31 10:00 -04:00", tick=False):
        assert Client().get(url).status_code == 200
    with time_machine.travel("2027-04-01 10:00 -04:00", tick=False):
        page = Client().get(url)
        assert page.status_code == 404
        assert "Ce lien de sondage a expiré." in page.content.decode()
        assert Client().post(url, ALL_GOOD).status_code == 404
    assert Response.objects.count() == 0
    assert not Invitation.objects.get(pk=invitation.pk).answered
