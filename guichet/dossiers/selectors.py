"""Who may see which dossier: the one access-scoped way in for every view and endpoint.

- A client sees the dossiers they own.
- A recognized immigration consultant sees, and acts on through the same pages, the dossiers
  they hold a mandate in force on today (guichet/mandates): not revoked, and their recognition
  valid today. Nothing else: a revoked or expired mandate answers 404 at once.
- Staff see the dossiers of the units they belong to (agents and supervisors alike); nobody
  else's. A staff member acts only on the units where they have a role.
- The privacy officer (global role) reaches any dossier by its number, for their own work only
  (a rectification asked for, a legal hold): `dossier_get_for_privacy_officer`.
- The Commissaire aux plaintes (global role) reads the dossier a complaint is about, from that
  complaint's page only, with the reason logged: `dossier_get_for_commissaire`.

Each getter of one dossier, letter or document records the read in the access log
(guichet/privacy), with the reason the caller gives (`why`); a denied read records nothing.
"""

import functools
from datetime import date

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from guichet.accounts.models import GlobalRole, Membership, UnitService, User, has_role
from guichet.audit.models import SubjectKind
from guichet.audit.services import access_log_read
from guichet.catalogue.models import Declaration, Service
from guichet.catalogue.selectors import service_with_commitments
from guichet.crypto import encrypted_fields
from guichet.dossiers.models import Document, Dossier, DossierEvent, Letter
from guichet.mandates.for_dossiers import Mandate, mandate_in_force, mandated_dossier_ids
from guichet.rows import from_row

NUMBER_MAX_LENGTH = Dossier._meta.get_field("number").max_length or 20


def _require_plausible_number(number: str) -> None:
    """404 for what cannot be a dossier number (too long, or control characters, which
    PostgreSQL refuses in a query): a hostile address is not found, not a server error."""
    if len(number) > NUMBER_MAX_LENGTH or not number.isprintable():
        raise Http404("Dossier introuvable")


def dossiers_of_client(user: User) -> QuerySet[Dossier]:
    if not user.is_authenticated:
        return Dossier.objects.none()
    return Dossier.objects.filter(client=user)


def dossiers_of_staff(user: User) -> QuerySet[Dossier]:
    """The dossiers of the user's units, except those filed under their own account: nobody
    works on their own dossier (conflict of interest)."""
    if not user.is_authenticated:
        return Dossier.objects.none()
    return Dossier.objects.filter(
        unit_id__in=Membership.objects.filter(user=user).values("unit_id")
    ).exclude(client=user)


def dossier_get_for_client(user: User, number: str, *, why: str) -> Dossier:
    """The client's own dossier, or one the user holds a mandate in force on today; otherwise
    404 (never 403: another person's number reveals nothing)."""
    dossier, mandate = _client_dossier(user, number)
    access_log_read(dossier=dossier, actor=user, why=_why(why, mandate))
    return dossier


def dossier_get_for_owner(user: User, number: str, *, why: str) -> Dossier:
    """The client's own dossier only, for what nobody does by mandate (giving or revoking a
    mandate, withdrawing the request); 404 for anyone else, a consultant included."""
    _require_plausible_number(number)
    dossier = (
        dossiers_of_client(user)
        .select_related("service", "service__declaration")
        .filter(number=number)
        .first()
    )
    if dossier is None:
        raise Http404("Dossier introuvable")
    access_log_read(dossier=dossier, actor=user, why=why)
    return dossier


def dossier_get_for_privacy_officer(user: User, number: str, *, why: str) -> Dossier:
    """Any dossier by its number, for the privacy officer, who answers the requests for
    rectification and places legal holds whatever the unit; 404 for anyone else (a client, a
    consultant, an agent or a supervisor: their ways in are the getters above). The read is
    logged with `why`, as every getter's."""
    if not has_role(user, GlobalRole.PRIVACY_OFFICER):
        raise Http404("Dossier introuvable")
    _require_plausible_number(number)
    dossier = Dossier.objects.select_related("service").filter(number=number).first()
    if dossier is None:
        raise Http404("Dossier introuvable")
    access_log_read(dossier=dossier, actor=user, why=why)
    return dossier


