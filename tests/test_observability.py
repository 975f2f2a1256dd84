"""Health, metrics and the request log (guichet/observability.py)."""

import json
import logging
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from guichet.dossiers.tasks import notify_letter_waiting
from guichet.observability import JsonFormatter, oldest_ready_task_age
from guichet.testing import Personas, make_dossier

pytestmark = pytest.mark.django_db
TOKEN = "a-metrics-token-for-the-tests"  # noqa: S105


def test_liveness_answers_without_the_database_or_the_host_check() -> None:
    # Any host: a probe on the loopback need not know the site's name.
    answer = Client(HTTP_HOST="10.1.2.3:8000").get("/sante/vivant")
    assert answer.status_code == 200
    assert answer.content == b"vivant\n"
    assert answer["Cache-Control"] == "no-store"


def test_readiness_with_an_empty_queue() -> None:
    answer = Client().get("/sante/pret")
    assert answer.status_code == 200
    assert answer.json() == {"pret": True, "base_de_donnees": "ok", "file_attente_secondes": 0.0}


def test_readiness_fails_when_the_oldest_waiting_task_is_too_old(settings: Any) -> None:
    settings.GUICHET_READY_MAX_QUEUE_AGE = 300
    with time_machine.travel("2027-03-01 10:00 -05:00", tick=False):
        notify_letter_waiting.enqueue(1)
    with time_machine.travel("2027-03-01 10:04 -05:00", tick=False):
        assert oldest_ready_task_age() == 240.0
        assert Client().get("/sante/pret").status_code == 200
    with time_machine.travel("2027-03-01 10:05:01 -05:00", tick=False):
        answer = Client().get("/sante/pret")
    assert answer.status_code == 503
    assert answer.json() == {
        "pret": False,
        "base_de_donnees": "ok",
        "file_attente_secondes": 301.0,
    }


def test_readiness_fails_when_the_database_does_not_answer(monkeypatch: Any) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    answer = Client().get("/sante/pret")
    assert answer.status_code == 503
    assert answer.json() == {"pret": False, "base_de_donnees": "injoignable"}


def test_a_running_or_finished_task_is_not_waiting() -> None:
    with time_machine.travel("2027-03-01 10:00 -05:00", tick=False):
        notify_letter_waiting.enqueue(1)
    DBTaskResult.objects.update(status="SUCCESSFUL")
    with time_machine.travel("2027-03-01 11:00 -05:00", tick=False):
        assert oldest_ready_task_age() == 0.0


@pytest.mark.parametrize(
    ("headers", "remote", "allowed_ips", "status"),
    [
        ({}, "127.0.0.1", [], 404),  # nothing set: closed to everyone
        ({"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}, "198.51.100.4", [], 200),
        ({"HTTP_AUTHORIZATION": "Bearer wrong"}, "198.51.100.4", [], 404),
        ({}, "10.0.0.9", ["10.0.0.0/24"], 200),
        ({}, "10.0.1.9", ["10.0.0.0/24"], 404),
        # X-Forwarded-For is never believed for /metrics.
        ({"HTTP_X_FORWARDED_FOR": "10.0.0.9"}, "198.51.100.4", ["10.0.0.0/24"], 404),
    ],
)
def test_metrics_only_for_the_token_or_the_allowed_addresses(
    settings: Any, headers: dict[str, Any], remote: str, allowed_ips: list[str], status: int
) -> None:
    settings.GUICHET_METRICS_TOKEN = TOKEN if headers.get("HTTP_AUTHORIZATION") else ""
    settings.GUICHET_METRICS_ALLOWED_IPS = allowed_ips
    answer = Client().get("/metrics", REMOTE_ADDR=remote, **headers)
    assert answer.status_code == status
    if status == 404:
        assert b"guichet_" not in answer.content


def sample(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            if name + " " in line or line.split(" ")[0] == name:
                return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in the metrics")


def labelled(text: str, prefix: str) -> float:
    found = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(prefix)]
    assert len(found) == 1, (prefix, found)
    return found[0]


def test_metrics_count_requests_latency_queue_and_clocks(settings: Any, personas: Personas) -> None:
    settings.GUICHET_METRICS_TOKEN = TOKEN
    with time_machine.travel("2027-03-01 10:00 -05:00", tick=False):
        make_dossier(personas)  # received today: 20 business days, not at risk yet
        notify_letter_waiting.enqueue(1)
    client = Client()
    before = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    route = 'method="GET",route="/dossiers/",status="302"'
    count_before = (
        labelled(before, f"guichet_http_requests_total{{{route}}}") if route in before else 0
    )
    client.get("/dossiers/")
    client.get("/dossiers/")
    with time_machine.travel("2027-03-25 10:00 -04:00", tick=False):
        text = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    assert labelled(text, f"guichet_http_requests_total{{{route}}}") == count_before + 2
    assert labelled(text, 'guichet_http_request_duration_seconds_count{route="/dossiers/"}') >= 2
    assert "guichet_http_request_duration_seconds_bucket" in text
    # 2027-03-01 + 20 business days = 2027-03-29: at risk (<= 20 % left) on the 25th.
    assert sample(text, "guichet_clocks_at_risk") == 1.0
    assert sample(text, "guichet_clocks_overdue") == 0.0
    assert sample(text, "guichet_queue_oldest_ready_seconds") == 24 * 86400 - 3600


def test_a_request_log_line_is_json_without_anything_personal(
    personas: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    dossier = make_dossier(personas)
    client = Client()
    client.force_login(personas.owner)
    with caplog.at_level(logging.INFO, logger="guichet.request"):
        answer = client.get(f"/dossiers/{dossier.number}/?courriel={personas.owner.email}")
    assert answer.status_code == 200
    [record] = [r for r in caplog.records if r.name == "guichet.request"]
    line = JsonFormatter().format(record)
    parsed = json.loads(line)
    assert parsed["http"]["method"] == "GET"
    assert parsed["http"]["route"] == "/dossiers/<str:number>/"
    assert parsed["http"]["status"] == 200
    assert set(parsed) == {"time", "level", "logger", "message", "http"}
    assert set(parsed["http"]) == {"method", "route", "status", "duration_ms"}
    for personal in (
        personas.owner.email,
        personas.owner.full_name,
        "Dominique",
        dossier.number,
        "127.0.0.1",
        "@",
    ):
        assert personal not in line, personal


def test_the_oldest_task_age_counts_from_when_it_was_queued() -> None:
    now = timezone.now()
    with time_machine.travel(now - timedelta(seconds=90), tick=False):
        notify_letter_waiting.enqueue(1)
    with time_machine.travel(now - timedelta(seconds=30), tick=False):
        notify_letter_waiting.enqueue(2)
    with time_machine.travel(now, tick=False):
        assert oldest_ready_task_age() == 90.0
