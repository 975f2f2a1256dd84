"""Reading the project's data files (declarations, calendars): whole-file validation with one
clear line per error, naming the file, the entry and the field."""

import tomllib
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class DataFileError(ValueError):
    """A data file is unreadable or breaks its schema; nothing was loaded."""


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise DataFileError(f"{path} : fichier introuvable") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"{path} : TOML invalide : {exc}") from exc
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path} : le fichier doit être en UTF-8") from exc


class Entry:
    """One table of a data file, read field by field; each error names file, entry and field."""

    def __init__(self, path: Path, where: str, table: object) -> None:
        self.path, self.where = path, where
        if not isinstance(table, Mapping):
            raise self.error(None, "doit être une table")
        self.table: Mapping[str, Any] = table

    def error(self, field: str | None, message: str) -> DataFileError:
        place = f"{self.where}, champ « {field} »" if field else self.where
        return DataFileError(f"{self.path} : {place} : {message}")

    def only(self, allowed: Iterable[str]) -> None:
        unknown = sorted(set(self.table) - set(allowed))
        if unknown:
            raise self.error(unknown[0], "champ inconnu")

    def _get(self, field: str, kind: type[T], label: str, required: bool) -> T | None:
        if field not in self.table:
            if required:
                raise self.error(field, "champ obligatoire manquant")
            return None
        value = self.table[field]
        # bool is an int in Python; a target of `true` is still an error.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(field, f"doit être {label}, pas {value!r}")
        return value

    def text(self, field: str, *, required: bool = True) -> str | None:
        value = self._get(field, str, "un texte", required)
        if value is not None and not value.strip():
            raise self.error(field, "ne doit pas être vide")
        return value

    def req_text(self, field: str) -> str:
        value = self.text(field)
        assert value is not None  # noqa: S101 (required=True guarantees it)
        return value

    def code(self, field: str = "code") -> str:
        value = self.req_text(field)
        if not value.replace("-", "").isalnum() or value != value.lower() or not value.isascii():
            raise self.error(field, f"« {value} » : minuscules ASCII, chiffres et traits d'union")
        return value

    def integer(self, field: str, *, minimum: int) -> int:
        value = self._get(field, int, "un nombre entier", True)
        assert value is not None  # noqa: S101
        if value < minimum:
            raise self.error(field, f"doit être au moins {minimum}, pas {value}")
        return value

    def boolean(self, field: str, *, default: bool) -> bool:
        value = self._get(field, bool, "true ou false", False)
        return default if value is None else value

    def day(self, field: str, *, required: bool = True) -> date | None:
        value = self._get(field, date, "une date AAAA-MM-JJ", required)
        if isinstance(value, datetime):  # a datetime is a date too; only a plain date is right
            raise self.error(field, f"doit être une date AAAA-MM-JJ sans heure, pas {value}")
        return value

    def req_day(self, field: str) -> date:
        value = self.day(field)
        assert value is not None  # noqa: S101 (required=True guarantees it)
        return value

    def choice(self, field: str, choices: Iterable[str]) -> str:
        value = self.req_text(field)
        allowed = list(choices)
        if value not in allowed:
            raise self.error(
                field, f"« {value} » n'est pas une valeur permise ({', '.join(allowed)})"
            )
        return value

    def tables(self, field: str, *, required: bool = False) -> list[object]:
        value = self._get(field, list, "une liste de tables", required)
        return value or []
