"""Reads of the catalogue that every dossier page and API call makes, kept per process.

A loaded declaration never changes: a new version is loaded beside the old one with services
of its own (new ids), and the admin shows the catalogue read-only. So a service and its
commitments, once read, stay true for the life of the process; `forget_catalogue` empties
the table (tests, whose rolled-back ids can be reused by the next test on SQLite).
The instances are shared by every request of the process: read them, never set anything on
them.
"""

from guichet.catalogue.models import Commitment, Service

_services: dict[int, tuple[Service, tuple[Commitment, ...]]] = {}


def service_with_commitments(service_id: int) -> tuple[Service, tuple[Commitment, ...]]:
    """The service (with its declaration) and its commitments in their published order."""
    found = _services.get(service_id)
    if found is None:
        service = Service.objects.select_related("declaration").get(pk=service_id)
        commitments = tuple(service.commitments.order_by("position"))
        for commitment in commitments:
            commitment.service = service
        found = _services[service_id] = (service, commitments)
    return found


def forget_catalogue() -> None:
    _services.clear()
