"""API-wide pieces that keep every client error a 4xx: the exception handler, the JSON parser,
the content negotiation, the paginator every list shares and the GeoJSON media type."""

from collections.abc import Iterable, Mapping
from typing import IO, Any

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, negotiation, pagination, parsers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from .errors import OUTAGE_DETAIL, RETRY_AFTER_SECONDS


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
        response = Response({"detail": OUTAGE_DETAIL}, status=503)
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


class ContentNegotiation(negotiation.DefaultContentNegotiation):
    """DRF's negotiation, with a `?format=` no renderer serves a 406 saying which ones do.

    DRF answers an unknown format with a bare 404 "Not found.": in production, where the
    browsable API is off, a client trying `?format=api` from a development guide was told the
    endpoint itself did not exist."""

    def filter_renderers(self, renderers: Iterable[BaseRenderer], format: str) -> list[BaseRenderer]:
        renderers = list(renderers)
        found = [renderer for renderer in renderers if renderer.format == format]
        if not found:
            served = ", ".join(sorted({str(renderer.format) for renderer in renderers}))
            raise exceptions.NotAcceptable(
                _("This format is not served here. Leave ?format= out, or give one of: %(formats)s.")
                % {"formats": served}
            )
        return found


MAX_PAGE_SIZE = 200


class Pagination(pagination.PageNumberPagination):
    """The page envelope of every paginated list: 50 rows, `page_size` from 1 to 200.

    DRF's own reads `page=abc`, `page=0` or `page=1.5` as "Invalid page.", a 404 that a client
    takes for a missing endpoint, and drops a `page_size` it cannot read (`abc`, `-1`, `0`) for
    the default without a word, so a client paging by 500 never learns it gets 50. Here both are
    checked like any other query parameter: a 400 naming it. Only a well-formed page past the end
    is still a 404, as the schema says. ("last" stays accepted, as DRF has always taken it.)
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    _fields = {
        "page": forms.IntegerField(min_value=1, required=False),
        "page_size": forms.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False),
    }

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        errors: dict[str, list[str]] = {}
        # The values as cleaned here are the ones paged by (get_page_number, get_page_size), so
        # that what passed the check ("1.0", " 2 ") is not read again differently.
        self._cleaned: dict[str, Any] = {}
        for name, field in self._fields.items():
            value = request.query_params.get(name, "")
            if name == "page" and value in self.last_page_strings:
                self._cleaned[name] = value
                continue
            try:
                self._cleaned[name] = field.clean(value)
            except DjangoValidationError as exc:
                errors[name] = list(exc.messages)
        if errors:
            raise exceptions.ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request: Request) -> int:
        return self._cleaned.get("page_size") or self.page_size

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        page = self._cleaned.get("page")
        if page in self.last_page_strings:
            return paginator.num_pages
        return page or 1


# The two parameters of every paginated list, for its schema (volunteer_net/api_schema.py adds
# their descriptions and bounds).
PAGE_PARAMS = [OpenApiParameter("page", int), OpenApiParameter("page_size", int)]


GEOJSON = "application/geo+json"


class GeoJSONRenderer(JSONRenderer):
    """JSON under GeoJSON's own media type (RFC 7946), for the views that answer a
    FeatureCollection.

    A GIS client (QGIS, OpenLayers, GDAL) may ask for `Accept: application/geo+json` alone; with
    only application/json on offer, DRF refused it with a 406 before the view ran."""

    media_type = GEOJSON
    # The same body as the JSON renderer's: `?format=json` keeps choosing that one, and no
    # second format becomes a `?format=` parameter of the schema.
    format = "json"


# The renderers of a FeatureCollection view: plain JSON first, which a client that asks for no
# particular type (the Leaflet map's fetch) keeps getting.
GEOJSON_RENDERERS: list[type[BaseRenderer]] = [JSONRenderer, GeoJSONRenderer]


class GeoJSONErrorsAsJSON:
    """For a view of GEOJSON_RENDERERS: an error answer (a bad box, a 429) is no FeatureCollection,
    so it goes out labelled application/json even to a client that asked for GeoJSON."""

    def handle_exception(self, exc: Exception) -> Response:
        response: Response = super().handle_exception(exc)  # type: ignore[misc]
        response.content_type = "application/json"
        return response


def geojson_content_type(request: Request) -> str:
    """The Content-Type of a FeatureCollection: the GeoJSON type to a client that asked for it,
    application/json to everybody else, as before."""
    return GEOJSON if getattr(request, "accepted_media_type", "") == GEOJSON else "application/json"
