"""The interactive API docs page (GET /api/docs/): drf-spectacular's Swagger UI, its start-up
script served as a file (the split view)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.request import Request


class DocsView(SpectacularSwaggerSplitView):
    """The docs page, with OPTIONS answered by the methods it allows.

    DRF answers OPTIONS with the view's metadata, written by the view's one renderer: for this
    page the HTML template renderer, which has no template for it. OPTIONS /api/docs/, as a link
    checker or a client discovering the API sends it, was a 500. The empty answer carries DRF's
    Allow header, as every view's does."""

    # A plain, empty response: DRF's Response would go through the template renderer again.
    def options(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:  # type: ignore[override]
        return HttpResponse()
