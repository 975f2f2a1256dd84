"""Walk every URL of the project as every persona; fail on any unexpected access.

Each URL name must appear in ACCESS with what each persona gets. A new URL with no entry fails
this test: whoever adds a page decides, here, who may see it.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from guichet.dossiers import services
from guichet.privacy.models import InfoRequestKind
from guichet.privacy.services import info_request_submit
from guichet.testing import PASSWORD, Personas, checked, make_dossier, pdf_upload

pytestmark = pytest.mark.django_db

PERSONAS = (
    "anonymous",
    "owner",
    "other_client",
    "agent",
    "other_agent",
    "supervisor",
    "administrator",
)
OK, LOGIN, DENIED, METHOD, UNAUTHORIZED = "ok", "login", "denied", "method", "unauthorized"

EVERYONE_OK = dict.fromkeys(PERSONAS, OK)
SIGNED_IN_OK = {**EVERYONE_OK, "anonymous": LOGIN}
OWNER_ONLY = {
    "anonymous": LOGIN,
    "owner": OK,
    "other_client": DENIED,
    "agent": DENIED,
    "other_agent": DENIED,
    "supervisor": DENIED,
    "administrator": DENIED,
}
POST_ONLY_SIGNED_IN = {**dict.fromkeys(PERSONAS, METHOD), "anonymous": LOGIN}
UNIT_STAFF = {
    "anonymous": LOGIN,
    "owner": DENIED,
    "other_client": DENIED,
    "agent": OK,
    "other_agent": DENIED,
    "supervisor": OK,
    "administrator": DENIED,
}
ANY_STAFF = {**UNIT_STAFF, "other_agent": OK}
STAFF_POST_ONLY = {
    "anonymous": LOGIN,
    "owner": DENIED,
    "other_client": DENIED,
    "agent": METHOD,
    "other_agent": DENIED,
    "supervisor": METHOD,
    "administrator": DENIED,
}
API_TOKEN_ONLY = dict.fromkeys(PERSONAS, UNAUTHORIZED)
ADMINISTRATOR_ONLY = {**dict.fromkeys(PERSONAS, DENIED), "anonymous": LOGIN, "administrator": OK}
ADMINISTRATOR_POST_ONLY = {**ADMINISTRATOR_ONLY, "administrator": METHOD}

NOBODY_SIGNED_IN = {**dict.fromkeys(PERSONAS, DENIED), "anonymous": LOGIN}

ACCESS: dict[str, dict[str, str]] = {
    "catalogue:home": EVERYONE_OK,
    "portal:file_request": SIGNED_IN_OK,
    "portal:request_step": SIGNED_IN_OK,
    "portal:filed": OWNER_ONLY,
    "portal:answer_items": POST_ONLY_SIGNED_IN,
    "portal:my_dossiers": SIGNED_IN_OK,
    "portal:link_start": SIGNED_IN_OK,
    "portal:link_confirm": POST_ONLY_SIGNED_IN,
    "portal:dossier": OWNER_ONLY,
    "portal:change": OWNER_ONLY,
    "portal:letter": OWNER_ONLY,
    "portal:document": OWNER_ONLY,
    "portal:send_documents": POST_ONLY_SIGNED_IN,
    "portal:observations": POST_ONLY_SIGNED_IN,
    "portal:review": POST_ONLY_SIGNED_IN,
    "portal:withdraw": POST_ONLY_SIGNED_IN,
    # Mandates: the owner gives and revokes them; "Mes mandats" is for a consultant in the
    # register, and nobody of this walk is one (guichet/mandates/tests/ walks the consultant
    # through every portal URL of a dossier, with, without and after a mandate).
    "mandates:grant": OWNER_ONLY,
    "mandates:revoke": POST_ONLY_SIGNED_IN,
    "mandates:held": {**dict.fromkeys(PERSONAS, DENIED), "anonymous": LOGIN},
    # Meetings: this walk has no office and no meeting, so a meeting's pages are refused to
    # everyone and an office's to all staff (guichet/appointments/tests/test_views.py walks the
    # five personas through every page of a booked meeting and of its office).
    "appointments:index": SIGNED_IN_OK,
    "appointments:ask": SIGNED_IN_OK,
    "appointments:detail": NOBODY_SIGNED_IN,
    "appointments:slots": NOBODY_SIGNED_IN,
    "appointments:confirm": NOBODY_SIGNED_IN,
    "appointments:ics": NOBODY_SIGNED_IN,
    "appointments:wait": POST_ONLY_SIGNED_IN,
    "appointments:postpone": POST_ONLY_SIGNED_IN,
    "appointments:cancel": POST_ONLY_SIGNED_IN,
    "appointments_office:offices": NOBODY_SIGNED_IN,
    "appointments_office:day": NOBODY_SIGNED_IN,
    "appointments_office:worklist": NOBODY_SIGNED_IN,
    "appointments_office:capacity": NOBODY_SIGNED_IN,
    "appointments_office:step": {**STAFF_POST_ONLY, "other_agent": METHOD},
    "appointments_office:walk_in": {**STAFF_POST_ONLY, "other_agent": METHOD},
    "office:worklist": {**ANY_STAFF},
    "office:record_mail": {**ANY_STAFF},
    "office:dossier": UNIT_STAFF,
    "office:letter": UNIT_STAFF,
    "office:document": UNIT_STAFF,
    "office:action": {**STAFF_POST_ONLY, "other_agent": METHOD},
    "login": EVERYONE_OK,
    "logout": dict.fromkeys(PERSONAS, METHOD),
    "password_change": SIGNED_IN_OK,
    "password_change_done": SIGNED_IN_OK,
    "password_reset": EVERYONE_OK,
    "password_reset_done": EVERYONE_OK,
    "password_reset_confirm": EVERYONE_OK,
    "password_reset_complete": EVERYONE_OK,
    "after_login": SIGNED_IN_OK,
    "accounts:signup": EVERYONE_OK,
    "accounts:signup_sent": EVERYONE_OK,
    "accounts:signup_link": EVERYONE_OK,
    "accounts:signup_activate": EVERYONE_OK,
    "accounts:verify": SIGNED_IN_OK,
    "accounts:security": SIGNED_IN_OK,
    "accounts:enrol": SIGNED_IN_OK,
    # The code e-mailed before a staff member's first application: staff only.
    "accounts:enrol_mailbox": {**ANY_STAFF, "administrator": OK},
    "accounts:remove_device": POST_ONLY_SIGNED_IN,
    "accounts:reauth": SIGNED_IN_OK,
    "accounts:language": SIGNED_IN_OK,
    "accounts:language_end": POST_ONLY_SIGNED_IN,
    "accounts:set_language": dict.fromkeys(PERSONAS, METHOD),
    "api:openapi-json": EVERYONE_OK,
    "api:openapi-view": EVERYONE_OK,
    "api:file_dossier": dict.fromkeys(PERSONAS, METHOD),
    "api:dossier_status": API_TOKEN_ONLY,
    "api:dossier_events": API_TOKEN_ONLY,
    "api:api-root": dict.fromkeys(PERSONAS, DENIED),
    "api:unknown-path": dict.fromkeys(PERSONAS, DENIED),
    "privacy:policy": EVERYONE_OK,
    "privacy:policy_version": EVERYONE_OK,
    # The privacy officer's screens: nobody of the walk holds that role.
    **dict.fromkeys(
        (
            "privacy:home",
            "privacy:access_log",
            "privacy:access_log_export",
            "privacy:access_log_results",
            "privacy:access_log_results_export",
            "privacy:incidents",
            "privacy:incident_new",
            "privacy:incidents_export",
            "privacy:incident",
            "privacy:incident_edit",
            "privacy:incident_move",
            "privacy:legal_holds",
            "privacy:legal_hold_lift",
            "privacy:requests",
            "privacy:request",
            "privacy:request_extend",
            "privacy:request_answer_access",
            "privacy:request_rectify",
            "privacy:request_refuse",
            "privacy:request_file",
        ),
        {**dict.fromkeys(PERSONAS, DENIED), "anonymous": LOGIN},
    ),
    # A person's requests for access or rectification (the owner made one in the walk; the
    # file id is no file: downloads are walked in guichet/privacy/tests/test_request_screens.py).
    "privacy:my_info": SIGNED_IN_OK,
    "privacy:my_request": OWNER_ONLY,
    "privacy:my_request_file": {**dict.fromkeys(PERSONAS, DENIED), "anonymous": LOGIN},
    # The Administration area: administrators only; a change is a POST, after re-authentication.
    **dict.fromkeys(
        (
            "administration:home",
            "administration:person",
            "administration:membership_revoke",
            "administration:role_revoke",
            "administration:units",
            "administration:service_release",
            "administration:history",
        ),
        ADMINISTRATOR_ONLY,
    ),
    **dict.fromkeys(
        (
            "administration:membership_grant",
            "administration:role_grant",
            "administration:unit_create",
            "administration:service_assign",
        ),
        ADMINISTRATOR_POST_ONLY,
    ),
    # Complaints: anyone files one; a signed-in person reads their own (the walk has none: the
    # sample number is a dossier's); the Commissaire's office (nobody of the walk) does the
    # rest; guichet/complaints/tests/test_sealed.py walks every page with the Commissaire.
    "complaints:file": EVERYONE_OK,
    "complaints:sent": EVERYONE_OK,
    "complaints:mine": SIGNED_IN_OK,
    **dict.fromkeys(
        (
            "complaints:mine_detail",
            "complaints:office",
            "complaints:enter",
            "complaints:year",
            "complaints:office_detail",
            "complaints:letter",
            "complaints:dossier",
            "complaints:act",
            "complaints:recommendation_done",
        ),
        {**dict.fromkeys(PERSONAS, DENIED), "anonymous": LOGIN},
    ),
    # What the Commissaire recommends to a unit: its supervisors.
    "complaints:unit_recommendations": {
        **dict.fromkeys(PERSONAS, DENIED),
        "anonymous": LOGIN,
        "supervisor": OK,
    },
    # Surveys: the link of an invitation (the sample token is none), the client's consent.
    "surveys:answer": dict.fromkeys(PERSONAS, DENIED),
    "surveys:thanks": EVERYONE_OK,
    "surveys:consent": SIGNED_IN_OK,
    # Referrals: the public directory (the sample code is no partner's); an agent refers from a
    # dossier of their unit (none named here: 404), guichet/referrals/tests/.
    "referrals:directory": EVERYONE_OK,
    "referrals:partner": dict.fromkeys(PERSONAS, DENIED),
    "referrals:refer": {**dict.fromkeys(PERSONAS, DENIED), "anonymous": LOGIN},
    # The contact centre: any member of a unit answers voice messages and e-mails (the ones
    # walked here do not exist: guichet/contact/tests/ walks real ones as every persona).
    "contact:worklist": ANY_STAFF,
    **dict.fromkeys(
        ("contact:voice_message", "contact:voice_audio", "contact:enquiry", "contact:attachment"),
        {**dict.fromkeys(PERSONAS, DENIED), "anonymous": LOGIN},
    ),
    **dict.fromkeys(
        (
            "contact:voice_transcribe",
            "contact:voice_call_back",
            "contact:enquiry_answer",
            "contact:enquiry_link",
            "contact:eml_upload",
        ),
        {**STAFF_POST_ONLY, "other_agent": METHOD},
    ),
    # Results: the supervisors of a unit.
    **dict.fromkeys(
        (
            "reports:dashboard",
            "reports:dossiers",
            "reports:annual",
            "reports:annual_file",
            "reports:telephony",
        ),
        {**dict.fromkeys(PERSONAS, DENIED), "anonymous": LOGIN, "supervisor": OK},
    ),
}


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace else str(p.name)
            yield prefix + str(p.pattern), name


def concrete(route: str, values: dict[str, str]) -> str:
    path = route.replace("^(?P<rest>.*)$", "nulle-part")
    for key, value in values.items():
        for conv in ("str", "int", "slug", "path", "uuid"):
            path = path.replace(f"<{conv}:{key}>", value)
        path = path.replace(f"<{key}>", value)
    assert "<" not in path, f"no sample value for {route}"
    return "/" + path


def outcome(response: Any) -> str:
    code = response.status_code
    if code in (200, 302) and not (code == 302 and "/accounts/login/" in response["Location"]):
        return OK
    if code == 302:
        return LOGIN
    if code == 405:
        return METHOD
    if code == 401:
        return UNAUTHORIZED
    assert code in (403, 404), f"unexpected status {code}"
    return DENIED


def sample_values(personas: Personas, administrator: Any) -> dict[str, str]:
    """A dossier of the owner with a document and a letter, a request of the owner, and a value
    for every parameter of the URLs (used by tests/test_headers.py too)."""
    dossier = make_dossier(personas, documents=[checked(pdf_upload("passeport.pdf"))])
    letter = services.dossier_acknowledge(dossier=dossier, actor=personas.agent)
    info_request = info_request_submit(person=personas.owner, kind=InfoRequestKind.ACCESS)
    return {
        "request_id": str(info_request.pk),
        "file_id": "999999",
        "code": "caq-etudiant",
        "step": "coordonnees",
        "number": dossier.number,
        "letter_id": str(letter.pk),
        "document_id": str(dossier.documents.get().pk),
        "action": "decision",
        "uidb64": "MQ",
        "token": "jeton-invalide",
        "pk": "1",
        "move": "evaluer",
        "fiscal_year": "2025-2026",
        "fmt": "csv",
        "version": "1",
        "person_id": str(personas.agent.pk),
        "membership_id": str(personas.agent.memberships.get().pk),
        "grant_id": str(administrator.role_grants.get().pk),
        "ref": "recherche",
        "slot": "1",
    }


def test_every_url_as_every_persona(personas: Personas, administrator: Any) -> None:
    values = sample_values(personas, administrator)
    clients: dict[str, Client] = {"anonymous": Client()}
    for name, user in {**personas.all(), "administrator": administrator}.items():
        clients[name] = Client()
        assert clients[name].login(username=user.email, password=PASSWORD)

    routes = [(r, n) for r, n in walk(get_resolver().url_patterns) if not r.startswith("admin/")]
    missing = sorted({n for _, n in routes} - set(ACCESS))
    assert not missing, f"URLs with no entry in ACCESS: {missing}"
    surprises = []
    for route, name in routes:
        path = concrete(route, values)
        for persona in PERSONAS:
            got = outcome(clients[persona].get(path))
            expected = ACCESS[name].get(persona, "(no entry for this persona)")
            if got != expected:
                surprises.append(f"{name} {path} as {persona}: {got}, expected {expected}")
    assert surprises == []


@pytest.mark.parametrize("persona", ["owner", "agent", "supervisor"])
def test_the_admin_is_for_administrators_only(personas: Personas, persona: str) -> None:
    client = Client()
    client.login(username=personas.all()[persona].email, password=PASSWORD)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
