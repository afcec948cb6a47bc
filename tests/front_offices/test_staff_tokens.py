"""Front-office staff taken off an office lose their API tokens (accounts.services.
user_rights_reduced), as coordinators do with a region: the staff read the visitors' names and
phones, and a token that outlived the role would come back to life with it. National staff
hand out and take the role on the office's admin page."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import api_token_issue
from front_offices.models import FrontOffice
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _me(token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/me/").status_code


@pytest.fixture
def office(almaty):  # type: ignore[no-untyped-def]
    return FrontOffice.objects.create(name="Алматы фронт-офисі", region=almaty, address="Абай даңғылы, 1")


@pytest.fixture
def clerks(office):  # type: ignore[no-untyped-def]
    staying, leaving = UserFactory(email="staying@example.kz"), UserFactory(email="leaving@example.kz")
    office.staff.add(staying, leaving)
    return staying, leaving


def _save(nora: Any, office: FrontOffice, **changes: Any) -> None:
    data = {
        "name": office.name,
        "region": office.region_id,
        "address": office.address,
        "visit_minutes": office.visit_minutes,
        "visitors_at_once": office.visitors_at_once,
        "is_active": "on",
        "staff": list(office.staff.values_list("pk", flat=True)),
    } | changes
    response = client_for(nora, password_confirmed=True).post(
        f"/admin/front_offices/frontoffice/{office.pk}/change/", data
    )
    assert response.status_code == 302


class TestStaffTakenOffLoseTokens:
    def test_the_one_taken_off_the_office_page_loses_them_the_other_keeps_them(  # type: ignore[no-untyped-def]
        self, nora, office, clerks
    ) -> None:
        staying, leaving = clerks
        kept, ended = api_token_issue(user=staying), api_token_issue(user=leaving)
        _save(nora, office, staff=[staying.pk])
        assert list(office.staff.all()) == [staying]
        assert (_me(kept), _me(ended)) == (200, 401)
        assert not ApiToken.objects.filter(user=leaving).exists()

    def test_saving_the_office_with_its_staff_keeps_theirs(self, nora, office, clerks) -> None:  # type: ignore[no-untyped-def]
        tokens = [api_token_issue(user=clerk) for clerk in clerks]
        _save(nora, office, name="Алматы фронт-офисі (Абай)")
        assert [_me(token) for token in tokens] == [200, 200]

    def test_a_deleted_office_takes_its_staffs_tokens(self, nora, office, clerks) -> None:  # type: ignore[no-untyped-def]
        tokens = [api_token_issue(user=clerk) for clerk in clerks]
        response = client_for(nora, password_confirmed=True).post(
            f"/admin/front_offices/frontoffice/{office.pk}/delete/", {"post": "yes"}
        )
        assert response.status_code == 302
        assert not FrontOffice.objects.filter(pk=office.pk).exists()
        assert [_me(token) for token in tokens] == [401, 401]
