"""The Administration area: memberships, global roles, units and their services, given and
taken back by an administrator, with re-authentication, history and the access log."""

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from guichet.accounts import services
from guichet.accounts.models import (
    AccessChange,
    AccessChangeKind,
    GlobalRole,
    Membership,
    RoleGrant,
    StaffRole,
    TotpDevice,
    Unit,
    UnitService,
    User,
)
from guichet.accounts.services import AdministrationError
from guichet.audit.models import AccessAction, AccessLog, SubjectKind
from guichet.dossiers.services import DossierError, dossier_assign
from guichet.testing import PASSWORD, Personas, addresses, assert_no_email_in, make_dossier

pytestmark = pytest.mark.django_db
REASON = "Arrivée dans l'équipe le 1er décembre"
TEST_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # noqa: S105 (a test secret)


def state() -> tuple[Any, ...]:
    """Everything an administration change could touch."""
    return (
        sorted(Membership.objects.values_list("user_id", "unit_id", "role")),
        sorted(RoleGrant.objects.values_list("user_id", "role")),
        sorted(UnitService.objects.values_list("unit_id", "service_code")),
        sorted(Unit.objects.values_list("code", flat=True)),
        AccessChange.objects.count(),
        AccessLog.objects.filter(action=AccessAction.CHANGE).count(),
    )


def signed_in(user: User, *, confirmed: bool = True) -> Client:
    """A session of `user`; `confirmed`: they gave their password again a moment ago."""
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    if confirmed:
        response = client.post("/accounts/confirmer/", {"password": PASSWORD})
        assert response.status_code == 302
    return client


def give_device(user: User) -> None:
    """A confirmed authenticator application (the secret of RFC 4226's examples)."""
    TotpDevice.objects.create(
        user=user, secret=TEST_SECRET, confirmed_at=datetime(2026, 1, 5, 14, tzinfo=UTC)
    )


@pytest.fixture
def newcomer(personas: Personas) -> User:
    return User.objects.create_user(
        "nouvelle.agente@example.org", PASSWORD, full_name="Noémie Nouvelle"
    )


def caq() -> Unit:
    return Unit.objects.get(code="caq")


# --- Services -----------------------------------------------------------------------------------


def test_membership_grant_and_revoke_round_trip(administrator: User, newcomer: User) -> None:
    membership = services.membership_grant(
        actor=administrator, user=newcomer, unit=caq(), role=StaffRole.AGENT, reason=REASON
    )
    assert (membership.user, membership.unit.code, membership.role) == (newcomer, "caq", "agent")
    services.membership_revoke(actor=administrator, membership=membership, reason="Départ")
    assert not Membership.objects.filter(user=newcomer).exists()

    history = list(AccessChange.objects.order_by("id"))
    assert [(c.kind, c.user, c.role, c.unit, c.actor, c.reason) for c in history] == [
        (AccessChangeKind.MEMBERSHIP_GRANTED, newcomer, "agent", caq(), administrator, REASON),
        (AccessChangeKind.MEMBERSHIP_REVOKED, newcomer, "agent", caq(), administrator, "Départ"),
    ]
    logged = list(AccessLog.objects.filter(action=AccessAction.CHANGE).order_by("id"))
    assert [(e.actor, e.person, e.subject_kind, e.subject_id) for e in logged] == [
        (administrator, newcomer, SubjectKind.PERSON, newcomer.pk)
    ] * 2
    assert [e.why for e in logged] == [
        "administration des droits d'accès : Affectation à une unité, Agent, unité caq "
        f"(historique n° {history[0].pk})",
        "administration des droits d'accès : Fin d'une affectation, Agent, unité caq "
        f"(historique n° {history[1].pk})",
    ]
    assert all(REASON not in e.why for e in logged)  # the reason stays out of the log


def test_role_grant_and_revoke_round_trip(administrator: User, newcomer: User) -> None:
    grant = services.role_grant(
        actor=administrator, user=newcomer, role=GlobalRole.COMMISSAIRE, reason=REASON
    )
    assert (grant.role, grant.granted_by) == (GlobalRole.COMMISSAIRE, administrator)
    services.role_grant_revoke(actor=administrator, grant=grant, reason="Fin du mandat")
    assert not RoleGrant.objects.filter(user=newcomer).exists()
    assert list(AccessChange.objects.order_by("id").values_list("kind", "role", "reason")) == [
        ("role_granted", "commissaire", REASON),
        ("role_revoked", "commissaire", "Fin du mandat"),
    ]
    assert AccessLog.objects.filter(person=newcomer, action=AccessAction.CHANGE).count() == 2


