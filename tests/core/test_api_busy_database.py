"""The API when the database cannot serve a request this moment: the one PostgreSQL aborts to
break a deadlock, a lock it gave up waiting for, a database restarting. The client gets a 503 in
JSON with Retry-After and its own language, and nothing of the request is written (the pages show
the 503 page for the same; tests/core/test_health_and_errors.py)."""

from __future__ import annotations

import psycopg2
import pytest
from django.db import connection
from rest_framework.test import APIClient

from events.models import Signup
from regions.models import Region
from tests.events.factories import ShiftFactory
from tests.factories import VolunteerFactory
from tests.notifications.test_worker import test_database_url

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "en": "The service is briefly unavailable. Nothing was saved: send the request again in a minute.",
    "ru": "Сервис временно недоступен",
    "kk": "Қызмет уақытша қолжетімсіз",
}


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_a_sign_up_that_cannot_get_the_shift_is_a_503_that_writes_nothing(  # type: ignore[no-untyped-def]
    regions_in_transactional_db, language
) -> None:
    shift = ShiftFactory(capacity=5)
    almaty = Region.objects.get(code="75")
    person = VolunteerFactory(region=almaty, with_account=True, preferred_language=language)
    client = APIClient()
    client.force_authenticate(person.user)
    # Another transaction holds the shift's row (a long write, or the other side of a deadlock);
    # this request's wait is cut short as PostgreSQL cuts a deadlock's victim.
    locker = psycopg2.connect(test_database_url())
    try:
        with locker.cursor() as cursor:
            cursor.execute("SELECT 1 FROM events_shift WHERE id = %s FOR UPDATE", [shift.pk])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
        response = client.post(
            f"/api/shifts/{shift.pk}/signup/", format="json", HTTP_ACCEPT_LANGUAGE=language
        )
    finally:
        locker.rollback()
        locker.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"] == "application/json"
    assert WORDS[language] in response.json()["detail"]
    assert not Signup.objects.exists()
    shift.refresh_from_db()
    assert shift.taken_places == 0
    # The same request again, once the shift is free, goes through.
    assert client.post(f"/api/shifts/{shift.pk}/signup/", format="json").status_code == 201


def test_every_operation_documents_the_503(client) -> None:  # type: ignore[no-untyped-def]
    schema = client.get("/api/schema/", {"format": "json"}).json()
    missing = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "503" not in operation["responses"]
    ]
    assert missing == []
