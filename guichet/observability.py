"""What the operators see of a running Guichet: health, metrics, one log line per request.

- `/sante/vivant` (liveness): the process answers; nothing else is checked, so a restart is
  never triggered by a database outage.
- `/sante/pret` (readiness): the database answers and the oldest task waiting for the worker
  is younger than GUICHET_READY_MAX_QUEUE_AGE seconds; 503 otherwise, with the reason.
- `/metrics` (Prometheus, prometheus_client): requests by route and status, their latency, the
  age of the worker's queue, the clocks at risk and overdue. Open only to a request carrying
  `Authorization: Bearer <GUICHET_METRICS_TOKEN>` or coming from GUICHET_METRICS_ALLOWED_IPS;
  404 for anyone else, and when neither is set.
- One JSON line per request on the `guichet.request` logger: method, route *pattern* (never the
  path, which holds dossier numbers), status, duration. No address, no e-mail, no name.

The middleware comes first in MIDDLEWARE: it times everything below it, and it answers the
three paths itself, before the host check and the HTTPS redirect, so that a probe on the
loopback (systemd, a load balancer) reaches gunicorn directly. Under gunicorn with several
workers, PROMETHEUS_MULTIPROC_DIR makes the counters those of all the workers
(deploy/gunicorn.conf.py removes a dead worker's files).
"""

import hmac
import ipaddress
import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from guichet.accounts.client_address import parse_address

log = logging.getLogger("guichet.request")
# No `_created` series next to each counter: Prometheus does not need them.
disable_created_metrics()  # type: ignore[no-untyped-call]

LIVENESS, READINESS, METRICS = "/sante/vivant", "/sante/pret", "/metrics"

REQUESTS = Counter(
    "guichet_http_requests",
    "Requests answered, by route pattern, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "guichet_http_request_duration_seconds",
    "Time to answer a request, by route pattern.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def route_of(request: HttpRequest) -> str:
    """The URL pattern that answered ("bureau/dossiers/<str:number>/"), never the path."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "(none)"
    return "/" + str(match.route)


def oldest_ready_task_age(now: datetime | None = None) -> float:
    """Seconds the oldest task ready to run has waited for the worker (0 when none waits)."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values("enqueued_at").first()
    if oldest is None:
        return 0.0
    return max(0.0, (now - oldest["enqueued_at"]).total_seconds())


def clocks_at_risk() -> tuple[int, int]:
    """Open dossiers whose clock is at risk (not yet overdue), and those overdue, today."""
    from django.db.models import Count, Q

    from guichet.dossiers.models import OPEN_STATES, Dossier

    today = timezone.localdate()
    overdue = Q(overdue_on__lte=today)
    found = Dossier.objects.filter(state__in=OPEN_STATES).aggregate(
        at_risk=Count("pk", filter=Q(at_risk_on__lte=today) & ~overdue),
        overdue=Count("pk", filter=overdue),
    )
    return found["at_risk"], found["overdue"]


class DatabaseCollector(Collector):
    """The gauges read from the database when Prometheus scrapes (the same in every worker)."""

    def collect(self) -> Iterable[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "guichet_queue_oldest_ready_seconds",
            "Age of the oldest task waiting for the background worker.",
            value=oldest_ready_task_age(),
        )
        at_risk, overdue = clocks_at_risk()
        yield GaugeMetricFamily(
            "guichet_clocks_at_risk", "Open dossiers whose clock is at risk.", value=at_risk
        )
        yield GaugeMetricFamily(
            "guichet_clocks_overdue", "Open dossiers past their due date.", value=overdue
        )


def metrics_allowed(request: HttpRequest) -> bool:
    token = settings.GUICHET_METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    # The connection's peer, not X-Forwarded-For: the monitoring network is never a client
    # reached through the proxy (nginx itself only lets /metrics through from there).
    peer = parse_address(request.META.get("REMOTE_ADDR"))
    return peer is not None and any(
        peer.version == net.version and peer in net
        for net in map(ipaddress.ip_network, settings.GUICHET_METRICS_ALLOWED_IPS)
    )


def liveness(request: HttpRequest) -> HttpResponse:
    return HttpResponse("vivant\n", content_type="text/plain; charset=utf-8")


def readiness(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        age = oldest_ready_task_age()
    except Exception as error:  # the database is down, whatever the driver says
        log.warning("Readiness: the database does not answer (%s).", type(error).__name__)
        return JsonResponse({"pret": False, "base_de_donnees": "injoignable"}, status=503)
    limit = settings.GUICHET_READY_MAX_QUEUE_AGE
    body = {"pret": age <= limit, "base_de_donnees": "ok", "file_attente_secondes": round(age, 1)}
    return JsonResponse(body, status=200 if age <= limit else 503)


def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse(status=404)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(DatabaseCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


ENDPOINTS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    LIVENESS: liveness,
    READINESS: readiness,
    METRICS: metrics,
}


class ObservabilityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        endpoint = ENDPOINTS.get(request.path_info)
        if endpoint is not None:
            response: HttpResponseBase = endpoint(request)
            response["Cache-Control"] = "no-store"
            return response
        started = time.perf_counter()
        response = self.get_response(request)
        duration = time.perf_counter() - started
        route = route_of(request)
        REQUESTS.labels(route, request.method or "", str(response.status_code)).inc()
        LATENCY.labels(route).observe(duration)
        log.info(
            "request",
            extra={
                "http": {
                    "method": request.method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(duration * 1000, 1),
                }
            },
        )
        return response


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and the record's `http` part. The
    message is the format string's result; Guichet's own messages carry counts and ids only."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(
                record.created, tz=timezone.get_current_timezone()
            ).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        http = getattr(record, "http", None)
        if http is not None:
            line["http"] = http
        if record.exc_info:
            # The exception's type and where, not its message (which may quote a value).
            line["exception"] = record.exc_info[0].__name__ if record.exc_info[0] else None
        return json.dumps(line, ensure_ascii=False)
