"""The contact centre's three commitments in the dashboard and the annual report
(guichet/measures.py):

- telephone, *answered within 3 minutes* (seconds): every call entered during office hours,
  short abandons and calls without an outcome yet left out, stops on the local date it entered
  the queue; it kept the promise when answered after 180 s or less. The result (met ÷ volume)
  is then the service level of DOMAIN: answered within 180 s ÷ (offered − short abandons).
  Its elapsed value is the wait, for unanswered calls too (the time the caller waited).
- voice mail, *1 business day*: stops on the local date of the call back;
- e-mail, *5 business days*: each clock of an enquiry stops on the local date the answer
  was sent.

The business days elapsed are counted as for dossiers: the counted days d with R < d ≤ stop.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from guichet.calendars.services import business_calendar
from guichet.catalogue.models import Commitment
from guichet.contact.models import EnquiryClock, VoiceMessage
from guichet.contact.telephony import (
    ABANDONED,
    ANSWERED,
    SHORT_ABANDON_S,
    TELEPHONE_COMMITMENT,
    closure_ordinals,
    in_office_hours,
    load_calls,
)
from guichet.measures import Stopped, register_measure

VOICE_MAIL_COMMITMENT = "boite-vocale-reponse"
EMAIL_COMMITMENT = "renseignements-courriel-reponse"
CODES = (TELEPHONE_COMMITMENT, VOICE_MAIL_COMMITMENT, EMAIL_COMMITMENT)


def _versions(code: str) -> tuple[np.ndarray, list[Commitment]]:
    """The versions of a commitment, by the day they came into force."""
    versions = sorted(Commitment.objects.filter(code=code), key=lambda c: (c.in_force_from, c.pk))
    return np.array([c.in_force_from.toordinal() for c in versions], dtype=np.int64), versions


def _pick(code: str, stop_days: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """For each stop day, the pk and target of the version in force (the latest one that came
    into force on or before it; the first one before any)."""
    starts, versions = _versions(code)
    if not versions:
        empty = np.zeros(stop_days.size, dtype=np.int64)
        return empty, empty, []
    index = np.clip(np.searchsorted(starts, stop_days, side="right") - 1, 0, len(versions) - 1)
    pks = np.array([c.pk for c in versions], dtype=np.int64)[index]
    targets = np.array([c.target for c in versions], dtype=np.int64)[index]
    return pks, targets, [c.pk for c in versions]


def _business_days(received: list[date], stopped: list[date]) -> np.ndarray:
    cal = business_calendar()
    return np.array(
        [max(0, cal.ordinal(s) - cal.ordinal(r)) for r, s in zip(received, stopped, strict=True)],
        dtype=np.int64,
    )


def _telephone(first_day: date, last_day: date) -> Stopped:
    calls = load_calls(first_day, last_day)
    counted = in_office_hours(calls, closure_ordinals(first_day, last_day))
    counted &= calls.outcome != 0
    counted &= ~((calls.outcome == ABANDONED) & (calls.wait >= 0) & (calls.wait <= SHORT_ABANDON_S))
    kept = calls.take(counted)
    pks, targets, measured = _pick(TELEPHONE_COMMITMENT, kept.day)
    if not measured:
        return Stopped.empty()
    wait = np.maximum(kept.wait, 0)
    return Stopped.of(
        commitment=pks,
        stop_day=kept.day,
        elapsed=wait,
        met=(kept.outcome == ANSWERED) & (kept.wait >= 0) & (kept.wait <= targets),
        measured=measured,
    )


def _clocks(code: str, rows: list[tuple[date, date]]) -> Stopped:
    received = [r for r, _s in rows]
    stopped = [s for _r, s in rows]
    stop_days = np.array([s.toordinal() for s in stopped], dtype=np.int64)
    pks, targets, measured = _pick(code, stop_days)
    if not measured:
        return Stopped.empty()
    elapsed = _business_days(received, stopped)
    return Stopped.of(
        commitment=pks,
        stop_day=stop_days,
        elapsed=elapsed,
        met=elapsed <= targets,
        measured=measured,
    )


@register_measure("contact")
def stopped(first_day: date, last_day: date) -> Stopped:
    voice = list(
        VoiceMessage.objects.filter(answered_on__range=(first_day, last_day)).values_list(
            "received_on", "answered_on"
        )
    )
    mails = list(
        EnquiryClock.objects.filter(answered_on__range=(first_day, last_day)).values_list(
            "received_on", "answered_on"
        )
    )
    return Stopped.concat(
        [
            _telephone(first_day, last_day),
            _clocks(VOICE_MAIL_COMMITMENT, voice),  # type: ignore[arg-type]
            _clocks(EMAIL_COMMITMENT, mails),  # type: ignore[arg-type]
        ]
    )
