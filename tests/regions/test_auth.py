"""The user's scopes arrive with the user (regions/auth.py): one query, and the scope checks a
page makes afterwards ask the database nothing."""

from __future__ import annotations

import pytest

from regions.auth import ScopedModelBackend
from regions.scoping import is_curator, is_office_staff, scoped_region_ids, staffed_office_ids
from tests.factories import DetachmentFactory, UserFactory
from tests.front_offices.helpers import make_office

pytestmark = pytest.mark.django_db


def test_a_coordinator_arrives_with_their_regions_in_one_query(
    alice, almaty, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(1):
        user = ScopedModelBackend().get_user(alice.pk)
    with django_assert_num_queries(0):
        assert scoped_region_ids(user) == {almaty.pk}
        assert not is_office_staff(user) and not is_curator(user)


def test_a_curator_and_clerk_arrive_with_their_detachment_and_office(
    almaty, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    person = UserFactory(email="both@example.kz")
    DetachmentFactory(region=almaty, curator=person)
    office = make_office()
    office.staff.add(person)
    with django_assert_num_queries(1):
        user = ScopedModelBackend().get_user(person.pk)
    with django_assert_num_queries(0):
        assert is_curator(user) and staffed_office_ids(user) == {office.pk}
        assert scoped_region_ids(user) == frozenset()


def test_an_inactive_or_unknown_user_is_nobody(alice) -> None:  # type: ignore[no-untyped-def]
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert ScopedModelBackend().get_user(alice.pk) is None
    assert ScopedModelBackend().get_user(10**9) is None
