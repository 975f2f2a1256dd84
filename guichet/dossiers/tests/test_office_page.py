"""The office dossier page renders an action's form only when the agent opens it; the form
carries the version of the page the agent is looking at."""

from typing import Any

import pytest
from django.test import Client

from guichet.dossiers import services
from guichet.dossiers.models import Dossier
from guichet.testing import Personas, make_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(personas: Personas) -> Dossier:
    d: Dossier = make_dossier(personas)
    return d


@pytest.fixture
def agent(personas: Personas) -> Client:
    client = Client()
    client.force_login(personas.agent)
    return client


def test_forms_are_not_rendered_until_opened(agent: Client, dossier: Dossier) -> None:
    page = agent.get(f"/bureau/dossiers/{dossier.number}/").content.decode()
    assert 'name="decision-reasons"' not in page
    here = f"/bureau/dossiers/{dossier.number}/"
    assert f'hx-get="{here}?formulaire=decision&amp;version={dossier.version}"' in page
    # Without JavaScript, the link shows the page with that form open.
    assert f'href="{here}?formulaire=decision#action-decision"' in page
    opened = agent.get(f"/bureau/dossiers/{dossier.number}/", {"formulaire": "decision"})
    assert 'name="decision-reasons"' in opened.content.decode()


def test_the_fragment_keeps_the_version_of_the_page(
    agent: Client, dossier: Dossier, personas: Personas
) -> None:
    seen = dossier.version
    services.dossier_assign(dossier=dossier, agent=personas.agent, actor=personas.supervisor)
    fragment = agent.get(
        f"/bureau/dossiers/{dossier.number}/",
        {"formulaire": "decision", "version": str(seen)},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "<html" not in fragment and 'name="decision-reasons"' in fragment
    assert f'name="decision-version" value="{seen}"' in fragment
    # Deciding from that outdated form is refused and changes nothing.
    response = agent.post(
        f"/bureau/dossiers/{dossier.number}/decision/",
        {"decision-version": seen, "decision-decision": "accepted", "decision-reasons": "Complet."},
    )
    assert response.status_code == 400
    assert "vient de modifier ce dossier" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.decision == ""


def test_a_failed_action_shows_its_form_open_with_the_errors(
    agent: Client, dossier: Dossier
) -> None:
    response = agent.post(
        f"/bureau/dossiers/{dossier.number}/decision/",
        {"decision-version": dossier.version, "decision-decision": "accepted"},
    )
    page: Any = response.content.decode()
    assert response.status_code == 400
    assert '<details id="action-decision" open>' in page
    assert 'name="decision-reasons"' in page


def test_the_day_by_day_explanation_comes_when_asked(agent: Client, dossier: Dossier) -> None:
    url = f"/bureau/dossiers/{dossier.number}/"
    code = "caq-etudes-decision"
    page = agent.get(url).content.decode()
    assert "date de réception (jour 0)" not in page
    here = f"/bureau/dossiers/{dossier.number}/"
    assert f'hx-get="{here}?explication={code}"' in page
    assert f'href="{here}?explication={code}#explication-{code}"' in page
    opened = agent.get(url, {"explication": code}).content.decode()
    assert f'<details id="explication-{code}" open>' in opened
    assert "date de réception (jour 0)" in opened
    fragment = agent.get(url, {"explication": code}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "date de réception (jour 0)" in fragment
    assert agent.get(url, {"explication": "nope"}, HTTP_HX_REQUEST="true").status_code == 404
