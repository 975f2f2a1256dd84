"""The retention calendar (`privacy/retention.toml`): for each kind of record, how long it is
kept and what happens then. Read and validated as a whole; any error is one line naming the
file, the kind and the field, and nothing is purged."""

import enum
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings

from guichet.datafiles import DataFileError, Entry, read_toml


class RetentionAction(enum.StrEnum):
    DESTROY = "destroy"
    ANONYMIZE = "anonymize"


class RecordKind(enum.StrEnum):
    """The kinds of record, in the order the purge handles them (the access log last, so that
    what the purge itself records is never its own prey)."""

    DOCUMENTS = "documents"
    LETTERS = "letters"
    DOSSIERS = "dossiers"
    REQUESTS = "requests"
    ACCOUNTS = "accounts"
    VOICE_MESSAGES = "voice_messages"
    ENQUIRIES = "enquiries"
    # Kept by apps above the privacy app, which destroy or anonymize them through the
    # registry of guichet/retention.py.
    COMPLAINTS = "complaints"
    SURVEY_INVITATIONS = "survey_invitations"
    REFERRALS = "referrals"
    APPOINTMENTS = "appointments"
    ACCESS_LOG = "access_log"


# What each kind may become; where the period starts is fixed by the code (see purge.py).
ALLOWED: dict[RecordKind, tuple[RetentionAction, ...]] = {
    # The reports count ended dossiers, so anonymizing keeps them countable; destroying is
    # allowed too.
    RecordKind.DOSSIERS: (RetentionAction.ANONYMIZE, RetentionAction.DESTROY),
    # A file cannot be anonymized.
    RecordKind.DOCUMENTS: (RetentionAction.DESTROY,),
    RecordKind.LETTERS: (RetentionAction.DESTROY,),
    # A request for access or rectification is about one person through and through: its
    # exports hold all their information. The access log keeps that it existed.
    RecordKind.REQUESTS: (RetentionAction.DESTROY,),
    # The access log refers to accounts; the account is emptied, never removed.
    RecordKind.ACCOUNTS: (RetentionAction.ANONYMIZE,),
    # The contact centre's results count their dates: what identifies the person goes.
    RecordKind.VOICE_MESSAGES: (RetentionAction.ANONYMIZE,),
    RecordKind.ENQUIRIES: (RetentionAction.ANONYMIZE,),
    # The Commissaire's figures and clocks count answered complaints: anonymizing keeps them
    # countable; destroying is allowed too.
    RecordKind.COMPLAINTS: (RetentionAction.ANONYMIZE, RetentionAction.DESTROY),
    # An invitation is only a person, an occasion and a link: nothing to keep.
    RecordKind.SURVEY_INVITATIONS: (RetentionAction.DESTROY,),
    # The results count referrals: anonymizing keeps them countable; destroying is allowed.
    RecordKind.REFERRALS: (RetentionAction.ANONYMIZE, RetentionAction.DESTROY),
    # The meetings' clocks and punctuality count ended requests: what identifies the person
    # goes, the dates and outcomes stay.
    RecordKind.APPOINTMENTS: (RetentionAction.ANONYMIZE,),
    RecordKind.ACCESS_LOG: (RetentionAction.DESTROY,),
}
STARTS = {
    RecordKind.DOSSIERS: "après la fin du dossier",
    RecordKind.DOCUMENTS: "après la fin du dossier",
    RecordKind.LETTERS: "après la fin du dossier",
    RecordKind.REQUESTS: "après la réponse",
    RecordKind.ACCOUNTS: "après la dernière connexion",
    RecordKind.VOICE_MESSAGES: "après le rappel",
    RecordKind.ENQUIRIES: "après la dernière réponse",
    RecordKind.COMPLAINTS: "après la réponse",
    RecordKind.SURVEY_INVITATIONS: "après l'envoi",
    RecordKind.REFERRALS: "après l'orientation",
    RecordKind.APPOINTMENTS: "après la fin de la demande de rendez-vous",
    RecordKind.ACCESS_LOG: "après l'inscription",
}
MAX_YEARS = 100


@dataclass(frozen=True)
class Rule:
    kind: RecordKind
    years: int
    action: RetentionAction
    description: str

    @property
    def summary(self) -> str:
        verb = "détruire" if self.action == RetentionAction.DESTROY else "anonymiser"
        return f"{verb} {self.years} an{'s' if self.years > 1 else ''} {STARTS[self.kind]}"

    def cutoff(self, as_of: date) -> date:
        """The last day a record may have ended on for its period to be over on `as_of`."""
        return years_before(as_of, self.years)


@dataclass(frozen=True)
class RetentionCalendar:
    path: Path
    rules: dict[RecordKind, Rule]

    def __getitem__(self, kind: RecordKind) -> Rule:
        return self.rules[kind]


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def default_path() -> Path:
    return Path(settings.GUICHET_RETENTION_FILE)


def read_retention(path: Path | None = None) -> RetentionCalendar:
    """Read and check the whole calendar; raise DataFileError (one line) on the first fault."""
    path = path or default_path()
    data = read_toml(path)
    known = [k.value for k in RecordKind]
    for name in data:
        if name not in known:
            raise DataFileError(
                f"{path} : « {name} » : sorte de document inconnue (permises : {', '.join(known)})"
            )
    rules: dict[RecordKind, Rule] = {}
    for kind in RecordKind:
        if kind.value not in data:
            raise DataFileError(f"{path} : [{kind.value}] manquant : chaque sorte a sa durée")
        entry = Entry(path, f"[{kind.value}]", data[kind.value])
        entry.only(("years", "action", "description"))
        years = entry.integer("years", minimum=1)
        if years > MAX_YEARS:
            raise entry.error("years", f"au plus {MAX_YEARS}, pas {years}")
        action = entry.choice("action", [a.value for a in ALLOWED[kind]])
        rules[kind] = Rule(
            kind=kind,
            years=years,
            action=RetentionAction(action),
            description=entry.text("description", required=False) or "",
        )
    return RetentionCalendar(path=path, rules=rules)
