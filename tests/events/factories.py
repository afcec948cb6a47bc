"""Factories for campaigns and shifts. Times are computed when a row is built, never at import."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from events.models import Campaign, Shift
from regions.models import Region


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """An aware Almaty datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def in_days(days: int, hour: int = 10) -> datetime.datetime:
    return local(timezone.localdate() + datetime.timedelta(days=days), hour)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    title = factory.Sequence(lambda n: f"Таза Алматы {n}")
    description = "Өзен жағасын тазалау."
    kind = Campaign.Kind.ECOLOGY
    direction = Campaign.Direction.TAZA_ALEM
    region = factory.LazyFunction(lambda: Region.objects.get(code="75"))
    status = Campaign.Status.PUBLISHED
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=90))
    contact = "+77011234567"


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    campaign = factory.SubFactory(CampaignFactory)
    place_name = factory.Sequence(lambda n: f"Есентай өзені, {n}-учаске")
    address = "Алматы, Әл-Фараби даңғылы"
    starts_at = factory.LazyFunction(lambda: in_days(2))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=3))
    capacity = 10
