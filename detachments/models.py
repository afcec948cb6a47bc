import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regions.models import Region
from regions.validators import validate_point_in_kazakhstan


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
        return self.label_of(self.school_name, self.school_number, self.locality)

    @staticmethod
    def label_of(school_name: str, school_number: str, locality: str) -> str:
        """str() of a detachment from its columns (reads that fetch values, not models)."""
        return f"{school_display_name(school_name, school_number)} ({locality})"

    @property
    def name(self) -> str:
        """The school as people call it: its name with its number, written once.

        Schools are often named by their number ("№ 2 мектеп", "Гимназия №2"); adding the
        number field to such a name would say it twice.
        """
        return school_display_name(self.school_name, self.school_number)

    def clean(self) -> None:
        """The rules every write path shares."""
        validate_point_in_kazakhstan(self.latitude, self.longitude)


def school_display_name(school_name: str, school_number: str) -> str:
    """Detachment.name from its two columns (reads that fetch values, not models, use it too)."""
    number = school_number.strip()
    if not number or _names_number(school_name, number):
        return school_name
    return f"{school_name} № {number}"


def _names_number(name: str, number: str) -> bool:
    """Whether `name` already has `number` as a number of its own ("№ 2", "№2", "2"), not as
    part of a longer one ("№ 12"). A scan, not a regex: the map names thousands of schools at
    once and a pattern per number would be compiled for each."""
    start = name.find(number)
    while start != -1:
        end = start + len(number)
        before = name[start - 1] if start else ""
        after = name[end] if end < len(name) else ""
        if not _is_word_char(before) and not _is_word_char(after):
            return True
        start = name.find(number, start + 1)
    return False


def _is_word_char(char: str) -> bool:
    """As `\\w` in a regex: a letter, a digit or the underscore."""
    return bool(char) and (char.isalnum() or char == "_")


class CuratorInvitation(models.Model):
    """An invitation to curate a detachment, mailed by a coordinator to an address.

    The person becomes the curator only on accepting it through the mailed link (an account is
    made then if the address has none): a coordinator cannot hand another person's account a
    role, and the link proves the address. Kept after use, as the record of who was made curator
    by whom.
    """

    detachment = models.ForeignKey(
        Detachment,
        on_delete=models.CASCADE,
        related_name="curator_invitations",
        verbose_name=_("detachment"),
    )
    email = models.EmailField(_("e-mail"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("curator invitation")
        verbose_name_plural = _("curator invitations")
        indexes = [models.Index(fields=["detachment", "accepted_at", "revoked_at"], name="invitation_open")]

    def __str__(self) -> str:
        return f"{self.email} → {self.detachment}"

    def is_pending(self, now: datetime.datetime | None = None) -> bool:
        """Neither accepted, revoked nor expired: the link still works."""
        return (
            self.accepted_at is None and self.revoked_at is None and self.expires_at > (now or timezone.now())
        )
