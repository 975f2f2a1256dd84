"""The offices data file (offices/siq.toml): validated as a whole, then loaded (idempotent:
an office is found by its code and updated; rooms by their name)."""

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from guichet.accounts.models import Unit
from guichet.appointments.models import Office, Room
from guichet.datafiles import DataFileError, Entry, read_toml

OFFICE_FIELDS = (
    "code",
    "name",
    "unit",
    "unit_name",
    "address",
    "region",
    "hours",
    "accessible",
    "accessibility",
    "services",
    "time_zone",
    "rooms",
)


@dataclass(frozen=True)
class RoomData:
    name: str
    capacity: int
    accessible: bool


@dataclass(frozen=True)
class OfficeData:
    code: str
    name: str
    unit: str
    unit_name: str
    address: str
    region: str
    hours: str
    accessible: bool
    accessibility: str
    services: tuple[str, ...]
    time_zone: str
    rooms: tuple[RoomData, ...]


def parse_offices(path: Path) -> list[OfficeData]:
    data = read_toml(path)
    tables = data.get("offices")
    if not isinstance(tables, list) or not tables:
        raise DataFileError(f"{path} : aucune table [[offices]]")
    result, seen = [], set()
    for i, table in enumerate(tables, start=1):
        entry = Entry(path, f"[[offices]] n° {i}", table)
        entry.only(OFFICE_FIELDS)
        code = entry.code()
        if code in seen:
            raise entry.error("code", f"le bureau « {code} » est déjà décrit plus haut")
        seen.add(code)
        services = entry.table.get("services", [])
        if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
            raise entry.error("services", "doit être une liste de codes de services")
        rooms = []
        for j, room_table in enumerate(entry.tables("rooms"), start=1):
            room = Entry(path, f"[[offices]] n° {i}, [[offices.rooms]] n° {j}", room_table)
            room.only(("name", "capacity", "accessible"))
            rooms.append(
                RoomData(
                    room.req_text("name"),
                    room.integer("capacity", minimum=1),
                    room.boolean("accessible", default=True),
                )
            )
        result.append(
            OfficeData(
                code=code,
                name=entry.req_text("name"),
                unit=entry.code("unit"),
                unit_name=entry.req_text("unit_name"),
                address=entry.req_text("address"),
                region=entry.req_text("region"),
                hours=entry.req_text("hours"),
                accessible=entry.boolean("accessible", default=True),
                accessibility=entry.text("accessibility", required=False) or "",
                services=tuple(services),
                time_zone=entry.text("time_zone", required=False) or "America/Toronto",
                rooms=tuple(rooms),
            )
        )
    return result


@transaction.atomic
def offices_load(*, path: Path) -> list[Office]:
    """Load (or update) every office of the file, with its unit and rooms."""
    loaded = []
    for data in parse_offices(path):
        unit, _created = Unit.objects.get_or_create(
            code=data.unit, defaults={"name": data.unit_name}
        )
        office, _created = Office.objects.update_or_create(
            code=data.code,
            defaults={
                "name": data.name,
                "unit": unit,
                "address": data.address,
                "region": data.region,
                "hours": data.hours,
                "accessible": data.accessible,
                "accessibility": data.accessibility,
                "services": list(data.services),
                "time_zone": data.time_zone,
            },
        )
        for room in data.rooms:
            Room.objects.update_or_create(
                office=office,
                name=room.name,
                defaults={"capacity": room.capacity, "accessible": room.accessible},
            )
        loaded.append(office)
    return loaded
