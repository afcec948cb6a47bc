from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DetachmentsConfig(AppConfig):
    name = "detachments"
    verbose_name = _("School detachments")

    def ready(self) -> None:
        from django.db.models.signals import pre_delete, pre_save

        from accounts.models import User

        from . import (
            admin,  # noqa: F401
            services,
        )

        # accounts/ sits below detachments/ and closes an account with no hook of its own: left
        # to the foreign key's SET NULL (a deletion) or to nothing at all (a deactivation in the
        # admin), a curator's detachment stayed "going" to help requests with nobody to lead the
        # pupils.
        def curator_account_deleted(sender: type[User], instance: User, **kwargs: object) -> None:
            services.curator_account_closed(user=instance)

        def curator_account_deactivated(sender: type[User], instance: User, **kwargs: object) -> None:
            # Only a save that turns an active account off (a login's save keeps it on: no query).
            if instance.pk is not None and not instance.is_active:
                if User.objects.filter(pk=instance.pk, is_active=True).exists():
                    services.curator_account_closed(user=instance)

        pre_delete.connect(
            curator_account_deleted,
            sender=User,
            weak=False,
            dispatch_uid="detachments.curator_account_deleted",
        )
        pre_save.connect(
            curator_account_deactivated,
            sender=User,
            weak=False,
            dispatch_uid="detachments.curator_account_deactivated",
        )
