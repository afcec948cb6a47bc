"""The detachment most tests here work on: a gymnasium of Almaty with its curator (a teacher's
account, not a volunteer profile)."""

from __future__ import annotations

import pytest

from tests.factories import DetachmentFactory, UserFactory


@pytest.fixture
def curator(db):  # type: ignore[no-untyped-def]
    return UserFactory(email="teacher@example.kz", full_name="Мұғалім")


@pytest.fixture
def detachment(almaty, curator):  # type: ignore[no-untyped-def]
    return DetachmentFactory(region=almaty, curator=curator, school_name="№ 25 гимназия")
