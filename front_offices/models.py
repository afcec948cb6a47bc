from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from regions.models import Region
from regions.validators import validate_point_in_kazakhstan


class FrontOffice(models.Model):
    """A regional volunteer front office. Opening hours, visit slots and bookings come with the
    front-office module; the office and its staff exist now so that the role can be assigned."""

    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="front_offices", verbose_name=_("region")
    )
    address = models.CharField(_("address"), max_length=300)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="front_offices",
        verbose_name=_("front-office staff"),
        help_text=_("People who keep this office's hours and check visitors in."),
    )

    class Meta:
        ordering = ["region__code", "name"]
        verbose_name = _("front office")
        verbose_name_plural = _("front offices")

    def __str__(self) -> str:
        return self.name

    @property
    def phone_display(self) -> str:
        from volunteers.validators import format_phone

        return format_phone(self.phone)

    def clean(self) -> None:
        """The rules every write path shares (the coordinators' page, the admin)."""
        from volunteers.validators import normalize_phone

        errors: dict[str, list[ValidationError]] = {}
        try:
            self.phone = normalize_phone(self.phone)
        except ValidationError as exc:
            errors["phone"] = [exc]
        try:
            validate_point_in_kazakhstan(self.latitude, self.longitude)
        except ValidationError as exc:
            for field, messages in exc.error_dict.items():
                errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)
