"""Input no page or API view can use is answered 400 before any view runs, never 500."""

import pytest
from django.test import Client

from tests.conftest import client_for
from tests.core.test_untranslated import _texts
from volunteers.models import Volunteer


@pytest.mark.django_db
class TestNulByteOnPages:
    @pytest.mark.parametrize(
        "url", ["/", "/roster/?q=%00", "/roster/?region=%00", "/accounts/login/?next=%00"]
    )
    def test_nul_in_the_query_string_is_a_400_page(self, alice, url: str) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).get(url + ("&" if "?" in url else "?") + "x=%00")
        assert response.status_code == 400
        assert "base.html" in [t.name for t in response.templates]
        assert "400.html" in [t.name for t in response.templates]

    def test_nul_in_a_parameter_name_is_a_400_page(self, alice) -> None:  # type: ignore[no-untyped-def]
        assert client_for(alice).get("/roster/?q%00=x").status_code == 400

    def test_admin_filter_with_nul_is_a_400_page(self, nora) -> None:  # type: ignore[no-untyped-def]
        response = client_for(nora).get("/admin/volunteers/volunteer/?q=%00")
        assert response.status_code == 400
        assert "400.html" in [t.name for t in response.templates]

    def test_nul_in_a_form_body_is_refused_before_the_view_saves(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        response = client_for(bob.user).post(
            "/me/edit/",
            {
                "last_name": "Жаңа\x00",
                "first_name": bob.first_name,
                "birth_date": bob.birth_date.isoformat(),
                "phone": bob.phone,
                "region": bob.region_id,
                "preferred_language": "kk",
                "preferred_channel": "email",
            },
        )
        assert response.status_code == 400
        bob.refresh_from_db()
        assert bob.last_name == "Қасымов"
        assert not bob.changes.exists()

    def test_nul_in_an_urlencoded_form_is_refused(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        response = client_for(bob.user).post(
            "/me/edit/", "last_name=%00&first_name=x", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 400
        bob.refresh_from_db()
        assert bob.last_name == "Қасымов"

    def test_nul_in_a_multipart_form_is_refused(self, almaty) -> None:  # type: ignore[no-untyped-def]
        response = Client().post("/accounts/register/", {"account-email": "a\x00@example.kz"})
        assert response.status_code == 400
        assert not Volunteer.objects.exists()

    def test_ordinary_requests_pass(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        assert client_for(alice).get("/roster/", {"q": "Қасым"}).status_code == 200

    @pytest.mark.parametrize(
        ("lang", "title"), [("kk", "Қате сұраныс"), ("ru", "Неверный запрос"), ("en", "Bad request")]
    )
    def test_page_is_translated(self, client, lang: str, title: str) -> None:  # type: ignore[no-untyped-def]
        client.cookies["django_language"] = lang
        html = client.get("/?q=%00").content.decode()
        assert f"<h1>{title}</h1>" in html
        if lang != "en":
            client.cookies["django_language"] = "en"
            english = client.get("/?q=%00").content.decode()
            assert not (_texts(html) & _texts(english)), "untranslated text on the 400 page"

    def test_api_is_left_to_its_serializers(self, alice) -> None:  # type: ignore[no-untyped-def]
        from rest_framework.test import APIClient

        api = APIClient()
        api.force_authenticate(alice)
        response = api.get("/api/volunteers/?q=%00")
        assert response.status_code == 400
        assert "q" in response.json()  # a field error, not the HTML page


@pytest.mark.django_db
class TestOtherBadRequests:
    def test_bad_host_header_gets_the_400_page(self) -> None:
        # Django's own 400 (raised before the authentication middleware) renders 400.html too.
        response = Client().get("/", HTTP_HOST="evil.example")
        assert response.status_code == 400
        assert "400.html" in [t.name for t in response.templates]

    def test_session_cookie_with_nul_is_no_session(self, bob) -> None:  # type: ignore[no-untyped-def]
        client = Client()
        client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
        assert client.get("/").status_code == 200
        assert client.get("/me/").status_code == 302  # to the login page, as without a session


@pytest.mark.django_db
class TestDeepJson:
    def test_deeply_nested_body_is_a_parse_error(self) -> None:
        body = "[" * 5000 + "]" * 5000
        response = Client().post("/api/auth/token/", body, content_type="application/json")
        assert response.status_code == 400
        assert "detail" in response.json()

    def test_deeply_nested_object_is_a_parse_error(self) -> None:
        body = '{"a":' * 5000 + "1" + "}" * 5000
        response = Client().post("/api/auth/token/", body, content_type="application/json")
        assert response.status_code == 400

    def test_ordinary_json_and_forms_still_parse(self) -> None:
        response = Client().post("/api/auth/token/", {"email": "x"}, content_type="application/json")
        assert response.status_code == 400
        assert set(response.json()) == {"email", "password"}
        form = Client().post("/api/auth/token/", {"email": "x"})
        assert set(form.json()) == {"email", "password"}
