"""Dossiers: one client request for one service, with an append-only history of events.

The clocks of a dossier are computed from its events (see `clocks.py`). The due dates stored
here and in `DossierClock` are caches for sorting and filtering, rewritten in the same
transaction as the event that changes them; `guichet rederive-clocks` checks them.
"""

import re
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guichet.accounts.models import ANONYMIZED, Unit
from guichet.append_only import AppendOnly
from guichet.catalogue.models import Commitment, Service
from guichet.crypto import EncryptedDateField, EncryptedTextField


class Channel(models.TextChoices):
    ONLINE = "online", _("En ligne")
    MAIL = "mail", _("Par la poste")
    IN_PERSON = "in_person", _("En personne")
    API = "api", _("Par un autre système")


class DossierState(models.TextChoices):
    RECEIVED = "received", _("En traitement")
    INCOMPLETE = "incomplete", _("Incomplet : documents attendus")
    INTENTION = "intention", _("Avis d'intention envoyé : observations attendues")
    DECIDED = "decided", _("Décision rendue")
    WITHDRAWN = "withdrawn", _("Retiré")
    CLOSED = "closed", _("Fermé")


OPEN_STATES = (DossierState.RECEIVED, DossierState.INCOMPLETE, DossierState.INTENTION)
# The condition of the worklist's partial indexes: open dossiers only (plain strings, as the
# migrations record them).
OPEN_CONDITION = Q(state__in=[str(state.value) for state in OPEN_STATES])


class Decision(models.TextChoices):
    ACCEPTED = "accepted", _("Acceptée")
    REFUSED = "refused", _("Refusée")
    REJECTED = "rejected", _("Rejetée")


class EventKind(models.TextChoices):
    """What can happen to a dossier. The clock events of the catalogue are among them."""

    RECEIVED = "received", _("Demande reçue")
    ASSIGNED = "assigned", _("Dossier attribué")
    ACKNOWLEDGED = "acknowledged", _("Accusé de réception envoyé")
    INCOMPLETENESS_NOTICE = "incompleteness_notice", _("Avis de dossier incomplet envoyé")
    ITEMS_RECEIVED = "items_received", _("Documents manquants reçus")
    # One or more, but not all, of the items an incompleteness notice asked for: recorded,
    # the clock stays suspended (only ITEMS_RECEIVED, written with the last item, resumes it).
    ITEM_RECEIVED = "item_received", _("Élément demandé reçu (d'autres sont attendus)")
    DOCUMENT_ADDED = "document_added", _("Document ajouté")
    FEE_PAID = "fee_paid", _("Frais acquittés")
    INTENTION_TO_REFUSE = "intention_to_refuse", _("Avis d'intention envoyé")
    OBSERVATIONS = "observations", _("Observations du client")
    DECIDED = "decided", _("Décision rendue")
    REVIEW_REQUESTED = "review_requested", _("Révision administrative demandée")
    WITHDRAWN = "withdrawn", _("Demande retirée")
    CLOSED = "closed", _("Dossier fermé")
    ADDRESS_CHANGED = "address_changed", _("Changement d'adresse")
    SITUATION_CHANGED = "situation_changed", _("Changement de situation")
    RECTIFIED = "rectified", _("Renseignement rectifié à la demande du client")
    ADMISSIBILITY_NOTICE_SENT = "admissibility_notice_sent", _("Avis d'admissibilité envoyé")
    ADMISSIBILITY_CONFIRMED = "admissibility_confirmed", _("Admissibilité confirmée")
    COURSE_STARTED = "course_started", _("Début du cours")
    MEETING_HELD = "meeting_held", _("Rencontre tenue")
    SESSION_HELD = "session_held", _("Séance tenue")
    ACCOMPANIMENT_STARTED = "accompaniment_started", _("Début de l'accompagnement")
    ANSWERED = "answered", _("Réponse envoyée")
    ACCOUNT_LINKED = "account_linked", _("Dossier lié au compte en ligne du client")
    MANDATE_GRANTED = "mandate_granted", _("Mandat donné à un consultant en immigration")
    MANDATE_REVOKED = "mandate_revoked", _("Mandat révoqué")


