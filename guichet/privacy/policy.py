"""The privacy policy, in plain language and versioned: every version stays readable, with the
date it came into force, so a person can see what applied when they gave their information."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class PolicyVersion:
    number: str
    in_force_from: date
    template: str


# Newest first. A new version is a new template and a new line here; old ones stay.
VERSIONS = (PolicyVersion("1", date(2026, 11, 29), "privacy/policy/v1.html"),)


def current() -> PolicyVersion:
    return VERSIONS[0]


def find(number: str) -> PolicyVersion | None:
    return next((v for v in VERSIONS if v.number == number), None)
