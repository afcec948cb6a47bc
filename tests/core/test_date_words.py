"""Dates read as people write them: a campaign "5 June – 10 December 2026" was "5 Маусым – 10
Желтоқсан 2026 ж." in Kazakh (month names are lower case inside a date) and "5 Июнь – 10
декабря 2026 г." in Russian (the genitive, as the second date already had). And Django's Kazakh
"less than or equal" message was garbled ("Бұл мәннің мынадан 4 кіші …")."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.utils import translation

from events.templatetags.events_tags import campaign_dates
from tests.events.factories import CampaignFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("kk", "5 маусым – 10 желтоқсан 2026 ж."),
        ("ru", "5 июня – 10 декабря 2026 г."),
        ("en", "5 June – 10 December 2026"),
    ],
)
def test_a_campaigns_dates_in_each_language(language: str, expected: str) -> None:
    campaign = CampaignFactory(starts_on=datetime.date(2026, 6, 5), ends_on=datetime.date(2026, 12, 10))
    with translation.override(language):
        assert campaign_dates(campaign) == expected


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (forms.IntegerField(max_value=4), "5", "Мән ең көбі 4 болуы керек."),
        (forms.IntegerField(min_value=1), "0", "Мән кемінде 1 болуы керек."),
    ],
)
def test_kazakh_bounds_messages_read_plainly(field: forms.Field, value: str, expected: str) -> None:
    with translation.override("kk"):
        with pytest.raises(forms.ValidationError) as caught:
            field.clean(value)
        assert caught.value.messages == [expected]