def test_an_agent_made_supervisor_of_the_same_unit_keeps_one_membership(
    administrator: User, personas: Personas
) -> None:
    services.membership_grant(
        actor=administrator,
        user=personas.agent,
        unit=caq(),
        role=StaffRole.SUPERVISOR,
        reason="Promotion",
    )
    assert list(Membership.objects.filter(user=personas.agent).values_list("role", flat=True)) == [
        "supervisor"
    ]
    assert list(AccessChange.objects.order_by("id").values_list("kind", "role")) == [
        ("membership_revoked", "agent"),
        ("membership_granted", "supervisor"),
    ]


def test_the_same_role_twice_is_refused(administrator: User, personas: Personas) -> None:
    before = state()
    with pytest.raises(AdministrationError, match="déjà agent de l'unité"):
        services.membership_grant(
            actor=administrator, user=personas.agent, unit=caq(), role=StaffRole.AGENT, reason="x"
        )
    services.role_grant(
        actor=administrator, user=personas.agent, role=GlobalRole.COMMISSAIRE, reason="x"
    )
    with pytest.raises(AdministrationError, match="déjà le rôle"):
        services.role_grant(
            actor=administrator, user=personas.agent, role=GlobalRole.COMMISSAIRE, reason="x"
        )
    assert state()[4] == before[4] + 1  # only the first grant was recorded


def test_an_administrator_cannot_give_themselves_a_role(administrator: User, micc: Any) -> None:
    unit = Unit.objects.create(code="dgi", name="Direction générale de l'immigration")
    before = state()
    with pytest.raises(AdministrationError, match="vous attribuer un rôle vous-même"):
        services.membership_grant(
            actor=administrator, user=administrator, unit=unit, role=StaffRole.AGENT, reason="x"
        )
    with pytest.raises(AdministrationError, match="vous attribuer un rôle vous-même"):
        services.role_grant(
            actor=administrator, user=administrator, role=GlobalRole.COMMISSAIRE, reason="x"
        )
    assert state() == before


def test_the_last_administrator_stays(administrator: User, newcomer: User) -> None:
    own = administrator.role_grants.get()
    before = state()
    with pytest.raises(AdministrationError, match="dernier administrateur"):
        services.role_grant_revoke(actor=administrator, grant=own, reason="x")
    assert state() == before

    # An inactive administrator does not count: they could not give roles.
    services.role_grant(
        actor=administrator, user=newcomer, role=GlobalRole.ADMINISTRATOR, reason=REASON
    )
    User.objects.filter(pk=newcomer.pk).update(is_active=False)
    with pytest.raises(AdministrationError, match="dernier administrateur"):
        services.role_grant_revoke(actor=administrator, grant=own, reason="x")

    User.objects.filter(pk=newcomer.pk).update(is_active=True)
    services.role_grant_revoke(actor=administrator, grant=own, reason="Relève assurée")
    assert list(RoleGrant.objects.values_list("user__email", flat=True)) == [newcomer.email]


def test_only_an_administrator_changes_roles(personas: Personas, newcomer: User) -> None:
    before = state()
    with pytest.raises(AdministrationError, match="Seul un administrateur"):
        services.membership_grant(
            actor=personas.supervisor,
            user=newcomer,
            unit=caq(),
            role=StaffRole.AGENT,
            reason="x",
        )
    with pytest.raises(AdministrationError, match="Seul un administrateur"):
        services.role_grant(
            actor=personas.supervisor, user=newcomer, role=GlobalRole.ADMINISTRATOR, reason="x"
        )
    assert state() == before


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_a_reason_is_required_and_bounded(administrator: User, newcomer: User, reason: str) -> None:
    before = state()
    with pytest.raises(AdministrationError, match="motif"):
        services.role_grant(
            actor=administrator, user=newcomer, role=GlobalRole.COMMISSAIRE, reason=reason
        )
    assert state() == before


