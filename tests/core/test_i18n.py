import pytest
from django.test import Client

from tests.factories import PASSWORD


@pytest.mark.django_db
class TestLanguageSwitching:
    def test_switcher_remembers_choice_in_cookie(self, client: Client) -> None:
        response = client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
        assert response.status_code == 302
        assert client.cookies["django_language"].value == "ru"
        page = client.get("/")
        assert page["Content-Language"] == "ru"
        assert '<html lang="ru">' in page.content.decode()
        assert "город Алматы" in page.content.decode()

    @pytest.mark.parametrize(
        ("lang", "region_name"), [("kk", "Алматы қаласы"), ("ru", "город Алматы"), ("en", "Almaty")]
    )
    def test_home_page_in_each_language(self, client: Client, lang: str, region_name: str) -> None:
        html = client.get("/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        assert f'<html lang="{lang}">' in html
        assert region_name in html

    def test_default_language_is_kazakh(self, client: Client) -> None:
        assert '<html lang="kk">' in client.get("/").content.decode()

    def test_home_page_kazakh_has_translated_chrome(self, client: Client) -> None:
        html = client.get("/", HTTP_ACCEPT_LANGUAGE="kk").content.decode()
        for english in ["Log in", "Register", "Front offices", "Campaigns", "Skip to content"]:
            assert f">{english}<" not in html, english


@pytest.mark.django_db
class TestKazakhFormErrors:
    """Django's own Kazakh catalogue is incomplete; ours fills what users meet."""

    def test_login_error_is_kazakh(self, client: Client, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client.cookies["django_language"] = "kk"
        response = client.post("/accounts/login/", {"username": bob.user.email, "password": "wrong"})
        error = str(response.context["form"].non_field_errors()[0])
        assert "Please enter a correct" not in error
        assert any(ch in error for ch in "әғқңөұүһі"), error

    def test_required_and_invalid_email_errors_are_kazakh(self, client: Client) -> None:
        client.cookies["django_language"] = "kk"
        response = client.post("/accounts/password_reset/", {"email": "not-an-email"})
        error = response.context["form"].errors["email"][0]
        assert error != "Enter a valid email address."
        assert any(ch in error for ch in "әғқңөұүһі"), error

    def test_password_validator_messages_are_kazakh(self, client: Client, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client.force_login(bob.user)
        client.cookies["django_language"] = "kk"
        response = client.post(
            "/accounts/password_change/",
            {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
        )
        errors = " ".join(response.context["form"].errors["new_password2"])
        assert "too short" not in errors and "entirely numeric" not in errors
        assert any(ch in errors for ch in "әғқңөұүһі"), errors

    def test_api_error_language_follows_lang_parameter(self, client: Client) -> None:
        response = client.post("/api/auth/token/?lang=ru", {}, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["email"] == ["Обязательное поле."]
