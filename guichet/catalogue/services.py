"""State changes of the catalogue: loading a version of a declaration."""

import enum
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction

from guichet.catalogue.declaration_file import DeclarationData, parse_declaration
from guichet.catalogue.models import (
    Commitment,
    Declaration,
    QualitativeCommitment,
    RequiredDocument,
    Service,
    ServiceGroup,
)
from guichet.datafiles import DataFileError


class LoadOutcome(enum.StrEnum):
    LOADED = "loaded"
    UNCHANGED = "unchanged"
    # Performance targets were added to a version loaded before it had any (see below).
    TARGETS_ADDED = "targets_added"


@dataclass(frozen=True)
class DeclarationLoadResult:
    declaration: Declaration
    outcome: LoadOutcome


@transaction.atomic
def declaration_load(*, path: Path) -> DeclarationLoadResult:
    """Validate a declaration file as a whole, then load it as a new version.

    Loading the same version with the same content again changes nothing. A version already
    loaded with other content is refused: published commitments are never rewritten, a change
    is a new version with its own `in_force_from`, and the old one stays for the dossiers
    received while it was in force.
    """
    data = parse_declaration(path)
    checksum = data.checksum()
    existing = (
        Declaration.objects.select_for_update().filter(code=data.code, version=data.version).first()
    )
    if existing is not None:
        if existing.checksum != checksum and _only_targets_added(existing, data):
            _add_targets(existing, data, checksum)
            return DeclarationLoadResult(existing, LoadOutcome.TARGETS_ADDED)
        if existing.checksum != checksum:
            raise DataFileError(
                f"{path} : [declaration], champ « version » : la version « {data.version} » "
                f"de « {data.code} » est déjà chargée avec un autre contenu ; donnez une "
                "nouvelle version (et sa date d'entrée en vigueur) au contenu modifié"
            )
        return DeclarationLoadResult(existing, LoadOutcome.UNCHANGED)
    clash = Declaration.objects.filter(code=data.code, in_force_from=data.in_force_from).first()
    if clash is not None:
        raise DataFileError(
            f"{path} : [declaration], champ « in_force_from » : la version « {clash.version} » "
            f"entre déjà en vigueur le {data.in_force_from.isoformat()}"
        )
    return DeclarationLoadResult(_create(data, path, checksum), LoadOutcome.LOADED)


def _create(data: DeclarationData, path: Path, checksum: str) -> Declaration:
    declaration = Declaration.objects.create(
        code=data.code,
        version=data.version,
        organization=data.organization,
        title=data.title,
        in_force_from=data.in_force_from,
        in_force_to=data.in_force_to,
        source_name=path.name,
        checksum=checksum,
    )
    groups = {
        g.code: ServiceGroup.objects.create(
            declaration=declaration,
            code=g.code,
            position=i,
            name_fr=g.name_fr,
            name_en=g.name_en,
            name_es=g.name_es,
        )
        for i, g in enumerate(data.groups)
    }
    for i, s in enumerate(data.services):
        service = Service.objects.create(
            declaration=declaration,
            group=groups[s.group],
            code=s.code,
            position=i,
            name_fr=s.name_fr,
            name_en=s.name_en,
            name_es=s.name_es,
            audience=s.audience,
            kind=s.kind,
            partner=s.partner,
            fee_amount=s.fee_amount,
            fee_label_fr=s.fee_label_fr,
            recourse_fr=s.recourse_fr,
            review_service_code=s.review_service_code,
            review_within_days=s.review_within_days,
        )
        RequiredDocument.objects.bulk_create(
            RequiredDocument(
                service=service, code=d.code, position=j, label_fr=d.label_fr, required=d.required
            )
            for j, d in enumerate(s.documents)
        )
        Commitment.objects.bulk_create(
            Commitment(
                service=service,
                code=c.code,
                position=j,
                label_fr=c.label_fr,
                target=c.target,
                unit=c.unit,
                starts_on=c.starts_on,
                stops_on=c.stops_on,
                in_force_from=c.in_force_from,
                in_force_to=c.in_force_to,
                performance_target=c.performance_target,
            )
            for j, c in enumerate(s.commitments)
        )
    QualitativeCommitment.objects.bulk_create(
        QualitativeCommitment(
            declaration=declaration,
            code=q.code,
            position=i,
            section=q.section,
            text_fr=q.text_fr,
        )
        for i, q in enumerate(data.qualitative)
    )
    return declaration


def _only_targets_added(existing: Declaration, data: DeclarationData) -> bool:
    """True when the file differs from the loaded version only by performance targets that the
    loaded version does not have at all (it was loaded before targets were published)."""
    if existing.checksum != data.checksum(with_targets=False):
        return False
    loaded = Commitment.objects.filter(service__declaration=existing)
    return not loaded.filter(performance_target__isnull=False).exists()


def _add_targets(existing: Declaration, data: DeclarationData, checksum: str) -> None:
    """Record the performance targets of `data` on the commitments of `existing`.

    The wording, delays and periods stay as published; only the targets, absent until now, are
    written. Changing a target once recorded is a new version, like any other change. What is
    written here is listed in `models.WRITTEN_AFTER_LOADING`: the processes' caches of the
    catalogue leave those fields out (selectors.py).
    """
    targets = {(s.code, c.code): c.performance_target for s in data.services for c in s.commitments}
    for commitment in Commitment.objects.select_related("service").filter(
        service__declaration=existing
    ):
        commitment.performance_target = targets[(commitment.service.code, commitment.code)]
        commitment.save(update_fields=["performance_target"])
    existing.checksum = checksum
    existing.save(update_fields=["checksum"])


def declaration_in_force(*, code: str | None = None, on: date) -> Declaration | None:
    """The version in force on `on` (of `code`, or of the only declaration loaded)."""
    versions = Declaration.objects.in_force_on(on)
    if code is not None:
        versions = versions.filter(code=code)
    return versions.first()
