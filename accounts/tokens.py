"""Activation links: signed, expiring (PASSWORD_RESET_TIMEOUT) and good for one use."""

from __future__ import annotations

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from .models import User


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.tokens.ActivationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        # Activation sets is_active and logs in (last_login), so a used link no longer matches;
        # a changed password invalidates older links as well.
        login = "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None)
        return f"{user.pk}{user.password}{user.is_active}{login}{timestamp}"


activation_token = ActivationTokenGenerator()


def activation_uid(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def awaits_confirmation(user: User) -> bool:
    """Whether `user` is a registration waiting for its address to be confirmed: inactive, never
    logged in, with the password chosen at registration. An account national staff opened has
    no password until its owner sets one; deactivated before that, it is no registration, and
    confirming an address must not make it active again (with its roles) behind their back."""
    return not user.is_active and user.last_login is None and user.has_usable_password()


def activation_link_pk(uidb64: str) -> int | None:
    """The account id a link names, genuine or not; None when it names none."""
    try:
        return int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None


def user_for_activation(uidb64: str, token: str) -> User | None:
    """The registration a link is for, if the link is genuine, unused and not expired."""
    pk = activation_link_pk(uidb64)
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, is_active=False).first()
    if user is None or not awaits_confirmation(user) or not activation_token.check_token(user, token):
        return None
    return user
