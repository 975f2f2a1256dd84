"""Loading the declaration file: the real MICC data, idempotence, versions, and refusals."""

from datetime import date
from pathlib import Path

import pytest

from guichet.catalogue.models import Commitment, Declaration, Service
from guichet.catalogue.services import LoadOutcome, declaration_in_force, declaration_load
from guichet.datafiles import DataFileError
from guichet.testing import MICC

pytestmark = pytest.mark.django_db


def test_every_service_of_the_reference_is_loaded(micc: Declaration) -> None:
    assert micc.version == "2023-04"
    assert micc.in_force_from == date(2023, 4, 1)
    assert list(micc.groups.values_list("code", flat=True)) == [
        "immigrer",
        "apprendre-francais",
        "integrer",
        "consultants",
        "entreprises",
        "renseignements",
        "plaintes",
    ]
    assert micc.services.count() == 41
    assert Commitment.objects.filter(service__declaration=micc).count() == 18
    assert micc.qualitative_commitments.count() == 16
    for service in micc.services.all():
        assert service.name_fr and service.name_en and service.name_es


@pytest.mark.parametrize(
    ("service", "code", "target", "unit", "starts_on", "stops_on"),
    [
        (
            "csq-travailleur-permanent",
            "csq-tp-ouverture",
            30,
            "business_days",
            "received",
            "acknowledged",
        ),
        ("csq-travailleur-temporaire-diplome", None, 20, "business_days", "received", "decided"),
        ("caq-etudiant", None, 20, "business_days", "received", "decided"),
        ("parrainage-familial", None, 20, "business_days", "received", "decided"),
        ("siq-rencontre-individuelle", None, 5, "business_days", "received", "meeting_held"),
        ("s-adapter-monde-travail", None, 15, "business_days", "received", "session_held"),
        ("evaluation-comparative", None, 15, "business_days", "received", "acknowledged"),
        (
            "accompagnement-ordre-professionnel",
            None,
            20,
            "business_days",
            "received",
            "accompaniment_started",
        ),
        ("renseignements-telephone", None, 180, "seconds", "call_queued", "call_answered"),
        ("renseignements-courriel", None, 5, "business_days", "received", "answered"),
        ("boite-vocale", None, 1, "business_days", "received", "answered"),
    ],
)
def test_commitments_of_domain_table(
    micc: Declaration,
    service: str,
    code: str | None,
    target: int,
    unit: str,
    starts_on: str,
    stops_on: str,
) -> None:
    # The punctuality of meetings is measured apart (test below).
    commitments = [
        c
        for c in Service.objects.get(declaration=micc, code=service).commitments.all()
        if "ponctualite" not in c.code
    ]
    assert len(commitments) == 1
    c = commitments[0]
    if code:
        assert c.code == code
    assert (c.target, c.unit, c.starts_on, c.stops_on) == (target, unit, starts_on, stops_on)


def test_the_appointment_time_is_a_commitment_in_seconds(micc: Declaration) -> None:
    """« Nous respectons l'heure de votre rendez-vous » with DOMAIN's tolerance: 10 minutes."""
    c = Commitment.objects.get(service__declaration=micc, code="siq-rencontre-ponctualite")
    assert (c.service.code, c.target, c.unit, c.starts_on, c.stops_on) == (
        "siq-rencontre-individuelle",
        600,
        "seconds",
        "appointment_time",
        "meeting_started",
    )


def test_french_courses_and_complaints_have_two_clocks(micc: Declaration) -> None:
    courses = Service.objects.get(declaration=micc, code="francais-temps-complet")
    assert [(c.target, c.starts_on, c.stops_on) for c in courses.commitments.all()] == [
        (20, "received", "admissibility_notice_sent"),
        (65, "admissibility_confirmed", "course_started"),
    ]
    complaints = Service.objects.get(declaration=micc, code="plaintes-commentaires")
    assert [(c.target, c.stops_on) for c in complaints.commitments.all()] == [
        (2, "acknowledged"),
        (10, "answered"),
    ]


def test_loading_twice_changes_nothing(micc: Declaration) -> None:
    again = declaration_load(path=MICC)
    assert again.outcome is LoadOutcome.UNCHANGED
    assert again.declaration.pk == micc.pk
    assert Declaration.objects.count() == 1
    assert Service.objects.count() == 41


