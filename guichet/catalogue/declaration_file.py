"""Parse and validate a declaration file (`declarations/*.toml`) as a whole, before any load.

The schema is documented in docs/declarations.md. Every error names the file, the entry and the
field in one line; the first error stops the read, and nothing is loaded.
"""

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
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
    "performance_target",
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
    # Share of the clocks that should meet the commitment, in percent (e.g. 90), if published.
    performance_target: int | None = None


@dataclass(frozen=True)
class DocumentData:
    code: str
    label_fr: str
    required: bool


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
    documents: tuple[DocumentData, ...] = ()
    fee_amount: Decimal | None = None
    fee_label_fr: str = ""
    recourse_fr: str = ""
    review_service_code: str = ""
    review_within_days: int | None = None


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

    def checksum(self, *, with_targets: bool = True) -> str:
        """SHA-256 of the content, independent of the file's layout and comments.

        A commitment without a performance target leaves no trace in it, so a file written
        before targets existed keeps its checksum. `with_targets=False` leaves out every target,
        to recognise a loaded version to which only targets were added.
        """
        content = asdict(self)
        for service in content["services"]:
            for commitment in service["commitments"]:
                if not with_targets or commitment["performance_target"] is None:
                    del commitment["performance_target"]
        canonical = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
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
                "documents",
                "fee",
                "recourse",
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
        documents = _documents(path, entry)
        fee_amount, fee_label = _fee(path, entry)
        recourse, review_service, review_days = _recourse(path, entry)
        services.append(
            ServiceData(
                code=code,
                group=group,
                **dict(zip(("name_fr", "name_en", "name_es"), _names(entry), strict=True)),
                audience=entry.choice("audience", Audience.values),
                kind=entry.choice("kind", ServiceKind.values),
                partner=entry.boolean("partner", default=False),
                commitments=commitments,
                documents=documents,
                fee_amount=fee_amount,
                fee_label_fr=fee_label,
                recourse_fr=recourse,
                review_service_code=review_service,
                review_within_days=review_days,
            )
        )
    for i, service in enumerate(services):
        if service.review_service_code and service.review_service_code not in service_codes:
            raise DataFileError(
                f"{path} : services[{i}] « {service.code} », recourse, champ « review_service » "
                f": « {service.review_service_code} » n'est pas un service de la déclaration"
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


def _documents(path: Path, service: Entry) -> tuple[DocumentData, ...]:
    documents: list[DocumentData] = []
    seen: set[str] = set()
    for j, table in enumerate(service.tables("documents")):
        entry = Entry(path, f"{service.where}, documents[{j}]", table)
        entry.only(["code", "label_fr", "required"])
        code = entry.code()
        _check_unique(entry, code, seen, "code de document")
        documents.append(
            DocumentData(code, entry.req_text("label_fr"), entry.boolean("required", default=True))
        )
    return tuple(documents)


def _fee(path: Path, service: Entry) -> tuple[Decimal | None, str]:
    if "fee" not in service.table:
        return None, ""
    entry = Entry(path, f"{service.where}, fee", service.table["fee"])
    entry.only(["amount", "label_fr"])
    raw = entry.req_text("amount")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent != -2:
        raise entry.error("amount", f"« {raw} » : un montant en dollars avec deux décimales")
    return amount, entry.req_text("label_fr")


def _recourse(path: Path, service: Entry) -> tuple[str, str, int | None]:
    if "recourse" not in service.table:
        return "", "", None
    entry = Entry(path, f"{service.where}, recourse", service.table["recourse"])
    entry.only(["text_fr", "review_service", "review_within_days"])
    text = entry.req_text("text_fr")
    if "review_service" not in entry.table:
        if "review_within_days" in entry.table:
            raise entry.error("review_within_days", "va avec « review_service »")
        return text, "", None
    return text, entry.code("review_service"), entry.integer("review_within_days", minimum=1)


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
        performance_target=_performance_target(entry),
    )


def _performance_target(entry: Entry) -> int | None:
    if "performance_target" not in entry.table:
        return None
    value = entry.integer("performance_target", minimum=1)
    if value > 100:
        raise entry.error("performance_target", f"un pourcentage de 1 à 100, pas {value}")
    return value


__all__ = ["DataFileError", "DeclarationData", "parse_declaration"]