def dossier_get_for_commissaire(user: User, number: str, *, why: str) -> Dossier:
    """The dossier a complaint is about, for a member of the Commissaire's office, who reads
    it to examine the complaint whatever the unit (the complaints app calls this only with the
    number of the dossier linked to the complaint being examined); 404 for anyone else. The
    read is logged with `why` (the complaint's number and the reason typed)."""
    if not has_role(user, GlobalRole.COMMISSAIRE):
        raise Http404("Dossier introuvable")
    _require_plausible_number(number)
    dossier = Dossier.objects.select_related("service", "unit").filter(number=number).first()
    if dossier is None:
        raise Http404("Dossier introuvable")
    access_log_read(dossier=dossier, actor=user, why=why)
    return dossier


# How a consultant's reads are explained in the access log (the client's wording otherwise).
CONSULTANT_WHY = {
    "consultation par le client": "consultation par le consultant mandataire",
    "démarche du client": "démarche du consultant mandataire",
}


def _why(why: str, mandate: Mandate | None) -> str:
    if mandate is None:
        return why
    return f"{CONSULTANT_WHY.get(why, why)} (mandat n° {mandate.pk})"


def dossier_get_for_staff(user: User, number: str, *, why: str) -> Dossier:
    dossier = _staff_dossier(user, number)
    access_log_read(dossier=dossier, actor=user, why=why)
    return dossier


def dossier_get_for_system(user_id: int, number: str, *, why: str) -> Dossier:
    """`dossier_get_for_staff` for a service account known by its id (the API's status, read
    by other systems many times a second): the same scope, without loading the account."""
    dossier = _unit_dossier(user_id, number)
    access_log_read(dossier=dossier, actor=user_id, why=why)
    return dossier


def _unit_dossier(user_id: int, number: str) -> Dossier:
    """The dossier `number` if it belongs to one of the account's units and was not filed
    under the account itself (`dossiers_of_staff`; a property over generated worlds holds the
    two together, tests/test_visibility_properties.py), with its service and its agent, in
    one plain statement: the dossier page and the API's status ask for it on every call, and
    the ORM spent a millisecond of CPU compiling it each time.
    Encrypted identifiers are left out, decrypted only when a page asks for them."""
    _require_plausible_number(number)
    with connection.cursor() as cursor:
        cursor.execute(_unit_dossier_query(), [number, user_id, user_id])
        row = cursor.fetchone()
    if row is None:
        raise Http404("Dossier introuvable")
    *values, agent_name, agent_email = row
    dossier = from_row(Dossier, DOSSIER_COLUMNS, values)
    dossier.service = service_with_commitments(dossier.service_id)[0]
    if dossier.assigned_to_id is not None:
        dossier.assigned_to = from_row(
            User, ["id", "full_name", "email"], [dossier.assigned_to_id, agent_name, agent_email]
        )
    return dossier


ENCRYPTED_FIELDS = tuple(f.name for f in encrypted_fields(Dossier))
DOSSIER_COLUMNS = tuple(
    f.attname for f in Dossier._meta.concrete_fields if f.name not in ENCRYPTED_FIELDS
)


@functools.cache
def _unit_dossier_query() -> str:
    q = connection.ops.quote_name
    dossiers, users = q(Dossier._meta.db_table), q(User._meta.db_table)
    memberships = q(Membership._meta.db_table)
    columns = ", ".join(f"d.{name}" for name in DOSSIER_COLUMNS)
    return (
        f"SELECT {columns}, a.full_name, a.email FROM {dossiers} d"  # noqa: S608 (names from the models)
        f" LEFT JOIN {users} a ON a.id = d.assigned_to_id"
        f" WHERE d.number = %s"
        f" AND d.unit_id IN (SELECT unit_id FROM {memberships} WHERE user_id = %s)"
        f" AND (d.client_id IS NULL OR d.client_id <> %s)"
    )


def filing_target(
    code: str, day: date, user_id: int
) -> tuple[Service | None, UnitService | None, bool]:
    """For a filing by the account `user_id` (the API's): the service of that code in the
    declaration in force on `day`, the unit service that owns it (its `unit_id` set), and
    whether the account is a member of that unit. One plain statement (docs/scale.md): the
    ORM spent more CPU compiling the two queries it replaces than the rest of the filing."""
    with connection.cursor() as cursor:
        cursor.execute(
            _filing_target_query(),
            [user_id, code, *[connection.ops.adapt_datefield_value(day)] * 2],
        )
        row = cursor.fetchone()
    if row is None:
        return None, None, False
    service_id, owner_id, unit_id, member = row
    service = service_with_commitments(service_id)[0]
    if owner_id is None:
        return service, None, False
    owner = from_row(UnitService, ["id", "unit_id", "service_code"], [owner_id, unit_id, code])
    return service, owner, bool(member)


