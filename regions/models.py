from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .i18n import localized


class Region(models.Model):
    """One of Kazakhstan's 20 first-level units (17 regions, 3 cities of republican significance)."""

    code = models.CharField(_("KATO code"), max_length=2, unique=True)
    iso_code = models.CharField(_("ISO 3166-2 code"), max_length=6, unique=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=100)
    name_ru = models.CharField(_("name (Russian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    center_kk = models.CharField(_("centre (Kazakh)"), max_length=100)
    center_ru = models.CharField(_("centre (Russian)"), max_length=100)
    center_en = models.CharField(_("centre (English)"), max_length=100)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language: names come from the data, not the catalogue."""
        return localized(self, "name")

    @property
    def center_name(self) -> str:
        return localized(self, "center")

    @property
    def center(self) -> tuple[float, float]:
        """GeoJSON order: [lon, lat]."""
        return (float(self.longitude), float(self.latitude))


class CoordinatorAssignment(models.Model):
    """A regional coordinator's mandate for one region; a coordinator may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="coordinator_assignments",
        verbose_name=_("user"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="coordinator_assignments", verbose_name=_("region")
    )
    created_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("coordinator assignment")
        verbose_name_plural = _("coordinator assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "region"], name="unique_coordinator_region"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.region}"
