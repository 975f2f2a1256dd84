"""Who is who in the demo: the accounts with the published password, the units and their
agents, the made-up names of the other clients, and the accounts made from them."""

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from guichet.accounts.models import (
    GlobalRole,
    Membership,
    RoleGrant,
    StaffRole,
    Unit,
    UnitService,
    User,
)
from guichet.demo.reference import Catalogue

DEMO_PASSWORD = "demo-guichet"  # noqa: S105 — published on purpose: demo accounts only
DEMO_DOMAIN = "example.org"


@dataclass(frozen=True)
class Person:
    email: str
    full_name: str


CLIENT = Person("client@example.org", "Camille Demo-Tremblay")
AGENT = Person("agent@example.org", "Alex Agent-Demo")
SUPERVISOR = Person("superviseur@example.org", "Sam Superviseur-Demo")
PRIVACY_OFFICER = Person("confidentialite@example.org", "Jo Confidentialite-Demo")
ADMINISTRATOR = Person("administration@example.org", "Dominique Administration-Demo")
# A recognized immigration consultant holding mandates on two of the demo client's dossiers.
CONSULTANT = Person("consultant@example.org", "Noa Consultant-Demo")
CONSULTANT_NUMBER = "RC-DEMO-0001"
LOGINS = (
    CLIENT.email,
    AGENT.email,
    SUPERVISOR.email,
    PRIVACY_OFFICER.email,
    ADMINISTRATOR.email,
    CONSULTANT.email,
    "commissaire@example.org",
)


@dataclass(frozen=True)
class DemoUnit:
    code: str
    name: str
    agent: Person
    services: tuple[str, ...]


UNITS = (
    DemoUnit(
        "immigration-temporaire",
        "Direction de l'immigration temporaire",
        AGENT,
        ("caq-etudiant", "caq-travailleur-temporaire", "caq-traitement-medical"),
    ),
    DemoUnit(
        "selection-travailleurs",
        "Direction de la sélection des travailleurs",
        Person("agent2@example.org", "Dominique Agent-Demo"),
        (
            "csq-travailleur-permanent",
            "csq-travailleur-temporaire-diplome",
            "csq-gens-affaires",
            "csq-revision-administrative",
        ),
    ),
    DemoUnit(
        "parrainage",
        "Direction du parrainage",
        Person("agent3@example.org", "Claude Agent-Demo"),
        ("parrainage-familial", "parrainage-collectif"),
    ),
    DemoUnit(
        "francisation",
        "Direction de la francisation",
        Person("agent4@example.org", "Maxime Agent-Demo"),
        (
            "francais-temps-complet",
            "francais-temps-partiel",
            "francais-specialise",
            "francais-en-ligne",
            "aide-financiere-etudiants",
            "remboursement-cours-etranger",
        ),
    ),
    DemoUnit(
        "reconnaissance-competences",
        "Direction de la reconnaissance des compétences",
        Person("agent5@example.org", "Sacha Agent-Demo"),
        ("evaluation-comparative",),
    ),
    DemoUnit(
        "consultants-employeurs",
        "Direction des consultants et des employeurs",
        Person("agent6@example.org", "Andréa Agent-Demo"),
        ("consultant-reconnaissance", "validation-offre-emploi"),
    ),
)
SUPERVISED_UNIT = "immigration-temporaire"
# An application service the list above does not name (a later declaration) goes to the unit
# of its group.
UNIT_OF_GROUP = {
    "immigrer": "selection-travailleurs",
    "apprendre-francais": "francisation",
    "integrer": "reconnaissance-competences",
    "consultants": "consultants-employeurs",
    "entreprises": "consultants-employeurs",
}