@functools.cache
def _filing_target_query() -> str:
    q = connection.ops.quote_name
    services, declarations = q(Service._meta.db_table), q(Declaration._meta.db_table)
    owners, memberships = q(UnitService._meta.db_table), q(Membership._meta.db_table)
    return (
        "SELECT s.id, o.id, o.unit_id, EXISTS("  # noqa: S608 (names from the models)
        f"SELECT 1 FROM {memberships} m WHERE m.unit_id = o.unit_id AND m.user_id = %s)"
        f" FROM {services} s LEFT JOIN {owners} o ON o.service_code = s.code"
        " WHERE s.code = %s AND s.declaration_id = ("
        f"SELECT d.id FROM {declarations} d WHERE d.in_force_from <= %s"
        " AND (d.in_force_to IS NULL OR d.in_force_to >= %s)"
        " ORDER BY d.in_force_from DESC LIMIT 1)"
    )


def clock_events(dossier_id: int) -> list[DossierEvent]:
    """What the clocks of a dossier are derived from (kind and date of each event, in
    order), without the rest of the history: one plain statement, for the API's status."""
    with connection.cursor() as cursor:
        cursor.execute(_clock_events_query(), [dossier_id])
        rows = cursor.fetchall()
    return [from_row(DossierEvent, CLOCK_EVENT_FIELDS, row) for row in rows]


CLOCK_EVENT_FIELDS = ("id", "seq", "kind", "occurred_on")


@functools.cache
def _clock_events_query() -> str:
    table = connection.ops.quote_name(DossierEvent._meta.db_table)
    columns = ", ".join(CLOCK_EVENT_FIELDS)
    return f"SELECT {columns} FROM {table} WHERE dossier_id = %s ORDER BY seq"  # noqa: S608 (names from the model)


def _client_dossier(user: User, number: str) -> tuple[Dossier, Mandate | None]:
    """The dossier if `user` owns it (no mandate), or holds a mandate in force on it today
    (that mandate); otherwise 404."""
    if not user.is_authenticated:
        raise Http404("Dossier introuvable")
    _require_plausible_number(number)
    today = timezone.localdate()
    dossier = (
        Dossier.objects.filter(Q(client=user) | Q(pk__in=mandated_dossier_ids(user, today)))
        .select_related("service", "service__declaration")
        .filter(number=number)
        .first()
    )
    if dossier is None:
        raise Http404("Dossier introuvable")
    if dossier.client_id == user.pk:
        return dossier, None
    mandate = mandate_in_force(user=user, dossier_id=dossier.pk, on=today)
    if mandate is None:  # revoked between the two queries
        raise Http404("Dossier introuvable")
    return dossier, mandate


def _staff_dossier(user: User, number: str) -> Dossier:
    if not user.is_authenticated:
        raise Http404("Dossier introuvable")
    return _unit_dossier(user.pk, number)


def letter_get_for_user(
    user: User, number: str, letter_id: int, *, staff: bool, why: str
) -> Letter:
    dossier, mandate = (
        (_staff_dossier(user, number), None) if staff else _client_dossier(user, number)
    )
    letter = dossier.letters.filter(pk=letter_id).first()
    if letter is None:
        raise Http404("Lettre introuvable")
    access_log_read(
        dossier=dossier,
        actor=user,
        why=_why(why, mandate),
        subject_kind=SubjectKind.LETTER,
        subject_id=letter.pk,
    )
    return letter


def document_get_for_user(
    user: User, number: str, document_id: int, *, staff: bool, why: str
) -> Document:
    dossier, mandate = (
        (_staff_dossier(user, number), None) if staff else _client_dossier(user, number)
    )
    document = dossier.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404("Document introuvable")
    access_log_read(
        dossier=dossier,
        actor=user,
        why=_why(why, mandate),
        subject_kind=SubjectKind.DOCUMENT,
        subject_id=document.pk,
    )
    return document
