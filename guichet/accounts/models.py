"""People who sign in: clients, consultants and staff. One account per e-mail address.

A custom user model from the first migration, as Django recommends: identity, roles and
units (issue 4) grow on it without a painful switch later.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guichet.append_only import AppendOnly
from guichet.crypto import EncryptedTextField

# What anonymized personal information becomes (the retention schedule, guichet purge).
ANONYMIZED = "[anonymisé]"
ANONYMIZED_EMAIL_DOMAIN = "anonymise.invalid"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("une adresse courriel est obligatoire")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("adresse courriel"), unique=True)
    full_name = models.CharField(_("nom complet"), max_length=200, blank=True)
    is_staff = models.BooleanField(_("accès à l'administration"), default=False)
    is_active = models.BooleanField(_("actif"), default=True)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()
    # What the middleware and the pages ask of the person signed in on a request, kept on the
    # instance for that request only (read with the account by `keep_arrival`, or on first
    # use); never columns.
    _arrival: "Arrival"
    _is_staff_request_user: bool
    _has_any_role_grant: bool
    _units_of_request_user: list["Unit"]
    _serves_in_french_only: bool

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    # Every column is classified (a test holds it): what identifies the person, replaced by
    # `anonymize()`, and the rest.
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("email", "full_name", "password", "is_active")
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = (
        "id",
        "last_login",
        "is_superuser",
        "is_staff",
        "date_joined",
    )

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self) -> str:
        return self.full_name or self.email

    def anonymize(self) -> list[str]:
        """Replace what identifies the person (PERSONAL_FIELDS); the fields changed."""
        self.email = f"anonymise-{self.pk}@{ANONYMIZED_EMAIL_DOMAIN}"
        self.full_name = ANONYMIZED
        self.is_active = False
        self.set_unusable_password()
        return list(self.PERSONAL_FIELDS)


class Unit(models.Model):
    """An administrative unit of the ministry; it owns services and their dossiers."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=200)

    class Meta:
        verbose_name = _("unité")
        verbose_name_plural = _("unités")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UnitService(models.Model):
    """A service (by its code, stable across declaration versions) owned by a unit."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="services")
    service_code = models.SlugField(_("code du service"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("service de l'unité")
        verbose_name_plural = _("services de l'unité")
        ordering = ["unit", "service_code"]

    def __str__(self) -> str:
        return f"{self.unit.code} : {self.service_code}"


class StaffRole(models.TextChoices):
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Superviseur")


class GlobalRole(models.TextChoices):
    """Roles that are not tied to a unit."""

    COMMISSAIRE = "commissaire", _("Commissaire aux plaintes et à la qualité des services")
    PRIVACY_OFFICER = (
        "privacy_officer",
        _("Responsable de la protection des renseignements personnels"),
    )
    ADMINISTRATOR = "administrator", _("Administrateur")


class RoleGrant(models.Model):
    """A global role given to a staff member (who gave it and when is kept)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("rôle"), max_length=30, choices=GlobalRole.choices)
    granted_at = models.DateTimeField(_("attribué le"), default=timezone.now)
    granted_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("attribué par"),
    )

    class Meta:
        verbose_name = _("rôle attribué")
        verbose_name_plural = _("rôles attribués")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="one_grant_per_role")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


def has_role(user: object, role: GlobalRole) -> bool:
    return isinstance(user, User) and RoleGrant.objects.filter(user=user, role=role).exists()


def is_staff_member(user: object) -> bool:
    """Anyone who works for the ministry in Guichet: a unit member or a global role."""
    if not isinstance(user, User):
        return False
    return (
        Membership.objects.filter(user=user).exists()
        or RoleGrant.objects.filter(user=user).exists()
    )


def is_staff_request_user(user: User) -> bool:
    """`is_staff_member` for the person signed in on this request, asked by the middleware on
    every page (second factor, language): read once, kept on the user object like
    `units_of_request_user` (whose list it reuses). Not for a User kept across changes."""
    known: bool | None = getattr(user, "_is_staff_request_user", None)
    if known is None:
        known = bool(units_of_request_user(user)) or has_any_role_grant(user)
        user._is_staff_request_user = known
    return known


def has_any_role_grant(user: User) -> bool:
    """Whether the person signed in on this request holds a global role; read once per
    request (kept on the user object)."""
    known: bool | None = getattr(user, "_has_any_role_grant", None)
    if known is None:
        known = RoleGrant.objects.filter(user=user).exists()
        user._has_any_role_grant = known
    return known


