"""The log-in throttle: a network that fails many log-ins, across accounts, is slowed down.

django-axes locks an *account* after repeated failures on it. Someone trying one password on
many accounts (password spraying) never trips that lock; this throttle answers them without
locking anybody out: after FAILURES failed log-ins from one network, with no pause of QUIET
between two of them, each further attempt from that network must wait, FIRST_WAIT at first and
twice as long after each further failure, LONGEST_WAIT at most. A refused attempt does not count
(its password is not even checked), a log-in that succeeds does not reset the count (else an
attacker with an account of their own would reset it at will), and QUIET without a failure
forgets the network.

The wait is an answer (HTTP 429 and the time left), never a sleep: a request worker that slept
would hand the attacker the server itself. The network is the client's address (see
client_address.py, so each client behind a trusted proxy is its own), or for IPv6 its /64.
"""

import ipaddress
import logging
import math
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from guichet.accounts.client_address import client_address, parse_address
from guichet.accounts.models import LoginThrottle

FAILURES = 20
QUIET = timedelta(minutes=15)
FIRST_WAIT = 30  # seconds
LONGEST_WAIT = 5 * 60  # seconds

log = logging.getLogger(__name__)


def network_of(address: str) -> str:
    """The throttled unit: the address itself for IPv4, its /64 for IPv6."""
    parsed = parse_address(address)
    if parsed is None:
        raise ValueError("not an IP address")
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def wait_after(failures: int) -> int:
    """Seconds to wait after the last of `failures` failures: none below FAILURES, then 30,
    60, 120, 240, and 300 from then on."""
    if failures < FAILURES:
        return 0
    doublings: int = min(failures - FAILURES, 16)
    return min(FIRST_WAIT << doublings, LONGEST_WAIT)


def seconds_to_wait(address: str | None, now: datetime | None = None) -> int:
    """How long the network of `address` must still wait before a log-in attempt; 0 when it
    may try now (and always for a client with no address, see client_address)."""
    if address is None:
        return 0
    now = now or timezone.now()
    row = (
        LoginThrottle.objects.filter(network=network_of(address))
        .values_list("failures", "last_failure_at")
        .first()
    )
    if row is None:
        return 0
    failures, last_failure_at = row
    if now - last_failure_at >= QUIET:
        return 0
    left = (last_failure_at + timedelta(seconds=wait_after(failures)) - now).total_seconds()
    return max(0, math.ceil(left))


def request_wait(request: HttpRequest) -> int:
    """`seconds_to_wait` for the client of `request`."""
    return seconds_to_wait(client_address(request))


@transaction.atomic
def failure_record(address: str, now: datetime | None = None) -> int:
    """Count one failed log-in from the network of `address`; returns its failures so far."""
    now = now or timezone.now()
    network = network_of(address)
    # Networks quiet for QUIET are forgotten, this one included: its count starts again.
    LoginThrottle.objects.filter(last_failure_at__lte=now - QUIET).delete()
    rows = LoginThrottle.objects.filter(network=network)
    if not rows.update(failures=F("failures") + 1, last_failure_at=now):
        _row, created = LoginThrottle.objects.get_or_create(
            network=network, defaults={"failures": 1, "last_failure_at": now}
        )
        if not created:  # another request created it in the meantime
            rows.update(failures=F("failures") + 1, last_failure_at=now)
    failures: int = rows.values_list("failures", flat=True).get()
    if failures >= FAILURES:
        # Counts only: the address is personal information and stays out of the logs.
        log.warning(
            "Log-in throttle: a network has %d failed log-ins; it waits %d s before its next.",
            failures,
            wait_after(failures),
        )
    return failures


def login_failed(sender: object, credentials: object, request: object = None, **kw: object) -> None:
    """Receiver of Django's `user_login_failed` (connected in apps.py): the only way to hear of
    a failure inside `authenticate()`, whoever calls it (the log-in form, the confirmation
    before a sensitive action, a wrong second-factor code). The same failures axes counts."""
    if not isinstance(request, HttpRequest):
        return  # Client.login() in tests, or a command: no client to slow down
    address = client_address(request)
    if address is not None:
        failure_record(address)
