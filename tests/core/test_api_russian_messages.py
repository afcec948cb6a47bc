"""A client asking for Russian gets DRF's own field errors and its 429 in Russian.

DRF's ru catalogue lacks some of its newer messages; Django then falls back to the default
language's catalogue, Kazakh, and a Russian-speaking client read "Дұрыс логикалық мән болуы
керек." for a bad boolean. locale_django/ru fills those gaps."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation
from rest_framework.exceptions import Throttled

from tests.conftest import api_for
from tests.events.factories import ShiftFactory, local
from tests.front_offices.helpers import make_office, next_weekday, slot_at


@pytest.mark.django_db
class TestFieldErrorsInRussian:
    def test_a_bad_boolean(self, almaty, bob) -> None:  # type: ignore[no-untyped-def]
        day = timezone.localdate() + datetime.timedelta(days=3)
        shift = ShiftFactory(starts_at=local(day, 10), ends_at=local(day, 13))
        response = api_for(bob.user).post(
            f"/api/shifts/{shift.pk}/signup/", {"waitlist": "maybe"}, format="json", HTTP_ACCEPT_LANGUAGE="ru"
        )
        assert response.status_code == 400
        assert response.json() == {"waitlist": ["Должно быть логическое значение: true или false."]}

    def test_a_list_for_a_text_and_a_lone_surrogate(self, almaty, bob) -> None:  # type: ignore[no-untyped-def]
        slot = slot_at(make_office(), next_weekday(0), 10)
        client = api_for(bob.user)
        listed = client.post(
            "/api/visits/",
            {"slot": slot.pk, "purpose": "consultation", "note": ["x"]},
            format="json",
            HTTP_ACCEPT_LANGUAGE="ru",
        )
        assert listed.status_code == 400 and listed.json() == {"note": ["Это не строка."]}
        surrogate = client.post(
            "/api/visits/",
            f'{{"slot": {slot.pk}, "purpose": "consultation", "note": "\\ud800"}}',
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="ru",
        )
        assert surrogate.status_code == 400
        assert surrogate.json() == {"note": ["Суррогатные символы недопустимы: U+D800."]}


def test_the_wait_of_a_throttled_request() -> None:
    with translation.override("ru"):
        assert str(Throttled(wait=42).detail) == "Запрос был проигнорирован. Повторите через 42 с."
    with translation.override("kk"):
        # Kazakh as before.
        assert str(Throttled(wait=1).detail).endswith("1 секундтан кейін қайта қолжетімді болады.")
