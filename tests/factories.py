from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from accounts.models import User
from detachments.models import Detachment
from regions.models import Region
from volunteers.models import Skill, Volunteer

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.kz")
    full_name = factory.Faker("name", locale="ru_RU")
    password = factory.django.Password(PASSWORD)


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"skill-{n}")
    name_kk = factory.LazyAttribute(lambda o: f"{o.code} kk")
    name_ru = factory.LazyAttribute(lambda o: f"{o.code} ru")
    name_en = factory.LazyAttribute(lambda o: f"{o.code} en")


def _adult_birth_date() -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - 30, day=min(today.day, 28))


def years_ago(years: int, days: int = 0) -> datetime.date:
    """A birth date that makes someone `years` old today (plus `days` older)."""
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28)) - datetime.timedelta(days=days)


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    class Params:
        with_account = factory.Trait(
            user=factory.SubFactory(UserFactory, email=factory.SelfAttribute("..email"))
        )

    last_name = factory.Sequence(lambda n: f"Ахметов{n}")
    first_name = "Ерлан"
    birth_date = factory.LazyFunction(_adult_birth_date)
    phone = factory.Sequence(lambda n: f"+7701{n % 10_000_000:07d}")
    email = factory.Sequence(lambda n: f"volunteer{n}@example.kz")
    region = factory.LazyFunction(lambda: Region.objects.get(code="75"))
    locality = "Алматы"
    consent_at = factory.LazyFunction(timezone.now)
    consent_version = "2026-01"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        obj = model_class(*args, **kwargs)
        obj.full_clean(exclude=["user", "skills"])
        obj.save()
        return obj


class MinorFactory(VolunteerFactory):
    birth_date = factory.LazyFunction(lambda: years_ago(15))
    guardian_name = "Гүлнара Ахметова"
    guardian_phone = "+77017654321"
    guardian_relation = "mother"


def _eighteen_since_a_week() -> datetime.date:
    today = timezone.localdate()
    return datetime.date(today.year - 18, today.month, 1) - datetime.timedelta(days=7)


class ComeOfAgeFactory(MinorFactory):
    """Registered at 17 and still awaiting a guardian who never answered: 18 since a week or
    more (built on the first of a month, so that no 29 February trips it)."""

    birth_date = factory.LazyFunction(lambda: _eighteen_since_a_week())
    status = Volunteer.Status.AWAITING_GUARDIAN


class DetachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Detachment

    school_name = factory.Sequence(lambda n: f"№ {n} мектеп-гимназия")
    school_number = factory.Sequence(lambda n: str(n))
    locality = "Алматы"
    region = factory.LazyFunction(lambda: Region.objects.get(code="75"))
    latitude = 43.25
    longitude = 76.92


def iin_for(birth: datetime.date, *, female: bool = True, serial: int = 1) -> str:
    """A valid IIN for a birth date (test data only)."""
    from volunteer_net.demo import make_iin

    for n in range(serial, serial + 50):
        iin = make_iin(birth, not female, n)
        if iin:
            return iin
    raise AssertionError("no valid IIN found")
