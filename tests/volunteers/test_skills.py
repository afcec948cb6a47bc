"""The skills catalogue page: coordinators and national staff keep it, nobody else finds it."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from front_offices.models import FrontOffice
from tests.conftest import client_for, persona_client, staff_personas
from tests.factories import SkillFactory
from volunteers import services
from volunteers.models import Skill


@pytest.fixture
def skill(db) -> Skill:  # type: ignore[no-untyped-def]
    return SkillFactory(
        code="first-aid", name_kk="Алғашқы көмек", name_ru="Первая помощь", name_en="First aid"
    )


@pytest.fixture
def personas(alice, bob, charlie, nora, almaty) -> dict[str, User | None]:  # type: ignore[no-untyped-def]
    office = FrontOffice.objects.create(name="Алматы фронт-офисі", region=almaty, address="Абай даңғылы, 1")
    return staff_personas(alice=alice, bob=bob, charlie=charlie, nora=nora, office=office)


def _client(personas: dict[str, User | None], persona: str) -> Client:
    return persona_client(personas, persona)


def _post_data(**overrides: str) -> dict[str, str]:
    return {
        "code": "sign-language",
        "name_kk": "Ым тілі",
        "name_ru": "Жестовый язык",
        "name_en": "Sign language",
    } | overrides


@pytest.mark.django_db
class TestSkillPagesAccess:
    @pytest.mark.parametrize("persona", ["volunteer", "curator", "office_staff"])
    def test_without_a_region_scope_the_pages_do_not_exist(self, personas, skill, persona: str) -> None:  # type: ignore[no-untyped-def]
        client = _client(personas, persona)
        for url in ["/skills/", "/skills/new/", f"/skills/{skill.pk}/edit/"]:
            assert client.get(url).status_code == 404, url
            assert client.post(url, _post_data(code="x-skill")).status_code == 404, url
        assert list(Skill.objects.values_list("code", flat=True)) == ["first-aid"]

    def test_anonymous_visitor_is_sent_to_log_in(self, personas, skill) -> None:  # type: ignore[no-untyped-def]
        client = _client(personas, "anonymous")
        for url in ["/skills/", "/skills/new/", f"/skills/{skill.pk}/edit/"]:
            response = client.post(url, _post_data())
            assert response.status_code == 302
            assert response["Location"] == f"/accounts/login/?next={url}"
        assert Skill.objects.count() == 1

    @pytest.mark.parametrize(
        "persona",
        ["coordinator", "coordinator_with_staff_flag", "other_coordinator", "national_staff", "superuser"],
    )
    def test_coordinators_and_national_staff_keep_the_catalogue(self, personas, skill, persona: str) -> None:  # type: ignore[no-untyped-def]
        client = _client(personas, persona)
        response = client.get("/skills/")
        assert response.status_code == 200
        assert list(response.context["skills"]) == [skill]
        assert client.get("/skills/new/").status_code == 200
        assert client.get(f"/skills/{skill.pk}/edit/").status_code == 200

    def test_unknown_skill_is_404(self, alice, skill) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        assert client.get(f"/skills/{skill.pk + 1000}/edit/").status_code == 404
        assert client.get("/skills/abc/edit/").status_code == 404

    def test_skills_are_not_deleted(self, alice, skill) -> None:  # type: ignore[no-untyped-def]
        assert client_for(alice).post(f"/skills/{skill.pk}/delete/").status_code == 404
        assert Skill.objects.filter(pk=skill.pk).exists()

    def test_overview_links_skills_for_those_who_keep_them(self, personas) -> None:  # type: ignore[no-untyped-def]
        for persona in ("coordinator", "national_staff"):
            content = _client(personas, persona).get("/overview/").content.decode()
            assert 'href="/skills/"' in content, persona
        for persona in ("volunteer", "curator"):
            client = _client(personas, persona)
            assert 'href="/skills/"' not in client.get("/").content.decode(), persona
            assert client.get("/overview/").status_code == 404, persona


@pytest.mark.django_db
class TestSkillCatalogue:
    def test_coordinator_adds_a_skill(self, alice) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).post("/skills/new/", _post_data(code="Sign-Language"))
        assert response.status_code == 302
        assert response["Location"] == "/skills/"
        skill = Skill.objects.get()
        assert (skill.code, skill.name_kk, skill.name_ru, skill.name_en) == (
            "sign-language",
            "Ым тілі",
            "Жестовый язык",
            "Sign language",
        )

    @pytest.mark.parametrize("code", ["first-aid", "First-Aid", " first-aid "])
    def test_a_taken_code_is_a_field_error(self, alice, skill, code: str) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        response = client.post("/skills/new/", _post_data(code=code))
        assert response.status_code == 200
        assert response.context["form"].errors["code"] == ["A skill with this code already exists."]
        assert Skill.objects.count() == 1

    def test_coordinator_renames_a_skill(self, charlie, skill) -> None:  # type: ignore[no-untyped-def]
        response = client_for(charlie).post(
            f"/skills/{skill.pk}/edit/", _post_data(code="first-aid", name_ru="Первая медицинская помощь")
        )
        assert response.status_code == 302
        skill.refresh_from_db()
        assert skill.name_ru == "Первая медицинская помощь"
        assert skill.name_kk == "Ым тілі"

    def test_renaming_onto_a_taken_code_is_refused(self, alice, skill) -> None:  # type: ignore[no-untyped-def]
        other = SkillFactory(code="driving")
        response = client_for(alice).post(f"/skills/{other.pk}/edit/", _post_data(code="first-aid"))
        assert response.status_code == 200
        assert "code" in response.context["form"].errors
        other.refresh_from_db()
        assert other.code == "driving"

    def test_keeping_its_own_code_is_no_duplicate(self, alice, skill) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).post(f"/skills/{skill.pk}/edit/", _post_data(code="FIRST-AID"))
        assert response.status_code == 302
        skill.refresh_from_db()
        assert skill.code == "first-aid"

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"code": "first aid"}, "code"),
            ({"code": ""}, "code"),
            ({"name_kk": ""}, "name_kk"),
            ({"name_ru": "x" * 101}, "name_ru"),
        ],
    )
    def test_bad_input_is_a_field_error(self, alice, data, field: str) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).post("/skills/new/", _post_data(**data))
        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert not Skill.objects.exists()

    @pytest.mark.parametrize("data", [{"name_en": "a\x00b"}, {"code": "a\x00"}])
    def test_nul_bytes_are_refused_before_the_view(self, alice, data) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).post("/skills/new/", _post_data(**data))
        assert response.status_code == 400
        assert not Skill.objects.exists()

    def test_service_refuses_a_duplicate_code(self, skill) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(ValidationError) as exc:
            services.skill_create(code="FIRST-AID", name_kk="a", name_ru="b", name_en="c")
        assert set(exc.value.error_dict) == {"code"}
        assert Skill.objects.count() == 1

    def test_list_queries_do_not_grow_with_skills(self, alice) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)

        def queries() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get("/skills/").status_code == 200
            return len(ctx.captured_queries)

        SkillFactory.create_batch(2)
        few = queries()
        SkillFactory.create_batch(20)
        assert queries() == few