def units_of_request_user(user: User) -> list["Unit"]:
    """The units where the person signed in on this request has a role, by name.

    Read once per request (the language of the page and the back office's access check both
    ask): kept on the user object, which lives as long as the request. Not for a User
    instance kept across changes of its memberships."""
    known: list[Unit] | None = getattr(user, "_units_of_request_user", None)
    if known is None:
        known = list(Unit.objects.filter(memberships__user=user).order_by("name"))
        user._units_of_request_user = known
    return known


@dataclass(frozen=True)
class Arrival:
    """What the person signed in on this request had when the request arrived, read with the
    account itself (`request_user_read`): only for the middleware, which asks before any view
    can change it. A view that changes a device or a language asks the database again."""

    confirmed_device: bool  # an authenticator application (the second factor)
    language_change: str | None  # the latest change of their language of service, if any


def request_user_read() -> "models.QuerySet[User]":
    """Accounts read with what the middleware asks of the person signed in on every page (the
    second factor, staff or client, the language of service): one query where there were
    five. `keep_arrival` then files the answers on the user object."""
    from django.db.models import Exists, OuterRef, Subquery

    person = OuterRef("pk")
    return User.objects.annotate(
        arrival_in_a_unit=Exists(Membership.objects.filter(user=person)),
        arrival_role_grant=Exists(RoleGrant.objects.filter(user=person)),
        arrival_device=Exists(TotpDevice.objects.filter(user=person, confirmed_at__isnull=False)),
        arrival_language_change=Subquery(
            LanguageOfService.objects.filter(user=person).order_by("-id").values("change")[:1]
        ),
    )


def keep_arrival(user: User) -> User:
    """File the answers of `request_user_read` where the per-request readers look for them
    (`is_staff_request_user`, `has_any_role_grant`, `units_of_request_user`, `arrival_of`)."""
    facts = user.__dict__  # the annotations, set by the query on the instance itself
    in_a_unit = bool(facts.pop("arrival_in_a_unit"))
    role_grant = bool(facts.pop("arrival_role_grant"))
    user._has_any_role_grant = role_grant
    user._is_staff_request_user = in_a_unit or role_grant
    if not in_a_unit:
        user._units_of_request_user = []
    user._arrival = Arrival(
        confirmed_device=bool(facts.pop("arrival_device")),
        language_change=facts.pop("arrival_language_change"),
    )
    return user


def arrival_of(user: object) -> Arrival | None:
    """The facts read with the account on this request; None for a user read otherwise."""
    # getattr, not __dict__: request.user is a lazy proxy whose own __dict__ is not the user's.
    return getattr(user, "_arrival", None) if isinstance(user, User) else None


