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


def declaration_in_force(*, code: str | None = None, on: date) -> Declaration | None:
    """The version in force on `on` (of `code`, or of the only declaration loaded)."""
    versions = Declaration.objects.in_force_on(on)
    if code is not None:
        versions = versions.filter(code=code)
    return versions.first()
