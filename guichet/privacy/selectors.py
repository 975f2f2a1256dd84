"""Reading the access log and the register, for the privacy officer only (the views check
the role); and the access-scoped getters of requests for access or rectification, which
record each read in the access log."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from guichet.accounts.models import GlobalRole, User, has_role
from guichet.audit.models import AccessAction, AccessLog, SubjectKind
from guichet.audit.services import access_log_record
from guichet.dossiers.models import Dossier
from guichet.privacy.deadlines import STATUS_LABELS, RequestClock, RequestStatus, request_clock
from guichet.privacy.models import ANSWER_EVENTS, InfoRequest, InfoRequestEvent, InfoRequestFile


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


# --- Requests for access or rectification -----------------------------------------------------


def info_requests_of_person(user: User) -> QuerySet[InfoRequest]:
    if not user.is_authenticated:
        return InfoRequest.objects.none()
    return InfoRequest.objects.filter(person=user).prefetch_related("events")


def _log_request_read(request: InfoRequest, actor: User, why: str) -> None:
    access_log_record(
        action=AccessAction.READ,
        subject_kind=SubjectKind.INFO_REQUEST,
        subject_id=request.pk,
        person=request.person_id,
        actor=actor,
        why=why,
    )


def _request_for(user: User, pk: int, *, officer: bool) -> InfoRequest:
    if officer and not has_role(user, GlobalRole.PRIVACY_OFFICER):
        raise Http404("Demande introuvable")
    qs = InfoRequest.objects.select_related("person")
    if not officer:
        qs = qs.filter(person=user) if user.is_authenticated else qs.none()
    request = qs.filter(pk=pk).first()
    if request is None:
        raise Http404("Demande introuvable")
    return request


def info_request_get_for_person(user: User, pk: int, *, why: str) -> InfoRequest:
    """The person's own request, or 404 (another person's request reveals nothing)."""
    request = _request_for(user, pk, officer=False)
    _log_request_read(request, user, why)
    return request


def info_request_get_for_officer(user: User, pk: int, *, why: str) -> InfoRequest:
    """Any request, for the privacy officer only (404 for anyone else)."""
    request = _request_for(user, pk, officer=True)
    _log_request_read(request, user, why)
    return request


def info_request_file_get(
    user: User, pk: int, file_id: int, *, officer: bool, why: str
) -> InfoRequestFile:
    """A letter or an export of a request: the person's own, or any for the privacy
    officer. Each download is written to the access log."""
    request = _request_for(user, pk, officer=officer)
    stored = request.files.filter(pk=file_id).first()
    if stored is None:
        raise Http404("Fichier introuvable")
    _log_request_read(request, user, f"{why} : {stored.get_kind_display()}")
    return stored


@dataclass(frozen=True)
class QueueRow:
    request: InfoRequest
    clock: RequestClock
    status: RequestStatus

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def with_clock(request: InfoRequest, today: date) -> QueueRow:
    events = sorted(request.events.all(), key=lambda e: e.seq)
    clock = request_clock(request.received_on, [(e.kind, e.occurred_on) for e in events])
    return QueueRow(request, clock, clock.status(today))


def info_request_queue(today: date) -> tuple[list[QueueRow], list[QueueRow]]:
    """The privacy officer's queue: open requests by due date (late first), and the 50 most
    recently answered."""
    answered_ids = InfoRequestEvent.objects.filter(kind__in=ANSWER_EVENTS).values("request_id")
    base = InfoRequest.objects.select_related("person").prefetch_related("events")
    open_rows = [with_clock(r, today) for r in base.exclude(pk__in=answered_ids)]
    open_rows.sort(key=lambda row: (row.clock.due_on, row.request.pk))
    done = [with_clock(r, today) for r in base.filter(pk__in=answered_ids)[:50]]
    return open_rows, done