# Given and revoked by guichet/mandates (which reads these; the dossier only records them).
MANDATE_EVENTS = (EventKind.MANDATE_GRANTED, EventKind.MANDATE_REVOKED)


def event_kind_label(kind: str) -> str:
    """The French label of an event kind (the kind itself if it is not one of ours)."""
    return str(EventKind(kind).label) if kind in EventKind.values else kind


NUMBER_MAX_LENGTH = 20
# The number dossier_file gives: the year of reception, a hyphen, the id on six digits or more.
NUMBER_FORMAT = re.compile(r"[0-9]{4}-[0-9]{6,}")


def is_dossier_number(text: str) -> bool:
    """Whether `text` is written as a dossier number (whether such a dossier exists aside)."""
    return len(text) <= NUMBER_MAX_LENGTH and NUMBER_FORMAT.fullmatch(text) is not None


class Dossier(models.Model):
    number = models.CharField(_("numéro"), max_length=NUMBER_MAX_LENGTH, unique=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="dossiers")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="dossiers")
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("client"),
    )
    applicant_name = models.CharField(_("nom du demandeur"), max_length=200)
    applicant_email = models.EmailField(_("courriel du demandeur"), blank=True)
    postal_address = models.TextField(_("adresse postale"), blank=True)
    # Sensitive identifiers, encrypted at rest (guichet/crypto.py).
    birth_date = EncryptedDateField(_("date de naissance"), null=True, blank=True)
    passport_number = EncryptedTextField(_("numéro de passeport"), blank=True)
    federal_client_id = EncryptedTextField(_("identifiant client fédéral (IUC)"), blank=True)
    channel = models.CharField(_("mode de réception"), max_length=20, choices=Channel.choices)
    received_on = models.DateField(_("date de réception"))
    filed_at = models.DateTimeField(_("inscrit le"), auto_now_add=True)
    state = models.CharField(
        _("état"), max_length=20, choices=DossierState.choices, default=DossierState.RECEIVED
    )
    decision = models.CharField(_("décision"), max_length=20, choices=Decision.choices, blank=True)
    decided_on = models.DateField(_("date de la décision"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_dossiers",
        verbose_name=_("agent"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name=_("dossier d'origine"),
    )
    fee_paid_on = models.DateField(_("frais acquittés le"), null=True, blank=True)
    # Incremented by every action: a form carries the version it was shown, and an action on
    # a stale version is refused (someone else acted in between).
    version = models.PositiveIntegerField(_("version"), default=0)
    # Caches over the running clocks, for the worklist (see clocks.py).
    due_date = models.DateField(_("échéance"), null=True, blank=True)
    at_risk_on = models.DateField(_("à risque à partir du"), null=True, blank=True)
    overdue_on = models.DateField(_("en retard à partir du"), null=True, blank=True)

    # Every column is classified (a test holds it, so that a new or renamed field cannot
    # escape the retention schedule): what identifies the person, with what `anonymize()`
    # makes of it, and what is kept for the figures.
    PERSONAL_FIELDS: ClassVar[dict[str, Any]] = {
        "client": None,
        "applicant_name": ANONYMIZED,
        "applicant_email": "",
        "postal_address": ANONYMIZED,
        "birth_date": None,
        "passport_number": "",
        "federal_client_id": "",
    }
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = (
        "id",
        "number",
        "service",
        "unit",
        "channel",
        "received_on",
        "filed_at",
        "state",
        "decision",
        "decided_on",
        "assigned_to",
        "parent",
        "fee_paid_on",
        "version",
        "due_date",
        "at_risk_on",
        "overdue_on",
    )

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        indexes = [
            # The worklist's page and counts read only this index (PostgreSQL index-only scan;
            # `include` is ignored by SQLite).
            models.Index(
                fields=["unit", "due_date", "id"],
                include=["at_risk_on", "overdue_on", "service", "state", "assigned_to"],
                name="worklist_open_covering",
                condition=OPEN_CONDITION,
            ),
            # The at-risk filter: not overdue yet, at risk already (guichet/dossiers/worklist.py).
            models.Index(
                fields=["unit", "overdue_on", "at_risk_on"],
                include=["due_date", "id"],
                name="worklist_open_risk",
                condition=OPEN_CONDITION,
            ),
            # The state and service filters: the dossiers of one state, or of one version of a
            # service, in due-date order, whatever the rest of the backlog (worklist.py).
            models.Index(
                fields=["unit", "state", "due_date", "id"],
                name="worklist_open_state",
                condition=OPEN_CONDITION,
            ),
            models.Index(
                fields=["unit", "service", "due_date", "id"],
                name="worklist_open_service",
                condition=OPEN_CONDITION,
            ),
            models.Index(fields=["client", "-received_on"], name="client_dossiers"),
            models.Index(fields=["service", "received_on"], name="service_received"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def fee_owed(self) -> bool:
        return self.service.fee_amount is not None and self.fee_paid_on is None

    def anonymize(self) -> list[str]:
        """Replace what identifies the person (PERSONAL_FIELDS); the fields changed."""
        for name, value in self.PERSONAL_FIELDS.items():
            setattr(self, name, value)
        return list(self.PERSONAL_FIELDS)


class DossierEvent(AppendOnly):
    """One line of a dossier's history. Rows are only ever inserted (see services.py); the
    database refuses the rest (guichet/append_only.py)."""

    record_name = "l'historique du dossier"
    # Every column is classified (a test holds it): what `scrub()` may replace, and the rest.
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("details", "actor", "actor_label")
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = (
        "id",
        "dossier",
        "seq",
        "kind",
        "occurred_on",
        "recorded_at",
    )
    # Details kept when a dossier is anonymized: codes, dates, amounts, identifiers of other
    # records, and the names of staff.
    DETAILS_KEPT: ClassVar[frozenset[str]] = frozenset(
        {
            "channel",
            "documents",
            "decision",
            "intended",
            "observations_until",
            "of",
            "review",
            "amount",
            "agent",
            "agent_name",
            "answers",
        }
    )

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField(_("rang"))
    kind = models.CharField(_("événement"), max_length=40, choices=EventKind.choices)
    occurred_on = models.DateField(_("date"))
    recorded_at = models.DateTimeField(_("inscrit le"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    actor_label = models.CharField(_("par (libellé)"), max_length=200, blank=True)
    details = models.JSONField(_("détails"), default=dict, blank=True)

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["dossier", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="event_seq_per_dossier")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} #{self.seq} {self.kind}"

    def scrub(self, *, client_id: int | None, staff_ids: set[int]) -> None:
        """Replace what identifies the client in this event (PERSONAL_FIELDS): every detail
        but codes, dates, amounts and identifiers of other records (DETAILS_KEPT; free text,
        reasons, missing items and any key added later go), and who acted unless staff."""
        scrubbed: dict[str, Any] = {}
        for key, value in self.details.items():
            if key in self.DETAILS_KEPT:
                scrubbed[key] = value
            elif isinstance(value, list):
                scrubbed[key] = [ANONYMIZED for _ in value]
            elif value in ("", None):
                scrubbed[key] = value
            else:
                scrubbed[key] = ANONYMIZED
        self.details = scrubbed
        if self.actor_id is not None and (
            self.actor_id == client_id or self.actor_id not in staff_ids
        ):
            self.actor = None
            self.actor_label = ANONYMIZED

    @property
    def kind_label(self) -> str:
        return event_kind_label(self.kind)

    def summary(self) -> str:
        """The event's details in one line, for the history tables."""
        d = self.details
        if d.get("consultant"):
            return str(d["consultant"])
        if d.get("items"):
            return " ; ".join(d["items"])
        if d.get("decision"):
            return f"{Decision(d['decision']).label} — {d.get('reasons', '')}"
        if d.get("intended"):
            return f"{Decision(d['intended']).label} envisagé — {d.get('reasons', '')}"
        for key in ("reasons", "text", "note", "agent_name"):
            if d.get(key):
                return str(d[key])
        if d.get("review"):
            return f"dossier de révision {d['review']}"
        if d.get("of"):
            return f"révision du dossier {d['of']}"
        if d.get("channel"):
            return str(Channel(d["channel"]).label)
        return ""


class ClockOutcome(models.TextChoices):
    MET = "met", _("Respecté")
    MISSED = "missed", _("Non respecté")


class DossierClock(models.Model):
    """Cache of one commitment's clock on one dossier, derived from the events."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="clocks")
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(null=True, blank=True)
    stopped_on = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    at_risk_on = models.DateField(null=True, blank=True)
    overdue_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=ClockOutcome.choices, blank=True)

    class Meta:
        verbose_name = _("délai du dossier")
        verbose_name_plural = _("délais des dossiers")
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "commitment"], name="one_clock_per_commitment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.commitment_id}"


class ClockRefresh(models.Model):
    """The due dates kept for the worklist, re-derived for one version of the closure calendar.

    A change of the calendar (a closure day recorded or retired, a year confirmed) moves due
    dates; the dossier pages and the API compute theirs from the events and see it at once,
    but the cached columns the worklist sorts on must be rewritten. The worklist notices a new
    calendar version (its stamp) and asks for one background re-derivation, recorded here:
    when it was asked for, when it ran, how many dossiers it checked and how many it changed.
    The first row of a database only takes the calendar as it is (`baseline`)."""

    stamp = models.CharField(_("version du calendrier"), max_length=16, unique=True)
    requested_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    baseline = models.BooleanField(_("calendrier de départ"), default=False)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    checked = models.PositiveIntegerField(_("dossiers vérifiés"), default=0)
    changed = models.PositiveIntegerField(_("dossiers corrigés"), default=0)

    class Meta:
        verbose_name = _("recalcul des échéances")
        verbose_name_plural = _("recalculs des échéances")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.stamp} {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def pending(self) -> bool:
        return self.finished_at is None


class Document(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="documents")
    checklist_code = models.SlugField(_("document exigé"), max_length=60, blank=True)
    label = models.CharField(_("description"), max_length=300)
    file = models.FileField(_("fichier"), upload_to="documents/%Y/%m/")
    original_name = models.CharField(_("nom d'origine"), max_length=255)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("reçu le"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["dossier", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.label


class LetterKind(models.TextChoices):
    ACKNOWLEDGMENT = "acknowledgment", _("Accusé de réception")
    INCOMPLETENESS = "incompleteness", _("Avis de dossier incomplet")
    INTENTION = "intention", _("Avis d'intention")
    DECISION = "decision", _("Lettre de décision")


class Letter(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(_("lettre"), max_length=20, choices=LetterKind.choices)
    language = models.CharField(_("langue"), max_length=5, default="fr")
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier PDF"), upload_to="letters/%Y/%m/")
    event_seq = models.PositiveIntegerField(_("événement"))
    created_at = models.DateTimeField(_("produite le"), auto_now_add=True)
    notified_at = models.DateTimeField(_("client avisé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("lettre")
        verbose_name_plural = _("lettres")
        ordering = ["dossier", "created_at", "id"]

    def __str__(self) -> str:
        return self.title


class LinkCode(models.Model):
    """A one-time code sent to the address on file, to link a dossier filed by mail or at the
    counter to the account of the person who proves they own it."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="link_codes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("code de liaison")
        verbose_name_plural = _("codes de liaison")

    def __str__(self) -> str:
        return f"{self.dossier_id} → {self.user_id}"
