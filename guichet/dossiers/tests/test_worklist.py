"""The worklist: counts summed from grouped rows agree with plain filtering, pages by keyset
walk every open dossier once in due-date order, and an action shows in the counts at once."""

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from guichet.accounts.models import Unit
from guichet.catalogue.models import Declaration, Service, ServiceGroup
from guichet.dossiers import services, worklist
from guichet.dossiers.models import OPEN_STATES, Dossier
from guichet.dossiers.worklist import Cursor, Filters
from guichet.testing import Personas, make_dossier

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)
NOON = datetime(2026, 6, 15, 16, 0, tzinfo=UTC)  # noon in Québec, the same day


@pytest.fixture
def mixed(personas: Personas) -> list[Dossier]:
    """Dossiers of the agent's unit received over 60 days: on time, at risk, overdue; some
    incomplete (no due date), some assigned, one decided (closed), two services."""
    made = []
    with time_machine.travel(NOON, tick=False):
        for i, days_ago in enumerate(range(0, 60, 3)):
            code = "caq-etudiant" if i % 3 else "caq-travailleur-temporaire"
            d = make_dossier(personas, code, received_on=TODAY - timedelta(days=days_ago))
            if i % 4 == 1 and d.state == "received":
                services.dossier_request_items(dossier=d, items=["Passeport"], actor=personas.agent)
            if i % 5 == 2:
                d.refresh_from_db()
                services.dossier_assign(dossier=d, agent=personas.agent, actor=personas.agent)
            made.append(d)
        services.dossier_withdraw(dossier=made[-1], actor=personas.owner)
    return made


def _expected(unit: Unit, filters: Filters, viewer: int | None = None) -> set[str]:
    """The same selection, written plainly over the rows, without the module's queries (and
    without the viewer's own dossiers)."""
    chosen = set()
    for d in Dossier.objects.filter(unit=unit).select_related("service"):
        if viewer is not None and d.client_id == viewer:
            continue
        overdue = d.overdue_on is not None and d.overdue_on <= TODAY
        at_risk = not overdue and d.at_risk_on is not None and d.at_risk_on <= TODAY
        if d.state not in OPEN_STATES:
            continue
        if filters.service and d.service.code != filters.service:
            continue
        if filters.state and d.state != filters.state:
            continue
        if filters.agent == "none" and d.assigned_to_id is not None:
            continue
        if filters.agent not in ("", "none") and str(d.assigned_to_id) != filters.agent:
            continue
        flag = {"overdue": overdue, "at_risk": at_risk, "suspended": d.due_date is None}
        if filters.flag and not flag[filters.flag]:
            continue
        chosen.add(d.number)
    return chosen


def test_counts_agree_with_plain_filtering_for_every_filter(
    personas: Personas, mixed: list[Dossier]
) -> None:
    unit = mixed[0].unit
    seen = {"overdue": 0, "at_risk": 0, "suspended": 0}
    for service, state, agent, flag in itertools.product(
        ["", "caq-etudiant", "caq-travailleur-temporaire"],
        ["", *[s.value for s in OPEN_STATES]],
        ["", "none", str(personas.agent.pk)],
        ["", "overdue", "at_risk", "suspended"],
    ):
        filters = Filters(service=service, state=state, agent=agent, flag=flag)
        got = worklist.counts(unit, filters, TODAY, viewer=personas.agent.pk)
        chosen = _expected(unit, filters)
        assert got.total == len(chosen), filters
        for kind in seen:
            among = chosen & _expected(unit, replace(filters, flag=kind))
            assert getattr(got, kind) == len(among), (filters, kind)
            if filters == Filters():
                seen[kind] = len(among)
    # The fixture really holds each kind, or this test would prove little.
    assert all(seen.values()), seen


def _walk(unit: Unit, filters: Filters, viewer: int) -> list[dict[str, Any]]:
    """Every row of the worklist, page after page through the cursors."""
    walked: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = worklist.page(unit, filters, TODAY, cursor, viewer=viewer)
        walked += page.rows
        if not page.next_cursor:
            return walked
        cursor = Cursor.parse(page.next_cursor)