def test_an_inactive_account_gets_no_role(administrator: User, newcomer: User) -> None:
    User.objects.filter(pk=newcomer.pk).update(is_active=False)
    newcomer.refresh_from_db()
    with pytest.raises(AdministrationError, match="pas actif"):
        services.role_grant(
            actor=administrator, user=newcomer, role=GlobalRole.COMMISSAIRE, reason="x"
        )
    assert not RoleGrant.objects.filter(user=newcomer).exists()


def test_a_client_becomes_staff_only_once_the_conflict_is_acknowledged(
    administrator: User, personas: Personas
) -> None:
    make_dossier(personas)  # filed by the owner, a client
    before = state()
    with pytest.raises(AdministrationError, match="1 dossier à son nom comme cliente"):
        services.membership_grant(
            actor=administrator,
            user=personas.owner,
            unit=caq(),
            role=StaffRole.AGENT,
            reason="x",
        )
    assert state() == before
    services.membership_grant(
        actor=administrator,
        user=personas.owner,
        unit=caq(),
        role=StaffRole.AGENT,
        reason=REASON,
        acknowledge_conflict=True,
    )
    assert AccessChange.objects.get().conflict_acknowledged is True


def test_a_service_belongs_to_one_unit_at_most(administrator: User, personas: Personas) -> None:
    csq = Unit.objects.get(code="csq")
    before = state()
    with pytest.raises(AdministrationError) as refused:
        services.unit_service_assign(
            actor=administrator, unit=csq, service_code="caq-etudiant", reason="x"
        )
    assert str(refused.value) == (
        "Le service « Demande ou renouvellement d'un certificat d'acceptation du Québec (CAQ) "
        "— étudiant étranger » relève déjà de l'unité « Direction de l'immigration "
        "temporaire ». Un service relève d'une seule unité : retirez-le-lui d'abord."
    )
    with pytest.raises(AdministrationError, match="Aucun service « inconnu »"):
        services.unit_service_assign(
            actor=administrator, unit=csq, service_code="inconnu", reason="x"
        )
    assert state() == before

    owned = UnitService.objects.get(service_code="caq-etudiant")
    services.unit_service_release(actor=administrator, unit_service=owned, reason="Réorganisation")
    services.unit_service_assign(
        actor=administrator, unit=csq, service_code="caq-etudiant", reason="Réorganisation"
    )
    assert UnitService.objects.get(service_code="caq-etudiant").unit == csq
    assert list(
        AccessChange.objects.order_by("id").values_list("kind", "unit__code", "service_code")
    ) == [
        ("service_released", "caq", "caq-etudiant"),
        ("service_assigned", "csq", "caq-etudiant"),
    ]
    # Not about a person: kept in the history, not in the access log.
    assert not AccessLog.objects.filter(action=AccessAction.CHANGE).exists()


def test_unit_codes_are_unique(administrator: User, personas: Personas) -> None:
    services.unit_create(actor=administrator, code="siq-mtl", name="SIQ Montréal", reason="x")
    with pytest.raises(AdministrationError, match="déjà le code « caq »"):
        services.unit_create(actor=administrator, code="CAQ", name="Doublon", reason="x")
    assert sorted(Unit.objects.values_list("code", flat=True)) == ["caq", "csq", "siq-mtl"]


def test_the_history_is_append_only(administrator: User, newcomer: User) -> None:
    services.role_grant(
        actor=administrator, user=newcomer, role=GlobalRole.COMMISSAIRE, reason=REASON
    )
    change = AccessChange.objects.get()
    change.reason = "réécrit"
    with pytest.raises(ValueError, match="ne se modifie pas"):
        change.save()
    with pytest.raises(ValueError, match="ne se supprime pas"):
        change.delete()
    assert AccessChange.objects.get().reason == REASON


