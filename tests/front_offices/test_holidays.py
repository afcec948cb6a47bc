"""Public days off of Kazakhstan: the fixed dates and 7 January, the working day given for a holiday
on a weekend (religious holidays excepted), and their names in the page's language, rows stored
before the names were translatable included."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import trans_real

from front_offices import services
from front_offices.models import FrontOffice, ScheduleException
from front_offices.schedule import public_holiday_name, public_holidays
from tests.conftest import client_for

from .helpers import make_office, slots_for

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def office(almaty: Any) -> FrontOffice:
    return make_office()


class TestDaysOff:
    def test_victory_day_on_a_sunday_closes_the_monday_after(self, office: FrontOffice) -> None:
        services.public_holidays_ensure(years=[2027])
        assert D(2027, 5, 9).weekday() == 6
        assert slots_for(office, D(2027, 5, 10)) == []
        assert len(slots_for(office, D(2027, 5, 11))) == 20
        with translation.override("en"):
            assert str(public_holiday_name(D(2027, 5, 10))) == "Day off carried over from Victory Day"

    def test_orthodox_christmas_closes_every_office_and_is_not_carried_over(
        self, office: FrontOffice
    ) -> None:
        services.public_holidays_ensure(years=[2027, 2029])
        assert slots_for(office, D(2027, 1, 7)) == []  # a Thursday
        # In 2029 it is a Sunday: a religious holiday gives no working day off.
        assert D(2029, 1, 7).weekday() == 6
        assert public_holiday_name(D(2029, 1, 8)) is None
        assert len(slots_for(office, D(2029, 1, 8))) == 20

    def test_each_holiday_on_a_weekend_gives_a_working_day_of_its_own(self) -> None:
        # Nauryz 2026 runs Saturday to Monday: Tuesday and Wednesday off, as that year's calendar has it.
        days = dict(public_holidays(2026))
        assert {D(2026, 3, 24), D(2026, 3, 25)} <= set(days) and D(2026, 3, 26) not in days
        # New Year 2022 on Saturday and Sunday: Monday 3 and Tuesday 4 January.
        days = dict(public_holidays(2022))
        assert {D(2022, 1, 3), D(2022, 1, 4)} <= set(days) and D(2022, 1, 5) not in days


@pytest.fixture
def independence_day_translated(monkeypatch: pytest.MonkeyPatch) -> None:
    """The name as the catalogues have it once translated (a new msgid may not be yet)."""
    for language, text in (("kk", "Тәуелсіздік күні"), ("ru", "День Независимости")):
        catalog = trans_real.translation(language)._catalog._catalogs[0]  # type: ignore[attr-defined]
        monkeypatch.setitem(catalog, "Independence Day", text)


class TestHolidayNames:
    @pytest.mark.parametrize(
        ("language", "name"),
        [("kk", "Тәуелсіздік күні"), ("ru", "День Независимости"), ("en", "Independence Day")],
    )
    def test_a_recorded_holiday_is_named_in_the_pages_language(
        self, independence_day_translated: None, office: FrontOffice, alice: Any, language: str, name: str
    ) -> None:
        today = timezone.localdate()
        day = D(today.year, 12, 16) if D(today.year, 12, 16) >= today else D(today.year + 1, 12, 16)
        # As recorded before the names were translatable: both languages in one text.
        ScheduleException.objects.create(date=day, reason="Тәуелсіздік күні / День Независимости")
        # A closed date the staff added (Kurban ait moves every year) keeps the words they typed.
        other = today
        while public_holiday_name(other) is not None:
            other += datetime.timedelta(days=1)
        ScheduleException.objects.create(date=other, reason="Құрбан айт")
        client = client_for(alice)
        client.cookies["django_language"] = language
        page = client.get(f"/front-offices/{office.pk}/hours/").content.decode()
        assert f"· {name}</li>" in page
        assert "Тәуелсіздік күні / День Независимости" not in page
        assert "· Құрбан айт</li>" in page

    def test_new_rows_are_recorded_in_the_sites_language(self, independence_day_translated: None) -> None:
        with translation.override("en" if settings.LANGUAGE_CODE != "en" else "ru"):
            services.public_holidays_ensure(years=[2027])
        with translation.override(settings.LANGUAGE_CODE):
            expected = str(public_holiday_name(D(2027, 12, 16)))
        assert ScheduleException.objects.get(office=None, date=D(2027, 12, 16)).reason == expected
