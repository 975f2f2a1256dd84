"""gunicorn's configuration for Guichet (docs/deployment.md): `gunicorn -c deploy/gunicorn.conf.py
guichet.wsgi:application`. Every value comes from the environment (deploy/guichet.env.example),
with the defaults a two-core machine wants."""

import os
from typing import Any

wsgi_app = "guichet.wsgi:application"
# On the loopback, behind nginx: TCP, not a Unix socket (the log-in throttle needs the peer).
bind = os.environ.get("GUICHET_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUICHET_WORKERS", "2"))
# Sync workers behind nginx, which buffers slow clients (guichet-proxy.conf).
worker_class = "sync"
timeout = int(os.environ.get("GUICHET_TIMEOUT", "60"))
# A restart (HUP) lets each old worker finish its requests for up to this long.
graceful_timeout = int(os.environ.get("GUICHET_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Each worker is replaced after this many requests (with some jitter so they do not all go at
# once): memory cannot creep up for ever.
max_requests = int(os.environ.get("GUICHET_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# The application is loaded in each worker, after the fork: a HUP then loads new code, and no
# database connection is ever shared between workers.
preload_app = False
# Only nginx's X-Forwarded-Proto is believed by gunicorn (Guichet reads X-Forwarded-For
# itself, from GUICHET_TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("GUICHET_TRUSTED_PROXIES", "127.0.0.1")
# gunicorn's own access log would record addresses and query strings: Guichet writes one
# JSON line per request without anything personal (guichet/observability.py).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Temporary files of the workers' heartbeat in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
proc_name = "guichet"


def child_exit(server: Any, worker: Any) -> None:
    """A worker that leaves (restart, crash, kill -9) stops counting in /metrics' gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