def test_the_history_pages_by_a_hundred(administrator: User) -> None:
    AccessChange.objects.bulk_create(
        AccessChange(actor=administrator, kind=AccessChangeKind.UNIT_CREATED, reason=f"n° {i}")
        for i in range(105)
    )
    client = signed_in(administrator)

    first = client.get("/administration/historique/")

    assert [c.reason for c in first.context["changes"]] == [f"n° {i}" for i in range(104, 4, -1)]
    oldest_shown = AccessChange.objects.get(reason="n° 5").pk
    assert f'<a href="?avant={oldest_shown}">Changements plus anciens</a>' in first.content.decode()
    second = client.get("/administration/historique/", {"avant": oldest_shown})
    assert [c.reason for c in second.context["changes"]] == [f"n° {i}" for i in range(4, -1, -1)]
    assert "Changements plus anciens" not in second.content.decode()
    # Anything but a positive whole number is the first page.
    for bad in ("", "abc", "0", "-3", "1.5"):
        page = client.get("/administration/historique/", {"avant": bad})
        assert page.status_code == 200
        assert page.context["changes"] == first.context["changes"]


# --- Conflict of interest in the back office ---------------------------------------------------


def test_staff_never_see_nor_get_their_own_dossier(personas: Personas) -> None:
    own = make_dossier(personas, actor=personas.agent, client=personas.agent)
    agent, supervisor = signed_in(personas.agent), signed_in(personas.supervisor)
    assert agent.get(f"/bureau/dossiers/{own.number}/").status_code == 404
    assert supervisor.get(f"/bureau/dossiers/{own.number}/").status_code == 200
    with pytest.raises(DossierError, match="conflit d'intérêts"):
        dossier_assign(dossier=own, agent=personas.agent, actor=personas.supervisor)
    own.refresh_from_db()
    assert own.assigned_to is None


# --- Screens ------------------------------------------------------------------------------------


