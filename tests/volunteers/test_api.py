import pytest
from rest_framework.test import APIClient

from tests.conftest import api_for
from tests.factories import PASSWORD, VolunteerFactory


@pytest.mark.django_db
class TestTokenAuth:
    def test_token_from_email_and_password_then_me(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client = APIClient()
        response = client.post(
            "/api/auth/token/", {"email": bob.user.email.upper(), "password": PASSWORD}, format="json"
        )
        assert response.status_code == 200
        client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        me = client.get("/api/me/")
        assert me.status_code == 200
        assert me.json()["volunteer"]["last_name"] == "Қасымов"

    def test_wrong_password_is_400_with_message(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        response = APIClient().post(
            "/api/auth/token/", {"email": bob.user.email, "password": "nope"}, format="json"
        )
        assert response.status_code == 400
        assert "non_field_errors" in response.json()

    def test_missing_fields_are_field_errors(self) -> None:
        response = APIClient().post("/api/auth/token/", {"email": "not-an-email"}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"email", "password"}

    def test_without_credentials_401(self) -> None:
        assert APIClient().get("/api/me/").status_code == 401
        assert APIClient().get("/api/volunteers/").status_code == 401


@pytest.mark.django_db
class TestVolunteerApi:
    def test_list_is_scoped_and_paginated(self, alice, bob, astana_volunteer) -> None:  # type: ignore[no-untyped-def]
        data = api_for(alice).get("/api/volunteers/").json()
        assert set(data) == {"count", "next", "previous", "results"}
        assert data["count"] == 1
        assert data["results"][0]["id"] == bob.pk
        assert data["results"][0]["region"] == "75"

    def test_detail_outside_region_is_404(self, alice, astana_volunteer, charlie) -> None:  # type: ignore[no-untyped-def]
        assert api_for(alice).get(f"/api/volunteers/{astana_volunteer.pk}/").status_code == 404
        detail = api_for(charlie).get(f"/api/volunteers/{astana_volunteer.pk}/")
        assert detail.status_code == 200
        # Hours come from events/ (registered in volunteers/extensions.py); none attended yet.
        assert detail.json()["hours"] == "0.00"

    def test_volunteer_cannot_list_roster(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        assert api_for(bob.user).get("/api/volunteers/").status_code == 404
        assert api_for(bob.user).get(f"/api/volunteers/{bob.pk}/").status_code == 404

    def test_search_in_kazakh_is_case_insensitive(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        VolunteerFactory(region=almaty, last_name="Ұлықбекова", first_name="Әйгерім")
        data = api_for(alice).get("/api/volunteers/", {"q": "ҰЛЫҚБЕК"}).json()
        assert [r["last_name"] for r in data["results"]] == ["Ұлықбекова"]

    def test_unknown_region_code_is_400(self, alice) -> None:  # type: ignore[no-untyped-def]
        response = api_for(alice).get("/api/volunteers/", {"region": "99"})
        assert response.status_code == 400
        assert "region" in response.json()

    def test_bad_detachment_is_400_not_500(self, alice) -> None:  # type: ignore[no-untyped-def]
        response = api_for(alice).get("/api/volunteers/", {"detachment": "abc"})
        assert response.status_code == 400

    def test_iin_masked_for_coordinator(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        import datetime

        v = VolunteerFactory(region=almaty, birth_date=datetime.date(2006, 12, 11), iin="061211600012")
        assert api_for(alice).get(f"/api/volunteers/{v.pk}/").json()["iin"] == "06••••••••12"


@pytest.mark.django_db
def test_schema_and_docs_are_served_locally(client) -> None:  # type: ignore[no-untyped-def]
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/volunteers/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs
    assert "cdn" not in docs.lower()


@pytest.mark.django_db
class TestVolunteerListQueryIsValidated:
    """Every query parameter is parsed before the database sees it: bad input is a 400 naming
    the parameter, never a 500."""

    @pytest.mark.parametrize("param", ["q", "region", "skill", "detachment"])
    def test_nul_byte_is_a_field_error(self, alice, bob, param: str) -> None:  # type: ignore[no-untyped-def]
        response = api_for(alice).get(f"/api/volunteers/?{param}=%00")
        assert response.status_code == 400
        assert list(response.json()) == [param]

    @pytest.mark.parametrize(
        "query",
        ["page=abc", "page=%00", "page=0", "page=-1", "page_size=abc", "page_size=%00", "page_size=0"],
    )
    def test_page_garbage_is_a_field_error(self, alice, bob, query: str) -> None:  # type: ignore[no-untyped-def]
        response = api_for(alice).get(f"/api/volunteers/?{query}")
        assert response.status_code == 400
        assert list(response.json()) == [query.split("=")[0]]

    def test_page_size_over_the_maximum_is_refused(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        response = api_for(alice).get("/api/volunteers/", {"page_size": "201"})
        assert response.status_code == 400
        assert "page_size" in response.json()

    def test_page_past_the_end_is_404(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        assert api_for(alice).get("/api/volunteers/", {"page": "7"}).status_code == 404

    def test_valid_filters_still_filter(self, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        from tests.factories import DetachmentFactory, SkillFactory

        skill = SkillFactory(code="first-aid")
        detachment = DetachmentFactory(region=almaty)
        medic = VolunteerFactory(region=almaty, detachment=detachment)
        medic.skills.add(skill)
        client = api_for(alice)
        for params in (
            {"skill": "first-aid"},
            {"detachment": str(detachment.pk)},
            {"region": "75", "skill": "first-aid", "page": "1", "page_size": "10"},
        ):
            data = client.get("/api/volunteers/", params).json()
            assert [r["id"] for r in data["results"]] == [medic.pk], params
        unknown = client.get("/api/volunteers/", {"skill": "no-such", "lang": "en"})
        assert unknown.status_code == 400 and unknown.json() == {"skill": ["Unknown skill."]}

    def test_schema_describes_every_parameter(self, client) -> None:  # type: ignore[no-untyped-def]
        import yaml

        schema = yaml.safe_load(client.get("/api/schema/").content)
        parameters = {
            p["name"]: p["schema"] for p in schema["paths"]["/api/volunteers/"]["get"]["parameters"]
        }
        assert set(parameters) == {"q", "region", "skill", "detachment", "page", "page_size"}
        assert parameters["detachment"]["type"] == parameters["page"]["type"] == "integer"
        assert parameters["page_size"]["maximum"] == 200


@pytest.mark.django_db
def test_schema_of_a_profile_names_every_field_it_has(alice, bob) -> None:  # type: ignore[no-untyped-def]
    """`hours` is added to the profile by events/ (volunteers/extensions.py); the schema a client
    is generated from has it too, for GET /api/volunteers/{id}/ and the caller's own in /api/me/."""
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    detail = schema["paths"]["/api/volunteers/{id}/"]["get"]["responses"]["200"]["content"]
    profile = components[detail["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]]
    me = schema["paths"]["/api/me/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    own = components[me["$ref"].rsplit("/", 1)[-1]]["properties"]["volunteer"]["allOf"][0]["$ref"]
    assert components[own.rsplit("/", 1)[-1]] == profile
    assert profile["properties"]["hours"]["type"] == "string"
    body = api_for(alice).get(f"/api/volunteers/{bob.pk}/").json()
    assert body["hours"] == "0.00"
    assert set(body) == set(profile["properties"])
    assert set(api_for(bob.user).get("/api/me/").json()["volunteer"]) == set(profile["properties"])
