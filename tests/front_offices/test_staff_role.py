import pytest

from front_offices.models import FrontOffice
from front_offices.selectors import front_offices_of_staff
from tests.conftest import client_for
from tests.factories import UserFactory


@pytest.fixture
def offices(almaty, astana):  # type: ignore[no-untyped-def]
    return (
        FrontOffice.objects.create(name="Алматы фронт-офисі", region=almaty, address="Абай даңғылы, 1"),
        FrontOffice.objects.create(name="Астана фронт-офисі", region=astana, address="Мәңгілік Ел, 8"),
    )


@pytest.mark.django_db
class TestFrontOfficeStaffRole:
    def test_national_staff_assign_office_staff_in_admin(self, nora, offices) -> None:  # type: ignore[no-untyped-def]
        almaty_office, _ = offices
        clerk = UserFactory(email="clerk@example.kz")
        client = client_for(nora, password_confirmed=True)
        response = client.post(
            f"/admin/front_offices/frontoffice/{almaty_office.pk}/change/",
            {
                "name": almaty_office.name,
                "region": almaty_office.region_id,
                "address": almaty_office.address,
                "visit_minutes": 30,
                "visitors_at_once": 2,
                "is_active": "on",
                "staff": [clerk.pk],
            },
        )
        assert response.status_code == 302
        assert list(front_offices_of_staff(user=clerk)) == [almaty_office]

    def test_coordinator_has_no_admin_even_with_staff_flag(self, alice, offices) -> None:  # type: ignore[no-untyped-def]
        almaty_office, _ = offices
        alice.is_staff = True
        alice.save(update_fields=["is_staff"])
        client = client_for(alice)
        assert client.get("/admin/front_offices/frontoffice/").status_code == 404
        response = client.post(
            f"/admin/front_offices/frontoffice/{almaty_office.pk}/change/",
            {"name": "x", "region": almaty_office.region_id, "address": "x", "staff": [alice.pk]},
        )
        assert response.status_code == 404
        almaty_office.refresh_from_db()
        assert almaty_office.name == "Алматы фронт-офисі"
        assert not almaty_office.staff.exists()

    def test_nobody_else_is_office_staff(self, bob, offices) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        assert not front_offices_of_staff(user=bob.user).exists()


@pytest.mark.django_db
class TestAdminServicesBox:
    """The admin's "services offered" box takes any JSON: empty was a NOT NULL 500, a number a
    TypeError 500."""

    def test_empty_is_no_services_and_other_json_is_an_error_under_the_box(self, offices) -> None:  # type: ignore[no-untyped-def]
        from django.core.exceptions import ValidationError

        office = offices[0]
        office.services = None
        office.full_clean()
        assert office.services == []
        for typed in (5, "consultation", {"a": 1}, [1000]):
            office.services = typed
            with pytest.raises(ValidationError) as refused:
                office.full_clean()
            assert "services" in refused.value.message_dict, typed
