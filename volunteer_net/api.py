"""API-wide pieces that keep every client error a 4xx: the exception handler and the JSON parser."""

from collections.abc import Mapping
from typing import IO, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from .errors import RETRY_AFTER_SECONDS


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    # Services raise Django's ValidationError; clients must get 400 with field errors for it,
    # never a 500.
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, OperationalError | InterfaceError):
        # The database restarting or out of reach, or this request the one PostgreSQL aborted
        # to break a deadlock: its transaction rolled back, nothing was written. The pages say
        # so with the 503 page (volunteer_net/errors.py); an API client gets it as JSON, with the
        # same Retry-After, and may send the request again.
        set_rollback()
        response = Response(
            {
                "detail": _(
                    "The service is briefly unavailable. Nothing was saved: send the request again in a minute."
                )
            },
            status=503,
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return drf_exception_handler(exc, context)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with a body nested too deeply for Python's json module a 400, and a
    body that is not JSON a 400 in the client's language.

    json raises RecursionError, not the ValueError DRF turns into a ParseError, once nesting
    passes the interpreter's recursion limit (about a thousand levels; no real request comes
    near it), so `[[[[…]]]]` posted to any endpoint was a 500. DRF's own ParseError quotes the
    json or codec error ("Expecting property name … (char 11)"), in English whatever the
    client's language, and tells nothing more than that the body is not JSON.
    """

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError(_("The JSON body is nested too deeply.")) from exc
        except exceptions.ParseError as exc:
            raise exceptions.ParseError(_("The request body is not valid JSON.")) from exc
