"""The admin is for national staff only; for them it is a read-only view of personal data."""

import pytest

from tests.conftest import client_for


@pytest.mark.django_db
class TestAdminIsForNationalStaff:
    def test_coordinator_with_staff_flag_finds_no_admin(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        alice.is_staff = True
        alice.save(update_fields=["is_staff"])
        client = client_for(alice)
        for url in [
            "/admin/",
            "/admin/volunteers/volunteer/",
            f"/admin/volunteers/volunteer/{bob.pk}/change/",
            "/admin/volunteers/skill/",
            "/admin/accounts/user/",
            "/admin/regions/coordinatorassignment/",
        ]:
            assert client.get(url).status_code == 404, url

    def test_national_staff_assign_roles(self, nora) -> None:  # type: ignore[no-untyped-def]
        client = client_for(nora)
        assert client.get("/admin/accounts/user/").status_code == 200
        assert client.get("/admin/regions/coordinatorassignment/").status_code == 200

    def test_admin_search_uses_the_roster_search(self, nora, bob) -> None:  # type: ignore[no-untyped-def]
        response = client_for(nora).get("/admin/volunteers/volunteer/", {"q": "Қасым"})
        assert response.status_code == 200
        assert bob in list(response.context["cl"].result_list)
        bob.refresh_from_db()
        national = "8 " + bob.phone[2:5] + " " + bob.phone[5:]
        response = client_for(nora).get("/admin/volunteers/volunteer/", {"q": national})
        assert list(response.context["cl"].result_list) == [bob]

    def test_volunteers_are_read_only_in_admin(self, nora, bob) -> None:  # type: ignore[no-untyped-def]
        response = client_for(nora).post(
            f"/admin/volunteers/volunteer/{bob.pk}/change/", {"last_name": "Changed", "region": bob.region_id}
        )
        assert response.status_code == 403
        bob.refresh_from_db()
        assert bob.last_name == "Қасымов"
        assert not bob.changes.filter(action="update").exists()