# Generic names from many origins, combined at random: no real person is meant.
FIRST_NAMES = (
    "Amina", "Karim", "Sofia", "Mateo", "Lina", "Omar", "Chloé", "Jonathan", "Mei", "Arjun",
    "Fatou", "Diego", "Nadia", "Samuel", "Yasmine", "Hugo", "Aïcha", "Lucas", "Priya", "Thomas",
    "Ana", "Malik", "Élodie", "Kenji", "Léa", "Rafael", "Inès", "Minh", "Zoé", "Ibrahim",
)  # fmt: skip
LAST_NAMES = (
    "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Nguyen", "Diallo", "Martinez", "Haddad",
    "Chen", "Kumar", "Morin", "Lavoie", "Fortin", "Pelletier", "Traoré", "Garcia", "Benali",
    "Silva", "Santos", "Wang", "Okafor", "Dubois", "Rossi", "Kowalski", "Petrov", "Mendoza",
    "Osei", "Park", "Ahmed",
)  # fmt: skip
# Employers for the business services: words that say they are made up.
COMPANY_KINDS = ("Atelier", "Boulangerie", "Logiciels", "Transports", "Ferme", "Usinage")
COMPANY_NAMES = ("Exemple", "Modèle", "Fictif", "Démo", "Essai", "Prototype")
STREETS = ("rue de l'Exemple", "avenue des Essais", "boulevard du Modèle", "rue Fictive")
CITIES = ("Montréal", "Québec", "Sherbrooke", "Gatineau", "Trois-Rivières", "Saguenay")


@dataclass(frozen=True)
class Staff:
    agent: User
    assigner: User  # the supervisor where there is one, else the agent takes the dossier


def account(person: Person, password: str) -> User:
    user, _ = User.objects.update_or_create(
        email=person.email,
        defaults={"full_name": person.full_name, "password": password, "is_active": True},
    )
    return user


def units_and_staff(
    catalogue: Catalogue, password: str
) -> tuple[dict[str, int], dict[int, Staff], User]:
    """Units owning every application service, an agent in each, the supervisor of one."""
    units = {}
    agents = {}
    for spec in UNITS:
        unit, _ = Unit.objects.get_or_create(code=spec.code, defaults={"name": spec.name})
        agent = account(spec.agent, password)
        Membership.objects.get_or_create(user=agent, unit=unit, defaults={"role": StaffRole.AGENT})
        units[spec.code] = unit
        agents[unit.pk] = agent
    supervisor = account(SUPERVISOR, password)
    supervised = units[SUPERVISED_UNIT]
    Membership.objects.get_or_create(
        user=supervisor, unit=supervised, defaults={"role": StaffRole.SUPERVISOR}
    )
    officer = account(PRIVACY_OFFICER, password)
    RoleGrant.objects.get_or_create(user=officer, role=GlobalRole.PRIVACY_OFFICER)
    administrator = account(ADMINISTRATOR, password)
    RoleGrant.objects.get_or_create(user=administrator, role=GlobalRole.ADMINISTRATOR)
    declared = {code: spec.code for spec in UNITS for code in spec.services}
    owned = set(UnitService.objects.values_list("service_code", flat=True))
    for code in sorted(catalogue.codes() - owned):
        unit_code = declared.get(code) or UNIT_OF_GROUP.get(catalogue.group_of(code), UNITS[0].code)
        UnitService.objects.create(unit=units[unit_code], service_code=code)
    owner = dict(UnitService.objects.values_list("service_code", "unit_id"))
    staff = {}
    for unit_id in set(owner.values()):
        handler = agents.get(unit_id)
        if handler is None:  # a unit set up by hand: its first agent handles the demo dossiers
            first = (
                Membership.objects.filter(unit_id=unit_id, role=StaffRole.AGENT)
                .select_related("user")
                .order_by("pk")
                .first()
            )
            handler = first.user if first else None
        if handler is not None:
            staff[unit_id] = Staff(handler, supervisor if unit_id == supervised.pk else handler)
    return owner, staff, supervisor


def synthetic_clients(rng: random.Random, count: int) -> list[User]:
    emails = [f"client-{i:04d}@{DEMO_DOMAIN}" for i in range(1, count + 1)]
    names = [f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in emails]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    User.objects.bulk_create(
        [
            # No password: these people exist only as owners of dossiers.
            User(email=email, full_name=name, password=make_password(None))
            for email, name in zip(emails, names, strict=True)
            if email not in existing
        ],
        batch_size=500,
    )
    by_email = {u.email: u for u in User.objects.filter(email__in=emails)}
    return [by_email[e] for e in emails]


def postal_address(rng: random.Random) -> str:
    return f"{rng.randint(10, 9999)}, {rng.choice(STREETS)}\n{rng.choice(CITIES)} (Québec)  H0H 0H0"
