"""Defects people met on their first day with the forms: two e-mail fields on registration, an
IIN typed in groups refused, SMS chosen without a number, errors hard to find on a long form, and
guardian fields shown to adults."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tests.conftest import client_for
from tests.factories import UserFactory, VolunteerFactory, years_ago
from volunteers import services
from volunteers.models import Volunteer

# A valid IIN for 11 December 2006, as people type it: in groups of three.
BIRTH = datetime.date(2006, 12, 11)
IIN = "061211600012"
IIN_TYPED = "061 211 600 012"


def _registration(almaty: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "account-email": "dana@example.kz",
        "account-password1": "Tau-Samal-2026",
        "account-password2": "Tau-Samal-2026",
        "account-consent": "on",
        "profile-last_name": "Серікова",
        "profile-first_name": "Дана",
        "profile-birth_date": years_ago(22).isoformat(),
        "profile-phone": "8 701 555 44 33",
        "profile-region": almaty.pk,
        "profile-preferred_language": "kk",
        "profile-preferred_channel": "email",
    }
    data.update(overrides)
    return data


def _register(client: Client, data: dict[str, Any], capture: Any) -> Any:
    with capture(execute=True):
        return client.post("/accounts/register/", data)


@pytest.mark.django_db
class TestOneEmailOnRegistration:
    def test_the_page_asks_for_the_address_once(self, client: Client) -> None:
        html = client.get("/accounts/register/").content.decode()
        assert re.findall(r'<input type="email" name="([^"]+)"', html) == ["account-email"]
        assert 'name="profile-email"' not in html

    def test_the_account_address_is_the_profiles(  # type: ignore[no-untyped-def]
        self, client, almaty, django_capture_on_commit_callbacks
    ) -> None:
        # A second address sent anyway (an old form, a script) is not taken.
        data = _registration(almaty, **{"profile-email": "other@example.kz"})
        assert _register(client, data, django_capture_on_commit_callbacks).status_code == 302
        volunteer = Volunteer.objects.get(user__email="dana@example.kz")
        assert volunteer.email == "dana@example.kz"


@pytest.mark.django_db
class TestIinTypedInGroups:
    def test_registration(self, client, almaty, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
        data = _registration(almaty, **{"profile-iin": IIN_TYPED, "profile-birth_date": BIRTH.isoformat()})
        data.update({"profile-guardian_name": "Серікова Айгүл", "profile-guardian_phone": "8 701 222 33 44"})
        data["profile-guardian_relation"] = "mother"
        # Adult or not on the day the test runs, the IIN is what is checked here.
        response = _register(client, data, django_capture_on_commit_callbacks)
        assert response.status_code == 302, response.context and response.context["profile_form"].errors
        assert Volunteer.objects.get(user__email="dana@example.kz").iin == IIN

    def test_the_field_lets_the_grouped_form_be_typed(self, client: Client) -> None:
        html = client.get("/accounts/register/").content.decode()
        field = re.search(r'<input type="text" name="profile-iin"[^>]*>', html)
        assert field is not None
        maxlength = re.search(r'maxlength="(\d+)"', field.group(0))
        assert maxlength is not None and int(maxlength.group(1)) >= len(IIN_TYPED)

    def test_profile_form(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.birth_date = BIRTH
        bob.guardian_name, bob.guardian_phone, bob.guardian_relation = (
            "Қасымова Гүл",
            "+77012223344",
            "mother",
        )
        bob.save()
        data = {
            "last_name": bob.last_name,
            "first_name": bob.first_name,
            "birth_date": BIRTH.isoformat(),
            "phone": bob.phone,
            "region": bob.region_id,
            "preferred_language": "kk",
            "preferred_channel": "email",
            "guardian_name": bob.guardian_name,
            "guardian_phone": bob.guardian_phone,
            "guardian_relation": "mother",
            # A non-breaking space copied from a document groups the digits as well.
            "iin": "061\u00a0211 600 012",
        }
        response = client_for(bob.user).post("/me/edit/", data)
        assert response.status_code == 302, response.context["form"].errors
        bob.refresh_from_db()
        assert bob.iin == IIN

    def test_walk_in_form(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).post(
            "/roster/new/",
            {
                "last_name": "Ержанова",
                "first_name": "Әсел",
                "birth_date": datetime.date(1990, 5, 17).isoformat(),
                "phone": "8 701 444 55 66",
                "region": almaty.pk,
                "preferred_language": "kk",
                "preferred_channel": "email",
                "status": "active",
                "own_document_number": "12",
                "iin": "900 517 400 00X",
            },
        )
        # Spaces are not the problem: a wrong IIN is still named as one (not "too long").
        assert response.status_code == 200
        assert [e.code for e in response.context["form"].errors.as_data()["iin"]] == ["iin_format"]


@pytest.mark.django_db
class TestSmsNeedsAPhone:
    def test_model_rule(self, almaty) -> None:  # type: ignore[no-untyped-def]
        volunteer = Volunteer(
            last_name="Ержанова",
            first_name="Әсел",
            birth_date=years_ago(30),
            region=almaty,
            preferred_channel=Volunteer.Channel.SMS,
        )
        with pytest.raises(ValidationError) as exc:
            volunteer.full_clean(exclude=["user", "skills"])
        assert [e.code for e in exc.value.error_dict["phone"]] == ["sms_needs_phone"]
        volunteer.preferred_channel = Volunteer.Channel.EMAIL
        volunteer.full_clean(exclude=["user", "skills"])

    def test_services_refuse_to_drop_the_number(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        data = {
            "last_name": "Ержанова",
            "first_name": "Әсел",
            "birth_date": years_ago(30),
            "region": almaty,
            "phone": "",
            "preferred_channel": "sms",
        }
        with pytest.raises(ValidationError) as exc:
            services.volunteer_create(created_by=alice, data=data)
        assert "phone" in exc.value.error_dict
        assert not Volunteer.objects.filter(last_name="Ержанова").exists()

        volunteer = VolunteerFactory(region=almaty, preferred_channel="sms")
        with pytest.raises(ValidationError) as exc:
            services.volunteer_update(volunteer=volunteer, changed_by=alice, data={"phone": ""})
        assert "phone" in exc.value.error_dict
        volunteer.refresh_from_db()
        assert volunteer.phone

    def test_a_landline_is_kept_but_not_for_sms(self, almaty) -> None:  # type: ignore[no-untyped-def]
        volunteer = Volunteer(
            last_name="Ержанова",
            first_name="Әсел",
            birth_date=years_ago(30),
            region=almaty,
            phone="8 727 250 12 34",
            preferred_channel=Volunteer.Channel.SMS,
        )
        with pytest.raises(ValidationError) as exc:
            volunteer.full_clean(exclude=["user", "skills"])
        assert [e.code for e in exc.value.error_dict["phone"]] == ["sms_needs_mobile"]
        # To call, the landline is fine.
        volunteer.preferred_channel = Volunteer.Channel.EMAIL
        volunteer.full_clean(exclude=["user", "skills"])
        assert volunteer.phone == "+77272501234"

    def test_registration_with_sms_asks_for_a_mobile(
        self, client, almaty, django_capture_on_commit_callbacks
    ) -> None:  # type: ignore[no-untyped-def]
        client.cookies["django_language"] = "en"
        data = _registration(
            almaty, **{"profile-phone": "8 727 250 12 34", "profile-preferred_channel": "sms"}
        )
        response = _register(client, data, django_capture_on_commit_callbacks)
        assert response.status_code == 200
        assert "This is a landline, and SMS cannot reach it." in response.content.decode()
        assert not Volunteer.objects.filter(user__email="dana@example.kz").exists()
        # The same number with e-mail for messages registers.
        data["profile-preferred_channel"] = "email"
        assert _register(client, data, django_capture_on_commit_callbacks).status_code == 302
        assert Volunteer.objects.get(user__email="dana@example.kz").phone == "+77272501234"

    def test_own_profile_cannot_switch_a_landline_to_sms(self, almaty) -> None:  # type: ignore[no-untyped-def]
        volunteer = VolunteerFactory(region=almaty, preferred_channel="email", phone="+77272501234")
        with pytest.raises(ValidationError) as exc:
            services.volunteer_update(
                volunteer=volunteer, changed_by=volunteer.user, data={"preferred_channel": "sms"}
            )
        assert [e.code for e in exc.value.error_dict["phone"]] == ["sms_needs_mobile"]
        volunteer.refresh_from_db()
        assert volunteer.preferred_channel == "email"

    def test_anonymised_people_keep_the_channel_without_a_number(self, almaty) -> None:  # type: ignore[no-untyped-def]
        volunteer = VolunteerFactory(region=almaty, preferred_channel="sms")
        services.volunteer_anonymize(volunteer=volunteer, requested_by=None)
        volunteer.refresh_from_db()
        assert volunteer.phone == "" and volunteer.preferred_channel == "sms"
        # The shared rules (what a merge or a correction of the kept statistics would run) pass.
        volunteer.clean()


@pytest.mark.django_db
class TestErrorSummary:
    def test_registration_lists_every_error_with_a_link_to_its_field(self, client, almaty) -> None:  # type: ignore[no-untyped-def]
        client.cookies["django_language"] = "en"
        response = client.post(
            "/accounts/register/", _registration(almaty, **{"account-email": "bad", "profile-phone": "12345"})
        )
        html = response.content.decode()
        assert html.count("data-error-summary") == 1, "one summary for the page's two forms"
        summary = re.search(r"<div class=\"error-summary\"[^>]*>(.*?)</div>", html, re.S)
        assert summary is not None
        assert 'role="alert"' in summary.group(0) and 'tabindex="-1"' in summary.group(0)
        links = re.findall(r'<a href="#([^"]+)">', summary.group(1))
        assert links == ["id_account-email", "id_profile-phone"]
        # Each link names the field and says what is wrong.
        assert "E-mail:" in summary.group(1) and "Phone:" in summary.group(1)
        for target in links:
            assert f'id="{target}"' in html
        # It comes before the fields, at the top of the form.
        assert html.index("data-error-summary") < html.index('id="id_account-email"')

    def test_a_sentence_long_checkbox_label_is_named_by_its_first_words(self) -> None:
        # "… the signed form.: This field is required." read badly: the stop goes, and a long
        # label is cut to its first words (the link leads to the whole of it).
        from django import forms

        from volunteer_net.templatetags.form_tags import form_errors_summary

        class Agree(forms.Form):
            agree = forms.BooleanField(
                label="I have read the text to the person on the phone and they agreed to it."
            )
            name = forms.CharField(label="Name:")

        form = Agree(data={})
        assert not form.is_valid()
        labels = [e["label"] for e in form_errors_summary(form)["entries"]]
        assert labels == ["I have read the text to the person…", "Name"]

    def test_form_level_errors_are_in_the_summary(self, client) -> None:  # type: ignore[no-untyped-def]
        client.cookies["django_language"] = "en"
        html = client.post(
            "/accounts/login/", {"username": "x@example.kz", "password": "bad"}
        ).content.decode()
        summary = re.search(r"<div class=\"error-summary\"[^>]*>(.*?)</div>", html, re.S)
        assert summary is not None and "password is not correct" in summary.group(1)

    def test_no_summary_without_errors(self, client) -> None:  # type: ignore[no-untyped-def]
        assert "data-error-summary" not in client.get("/accounts/register/").content.decode()

    def test_the_focus_script_is_a_file_not_inline(self, client) -> None:  # type: ignore[no-untyped-def]
        html = client.get("/accounts/register/").content.decode()
        assert re.search(r'<script src="/static/js/forms\.js" defer></script>', html)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "no inline script"


@pytest.mark.django_db
class TestGuardianFieldset:
    GUARDIAN = ("guardian_name", "guardian_phone", "guardian_relation")

    @staticmethod
    def _fieldset(html: str) -> str:
        match = re.search(r"<fieldset class=\"guardian-fields\"[^>]*>(.*?)</fieldset>", html, re.S)
        assert match is not None
        return match.group(0)

    def test_registration_groups_them_and_shows_them_without_javascript(self, client: Client) -> None:
        html = client.get("/accounts/register/").content.decode()
        fieldset = self._fieldset(html)
        # Shown as served: only the script hides them, so without it everything shows.
        assert " hidden" not in fieldset.split(">", 1)[0]
        for name in self.GUARDIAN:
            assert f'name="profile-{name}"' in fieldset
        assert 'name="profile-birth_date"' not in fieldset
        assert re.search(r'<input type="date" name="profile-birth_date"[^>]*data-birth-date', html)
        assert '<script src="/static/js/guardian.js" defer></script>' in html

    def test_curators_form_has_the_paper_consent_in_it(self, almaty) -> None:  # type: ignore[no-untyped-def]
        from tests.factories import DetachmentFactory

        curator = UserFactory(email="teacher@example.kz")
        detachment = DetachmentFactory(region=almaty, curator=curator)
        html = client_for(curator).get(f"/detachments/{detachment.pk}/members/new/").content.decode()
        fieldset = self._fieldset(html)
        for name in (*self.GUARDIAN, "guardian_consent_received", "guardian_document_number"):
            assert f'name="{name}"' in fieldset

    def test_forms_without_guardian_fields_have_no_fieldset(self, client: Client) -> None:
        assert "guardian-fields" not in client.get("/accounts/login/").content.decode()

    def test_server_rules_are_unchanged(self, client, almaty) -> None:  # type: ignore[no-untyped-def]
        response = client.post(
            "/accounts/register/", _registration(almaty, **{"profile-birth_date": years_ago(15).isoformat()})
        )
        assert response.status_code == 200
        assert set(self.GUARDIAN) <= set(response.context["profile_form"].errors)
        # The fieldset with its errors is what guardian.js keeps visible whatever the date says.
        assert "field-error" in self._fieldset(response.content.decode())
