"""Factories of targeted help; times are lazy (computed when a row is made)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from care.models import Beneficiary, HelpRequest
from regions.models import Region


def in_days(days: float, hour: int = 10) -> datetime.datetime:
    """A time `days` from now at `hour` o'clock Almaty time."""
    day = timezone.localtime() + datetime.timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beneficiary

    region = factory.LazyFunction(lambda: Region.objects.get(code="75"))
    locality = "Алматы"
    full_name = factory.Sequence(lambda n: f"Сейітова Күләш {n}")
    phone = factory.Sequence(lambda n: f"+7702{n % 10_000_000:07d}")
    address = factory.Sequence(lambda n: f"Абай даңғылы, {n + 1}, пәтер 4")
    latitude = Decimal("43.23817")
    longitude = Decimal("76.94512")
    how_to_reach = "Көршіге алдымен қоңырау шалыңыз"
    consent_help = True
    consent_data = True
    consent_recorded_at = factory.LazyFunction(timezone.now)


class HelpRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HelpRequest

    beneficiary = factory.SubFactory(BeneficiaryFactory)
    region = factory.SelfAttribute("beneficiary.region")
    kind = HelpRequest.Kind.GROCERIES
    due_from = factory.LazyFunction(lambda: in_days(1))
    due_until = factory.LazyAttribute(lambda o: o.due_from + datetime.timedelta(hours=3))
    needed_hands = 1
    adults_only = True
