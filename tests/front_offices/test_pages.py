"""Front-office pages: the public list, and the staff pages scoped like everything else (another
region's office does not exist for a coordinator; office staff look but do not edit)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from front_offices import services
from front_offices.models import FrontOffice
from tests.conftest import client_for, persona_client, staff_personas
from tests.factories import UserFactory


@pytest.fixture
def offices(almaty, astana):  # type: ignore[no-untyped-def]
    return (
        FrontOffice.objects.create(
            name="Алматы фронт-офисі",
            region=almaty,
            address="Абай даңғылы, 1",
            phone="+77272501234",
            email="almaty@volunteer.kz",
        ),
        FrontOffice.objects.create(name="Астана фронт-офисі", region=astana, address="Мәңгілік Ел, 8"),
    )


@pytest.fixture
def personas(alice, bob, charlie, nora, offices) -> dict[str, User | None]:  # type: ignore[no-untyped-def]
    return staff_personas(alice=alice, bob=bob, charlie=charlie, nora=nora, office=offices[0])


def _client(personas: dict[str, User | None], persona: str) -> Client:
    return persona_client(personas, persona)


def _form(office: FrontOffice, **overrides: str) -> dict[str, str]:
    data = {
        "name": office.name,
        "address": office.address,
        "latitude": "43.23800",
        "longitude": "76.94500",
        "phone": "8 727 250 12 34",
        "email": "office@volunteer.kz",
    }
    return data | overrides


def _state(office: FrontOffice) -> tuple[object, ...]:
    office.refresh_from_db()
    return (
        office.name,
        office.address,
        office.region_id,
        office.phone,
        office.latitude,
        sorted(office.staff.values_list("pk", flat=True)),
    )


# Which offices each persona sees on the staff list, and which they may edit.
SEES = {
    "office_staff": (["Алматы фронт-офисі"], []),
    "coordinator": (["Алматы фронт-офисі"], ["Алматы фронт-офисі"]),
    "coordinator_with_staff_flag": (["Алматы фронт-офисі"], ["Алматы фронт-офисі"]),
    "other_coordinator": (["Астана фронт-офисі"], ["Астана фронт-офисі"]),
    "national_staff": (
        ["Астана фронт-офисі", "Алматы фронт-офисі"],
        ["Астана фронт-офисі", "Алматы фронт-офисі"],
    ),
    "superuser": (["Астана фронт-офисі", "Алматы фронт-офисі"], ["Астана фронт-офисі", "Алматы фронт-офисі"]),
}


@pytest.mark.django_db
class TestPublicList:
    def test_anybody_finds_every_office_and_its_contacts(self, personas, offices) -> None:  # type: ignore[no-untyped-def]
        response = Client().get("/front-offices/")
        assert response.status_code == 200
        # By the region's name in the page's alphabet (Almaty, then Astana), not by KATO code (71, 75).
        assert [o.name for o in response.context["offices"]] == ["Алматы фронт-офисі", "Астана фронт-офисі"]
        content = response.content.decode()
        assert "+7 727 250 12 34" in content
        assert "almaty@volunteer.kz" in content
        # Who works there is not public, nor is there a way into the staff pages.
        assert "Клерк Офисов" not in content
        assert "/front-offices/manage/" not in content

    def test_people_with_office_pages_get_a_link_to_them(self, personas) -> None:  # type: ignore[no-untyped-def]
        for persona in ["office_staff", "coordinator", "national_staff"]:
            assert (
                'href="/front-offices/manage/"'
                in _client(personas, persona).get("/front-offices/").content.decode()
            )
        for persona in ["volunteer", "curator"]:
            assert (
                'href="/front-offices/manage/"'
                not in _client(personas, persona).get("/front-offices/").content.decode()
            )

    def test_queries_do_not_grow_with_offices(self, almaty) -> None:  # type: ignore[no-untyped-def]
        client = Client()

        def queries() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get("/front-offices/").status_code == 200
            return len(ctx.captured_queries)

        FrontOffice.objects.create(name="Бірінші", region=almaty, address="x")
        few = queries()
        for n in range(15):
            FrontOffice.objects.create(name=f"Кеңсе {n}", region=almaty, address="x")
        assert queries() == few


@pytest.mark.django_db
class TestStaffPagesAccess:
    def test_anonymous_visitor_is_sent_to_log_in(self, personas, offices) -> None:  # type: ignore[no-untyped-def]
        client = _client(personas, "anonymous")
        before = _state(offices[0])
        for url in ["/front-offices/manage/", f"/front-offices/manage/{offices[0].pk}/edit/"]:
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code == 302
                assert response["Location"] == f"/accounts/login/?next={url}"
        assert _state(offices[0]) == before

    @pytest.mark.parametrize("persona", ["volunteer", "curator"])
    def test_without_a_scope_the_pages_do_not_exist(self, personas, offices, persona: str) -> None:  # type: ignore[no-untyped-def]
        client = _client(personas, persona)
        before = _state(offices[0])
        assert client.get("/front-offices/manage/").status_code == 404
        for office in offices:
            assert client.get(f"/front-offices/manage/{office.pk}/edit/").status_code == 404
            assert (
                client.post(
                    f"/front-offices/manage/{office.pk}/edit/", _form(office, name="Changed")
                ).status_code
                == 404
            )
        assert _state(offices[0]) == before

    @pytest.mark.parametrize("persona", sorted(SEES))
    def test_each_sees_the_offices_of_their_scope(self, personas, offices, persona: str) -> None:  # type: ignore[no-untyped-def]
        sees, edits = SEES[persona]
        response = _client(personas, persona).get("/front-offices/manage/")
        assert response.status_code == 200
        assert [office.name for office, _ in response.context["rows"]] == sees
        assert [office.name for office, can_edit in response.context["rows"] if can_edit] == edits
        content = response.content.decode()
        for office in offices:
            assert (f'href="/front-offices/manage/{office.pk}/edit/"' in content) is (office.name in edits)
            assert (office.name in content) is (office.name in sees)

    @pytest.mark.parametrize("persona", sorted(SEES))
    def test_only_offices_one_may_edit_open_for_editing(self, personas, offices, persona: str) -> None:  # type: ignore[no-untyped-def]
        _, edits = SEES[persona]
        client = _client(personas, persona)
        for office in offices:
            before = _state(office)
            expected = 200 if office.name in edits else 404
            assert client.get(f"/front-offices/manage/{office.pk}/edit/").status_code == expected
            if expected == 404:
                response = client.post(
                    f"/front-offices/manage/{office.pk}/edit/", _form(office, name="Changed")
                )
                assert response.status_code == 404
                assert _state(office) == before

    def test_unknown_office_is_404(self, nora) -> None:  # type: ignore[no-untyped-def]
        client = client_for(nora)
        assert client.get("/front-offices/manage/999999/edit/").status_code == 404
        assert client.get("/front-offices/manage/abc/edit/").status_code == 404

    def test_navigation_links_the_staff_pages(self, personas) -> None:  # type: ignore[no-untyped-def]
        for persona, expected in [
            ("office_staff", True),
            ("coordinator", True),
            ("national_staff", True),
            ("volunteer", False),
            ("curator", False),
        ]:
            # Office staff find it in the header; coordinators on their overview (the header
            # stays one line for them).
            page = "/overview/" if persona in ("coordinator", "national_staff") else "/me/"
            content = _client(personas, persona).get(page).content.decode()
            assert ('href="/front-offices/manage/"' in content) is expected, persona

    def test_staff_list_queries_do_not_grow_with_offices(self, nora, almaty) -> None:  # type: ignore[no-untyped-def]
        client = client_for(nora)

        def queries() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get("/front-offices/manage/").status_code == 200
            return len(ctx.captured_queries)

        def office(n: int) -> None:
            created = FrontOffice.objects.create(name=f"Кеңсе {n}", region=almaty, address="x")
            created.staff.add(UserFactory(), UserFactory())

        office(0)
        few = queries()
        for n in range(1, 12):
            office(n)
        assert queries() == few


@pytest.mark.django_db
class TestEditingAnOffice:
    def test_coordinator_keeps_the_details_of_their_office(self, alice, offices) -> None:  # type: ignore[no-untyped-def]
        office = offices[0]
        response = client_for(alice).post(
            f"/front-offices/manage/{office.pk}/edit/", _form(office, name="Алматы қалалық фронт-офисі")
        )
        assert response.status_code == 302
        assert response["Location"] == "/front-offices/manage/"
        office.refresh_from_db()
        assert office.name == "Алматы қалалық фронт-офисі"
        assert office.phone == "+77272501234"
        assert (office.latitude, office.longitude) == (Decimal("43.23800"), Decimal("76.94500"))
        assert office.email == "office@volunteer.kz"

    def test_region_and_staff_are_not_the_coordinators_to_change(self, alice, astana, offices) -> None:  # type: ignore[no-untyped-def]
        office = offices[0]
        clerk = UserFactory(email="clerk@example.kz")
        office.staff.add(clerk)
        response = client_for(alice).post(
            f"/front-offices/manage/{office.pk}/edit/",
            _form(office) | {"region": str(astana.pk), "staff": [str(alice.pk)]},
        )
        assert response.status_code == 302
        office.refresh_from_db()
        assert office.region.code == "75"
        assert list(office.staff.all()) == [clerk]

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"latitude": "10"}, "latitude"),
            ({"latitude": "60.1"}, "latitude"),
            ({"longitude": "100"}, "longitude"),
            ({"longitude": "-76.9"}, "longitude"),
            ({"latitude": "76.945", "longitude": "43.238"}, "latitude"),  # swapped
            ({"longitude": ""}, "longitude"),
            ({"latitude": ""}, "latitude"),
            ({"latitude": "NaN"}, "latitude"),
            ({"latitude": "1e400"}, "latitude"),
            ({"longitude": "abc"}, "longitude"),
            ({"phone": "123"}, "phone"),
            ({"phone": "+1 202 555 0100"}, "phone"),
            ({"email": "not-an-address"}, "email"),
            ({"name": ""}, "name"),
        ],
    )
    def test_bad_input_is_a_field_error(self, alice, offices, overrides, field: str) -> None:  # type: ignore[no-untyped-def]
        office = offices[0]
        before = _state(office)
        response = client_for(alice).post(
            f"/front-offices/manage/{office.pk}/edit/", _form(office, **overrides)
        )
        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert _state(office) == before

    @pytest.mark.parametrize("overrides", [{"name": "a\x00b"}, {"address": "\x00"}])
    def test_nul_bytes_are_refused_before_the_view(self, alice, offices, overrides) -> None:  # type: ignore[no-untyped-def]
        office = offices[0]
        before = _state(office)
        response = client_for(alice).post(
            f"/front-offices/manage/{office.pk}/edit/", _form(office, **overrides)
        )
        assert response.status_code == 400
        assert _state(office) == before

    def test_point_and_phone_may_be_left_out(self, alice, offices) -> None:  # type: ignore[no-untyped-def]
        office = offices[0]
        response = client_for(alice).post(
            f"/front-offices/manage/{office.pk}/edit/",
            _form(office, latitude="", longitude="", phone="", email=""),
        )
        assert response.status_code == 302
        office.refresh_from_db()
        assert (office.latitude, office.longitude, office.phone, office.email) == (None, None, "", "")

    def test_service_validates_whoever_calls_it(self, offices) -> None:  # type: ignore[no-untyped-def]
        office = offices[0]
        with pytest.raises(ValidationError) as exc:
            services.front_office_update(
                office=office, data={"latitude": Decimal("40.0"), "longitude": Decimal("76.9")}
            )
        assert set(exc.value.error_dict) == {"latitude"}
        office.refresh_from_db()
        assert office.latitude is None

    def test_service_ignores_region_and_staff(self, offices, astana, alice) -> None:  # type: ignore[no-untyped-def]
        office = offices[0]
        services.front_office_update(
            office=office, data={"name": "Жаңа атау", "region": astana, "staff": [alice]}
        )
        office.refresh_from_db()
        assert office.name == "Жаңа атау"
        assert office.region.code == "75"
        assert not office.staff.exists()


@pytest.mark.django_db
class TestOfficeLanguages:
    @pytest.mark.parametrize(
        ("language", "names"),
        [
            ("kk", "Қазақ тілі, Орыс тілі, Ағылшын тілі"),
            ("ru", "Казахский, Русский, Английский"),
            ("en", "Kazakh, Russian, English"),
        ],
    )
    def test_the_languages_spoken_are_named_in_the_pages_language(  # type: ignore[no-untyped-def]
        self, offices, language: str, names: str
    ) -> None:
        office = offices[0]
        office.languages = "kk,ru,en"
        office.save(update_fields=["languages"])
        client = Client()
        client.cookies["django_language"] = language
        page = client.get(f"/front-offices/{office.pk}/").content.decode()
        assert names in page
        assert "kk,ru,en" not in page
