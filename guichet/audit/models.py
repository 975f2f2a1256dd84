"""The access log: who read, changed, exported, destroyed or anonymized which personal
information, when and why, and the events of every account. Every app writes to it through
`guichet/audit/services.py`; the privacy officer reads it (guichet/privacy/).

The log is append-only, and the database itself holds it so (guichet/audit/db.py,
guichet/append_only.py); each row is sealed in a chain (guichet/audit/chain.py). The tables
keep the names they had in the privacy app (`privacy_accesslog`, `privacy_accesslogchain`).
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guichet.append_only import AppendOnly


class AccessAction(models.TextChoices):
    READ = "read", _("Consultation")
    CHANGE = "change", _("Modification")
    EXPORT = "export", _("Exportation")
    DESTROY = "destroy", _("Destruction")
    ANONYMIZE = "anonymize", _("Anonymisation")
    ACCOUNT = "account", _("Événement du compte")


class SubjectKind(models.TextChoices):
    DOSSIER = "dossier", _("Dossier")
    DOCUMENT = "document", _("Document")
    LETTER = "letter", _("Lettre")
    PERSON = "person", _("Compte client")
    INCIDENT = "incident", _("Incident de confidentialité")
    LEGAL_HOLD = "legal_hold", _("Conservation légale")
    ACCESS_LOG = "access_log", _("Journal des accès")
    INFO_REQUEST = "info_request", _("Demande d'accès ou de rectification")
    COMPLAINT = "complaint", _("Plainte ou commentaire")
    APPOINTMENT = "appointment", _("Rendez-vous")
    VOICE_MESSAGE = "voice_message", _("Message vocal")
    ENQUIRY = "enquiry", _("Demande par courriel")
    SURVEY_INVITATION = "survey_invitation", _("Invitation à un sondage")
    REFERRAL = "referral", _("Orientation")


class AccessLog(AppendOnly):
    record_name = "le journal des accès"

    """Who read, changed, exported, destroyed or anonymized which personal information, when,
    and why. Identifiers only: no name, address or content is copied here."""

    at = models.DateTimeField(_("le"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    # Only for what is not a person: "API : <token name>", "guichet purge", "système".
    actor_label = models.CharField(_("par (libellé)"), max_length=120, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AccessAction.choices)
    subject_kind = models.CharField(_("objet"), max_length=20, choices=SubjectKind.choices)
    subject_id = models.PositiveBigIntegerField(_("identifiant de l'objet"), null=True, blank=True)
    subject_number = models.CharField(_("numéro de dossier"), max_length=20, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("personne concernée"),
    )
    why = models.CharField(_("motif"), max_length=200)
    path = models.CharField(_("adresse"), max_length=300, blank=True)
    # Tamper evidence (guichet/audit/chain.py): each row's HMAC covers its values and the
    # HMAC of the row before it in its lane; a purge's checkpoint lists what it removed.
    lane = models.PositiveSmallIntegerField(_("file de chaînage"), default=0)
    previous_hash = models.CharField(_("empreinte précédente"), max_length=64)
    row_hash = models.CharField(_("empreinte"), max_length=64)
    checkpoint = models.TextField(_("point de contrôle"), blank=True)

    class Meta:
        db_table = "privacy_accesslog"  # its name from before the audit app
        verbose_name = _("entrée du journal des accès")
        verbose_name_plural = _("journal des accès")
        ordering: ClassVar[list[str]] = ["-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["person", "id"], name="accesslog_person"),
            models.Index(fields=["subject_number", "id"], name="accesslog_number"),
            models.Index(fields=["actor", "id"], name="accesslog_actor"),
            models.Index(fields=["at"], name="accesslog_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.subject_kind} {self.subject_id}"

    @property
    def actor_display(self) -> str:
        actor = self.actor
        if actor is not None:
            return f"{actor.email} ({self.actor_label})" if self.actor_label else actor.email
        return self.actor_label or "système"


class AccessLogChain(models.Model):
    """The newest row of each lane of the access log's chain (guichet/audit/chain.py). A
    writer locks one lane's row for its transaction, so that writers never wait on each other
    unless every lane is busy."""

    lane = models.PositiveSmallIntegerField(_("file de chaînage"), primary_key=True)
    last_id = models.BigIntegerField(_("dernière entrée"), null=True, blank=True)
    last_hash = models.CharField(_("dernière empreinte"), max_length=64)

    class Meta:
        db_table = "privacy_accesslogchain"
        verbose_name = _("tête de chaîne du journal des accès")
        verbose_name_plural = _("têtes de chaîne du journal des accès")

    def __str__(self) -> str:
        return f"{self.lane}: {self.last_id}"


class AccountEvent(models.TextChoices):
    """What happens to an account, each written to the access log (action `account`) with
    its label as the reason."""

    SIGNUP = "signup", _("compte : inscription")
    SIGNUP_EXISTING = "signup_existing", _("compte : inscription tentée avec son adresse")
    EMAIL_VERIFIED = "email_verified", _("compte : adresse courriel vérifiée")
    LOGIN = "login", _("compte : connexion")
    LOGIN_FAILED = "login_failed", _("compte : échec de connexion")
    LOGOUT = "logout", _("compte : déconnexion")
    PASSWORD_CHANGED = "password_changed", _("compte : mot de passe changé")
    PASSWORD_RESET = "password_reset", _("compte : mot de passe réinitialisé")
    SECOND_FACTOR_ENROLLED = "mfa_enrolled", _("compte : validation en deux étapes activée")
    SECOND_FACTOR_REMOVED = "mfa_removed", _("compte : validation en deux étapes retirée")
    ENROLMENT_CODE_SENT = (
        "mfa_code_sent",
        _("compte : code d'activation de la validation en deux étapes envoyé par courriel"),
    )
    ENROLMENT_CODE_ACCEPTED = (
        "mfa_code_accepted",
        _("compte : code d'activation reçu par courriel confirmé"),
    )
    ENROLMENT_CODE_REFUSED = (
        "mfa_code_refused",
        _("compte : code d'activation reçu par courriel refusé"),
    )
    ENROLMENT_CODE_BLOCKED = (
        "mfa_code_blocked",
        _("compte : code d'activation bloqué après trop d'essais"),
    )
