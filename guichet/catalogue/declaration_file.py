"""Parse and validate a declaration file (`declarations/*.toml`) as a whole, before any load.

The schema is documented in docs/declarations.md. Every error names the file, the entry and the
field in one line; the first error stops the read, and nothing is loaded.
"""

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from guichet.catalogue.models import Audience, ClockEvent, CommitmentUnit, ServiceKind
from guichet.datafiles import DataFileError, Entry, read_toml

# The fields of a commitment, in the file and everywhere it is shown.
COMMITMENT_FIELDS = (
    "code",
    "label_fr",
    "target",
    "unit",
    "starts_on",
    "stops_on",
    "in_force_from",
    "in_force_to",
)


@dataclass(frozen=True)
class CommitmentData:
    code: str
    label_fr: str
    target: int
    unit: str
    starts_on: str
    stops_on: str
    in_force_from: date
    in_force_to: date | None


@dataclass(frozen=True)
class ServiceData:
    code: str
    group: str
    name_fr: str
    name_en: str
    name_es: str
    audience: str
    kind: str
    partner: bool
    commitments: tuple[CommitmentData, ...]


@dataclass(frozen=True)
class GroupData:
    code: str
    name_fr: str
    name_en: str
    name_es: str


@dataclass(frozen=True)
class QualitativeData:
    code: str
    section: str
    text_fr: str


@dataclass(frozen=True)
class DeclarationData:
    code: str
    version: str
    organization: str
    title: str
    in_force_from: date
    in_force_to: date | None
    groups: tuple[GroupData, ...]
    services: tuple[ServiceData, ...]
    qualitative: tuple[QualitativeData, ...]

    def checksum(self) -> str:
        """SHA-256 of the content, independent of the file's layout and comments."""
        canonical = json.dumps(asdict(self), sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


def _period(entry: Entry) -> tuple[date, date | None]:
    start = entry.req_day("in_force_from")
    end = entry.day("in_force_to", required=False)
    if end is not None and end < start:
        raise entry.error("in_force_to", f"{end} précède in_force_from {start}")
    return start, end


def _check_unique(entry: Entry, code: str, seen: set[str], what: str) -> None:
    if code in seen:
        raise entry.error("code", f"« {code} » : {what} en double")
    seen.add(code)


def _names(entry: Entry) -> tuple[str, str, str]:
    return entry.req_text("name_fr"), entry.req_text("name_en"), entry.req_text("name_es")


def parse_declaration(path: Path) -> DeclarationData:
    raw = read_toml(path)
    top = Entry(path, "fichier", raw)
    top.only(["declaration", "groups", "services", "qualitative"])
    head = Entry(path, "[declaration]", raw.get("declaration"))
    head.only(["code", "version", "organization", "title", "in_force_from", "in_force_to"])
    start, end = _period(head)

    groups: list[GroupData] = []
    group_codes: set[str] = set()
    for i, table in enumerate(top.tables("groups", required=True)):
        entry = Entry(path, f"groups[{i}]", table)
        entry.only(["code", "name_fr", "name_en", "name_es"])
        code = entry.code()
        _check_unique(entry, code, group_codes, "code de groupe")
        groups.append(GroupData(code, *_names(entry)))

    services: list[ServiceData] = []
    service_codes: set[str] = set()
    commitment_codes: set[str] = set()
    for i, table in enumerate(top.tables("services", required=True)):
        entry = Entry(path, f"services[{i}]", table)
        entry.only(
            [
                "code",
                "group",
                "name_fr",
                "name_en",
                "name_es",
                "audience",
                "kind",
                "partner",
                "commitments",
            ]
        )
        code = entry.code()
        entry.where = f"services[{i}] « {code} »"
        _check_unique(entry, code, service_codes, "code de service")
        group = entry.code("group")
        if group not in group_codes:
            raise entry.error("group", f"« {group} » n'est pas un groupe déclaré dans [[groups]]")
        commitments = tuple(
            _commitment(
                Entry(path, f"{entry.where}, commitments[{j}]", c), start, end, commitment_codes
            )
            for j, c in enumerate(entry.tables("commitments"))
        )
        services.append(
            ServiceData(
                code=code,
                group=group,
                **dict(zip(("name_fr", "name_en", "name_es"), _names(entry), strict=True)),
                audience=entry.choice("audience", Audience.values),
                kind=entry.choice("kind", ServiceKind.values),
                partner=entry.boolean("partner", default=False),
                commitments=commitments,
            )
        )

    qualitative: list[QualitativeData] = []
    qualitative_codes: set[str] = set()
    for i, table in enumerate(top.tables("qualitative")):
        entry = Entry(path, f"qualitative[{i}]", table)
        entry.only(["code", "section", "text_fr"])
        code = entry.code()
        _check_unique(entry, code, qualitative_codes, "code d'engagement qualitatif")
        qualitative.append(
            QualitativeData(code, entry.req_text("section"), entry.req_text("text_fr"))
        )

    if not services:
        raise top.error("services", "la déclaration doit compter au moins un service")
    return DeclarationData(
        code=head.code(),
        version=head.req_text("version"),
        organization=head.req_text("organization"),
        title=head.req_text("title"),
        in_force_from=start,
        in_force_to=end,
        groups=tuple(groups),
        services=tuple(services),
        qualitative=tuple(qualitative),
    )


def _commitment(entry: Entry, start: date, end: date | None, seen: set[str]) -> CommitmentData:
    entry.only(COMMITMENT_FIELDS)
    code = entry.code()
    _check_unique(entry, code, seen, "code d'engagement")
    c_start, c_end = _period(entry)
    if c_start < start:
        raise entry.error(
            "in_force_from", f"{c_start} précède l'entrée en vigueur de la déclaration ({start})"
        )
    if end is not None and (c_end is None or c_end > end):
        raise entry.error(
            "in_force_to", f"doit se terminer au plus tard le {end}, fin de la déclaration"
        )
    starts_on = entry.choice("starts_on", ClockEvent.values)
    stops_on = entry.choice("stops_on", ClockEvent.values)
    if starts_on == stops_on:
        raise entry.error(
            "stops_on", "le délai doit s'arrêter sur un autre événement que celui qui le démarre"
        )
    return CommitmentData(
        code=code,
        label_fr=entry.req_text("label_fr"),
        target=entry.integer("target", minimum=1),
        unit=entry.choice("unit", CommitmentUnit.values),
        starts_on=starts_on,
        stops_on=stops_on,
        in_force_from=c_start,
        in_force_to=c_end,
    )


__all__ = ["DataFileError", "DeclarationData", "parse_declaration"]
