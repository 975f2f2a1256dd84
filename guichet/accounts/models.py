"""People who sign in: clients, consultants and staff. One account per e-mail address.

A custom user model from the first migration, as Django recommends: identity, roles and
units (issue 4) grow on it without a painful switch later.
"""

from typing import Any, ClassVar

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self) -> str:
        return self.full_name or self.email


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