def test_a_change_asks_for_the_password_again(administrator: User, newcomer: User) -> None:
    client = signed_in(administrator, confirmed=False)
    url = f"/administration/personnes/{newcomer.pk}/roles/"
    data = {"role-role": "commissaire", "role-reason": REASON}
    before = state()
    response = client.post(
        url, data, HTTP_REFERER=f"http://testserver/administration/personnes/{newcomer.pk}/"
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/confirmer/?next=")
    assert state() == before

    assert client.post("/accounts/confirmer/", {"password": PASSWORD}).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == f"/administration/personnes/{newcomer.pk}/"
    assert list(RoleGrant.objects.filter(user=newcomer).values_list("role", flat=True)) == [
        "commissaire"
    ]


def test_grant_and_revoke_through_the_screens(administrator: User, newcomer: User) -> None:
    client = signed_in(administrator)
    response = client.post(
        f"/administration/personnes/{newcomer.pk}/affectations/",
        {
            "affectation-unit": caq().pk,
            "affectation-role": "supervisor",
            "affectation-reason": REASON,
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Noémie Nouvelle est maintenant superviseur de l&#x27;unité" in html
    membership = Membership.objects.get(user=newcomer)
    assert membership.role == "supervisor"

    page = client.get(f"/administration/affectations/{membership.pk}/fin/")
    assert page.status_code == 200
    assert "Mettre fin à une affectation" in page.content.decode()
    response = client.post(
        f"/administration/affectations/{membership.pk}/fin/", {"reason": "Départ"}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(user=newcomer).exists()
    history = client.get("/administration/historique/").content.decode()
    assert "Affectation à une unité" in history and "Fin d&#x27;une affectation" in history
    assert "Départ" in history


def test_a_new_staff_member_must_enrol_at_the_next_page(
    administrator: User, newcomer: User, settings: Any
) -> None:
    settings.GUICHET_STAFF_MFA_REQUIRED = True
    # The administrator proved their own second factor: give them an application.
    give_device(administrator)
    session = Client()
    assert session.login(username=newcomer.email, password=PASSWORD)
    assert session.get("/dossiers/").status_code == 200  # a client: no second factor needed

    services.membership_grant(
        actor=administrator, user=newcomer, unit=caq(), role=StaffRole.AGENT, reason=REASON
    )
    response = session.get("/dossiers/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/double-authentification/")


def test_the_page_warns_about_enrolment_and_conflict(
    administrator: User, personas: Personas, settings: Any
) -> None:
    settings.GUICHET_STAFF_MFA_REQUIRED = True
    give_device(administrator)
    make_dossier(personas)
    client = Client()
    client.force_login(administrator)
    session = client.session
    session["guichet_second_factor_verified"] = True
    session.save()
    html = client.get(f"/administration/personnes/{personas.owner.pk}/").content.decode()
    assert "Cette personne a 1 dossier à son nom comme cliente." in html
    assert "Guichet lui demandera d'en configurer une à sa prochaine page" in html
    assert 'name="role-acknowledge_conflict"' in html


def test_bad_input_changes_nothing(administrator: User, newcomer: User) -> None:
    client = signed_in(administrator)
    before = state()
    grant = f"/administration/personnes/{newcomer.pk}/affectations/"
    for data, message in [
        (
            {"affectation-unit": "999999", "affectation-role": "agent", "affectation-reason": "x"},
            "Choisissez une unité de la liste.",
        ),
        (
            {"affectation-unit": caq().pk, "affectation-role": "dieu", "affectation-reason": "x"},
            "Sélectionnez un choix valide",
        ),
        (
            {"affectation-unit": caq().pk, "affectation-role": "agent", "affectation-reason": ""},
            "Ce champ est obligatoire.",
        ),
        (
            {
                "affectation-unit": caq().pk,
                "affectation-role": "agent",
                "affectation-reason": "x" * 501,
            },
            "au plus 500 caractères",
        ),
        (
            {
                "affectation-unit": "<script>",
                "affectation-role": "agent",
                "affectation-reason": "x",
            },
            "Choisissez une unité de la liste.",
        ),
    ]:
        response = client.post(grant, data)
        assert response.status_code == 400
        assert message in response.content.decode()
    response = client.post(
        "/administration/unites/services/",
        {
            "service-service": "'; DROP TABLE accounts_unitservice; --",
            "service-unit": caq().pk,
            "service-reason": "x",
        },
    )
    assert response.status_code == 400
    response = client.post(
        "/administration/unites/nouvelle/",
        {
            "unite-code": "pas un code",
            "unite-name": "X",
            "unite-reason": "x",
        },
    )
    assert response.status_code == 400
    assert client.post("/administration/personnes/999999/roles/", {}).status_code == 404
    assert client.post("/administration/roles/999999/retrait/", {"reason": "x"}).status_code == 404
    assert state() == before


def test_the_last_administrator_is_told_why(administrator: User) -> None:
    client = signed_in(administrator)
    grant = administrator.role_grants.get()
    response = client.post(f"/administration/roles/{grant.pk}/retrait/", {"reason": "Départ"})
    assert response.status_code == 400
    assert "C&#x27;est le dernier administrateur" in response.content.decode()
    assert RoleGrant.objects.filter(pk=grant.pk).exists()


def test_an_administrator_who_steps_down_leaves_the_area(
    administrator: User, newcomer: User
) -> None:
    services.role_grant(
        actor=administrator, user=newcomer, role=GlobalRole.ADMINISTRATOR, reason=REASON
    )
    client = signed_in(administrator)
    grant = administrator.role_grants.get()
    response = client.post(f"/administration/roles/{grant.pk}/retrait/", {"reason": "Relève"})
    assert response["Location"] == "/accounts/accueil/"
    assert client.get("/administration/").status_code == 404


def test_nobody_else_changes_anything(personas: Personas, newcomer: User) -> None:
    before = state()
    membership = personas.agent.memberships.get()
    for user in (personas.supervisor, personas.agent, personas.owner):
        client = signed_in(user)
        for url, data in [
            (
                f"/administration/personnes/{newcomer.pk}/roles/",
                {"role-role": "administrator", "role-reason": "x"},
            ),
            (f"/administration/affectations/{membership.pk}/fin/", {"reason": "x"}),
            (
                "/administration/unites/nouvelle/",
                {"unite-code": "x", "unite-name": "X", "unite-reason": "x"},
            ),
        ]:
            assert client.post(url, data).status_code == 404
    assert state() == before


def test_find_a_person_by_email(administrator: User, newcomer: User) -> None:
    """The address is sent with POST; the answer is the person's page by account number:
    no address of the flow, nor the access log's, holds the e-mail address."""
    client = signed_in(administrator, confirmed=False)
    page = client.get("/administration/")
    assert '<form method="post" action="/administration/" novalidate>' in page.content.decode()
    before = AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client.post("/administration/", {"courriel": "NOUVELLE.agente@example.org"})
    assert response.status_code == 302
    assert response["Location"] == f"/administration/personnes/{newcomer.pk}/"
    person = client.get(response["Location"])
    assert person.status_code == 200
    assert_no_email_in(addresses(page) + addresses(response) + addresses(person), newcomer.email)
    assert list(AccessLog.objects.filter(pk__gt=before).values_list("path", flat=True)) == [
        f"/administration/personnes/{newcomer.pk}/"
    ]

    response = client.post("/administration/", {"courriel": "personne@example.org"})
    assert response.status_code == 404
    assert "Aucun compte n&#x27;a cette adresse courriel." in response.content.decode()
    assert_no_email_in(addresses(response), "personne@example.org")
    assert client.post("/administration/", {"courriel": "pas une adresse"}).status_code == 400
    # An address with ?courriel= is not a search: the list, the form empty.
    old = client.get("/administration/", {"courriel": newcomer.email})
    assert old.status_code == 200
    assert old.context["form"]["courriel"].value() is None
    assert_no_email_in(addresses(old), newcomer.email)


def test_finding_a_person_needs_the_csrf_token(administrator: User, newcomer: User) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=administrator.email, password=PASSWORD)
    response = client.post("/administration/", {"courriel": newcomer.email})
    assert response.status_code == 403
    client.get("/administration/")  # sets the CSRF cookie, as the page does for its form
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/administration/", {"courriel": newcomer.email, "csrfmiddlewaretoken": token}
    )
    assert (response.status_code, response["Location"]) == (
        302,
        f"/administration/personnes/{newcomer.pk}/",
    )


def test_the_staff_list_and_reading_a_person_is_logged(
    administrator: User, personas: Personas
) -> None:
    client = signed_in(administrator, confirmed=False)
    html = client.get("/administration/").content.decode()
    for person in (personas.agent, personas.other_agent, personas.supervisor, administrator):
        assert person.email in html
    assert personas.owner.email not in html  # a client is not staff
    client.get(f"/administration/personnes/{personas.agent.pk}/")
    read = AccessLog.objects.get(action=AccessAction.READ)
    assert (read.actor, read.person, read.subject_kind, read.why) == (
        administrator,
        personas.agent,
        SubjectKind.PERSON,
        "administration des droits d'accès : consultation",
    )


def test_own_page_has_no_forms(administrator: User) -> None:
    client = signed_in(administrator)
    html = client.get(f"/administration/personnes/{administrator.pk}/").content.decode()
    assert "Vous ne pouvez pas vous attribuer de rôle" in html
    assert '/roles/"' not in html and 'affectations/"' not in html


def test_units_screen_assigns_and_releases(administrator: User, personas: Personas) -> None:
    client = signed_in(administrator)
    html = client.get("/administration/unites/").content.decode()
    assert "Direction de l&#x27;immigration temporaire (caq)" in html
    assert "Services sans unité" in html
    release = client.post(
        "/administration/unites/services/caq-etudiant/retrait/", {"reason": "Réorganisation"}
    )
    assert release.status_code == 302
    assert not UnitService.objects.filter(service_code="caq-etudiant").exists()
    csq = Unit.objects.get(code="csq")
    response = client.post(
        "/administration/unites/services/",
        {"service-service": "caq-etudiant", "service-unit": csq.pk, "service-reason": "x"},
    )
    assert response.status_code == 302
    assert UnitService.objects.get(service_code="caq-etudiant").unit == csq
    refused = client.post(
        "/administration/unites/services/",
        {"service-service": "caq-etudiant", "service-unit": caq().pk, "service-reason": "x"},
    )
    assert refused.status_code == 400
    assert "relève déjà de l&#x27;unité « Direction de la sélection »" in refused.content.decode()
    assert UnitService.objects.get(service_code="caq-etudiant").unit == csq


def test_an_administrator_lands_on_the_area(administrator: User) -> None:
    client = signed_in(administrator, confirmed=False)
    response = client.get("/accounts/accueil/")
    assert response["Location"] == "/administration/"
    assert 'href="/administration/"' in client.get("/administration/").content.decode()