def _variant(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    text = MICC.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "micc.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_new_version_keeps_the_old_one(micc: Declaration, tmp_path: Path) -> None:
    newer = _variant(
        tmp_path,
        ('version = "2023-04"', 'version = "2027-01"'),
        ("in_force_from = 2023-04-01\n", "in_force_from = 2027-01-01\n"),
    )
    text = newer.read_text(encoding="utf-8").replace(
        "in_force_from = 2023-04-01", "in_force_from = 2027-01-01"
    )
    text = text.replace("target = 30\n", "target = 25\n", 1)
    newer.write_text(text, encoding="utf-8")
    result = declaration_load(path=newer)
    assert result.outcome is LoadOutcome.LOADED
    assert Declaration.objects.count() == 2
    # A dossier received in 2026 is measured against the old version, one of 2027 the new.
    assert declaration_in_force(on=date(2026, 12, 31)) == micc
    assert declaration_in_force(on=date(2027, 1, 1)) == result.declaration
    assert declaration_in_force(on=date(2023, 3, 31)) is None
    old = Commitment.objects.get(service__declaration=micc, code="csq-tp-ouverture")
    new = Commitment.objects.get(service__declaration=result.declaration, code="csq-tp-ouverture")
    assert (old.target, new.target) == (30, 25)


def test_same_version_with_other_content_is_refused(micc: Declaration, tmp_path: Path) -> None:
    changed = _variant(tmp_path, ("target = 30\n", "target = 25\n"))
    with pytest.raises(DataFileError, match="version « 2023-04 » de « micc » est déjà chargée"):
        declaration_load(path=changed)
    assert Commitment.objects.get(code="csq-tp-ouverture").target == 30


@pytest.mark.parametrize(
    ("replacement", "message"),
    [
        (
            ('\nkind = "application"', '\nkind = "aplication"'),
            "services[2] « csq-travailleur-permanent », champ « kind » : « aplication » n'est pas "
            "une valeur permise",
        ),
        (
            ('group = "immigrer"', 'group = "immigration"'),
            "services[0] « evaluation-preliminaire », champ « group » : « immigration » n'est pas "
            "un groupe déclaré",
        ),
        (
            ("target = 30\n", "target = true\n"),
            "commitments[0], champ « target » : doit être un nombre entier, pas True",
        ),
        (
            ("target = 30\n", "target = 0\n"),
            "commitments[0], champ « target » : doit être au moins 1, pas 0",
        ),
        (('unit = "business_days"', 'unit = "days"'), "champ « unit » : « days »"),
        (('starts_on = "received"', 'starts_on = "filed"'), "champ « starts_on » : « filed »"),
        (
            ('code = "csq-ga-ouverture"', 'code = "csq-tp-ouverture"'),
            "champ « code » : « csq-tp-ouverture » : code d'engagement en double",
        ),
        (
            ("in_force_from = 2023-04-01\n\n#", 'in_force_from = "2023-04-01"\n\n#'),
            "[declaration], champ « in_force_from » : doit être une date AAAA-MM-JJ",
        ),
        (
            ('name_fr = "Pour immigrer au Québec"', 'nom = "Pour immigrer au Québec"'),
            "groups[0], champ « nom » : champ inconnu",
        ),
        (("[declaration]", "[declaration\n"), "TOML invalide"),
    ],
)
def test_an_error_names_file_entry_and_field_and_loads_nothing(
    db: None, tmp_path: Path, replacement: tuple[str, str], message: str
) -> None:
    bad = _variant(tmp_path, replacement)
    with pytest.raises(DataFileError) as excinfo:
        declaration_load(path=bad)
    line = str(excinfo.value)
    assert "\n" not in line
    assert line.startswith(f"{bad} : ")
    assert message in line
    assert Declaration.objects.count() == 0
    assert Service.objects.count() == 0


def test_a_commitment_cannot_start_before_its_declaration(db: None, tmp_path: Path) -> None:
    bad = _variant(tmp_path, ("in_force_from = 2023-04-01\n\n", "in_force_from = 2024-01-01\n\n"))
    with pytest.raises(DataFileError, match="précède l'entrée en vigueur de la déclaration"):
        declaration_load(path=bad)
    assert Declaration.objects.count() == 0


def test_performance_targets_are_loaded(micc: Declaration) -> None:
    targets = dict(
        Commitment.objects.filter(service__declaration=micc).values_list(
            "code", "performance_target"
        )
    )
    assert len(targets) == 18
    assert targets["caq-etudes-decision"] == 85
    assert targets["boite-vocale-reponse"] == 95
    assert all(t is not None and 1 <= t <= 100 for t in targets.values())


def _without_targets(tmp_path: Path) -> Path:
    text = "\n".join(
        line
        for line in MICC.read_text(encoding="utf-8").split("\n")
        if not line.startswith("performance_target")
    )
    path = tmp_path / "micc-sans-cibles.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_targets_can_be_added_once_to_a_version_loaded_without_them(tmp_path: Path) -> None:
    before = declaration_load(path=_without_targets(tmp_path)).declaration
    assert not Commitment.objects.filter(performance_target__isnull=False).exists()

    result = declaration_load(path=MICC)

    assert result.outcome is LoadOutcome.TARGETS_ADDED
    assert result.declaration.pk == before.pk
    assert Commitment.objects.get(code="caq-etudes-decision").performance_target == 85
    assert declaration_load(path=MICC).outcome is LoadOutcome.UNCHANGED
    # Once recorded, a target is published content: changing it is a new version.
    changed = _variant(tmp_path, ("performance_target = 85", "performance_target = 70"))
    with pytest.raises(DataFileError, match="déjà chargée avec un autre contenu"):
        declaration_load(path=changed)


def test_targets_cannot_ride_along_with_another_change(tmp_path: Path) -> None:
    declaration_load(path=_without_targets(tmp_path))
    changed = _variant(tmp_path, ("target = 30\n", "target = 25\n"))
    with pytest.raises(DataFileError, match="déjà chargée avec un autre contenu"):
        declaration_load(path=changed)
    assert not Commitment.objects.filter(performance_target__isnull=False).exists()


def test_a_performance_target_is_a_percentage(tmp_path: Path) -> None:
    bad = _variant(tmp_path, ("performance_target = 85", "performance_target = 120"))
    with pytest.raises(DataFileError, match="performance_target.*de 1 à 100, pas 120"):
        declaration_load(path=bad)