class Membership(models.Model):
    """A staff member's role in a unit: agents act on its dossiers, supervisors oversee them."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=20, choices=StaffRole.choices)

    class Meta:
        verbose_name = _("affectation")
        verbose_name_plural = _("affectations")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="one_role_per_unit")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.unit.code})"


class ApiToken(models.Model):
    """A secret that lets another system act as a service account through the API.

    Only the SHA-256 of the secret is kept: the secret itself is shown once, when the token is
    created, and cannot be recovered. The service account's unit memberships decide what the
    token may see and do, exactly as for a staff member.
    """

    name = models.CharField(_("nom"), max_length=100)
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("compte de service"),
    )
    key_hash = models.CharField(_("empreinte SHA-256 du secret"), max_length=64, unique=True)
    prefix = models.CharField(_("début du secret"), max_length=8)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["name", "created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_secret(secret: str) -> str:
        import hashlib  # imported here: this model was appended to a file others edit

        return hashlib.sha256(secret.encode()).hexdigest()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def set_new_secret(self) -> str:
        """Give the (unsaved) token a fresh secret and return it; only its hash is kept."""
        import secrets

        secret = secrets.token_urlsafe(32)
        self.key_hash = self.hash_secret(secret)
        self.prefix = secret[:8]
        return secret


class TotpDevice(models.Model):
    """A person's authenticator application (second factor, RFC 6238 codes).

    The secret (base32, as the application received it) is stored encrypted like the other
    sensitive identifiers (`guichet/crypto.py`): whoever reads the database, a dump or a backup
    without `GUICHET_FIELD_KEYS` cannot produce the person's codes, and `guichet
    rotate-field-keys` re-encrypts it with the others. `last_used_step` is the 30-second step
    of the last code accepted: a code is never accepted twice.
    """

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="totp_device", verbose_name=_("personne")
    )
    secret = EncryptedTextField(_("secret (base32)"))
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)
    last_used_step = models.BigIntegerField(_("dernier pas utilisé"), null=True, blank=True)

    class Meta:
        verbose_name = _("application d'authentification")
        verbose_name_plural = _("applications d'authentification")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class EnrolmentCode(models.Model):
    """A one-time code e-mailed to a staff member who has no authenticator application yet.

    Typing it before the application's secret is shown proves that the person reads the
    account's mailbox, not only that they know the password. One per person: asking for a new
    code replaces it. Only a keyed hash of the code is kept (HMAC-SHA256 with SECRET_KEY); the
    row goes once the application is confirmed."""

    DIGITS = 8
    VALIDITY = timedelta(minutes=15)
    MAX_ATTEMPTS = 5  # wrong tries; the fifth ends the code
    RESEND_WAIT = timedelta(minutes=1)  # between two codes

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="enrolment_code", verbose_name=_("personne")
    )
    code_hash = models.CharField(_("empreinte du code"), max_length=64)
    sent_at = models.DateTimeField(_("envoyé le"))
    expires_at = models.DateTimeField(_("valide jusqu'au"))
    attempts = models.PositiveSmallIntegerField(_("essais incorrects"), default=0)
    used_at = models.DateTimeField(_("utilisé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("code d'activation envoyé par courriel")
        verbose_name_plural = _("codes d'activation envoyés par courriel")

    def __str__(self) -> str:
        return str(self.user)

    def can_be_typed(self, at: datetime) -> bool:
        """Whether the code may still be typed at `at`: unused, not expired, tries left."""
        return self.used_at is None and at < self.expires_at and self.attempts < self.MAX_ATTEMPTS


class Signup(models.Model):
    """An account created by the person through the portal: it stays inactive until the
    link sent to the e-mail address is opened (`activated_at`); the link works once."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="signup", verbose_name=_("personne")
    )
    requested_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    activated_at = models.DateTimeField(_("activé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")

    def __str__(self) -> str:
        return str(self.user)


class LoginThrottle(models.Model):
    """Recent failed log-ins from one network: an IPv4 address, or the /64 of an IPv6 address
    (one subscriber's network, whose owner may use any of its addresses). Past a threshold the
    network waits before each attempt; the row goes once the network has been quiet for a
    while (guichet/accounts/throttle.py). It keeps no account and no e-mail address."""

    network = models.CharField(_("réseau"), max_length=43, unique=True)
    failures = models.PositiveIntegerField(_("échecs"))
    last_failure_at = models.DateTimeField(_("dernier échec"), db_index=True)

    class Meta:
        verbose_name = _("ralentissement des connexions")
        verbose_name_plural = _("ralentissements des connexions")

    def __str__(self) -> str:
        return self.network


# --- Language of service ----------------------------------------------------------------------


class ServiceLanguage(models.TextChoices):
    """The languages offered in addition to French (never instead of it)."""

    ENGLISH = "en", _("anglais")
    SPANISH = "es", _("espagnol")


class LanguageBasis(models.TextChoices):
    """The recorded reasons that allow another language than French (Charte de la langue
    française as amended in 2022)."""

    RECENT_ARRIVAL = (
        "recent_arrival",
        _("Personne immigrante arrivée au Québec depuis moins de six mois"),
    )
    OUTSIDE_QUEBEC = "outside_quebec", _("Personne domiciliée hors du Québec")
    ENGLISH_INSTRUCTION = (
        "english_instruction",
        _("Personne admissible à l'enseignement en anglais"),
    )
    HEALTH_SAFETY_JUSTICE = (
        "health_safety_justice",
        _("Santé, sécurité publique ou principes de justice naturelle"),
    )


class LanguageChange(models.TextChoices):
    DECLARED = "declared", _("Déclarée")
    ENDED = "ended", _("Terminée")


class LanguageEndReason(models.TextChoices):
    PERSON = "person", _("à la demande de la personne")
    STAFF = "staff", _("par un membre du personnel")
    MOVED_TO_QUEBEC = "moved_to_quebec", _("changement d'adresse au Québec")
    EXPIRED = "expired", _("échéance atteinte")


class RecordedAs(models.TextChoices):
    CLIENT = "client", _("déclaration de la personne")
    AGENT = "agent", _("inscription par le personnel")
    SYSTEM = "system", _("système")


class LanguageOfService(AppendOnly):
    record_name = "l'historique des langues de service"

    """One change of a client's language of service: a declaration (language, basis, the facts
    behind it, the last day it is valid) or its end. Rows are never changed: the current
    language of service is the latest row (see `guichet/accounts/language.py`)."""

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="language_of_service_history",
        verbose_name=_("personne"),
    )
    change = models.CharField(_("changement"), max_length=10, choices=LanguageChange.choices)
    language = models.CharField(
        _("langue"), max_length=2, choices=ServiceLanguage.choices, blank=True
    )
    basis = models.CharField(_("motif"), max_length=30, choices=LanguageBasis.choices, blank=True)
    arrived_on = models.DateField(_("date d'arrivée au Québec"), null=True, blank=True)
    outside_quebec = models.BooleanField(_("domiciliée hors du Québec"), default=False)
    justification = models.TextField(_("justification"), max_length=2000, blank=True)
    # The last day the basis is valid; empty for "outside Québec", which lasts until a change
    # of address to Québec.
    valid_until = models.DateField(_("valide jusqu'au"), null=True, blank=True)
    end_reason = models.CharField(
        _("raison de la fin"), max_length=20, choices=LanguageEndReason.choices, blank=True
    )
    recorded_as = models.CharField(_("inscrit par"), max_length=10, choices=RecordedAs.choices)
    # The access log keeps who acted for good; this link goes if that account is deleted.
    recorded_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inscrit par (compte)"),
    )
    recorded_at = models.DateTimeField(_("inscrit le"), default=timezone.now)

    class Meta:
        verbose_name = _("langue de service")
        verbose_name_plural = _("langues de service")
        ordering: ClassVar[list[str]] = ["user", "id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["user", "id"], name="language_of_service_user")
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=(
                    models.Q(change="declared") & ~models.Q(language="") & ~models.Q(basis="")
                )
                | (models.Q(change="ended") & ~models.Q(end_reason="")),
                name="language_of_service_complete",
            )
        ]

    def __str__(self) -> str:
        if self.change == LanguageChange.ENDED:
            return f"{self.user} — {self.get_change_display()} ({self.get_end_reason_display()})"
        return f"{self.user} — {self.get_language_display()} ({self.get_basis_display()})"

    def valid_on(self, day: date) -> bool:
        """Whether this declaration allows its language on `day` (an end allows nothing)."""
        return self.change == LanguageChange.DECLARED and (
            self.valid_until is None or day <= self.valid_until
        )


class AccessChangeKind(models.TextChoices):
    MEMBERSHIP_GRANTED = "membership_granted", _("Affectation à une unité")
    MEMBERSHIP_REVOKED = "membership_revoked", _("Fin d'une affectation")
    ROLE_GRANTED = "role_granted", _("Attribution d'un rôle")
    ROLE_REVOKED = "role_revoked", _("Retrait d'un rôle")
    UNIT_CREATED = "unit_created", _("Création d'une unité")
    SERVICE_ASSIGNED = "service_assigned", _("Service confié à une unité")
    SERVICE_RELEASED = "service_released", _("Service retiré à une unité")


class AccessChange(AppendOnly):
    record_name = "l'historique des droits d'accès"

    """One change to who may do what, made in the Administration area: a unit membership or a
    global role given or taken back, a unit created, a service given to a unit or taken from
    it. Memberships and grants hold the present; this append-only history keeps the past (when
    a role was given and taken back, by whom and why)."""

    at = models.DateTimeField(_("le"), default=timezone.now)
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    kind = models.CharField(_("changement"), max_length=30, choices=AccessChangeKind.choices)
    user = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_changes",
        verbose_name=_("personne"),
    )
    role = models.CharField(
        _("rôle"),
        max_length=30,
        blank=True,
        choices=[*StaffRole.choices, *GlobalRole.choices],
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unité"),
    )
    service_code = models.SlugField(_("code du service"), max_length=60, blank=True)
    reason = models.CharField(_("motif"), max_length=500)
    # The person had dossiers as a client, and the administrator went ahead knowingly.
    conflict_acknowledged = models.BooleanField(_("conflit d'intérêts signalé"), default=False)

    class Meta:
        verbose_name = _("changement des droits d'accès")
        verbose_name_plural = _("historique des droits d'accès")
        ordering: ClassVar[list[str]] = ["-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["user", "id"], name="access_change_user")
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"
