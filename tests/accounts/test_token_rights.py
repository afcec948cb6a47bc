"""What an API token reads follows its holder's rights now, and rights taken away end it: a
coordinator's integration holding a token loses it (401) when national staff deactivate the
account or take a role or a region from it, so that it cannot come back to life with the
rights; every page of the roster read through the API is in the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ApiToken, AuditEntry, User
from regions.models import CoordinatorAssignment
from tests.conftest import client_for
from tests.factories import PASSWORD, VolunteerFactory


def _token(user: User) -> APIClient:
    response = APIClient().post(
        "/api/auth/token/", {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def _save_account(
    staff: Client, user: User, *, active: bool = True, national: bool = False, regions: list[Any]
) -> None:
    """National staff save the account's admin page with these flags and coordinated regions."""
    kept = {a.region_id: a for a in CoordinatorAssignment.objects.filter(user=user)}
    data: dict[str, Any] = {"email": user.email, "full_name": user.full_name, "is_staff": ""}
    if active:
        data["is_active"] = "on"
    if national:
        data["is_national_staff"] = "on"
    rows = list(kept.values()) + [r for r in regions if r.pk not in kept]
    for n, row in enumerate(rows):
        if isinstance(row, CoordinatorAssignment):
            data |= {
                f"coordinator_assignments-{n}-id": row.pk,
                f"coordinator_assignments-{n}-region": row.region_id,
            }
            data[f"coordinator_assignments-{n}-user"] = user.pk
            if row.region not in regions:
                data[f"coordinator_assignments-{n}-DELETE"] = "on"
        else:
            data[f"coordinator_assignments-{n}-region"] = row.pk
            data[f"coordinator_assignments-{n}-user"] = user.pk
    data |= {
        "coordinator_assignments-TOTAL_FORMS": str(len(rows)),
        "coordinator_assignments-INITIAL_FORMS": str(len(kept)),
    }
    response = staff.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]


@pytest.mark.django_db
class TestRightsTakenAwayEndTheToken:
    def test_a_region_taken_on_the_account_page(self, nora, alice, almaty, astana, bob) -> None:  # type: ignore[no-untyped-def]
        CoordinatorAssignment.objects.create(user=alice, region=astana)
        integration = _token(alice)
        assert integration.get("/api/volunteers/").json()["count"] == 1
        _save_account(client_for(nora, password_confirmed=True), alice, regions=[astana])
        assert list(alice.coordinator_assignments.values_list("region", flat=True)) == [astana.pk]
        assert integration.get("/api/volunteers/").status_code == 401
        assert not ApiToken.objects.filter(user=alice).exists()
        # A new token, asked for with the password, reads what the coordinator holds now.
        assert _token(alice).get(f"/api/volunteers/{bob.pk}/").status_code == 404

    def test_deactivation_ends_it_for_good(self, nora, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        integration = _token(alice)
        staff = client_for(nora, password_confirmed=True)
        _save_account(staff, alice, active=False, regions=[almaty])
        assert integration.get("/api/volunteers/").status_code == 401
        _save_account(staff, alice, active=True, regions=[almaty])
        assert integration.get("/api/volunteers/").status_code == 401

    def test_the_national_staff_flag_taken(self, nora, almaty) -> None:  # type: ignore[no-untyped-def]
        national = User.objects.create_user(
            email="sara@example.kz", password=PASSWORD, is_national_staff=True
        )
        integration = _token(national)
        assert integration.get("/api/volunteers/").status_code == 200
        _save_account(client_for(nora, password_confirmed=True), national, national=False, regions=[almaty])
        assert integration.get("/api/volunteers/").status_code == 401

    def test_rights_given_keep_it(self, nora, alice, almaty, astana, astana_volunteer) -> None:  # type: ignore[no-untyped-def]
        integration = _token(alice)
        _save_account(client_for(nora, password_confirmed=True), alice, regions=[almaty, astana])
        # Read with the rights held now: the region just given is there.
        assert integration.get(f"/api/volunteers/{astana_volunteer.pk}/").status_code == 200

    def test_an_assignment_deleted_on_its_own_page(self, nora, alice) -> None:  # type: ignore[no-untyped-def]
        integration = _token(alice)
        assignment = alice.coordinator_assignments.get()
        staff = client_for(nora, password_confirmed=True)
        response = staff.post(
            f"/admin/regions/coordinatorassignment/{assignment.pk}/delete/", {"post": "yes"}
        )
        assert response.status_code == 302
        assert integration.get("/api/me/").status_code == 401


@pytest.mark.django_db
class TestRosterReadsThroughTheApiAreAudited:
    def test_each_page_with_rows_is_recorded_without_values(self, alice, almaty, bob) -> None:  # type: ignore[no-untyped-def]
        for n in range(2):
            VolunteerFactory(region=almaty, last_name=f"Әлиев{n}")
        integration = _token(alice)
        for page in (1, 2):
            read = integration.get(
                "/api/volunteers/", {"page_size": 1, "page": page, "region": "75", "q": "Әлиев"}
            )
            assert read.status_code == 200 and read.json()["count"] == 2
        entries = AuditEntry.objects.filter(actor=alice, subject_type="volunteers.roster").order_by("pk")
        assert [(e.action, e.rows, e.region_code) for e in entries] == [
            (AuditEntry.Action.VIEWED, 1, "75")
        ] * 2
        assert [e.detail for e in entries] == [
            {"where": "api", "page": page, "filters": ["q", "region"], "via": "token"} for page in (1, 2)
        ]

    def test_an_empty_page_is_not(self, alice) -> None:  # type: ignore[no-untyped-def]
        assert _token(alice).get("/api/volunteers/", {"q": "nobody-like-this"}).json()["count"] == 0
        assert not AuditEntry.objects.filter(subject_type="volunteers.roster").exists()
