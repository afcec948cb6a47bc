"""The admin is for national staff only; for them it is a read-only view of personal data."""

import pytest
from django.utils import translation

from accounts.models import AuditEntry
from tests.conftest import client_for
from volunteer_net.templatetags.audit_tags import audit_trail


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


@pytest.mark.django_db
class TestTheAdminLeavesATrail:
    """Opening a person's record or finding them by phone in the admin is recorded as on the
    roster's pages: national staff reading personal data there were missing from the trail."""

    def test_opening_a_record_is_on_the_persons_trail(self, nora, bob) -> None:  # type: ignore[no-untyped-def]
        response = client_for(nora).get(f"/admin/volunteers/volunteer/{bob.pk}/change/")
        assert response.status_code == 200
        entry = AuditEntry.objects.get(subject_type="volunteers.volunteer", subject_id=str(bob.pk))
        assert (entry.actor, entry.action, entry.detail) == (
            nora,
            AuditEntry.Action.VIEWED,
            {"where": "admin"},
        )
        assert entry.region_code == bob.region.code
        # The person's page names the place, as it does the roster's.
        with translation.override("en"):
            assert str(audit_trail([entry])["rows"][0]["where"]) == "the administration site"

    def test_a_search_by_phone_is_recorded_and_one_by_name_is_not(self, nora, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client = client_for(nora)
        client.get("/admin/volunteers/volunteer/", {"q": "Қасым"})
        assert not AuditEntry.objects.exists()
        client.get("/admin/volunteers/volunteer/", {"q": bob.phone})
        entry = AuditEntry.objects.get()
        assert entry.actor == nora and entry.subject_type == "volunteers.roster"
        assert entry.detail == {"where": "admin", "search_by": "phone"}
        assert bob.phone not in str(entry.detail)

    def test_a_missing_record_leaves_nothing(self, nora) -> None:  # type: ignore[no-untyped-def]
        client_for(nora).get("/admin/volunteers/volunteer/999999/change/")
        assert not AuditEntry.objects.exists()
