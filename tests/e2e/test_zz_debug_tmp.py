import pytest
from django.db import connection
from regions.models import Region
from .conftest import E2E_DB

pytestmark = [pytest.mark.e2e, E2E_DB]


def test_b(page, live_server, request):
    c = getattr(connection, "_test_serialized_contents", None)
    print("serialized len", None if c is None else len(c), "regions" in (c or ""))
    print("regions b", Region.objects.count(), request.node.get_closest_marker("django_db"))
