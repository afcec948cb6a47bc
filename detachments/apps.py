from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DetachmentsConfig(AppConfig):
    name = "detachments"
    verbose_name = _("School detachments")

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from accounts.models import User

        from . import (
            admin,  # noqa: F401
            services,
        )

        # accounts/ sits below detachments/ and deletes an account with no hook of its own; left
        # to the foreign key's SET NULL, a curator deleting their account left their detachment
        # "going" to help requests with nobody to lead the pupils.
        def curator_account_deleted(sender: type[User], instance: User, **kwargs: object) -> None:
            services.curator_account_deleted(user=instance)

        pre_delete.connect(
            curator_account_deleted,
            sender=User,
            weak=False,
            dispatch_uid="detachments.curator_account_deleted",
        )
