"""Weekday and month names inside a sentence: Django's ru and kk catalogues capitalise them, so a
Russian reader saw "Свободное время: Понедельник, 21 декабря" and a Kazakh one "Келесі ауысым:
Дс, 21 желтоқсан". Russian and Kazakh write them in lower case there; English keeps its capitals,
and a date that starts a heading or a line keeps its capital too."""

from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import timezone, translation

from regions.models import Region
from tests.events.factories import ShiftFactory
from tests.front_offices.helpers import make_office, next_weekday
from volunteer_net.dates import date_in_text, names_in_text

MONDAY = datetime.date(2026, 12, 21)


class TestDateInText:
    @pytest.mark.parametrize(
        ("language", "date_format", "expected"),
        [
            ("ru", "l, j E", "понедельник, 21 декабря"),
            ("kk", "l, j E", "дүйсенбі, 21 желтоқсан"),
            ("en", "l, j E", "Monday, 21 December"),
            ("ru", "D, j E", "пн, 21 декабря"),
            ("kk", "D, j E", "дс, 21 желтоқсан"),
            ("ru", "F Y", "декабрь 2026"),
            ("kk", "F Y", "желтоқсан 2026"),
            ("ru", "j N", "21 дек."),
            ("kk", "DATE_FORMAT", "21 желтоқсан 2026 ж."),
        ],
    )
    def test_names_are_lower_case_in_kazakh_and_russian_only(
        self, language: str, date_format: str, expected: str
    ) -> None:
        with translation.override(language):
            assert date_in_text(MONDAY, date_format) == expected

    def test_a_moment_is_read_in_almaty_time(self) -> None:
        # 19:30 UTC on Sunday is 00:30 on Monday in Almaty.
        moment = datetime.datetime(2026, 12, 20, 19, 30, tzinfo=datetime.UTC)
        with translation.override("ru"):
            assert date_in_text(moment, "l, j E · H:i") == "понедельник, 21 декабря · 00:30"

    def test_formatted_shift_text_reads_inside_a_sentence(self) -> None:
        with translation.override("ru"):
            assert names_in_text("Пн, 21 декабря · 10:00–13:00") == "пн, 21 декабря · 10:00–13:00"
        with translation.override("kk"):
            assert names_in_text("Сн, 26 желтоқсан · 10:00") == "сн, 26 желтоқсан · 10:00"
        with translation.override("en"):
            assert names_in_text("Sat, 26 December · 10:00") == "Sat, 26 December · 10:00"


class TestTemplateFilters:
    TEMPLATE = Template(
        '{% load i18n date_tags %}{% blocktranslate with date=day|inline_date:"l, j E" %}'
        "Visits on {{ date }}{% endblocktranslate %}|"
        '{% blocktranslate with date=day|inline_date:"l, j E" %}Free times on {{ date }}{% endblocktranslate %}|'
        "{{ none|inline_date:'l' }}|{{ text|inline_day_names }}"
    )

    @pytest.mark.parametrize(
        ("language", "expected"),
        [
            ("ru", "Приём: понедельник, 21 декабря|Свободное время: понедельник, 21 декабря||вс, 27 декабря"),
            ("kk", "Қабылдау: дүйсенбі, 21 желтоқсан|Бос уақыттар: дүйсенбі, 21 желтоқсан||жс, 27 желтоқсан"),
            ("en", "Visits on Monday, 21 December|Free times on Monday, 21 December||Sun, 27 December"),
        ],
    )
    def test_headings_read_with_the_date_inside(self, language: str, expected: str) -> None:
        with translation.override(language):
            text = {"ru": "Вс, 27 декабря", "kk": "Жс, 27 желтоқсан", "en": "Sun, 27 December"}[language]
            rendered = self.TEMPLATE.render(Context({"day": MONDAY, "none": None, "text": text}))
        assert rendered == expected


@pytest.mark.django_db
class TestFrontOfficeDayHeading:
    @pytest.mark.parametrize(
        ("language", "heading"),
        [
            ("ru", "Приём: понедельник, "),
            ("kk", "Қабылдау: дүйсенбі, "),
            ("en", "Visits on Monday, "),
        ],
    )
    def test_the_days_heading_reads_with_the_weekday_inside(
        self, client: Client, almaty: Region, language: str, heading: str
    ) -> None:
        office = make_office()
        monday = next_weekday(0, after=2)
        page = client.get(
            f"/front-offices/{office.pk}/",
            {"date": monday.isoformat()},
            headers={"Accept-Language": language},
        ).content.decode()
        assert f'<h2 id="book">{heading}' in page


@pytest.mark.django_db
class TestCampaignListNextShift:
    @pytest.mark.parametrize(
        ("language", "label", "weekdays"),
        [
            ("ru", "Ближайшая смена:", ("пн", "вт", "ср", "чт", "пт", "сб", "вс")),
            ("kk", "Келесі ауысым:", ("дс", "сс", "ср", "бс", "жм", "сн", "жс")),
        ],
    )
    def test_the_next_shift_after_its_label_starts_in_lower_case(
        self, client: Client, language: str, label: str, weekdays: tuple[str, ...]
    ) -> None:
        shift = ShiftFactory()
        weekday = weekdays[timezone.localtime(shift.starts_at).weekday()]
        page = client.get("/campaigns/", headers={"Accept-Language": language}).content.decode()
        assert f'{label} <span class="shift-when">{weekday}, ' in page
