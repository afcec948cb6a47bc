from typing import cast

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from . import services
from .models import ApiToken, User


class LoginLockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self) -> None:
        minutes = settings.LOGIN_LOCKOUT_MINUTES
        super().__init__(
            _(
                "Too many failed log-in attempts for this account or network. Try again in %(minutes)s minutes."
            )
            % {"minutes": minutes}
        )
        # DRF's exception handler turns `wait` into a Retry-After header.
        self.wait = minutes * 60


class TokenObtainApi(APIView):
    """Exchange e-mail and password for an API token (valid for TOKEN_TTL_HOURS).

    Each call issues a new token and leaves the caller's other tokens working (the oldest go
    beyond ten at once). The key is in this answer only: the server keeps its digest, so it
    cannot show it again; a client keeps the key it was given, and one that lost it logs in
    again.

    The token acts with the rights its holder has at each request. It is revoked (401) by a
    password change or reset, "log out everywhere", and when the account is deactivated or
    loses a role or a coordinated region; a new one is asked for here. Failed attempts count
    towards the same lockout as the login page (429 once locked), and requests are throttled
    per client address (429)."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth_token"

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer("TokenOutput", {"token": serializers.CharField()}),
            400: OpenApiResponse(description="Wrong e-mail or password, or a field missing."),
            429: OpenApiResponse(
                description="Locked out after too many failures, or throttled; see Retry-After."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The DRF request goes to authenticate(): django-axes reads the client's address from it
        # and flags a lockout on it (axes_locked_out), as it does for the login page's request.
        user = authenticate(
            request,
            username=serializer.validated_data["email"].strip().lower(),
            password=serializer.validated_data["password"],
        )
        if user is None:
            if getattr(request, "axes_locked_out", False):
                raise LoginLockedOut()
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to log in with the e-mail and password provided.")]}
            )
        return Response({"token": services.api_token_issue(user=user)})


class TokenRevokeApi(APIView):
    """Revoke the API token the request is sent with (and so log out every client that uses
    it); the caller's other tokens keep working. Sent with a session instead (a browser), it
    revokes all of the caller's tokens, as there is no one token to name."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, ApiToken):
            services.api_token_revoke(token=request.auth)
        else:
            services.api_tokens_revoke(user=cast(User, request.user))  # IsAuthenticated has run
        return Response(status=status.HTTP_204_NO_CONTENT)
