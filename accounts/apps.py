from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")
    # No admin module: the user admin is registered by regions/, which owns the roles it assigns.

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .reauth import on_user_logged_in

        # The time of the last password typed, for the sensitive actions (accounts/reauth.py).
        user_logged_in.connect(on_user_logged_in, dispatch_uid="accounts.reauth")
