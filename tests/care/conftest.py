from __future__ import annotations

import pytest

from front_offices.models import FrontOffice
from tests.factories import DetachmentFactory, MinorFactory, UserFactory, VolunteerFactory

from .factories import HelpRequestFactory


@pytest.fixture
def office(almaty):  # type: ignore[no-untyped-def]
    return FrontOffice.objects.create(name="Алматы фронт-офисі", region=almaty, address="Абай 1")


@pytest.fixture
def clerk(office):  # type: ignore[no-untyped-def]
    """Front-office staff of Almaty: takes requests, does not match them."""
    user = UserFactory(email="care-clerk@example.kz")
    office.staff.add(user)
    return user


@pytest.fixture
def request_almaty(almaty):  # type: ignore[no-untyped-def]
    return HelpRequestFactory(needed_hands=2)


@pytest.fixture
def dana(almaty):  # type: ignore[no-untyped-def]
    """A second adult volunteer of Almaty with an account."""
    return VolunteerFactory(region=almaty, with_account=True, last_name="Омарова", first_name="Дана")


@pytest.fixture
def minor(almaty):  # type: ignore[no-untyped-def]
    return MinorFactory(region=almaty, with_account=True)


@pytest.fixture
def detachment(almaty):  # type: ignore[no-untyped-def]
    return DetachmentFactory(region=almaty, curator=UserFactory(email="teacher@example.kz"))
