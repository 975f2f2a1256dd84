"""The clock of a request for access or rectification (Loi sur l'accès, art. 98).

Calendar days, not business days: the answer is due 20 days after the date of reception (day
0), and the delay may be extended once, by 10 days, by a notice sent before the 20th day ends.
Plain Python, like `guichet/clock/`: dates in, dates out, computed from the request's events.
"""

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

ANSWER_DAYS = 20
EXTENSION_DAYS = 10
# Days left at which an open request is flagged "at risk" in the privacy officer's queue.
AT_RISK_DAYS = 5

EXTENDED = "extended"
ANSWERS = frozenset({"answered", "rectified", "refused"})


class RequestStatus(enum.StrEnum):
    RUNNING = "running"
    AT_RISK = "at_risk"
    LATE = "late"
    ANSWERED = "answered"
    ANSWERED_LATE = "answered_late"


STATUS_LABELS = {
    RequestStatus.RUNNING: "en cours",
    RequestStatus.AT_RISK: "échéance proche",
    RequestStatus.LATE: "en retard",
    RequestStatus.ANSWERED: "répondue dans le délai",
    RequestStatus.ANSWERED_LATE: "répondue en retard",
}


@dataclass(frozen=True)
class RequestClock:
    received_on: date
    extended_on: date | None = None
    answered_on: date | None = None

    @property
    def first_due_on(self) -> date:
        """The 20th day: the last day to answer, or to send a notice of extension."""
        return self.received_on + timedelta(days=ANSWER_DAYS)

    @property
    def due_on(self) -> date:
        extra = EXTENSION_DAYS if self.extended_on else 0
        return self.first_due_on + timedelta(days=extra)

    def days_left(self, today: date) -> int:
        return (self.due_on - today).days

    def status(self, today: date) -> RequestStatus:
        if self.answered_on is not None:
            if self.answered_on > self.due_on:
                return RequestStatus.ANSWERED_LATE
            return RequestStatus.ANSWERED
        left = self.days_left(today)
        if left < 0:
            return RequestStatus.LATE
        if left <= AT_RISK_DAYS:
            return RequestStatus.AT_RISK
        return RequestStatus.RUNNING

    def extension_refused(self, today: date) -> str:
        """Why the delay cannot be extended today, in French; empty when it can."""
        if self.answered_on is not None:
            return "Cette demande a déjà reçu sa réponse : son délai ne se prolonge plus."
        if self.extended_on is not None:
            return (
                "Le délai de cette demande a déjà été prolongé : la loi ne permet qu'une seule "
                "prolongation de 10 jours."
            )
        if today > self.first_due_on:
            return (
                f"Le délai de 20 jours a pris fin le {self.first_due_on:%Y-%m-%d} : l'avis de "
                "prolongation devait être envoyé au plus tard ce jour-là."
            )
        return ""


def request_clock(received_on: date, events: Iterable[tuple[str, date]]) -> RequestClock:
    """The clock of a request received on `received_on`, from its events (kind, date) in
    order. Only the first extension and the first answer count."""
    extended_on: date | None = None
    answered_on: date | None = None
    for kind, on in events:
        if kind == EXTENDED and extended_on is None:
            extended_on = on
        elif kind in ANSWERS and answered_on is None:
            answered_on = on
    return RequestClock(received_on, extended_on, answered_on)
