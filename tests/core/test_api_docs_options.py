"""OPTIONS on the interactive docs page answers the methods it allows, as every API view does.

DRF writes its OPTIONS answer with the view's renderer; the docs page has only the HTML template
one, with no template for that answer, so OPTIONS /api/docs/ was a 500."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "?script"])
def test_options_on_the_docs_page_lists_its_methods(query: str) -> None:
    response = APIClient().options(f"/api/docs/{query}")
    assert response.status_code == 200
    assert "GET" in response["Allow"] and "OPTIONS" in response["Allow"]
    # The page itself is unchanged.
    assert APIClient().get("/api/docs/").status_code == 200
