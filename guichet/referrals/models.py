"""Referrals: the directory of partner organizations (a data file, partners/partners.toml,
loaded by `guichet load-partners`, kept in the admin) and each referral of a person to one of
them (who, to whom, why), counted in the results."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Need(models.TextChoices):
    SETTLEMENT = "settlement", _("Installation et premières démarches")
    EMPLOYMENT = "employment", _("Emploi")
    FRENCH = "french", _("Apprentissage du français")
    HOUSING = "housing", _("Logement")
    CREDENTIALS = "credentials", _("Reconnaissance des diplômes et des compétences")
    LEGAL = "legal", _("Aide juridique")
    HEALTH = "health", _("Santé et services sociaux")
    FAMILY = "family", _("Famille et enfants")


class Region(models.TextChoices):
    """The 17 administrative regions of Québec, by their official number."""

    BAS_SAINT_LAURENT = "01", "Bas-Saint-Laurent"
    SAGUENAY = "02", "Saguenay–Lac-Saint-Jean"
    CAPITALE_NATIONALE = "03", "Capitale-Nationale"
    MAURICIE = "04", "Mauricie"
    ESTRIE = "05", "Estrie"
    MONTREAL = "06", "Montréal"
    OUTAOUAIS = "07", "Outaouais"
    ABITIBI = "08", "Abitibi-Témiscamingue"
    COTE_NORD = "09", "Côte-Nord"
    NORD_DU_QUEBEC = "10", "Nord-du-Québec"
    GASPESIE = "11", "Gaspésie–Îles-de-la-Madeleine"
    CHAUDIERE_APPALACHES = "12", "Chaudière-Appalaches"
    LAVAL = "13", "Laval"
    LANAUDIERE = "14", "Lanaudière"
    LAURENTIDES = "15", "Laurentides"
    MONTEREGIE = "16", "Montérégie"
    CENTRE_DU_QUEBEC = "17", "Centre-du-Québec"


class Partner(models.Model):
    """A partner organization of the directory."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    needs = models.JSONField(_("besoins servis"), default=list)
    regions = models.JSONField(_("régions"), default=list)
    languages = models.JSONField(_("langues"), default=list)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    website = models.URLField(_("site Web"), blank=True)
    address = models.TextField(_("adresse"), blank=True)
    accessibility = models.TextField(_("accessibilité"), blank=True)
    active = models.BooleanField(_("actif"), default=True)

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = (
        "id",
        "code",
        "name",
        "needs",
        "regions",
        "languages",
        "email",
        "phone",
        "website",
        "address",
        "accessibility",
        "active",
    )

    class Meta:
        verbose_name = _("organisme partenaire")
        verbose_name_plural = _("organismes partenaires")
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def need_labels(self) -> list[str]:
        return [str(Need(n).label) for n in self.needs if n in Need.values]

    @property
    def region_labels(self) -> list[str]:
        return [str(Region(r).label) for r in self.regions if r in Region.values]


class Origin(models.TextChoices):
    PUBLIC = "public", _("Site public")
    DOSSIER = "dossier", _("Dossier (agent)")
    ENQUIRY = "enquiry", _("Demande de renseignements")


class Referral(models.Model):
    """A person directed to a partner: who, to whom, why."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="referrals")
    need = models.CharField(_("besoin"), max_length=20, choices=Need.choices)
    region = models.CharField(_("région"), max_length=2, choices=Region.choices, blank=True)
    reason = models.TextField(_("motif"), blank=True)
    origin = models.CharField(_("provenance"), max_length=20, choices=Origin.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person_email = models.EmailField(_("courriel de la personne"), blank=True)
    dossier_number = models.CharField(_("dossier"), max_length=20, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    referred_on = models.DateField(_("le"))
    created_at = models.DateTimeField(default=timezone.now)

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = (
        "person",
        "person_email",
        "dossier_number",
        "reason",
    )
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = (
        "id",
        "partner",
        "need",
        "region",
        "origin",
        "referred_by",
        "unit",
        "referred_on",
        "created_at",
    )

    class Meta:
        verbose_name = _("orientation")
        verbose_name_plural = _("orientations")
        ordering: ClassVar[list[str]] = ["-referred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.referred_on}"
