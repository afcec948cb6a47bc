"""API authentication: tokens with an expiry; sessions answering a failed CSRF check in the client's language."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular import authentication as spectacular_authentication
from rest_framework import authentication, exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.request import Request

from .models import ApiToken, User, api_token_digest


def token_expired(token: ApiToken) -> bool:
    return token.created <= timezone.now() - timedelta(hours=settings.TOKEN_TTL_HOURS)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token header, checked against our tokens (accounts.models.ApiToken), which keep the
    digest of the key only; refusing (401) a token older than TOKEN_TTL_HOURS: a token copied
    from a lost phone or a leaked script stops working on its own."""

    model = ApiToken

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        # The key never reaches the database, only its digest: whatever a client sends (a NUL
        # byte, which PostgreSQL cannot compare, was a 500) is looked up as 64 hex characters,
        # and the time a look-up takes says nothing about the keys on file.
        token = ApiToken.objects.select_related("user").filter(digest=api_token_digest(key)).first()
        if token is None or not token.user.is_active:
            # An inactive account's tokens are revoked with it; one left over is simply invalid,
            # not a sign that the account exists.
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token_expired(token):
            raise exceptions.AuthenticationFailed(_("The token has expired. Log in again to get a new one."))
        return token.user, token


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
