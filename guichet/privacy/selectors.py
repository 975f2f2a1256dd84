"""Reading the access log and the register, for the privacy officer only (the views check
the role)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from guichet.accounts.models import User
from guichet.dossiers.models import Dossier
from guichet.privacy.models import AccessLog


@dataclass(frozen=True)
class LogSearch:
    person: str = ""
    staff: str = ""
    start: date | None = None
    end: date | None = None
    action: str = ""

    @classmethod
    def from_form(cls, data: dict[str, Any]) -> "LogSearch":
        return cls(
            person=(data.get("personne") or "").strip(),
            staff=(data.get("personnel") or "").strip(),
            start=data.get("du"),
            end=data.get("au"),
            action=data.get("action") or "",
        )

    @property
    def empty(self) -> bool:
        return not (self.person or self.staff or self.start or self.end or self.action)

    def person_account(self) -> User | None:
        """The client account the search is about, when it names one by e-mail."""
        if "@" not in self.person:
            return None
        return User.objects.filter(email__iexact=self.person).first()

    def dossier_number(self) -> str:
        return "" if "@" in self.person else self.person


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def access_log_search(search: LogSearch) -> QuerySet[AccessLog]:
    """Entries matching every criterion given, newest first. A person is found by the client
    account with that e-mail and by the dossiers filed under it (mail and counter requests
    have no account), or by a dossier number."""
    qs = AccessLog.objects.select_related("actor", "person").order_by("-id")
    if search.person:
        if "@" in search.person:
            accounts = User.objects.filter(email__iexact=search.person).values("pk")
            numbers = Dossier.objects.filter(
                Q(applicant_email__iexact=search.person) | Q(client__in=accounts)
            ).values("number")
            qs = qs.filter(Q(person__in=accounts) | Q(subject_number__in=numbers))
        else:
            qs = qs.filter(subject_number=search.person)
    if search.staff:
        qs = qs.filter(actor__email__iexact=search.staff)
    if search.start:
        qs = qs.filter(at__gte=_midnight(search.start))
    if search.end:
        qs = qs.filter(at__lt=_midnight(search.end + timedelta(days=1)))
    if search.action:
        qs = qs.filter(action=search.action)
    return qs
