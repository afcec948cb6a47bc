"""API authentication: tokens with an expiry; sessions answering a failed CSRF check in the client's language."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular import authentication as spectacular_authentication
from rest_framework import authentication, exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.request import Request

from .models import User


def token_expired(token: Token) -> bool:
    return token.created <= timezone.now() - timedelta(hours=settings.TOKEN_TTL_HOURS)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing (401) a token older than TOKEN_TTL_HOURS: a token
    copied from a lost phone or a leaked script stops working on its own."""

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        if "\x00" in key:
            # PostgreSQL cannot compare a string holding NUL: looking such a key up was a 500.
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise exceptions.AuthenticationFailed(_("The token has expired. Log in again to get a new one."))
        return user, token


class BearerTokenAuthentication(ExpiringTokenAuthentication):
    """The same token sent as `Authorization: Bearer <token>`, as most HTTP libraries and OAuth-
    minded clients send one: with only the `Token` keyword such a client was told that no
    credentials were provided at all. `Token` stays the documented form (and the challenge of a
    401's WWW-Authenticate, which the first class gives)."""

    keyword = "Bearer"


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication (the map page's sign-up button, a logged-in browser), with a
    failed CSRF check answered in the client's language: DRF's own answer is "CSRF Failed:"
    and Django's English reason, whatever the language asked for."""

    def enforce_csrf(self, request: Request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            raise exceptions.PermissionDenied(
                _(
                    "The request's security check (CSRF) failed, and nothing was saved. Reload the "
                    "page and try again; a program calling the API sends its token instead."
                )
            ) from exc


class SessionScheme(spectacular_authentication.SessionScheme):
    """The schema's cookieAuth for our session authentication: drf-spectacular matches its own
    session scheme to DRF's class only, not to subclasses (registered on import, below)."""

    target_class = "accounts.authentication.SessionAuthentication"


class BearerScheme(spectacular_authentication.TokenScheme):
    """The schema's bearerAuth: the token of tokenAuth, sent with the Bearer keyword."""

    target_class = "accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"
    match_subclasses = False
    priority = 0  # ahead of drf-spectacular's TokenScheme, which matches every subclass