def _older_version(code: str, dossiers: list[Dossier]) -> None:
    """`code` as it was in an earlier declaration version, and `dossiers` filed under it: the
    worklist's service filter must find both versions."""
    current = Service.objects.select_related("declaration", "group").get(code=code)
    old = Declaration.objects.get(pk=current.declaration.pk)
    old.pk, old.version, old.in_force_to = None, "ancienne", old.in_force_from - timedelta(days=1)
    old.in_force_from = old.in_force_from - timedelta(days=365)
    old.save()
    group = ServiceGroup.objects.get(pk=current.group.pk)
    group.pk, group.declaration = None, old
    group.save()
    service = Service.objects.get(pk=current.pk)
    service.pk, service.declaration, service.group = None, old, group
    service.save()
    Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).update(service=service)


def test_pages_of_every_filter_walk_each_dossier_once_in_due_order(
    personas: Personas, mixed: list[Dossier], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every combination of filters (every flag alone among them), with a service found in two
    declaration versions (one ordered range each, merged): the pages walk exactly the
    selection, once each, in due-date order."""
    _older_version("caq-etudiant", [d for d in mixed if d.service.code == "caq-etudiant"][::2])
    monkeypatch.setattr(worklist, "PAGE_SIZE", 2)
    unit = mixed[0].unit
    assert len(worklist.service_ids(unit, "caq-etudiant", TODAY)) == 2
    walked_any = 0
    for service, state, flag in itertools.product(
        ["", "caq-etudiant", "caq-travailleur-temporaire"],
        ["", *[s.value for s in OPEN_STATES]],
        ["", "overdue", "at_risk", "suspended"],
    ):
        filters = Filters(service=service, state=state, flag=flag)
        walked = _walk(unit, filters, personas.agent.pk)
        numbers = [r["number"] for r in walked]
        assert len(numbers) == len(set(numbers)), filters
        assert set(numbers) == _expected(unit, filters), filters
        keys = [(r["due_date"] or "9999", r["number"]) for r in walked]  # numbers follow ids
        assert keys == sorted(keys), filters
        walked_any += len(numbers) > 2  # more than one page
    assert walked_any > 10


def test_a_staff_members_own_dossiers_are_neither_listed_nor_counted(
    personas: Personas, mixed: list[Dossier], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nobody works on their own dossier: a staff member who is also a client of the unit
    (here the owner of most of `mixed`, seen as a viewer) does not see them in the worklist."""
    monkeypatch.setattr(worklist, "PAGE_SIZE", 3)
    unit = mixed[0].unit
    with time_machine.travel(NOON, tick=False):
        others = [
            make_dossier(
                personas, received_on=TODAY - timedelta(days=d), client=personas.other_client
            )
            for d in (2, 30, 45)
        ]
    viewer = personas.owner.pk
    for flag in ("", "overdue", "at_risk", "suspended"):
        filters = Filters(flag=flag)
        expected = _expected(unit, filters, viewer)
        walked = [r["number"] for r in _walk(unit, filters, viewer)]
        assert set(walked) == expected, flag
        assert worklist.counts(unit, filters, TODAY, viewer=viewer).total == len(expected), flag
    assert _expected(unit, Filters(), viewer) == {d.number for d in others}
    # Everyone else still sees them all.
    agent_total = worklist.counts(unit, Filters(), TODAY, viewer=personas.agent.pk).total
    assert agent_total == len(_expected(unit, Filters()))


def _make_one_incomplete(unit: Unit, actor: Any, capture_on_commit: Any) -> None:
    """`actor` asks for missing items on an open dossier of the unit that has a due date (it
    becomes suspended), with the commit's callbacks run as in production."""
    target = Dossier.objects.filter(unit=unit, state="received", due_date__gt=TODAY).first()
    assert target is not None
    with capture_on_commit(execute=True), time_machine.travel(NOON, tick=False):
        services.dossier_request_items(dossier=target, items=["Relevé"], actor=actor)


def test_an_action_shows_in_the_counts_at_once(
    personas: Personas,
    mixed: list[Dossier],
    django_capture_on_commit_callbacks: Any,
) -> None:
    unit = mixed[0].unit
    before = worklist.counts(unit, Filters(), TODAY, viewer=personas.agent.pk)
    _make_one_incomplete(unit, personas.agent, django_capture_on_commit_callbacks)
    after = worklist.counts(unit, Filters(), TODAY, viewer=personas.agent.pk)
    assert after.suspended == before.suspended + 1
    assert after.total == before.total


def test_worklist_page_shows_counts_and_flags(personas: Personas, mixed: list[Dossier]) -> None:
    client = Client()
    client.force_login(personas.agent)
    with time_machine.travel(NOON, tick=False):
        page = client.get("/bureau/", {"flag": "overdue"}).content.decode()
    overdue = _expected(mixed[0].unit, Filters(flag="overdue"))
    assert overdue and all(number in page for number in overdue)
    assert "En retard" in page and "comptés à" in page
    on_time = _expected(mixed[0].unit, Filters()) - overdue
    assert not any(number in page for number in on_time)


def _changed_elsewhere(unit: Unit, viewer: int) -> None:
    """What another worker process's commit looks like from here: an open dossier of the unit
    is closed without this process's cache being told (`forget_counts` runs per process)."""
    target = (
        Dossier.objects.filter(unit=unit, state__in=OPEN_STATES)
        .exclude(client_id=viewer)
        .order_by("pk")
        .first()
    )
    assert target is not None
    Dossier.objects.filter(pk=target.pk).update(state="decided")


@pytest.mark.django_db(transaction=True)
def test_old_counts_answer_at_once_and_are_taken_again_in_the_background(
    personas: Personas, mixed: list[Dossier], monkeypatch: pytest.MonkeyPatch
) -> None:
    unit, viewer = mixed[0].unit, personas.agent.pk
    first = worklist.counts(unit, Filters(), TODAY, viewer=viewer)
    _changed_elsewhere(unit, viewer)
    monkeypatch.setattr(worklist, "COUNTS_TTL", 0)  # every count is now old, none too old
    stale = worklist.counts(unit, Filters(), TODAY, viewer=viewer)
    assert stale.total == first.total  # answered with the counts kept, without waiting
    worklist.counting_done()  # the thread counted again, on its own connection
    fresh = worklist.counts(unit, Filters(), TODAY, viewer=viewer)
    assert fresh.total == first.total - 1
    assert fresh.taken_at > first.taken_at


@pytest.mark.django_db(transaction=True)
def test_counts_too_old_are_taken_again_before_answering(
    personas: Personas, mixed: list[Dossier], monkeypatch: pytest.MonkeyPatch
) -> None:
    unit, viewer = mixed[0].unit, personas.agent.pk
    first = worklist.counts(unit, Filters(), TODAY, viewer=viewer)
    _changed_elsewhere(unit, viewer)
    monkeypatch.setattr(worklist, "COUNTS_TTL", 0)
    monkeypatch.setattr(worklist, "KEEP_AT_MOST", 0)
    assert worklist.counts(unit, Filters(), TODAY, viewer=viewer).total == first.total - 1


@pytest.mark.django_db(transaction=True)
def test_a_change_by_someone_else_answers_at_once_and_is_counted_again_in_the_background(
    personas: Personas, mixed: list[Dossier], django_capture_on_commit_callbacks: Any
) -> None:
    """Another agent's action (or a system's filing through the API) does not make this
    agent's next page wait for the unit's count: it answers with the counts kept, and a thread
    counts again; the agent's own action is counted before their next page."""
    unit, viewer = mixed[0].unit, personas.agent.pk
    first = worklist.counts(unit, Filters(), TODAY, viewer=viewer)
    _make_one_incomplete(unit, personas.supervisor, django_capture_on_commit_callbacks)
    assert worklist.counts(unit, Filters(), TODAY, viewer=viewer).suspended == first.suspended
    worklist.counting_done()
    assert worklist.counts(unit, Filters(), TODAY, viewer=viewer).suspended == first.suspended + 1
    # The supervisor's own next page waited for the count instead.
    _make_one_incomplete(unit, personas.supervisor, django_capture_on_commit_callbacks)
    mine = worklist.counts(unit, Filters(), TODAY, viewer=personas.supervisor.pk)
    assert mine.suspended == first.suspended + 2
