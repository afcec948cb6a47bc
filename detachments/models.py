from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from regions.models import Region


class Detachment(models.Model):
    """A school youth detachment (a Жас Ұлан unit) with its curator, usually a teacher."""

    school_name = models.CharField(_("school"), max_length=200)
    school_number = models.CharField(_("school number"), max_length=20, blank=True)
    locality = models.CharField(_("locality"), max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="detachments", verbose_name=_("region")
    )
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="curated_detachments",
        verbose_name=_("curator"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["region__code", "locality", "school_name"]
        verbose_name = _("detachment")
        verbose_name_plural = _("detachments")

    def __str__(self) -> str:
        if self.school_number:
            return f"{self.school_name} № {self.school_number} ({self.locality})"
        return f"{self.school_name} ({self.locality})"
