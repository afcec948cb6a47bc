import datetime
import json

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import User
from tests.conftest import client_for, mailed_link
from tests.factories import PASSWORD, DetachmentFactory, MinorFactory, VolunteerFactory, years_ago
from volunteers import services
from volunteers.models import PossibleDuplicate, Volunteer

# An IIN valid for this birth date (check digit included).
IIN = "061211600012"
IIN_BIRTH = datetime.date(2006, 12, 11)


def _registration(almaty, **overrides):  # type: ignore[no-untyped-def]
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
        "profile-available_evenings": "on",
    }
    data.update(overrides)
    return data


def _register(client, data, capture, **extra):  # type: ignore[no-untyped-def]
    """Post the registration form and let its mail go out (the test transaction never commits)."""
    with capture(execute=True):
        return client.post("/accounts/register/", data, **extra)


@pytest.mark.django_db
class TestRegistration:
    def test_registers_then_the_mailed_link_activates_and_logs_in(  # type: ignore[no-untyped-def]
        self, client, almaty, django_capture_on_commit_callbacks
    ) -> None:
        response = _register(client, _registration(almaty), django_capture_on_commit_callbacks)
        assert response.status_code == 302 and response.url == "/accounts/register/done/"
        volunteer = Volunteer.objects.get(user__email="dana@example.kz")
        assert volunteer.phone == "+77015554433" and volunteer.available_evenings
        assert volunteer.consent_at is not None
        assert not volunteer.user.is_active
        # Not logged in until the address is confirmed.
        assert client.get("/me/").status_code == 302
        assert "/accounts/login/" in client.get("/me/").url

        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["dana@example.kz"]
        assert message.subject == "Volunteer Net: электрондық поштаңызды растаңыз"  # kk, as chosen
        assert message.alternatives, "an HTML body is sent too"
        link = mailed_link(message, "/accounts/activate/")
        confirm_page = client.get(link)
        assert confirm_page.status_code == 200 and confirm_page.context["validlink"]
        volunteer.user.refresh_from_db()
        assert not volunteer.user.is_active, "opening the link (a mail scanner may) activates nothing"

        activated = client.post(link)
        assert activated.status_code == 302 and activated.url == "/me/"
        volunteer.user.refresh_from_db()
        assert volunteer.user.is_active
        assert client.get("/me/").status_code == 200
        # The link works once.
        assert not Client().get(link).context["validlink"]

    def test_an_expired_link_activates_nothing(  # type: ignore[no-untyped-def]
        self, client, almaty, settings, django_capture_on_commit_callbacks
    ) -> None:
        _register(client, _registration(almaty), django_capture_on_commit_callbacks)
        link = mailed_link(mail.outbox[0], "/accounts/activate/")
        settings.PASSWORD_RESET_TIMEOUT = -1
        response = client.post(link)
        assert response.status_code == 200 and not response.context["validlink"]
        assert not User.objects.get(email="dana@example.kz").is_active

    def test_registered_email_looks_like_a_new_one_and_the_owner_is_told(  # type: ignore[no-untyped-def]
        self, client, almaty, bob, django_capture_on_commit_callbacks
    ) -> None:
        """Before, the form said "An account with this e-mail already exists": an oracle."""
        bob.refresh_from_db()
        bob.preferred_language = "ru"
        bob.save()
        fresh = _register(Client(), _registration(almaty), django_capture_on_commit_callbacks)
        mail.outbox.clear()
        data = _registration(almaty, **{"account-email": bob.user.email.upper()})
        response = _register(client, data, django_capture_on_commit_callbacks)
        assert (response.status_code, response.url) == (fresh.status_code, fresh.url)
        # Nothing created or changed for the address's owner...
        assert User.objects.filter(email__iexact=bob.user.email).count() == 1
        assert Volunteer.objects.filter(user=bob.user).get().last_name == "Қасымов"
        bob.user.refresh_from_db()
        assert bob.user.check_password(PASSWORD)
        # ...who gets a mail in their own language: log in, or set a new password.
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == [bob.user.email]
        assert message.subject == "Volunteer Net: у вас уже есть учётная запись"
        assert mailed_link(message, "/accounts/password_reset/") == "/accounts/password_reset/"
        assert message.alternatives

    def test_pending_registration_gets_its_link_again(  # type: ignore[no-untyped-def]
        self, client, almaty, django_capture_on_commit_callbacks
    ) -> None:
        _register(client, _registration(almaty), django_capture_on_commit_callbacks)
        response = _register(Client(), _registration(almaty), django_capture_on_commit_callbacks)
        assert response.url == "/accounts/register/done/"
        assert User.objects.filter(email="dana@example.kz").count() == 1
        assert Volunteer.objects.count() == 1
        assert len(mail.outbox) == 2
        link = mailed_link(mail.outbox[1], "/accounts/activate/")
        assert client.post(link).url == "/me/"

    def test_registered_iin_is_accepted_kept_off_and_flagged(  # type: ignore[no-untyped-def]
        self, client, almaty, django_capture_on_commit_callbacks
    ) -> None:
        """Before, the form said the IIN was taken: an IIN was recovered from its masked form
        and a birth date in about a thousand posts."""
        on_file = VolunteerFactory(region=almaty, iin=IIN, birth_date=IIN_BIRTH)
        data = _registration(almaty, **{"profile-iin": IIN, "profile-birth_date": IIN_BIRTH.isoformat()})
        response = _register(client, data, django_capture_on_commit_callbacks)
        fresh = _register(
            Client(),
            _registration(almaty, **{"account-email": "other@example.kz"}),
            django_capture_on_commit_callbacks,
        )
        assert (response.status_code, response.url) == (fresh.status_code, fresh.url)
        registrant = Volunteer.objects.get(user__email="dana@example.kz")
        assert registrant.iin is None
        on_file.refresh_from_db()
        assert on_file.iin == IIN
        flag = PossibleDuplicate.objects.get(existing=on_file)
        assert (flag.volunteer, flag.existing, flag.reason) == (registrant, on_file, "iin")
        # The second registrant typed the same phone as the first: flagged too, by phone.
        other = Volunteer.objects.get(user__email="other@example.kz")
        assert PossibleDuplicate.objects.get(volunteer=other).reason == "phone"
        assert [m.to for m in mail.outbox] == [["dana@example.kz"], ["other@example.kz"]]

    def test_registration_is_limited_per_address(  # type: ignore[no-untyped-def]
        self, almaty, settings, django_capture_on_commit_callbacks
    ) -> None:
        assert "RedisCache" in settings.CACHES["default"]["BACKEND"], "counted where every process sees it"
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register": "2/h"}
        client = Client(REMOTE_ADDR="10.1.2.3")
        for n in range(2):
            data = _registration(almaty, **{"account-email": f"n{n}@example.kz"})
            assert _register(client, data, django_capture_on_commit_callbacks).status_code == 302
        client.cookies["django_language"] = "ru"
        data = _registration(almaty, **{"account-email": "third@example.kz"})
        refused = _register(client, data, django_capture_on_commit_callbacks)
        assert refused.status_code == 429
        assert "Слишком много попыток" in refused.content.decode()
        assert not User.objects.filter(email="third@example.kz").exists()
        # Another address is not held back.
        other = Client(REMOTE_ADDR="10.9.9.9")
        assert _register(other, data, django_capture_on_commit_callbacks).status_code == 302

    def test_without_consent_nothing_is_created(self, client, almaty) -> None:  # type: ignore[no-untyped-def]
        data = _registration(almaty)
        del data["account-consent"]
        response = client.post("/accounts/register/", data)
        assert response.status_code == 200
        assert "consent" in response.context["account_form"].errors
        assert not User.objects.filter(email="dana@example.kz").exists()

    def test_bad_phone_keeps_what_was_typed(self, client, almaty) -> None:  # type: ignore[no-untyped-def]
        response = client.post("/accounts/register/", _registration(almaty, **{"profile-phone": "12345"}))
        assert response.status_code == 200
        assert "phone" in response.context["profile_form"].errors
        html = response.content.decode()
        assert 'value="Серікова"' in html and 'value="dana@example.kz"' in html
        assert not User.objects.exists()

    def test_minor_without_guardian_is_told_what_is_missing(self, client, almaty) -> None:  # type: ignore[no-untyped-def]
        response = client.post(
            "/accounts/register/", _registration(almaty, **{"profile-birth_date": years_ago(15).isoformat()})
        )
        assert response.status_code == 200
        assert "guardian_name" in response.context["profile_form"].errors
        assert not User.objects.exists()


@pytest.mark.django_db
class TestProfile:
    def test_edit_with_bad_phone_shows_error_and_saves_nothing(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client = client_for(bob.user)
        response = client.post(
            "/me/edit/",
            {
                "last_name": "Жаңа",
                "first_name": bob.first_name,
                "birth_date": bob.birth_date.isoformat(),
                "phone": "999",
                "region": bob.region_id,
                "preferred_language": "ru",
                "preferred_channel": "email",
            },
        )
        assert response.status_code == 200
        assert "phone" in response.context["form"].errors
        assert 'value="Жаңа"' in response.content.decode()
        bob.refresh_from_db()
        assert bob.last_name == "Қасымов"

    def test_area_point_is_kept_to_a_kilometre_and_erased_with_the_person(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client = client_for(bob.user, password_confirmed=True)
        data = {
            "last_name": bob.last_name,
            "first_name": bob.first_name,
            "birth_date": bob.birth_date.isoformat(),
            "phone": bob.phone,
            "region": bob.region_id,
            "preferred_language": "kk",
            "preferred_channel": "email",
        }
        page = client.get("/me/edit/").content.decode()
        assert "data-area-latitude" in page and 'data-locate-label="Use my location"' not in page  # kk
        abroad = client.post("/me/edit/", {**data, "latitude": "55.755826", "longitude": "37.6173"})
        assert abroad.status_code == 200 and "latitude" in abroad.context["form"].errors
        half = client.post("/me/edit/", {**data, "latitude": "43.238949"})
        assert half.status_code == 200 and "longitude" in half.context["form"].errors
        assert (
            client.post("/me/edit/", {**data, "latitude": "43.238949", "longitude": "76.945465"}).status_code
            == 302
        )
        bob.refresh_from_db()
        assert (str(bob.latitude), str(bob.longitude)) == ("43.24", "76.95")
        assert json.loads(client.get("/me/data.json").content)["volunteer"]["latitude"] == "43.24"
        client.post("/me/delete/", {"confirm": "yes"})
        bob.refresh_from_db()
        assert bob.latitude is None and bob.longitude is None

    def test_my_data_download(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        response = client_for(bob.user).get("/me/data.json")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        data = json.loads(response.content)
        assert data["volunteer"]["last_name"] == "Қасымов"
        assert data["account"]["email"] == bob.user.email

    def test_delete_account_anonymises(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client = client_for(bob.user, password_confirmed=True)
        assert client.post("/me/delete/", {}).status_code == 302  # without confirmation: nothing happens
        assert User.objects.filter(pk=bob.user_id).exists()
        response = client.post("/me/delete/", {"confirm": "yes"})
        assert response.status_code == 302
        bob.refresh_from_db()
        assert bob.user_id is None and bob.anonymized_at is not None and bob.last_name != "Қасымов"
        assert client.get("/me/").status_code == 302  # logged out


@pytest.mark.django_db
class TestPasswordReset:
    def test_reset_mail_in_kazakh_and_link_works(self, client, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client.cookies["django_language"] = "kk"
        response = client.post("/accounts/password_reset/", {"email": bob.user.email})
        assert response.status_code == 302
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert "Volunteer Net" in message.subject
        assert message.alternatives, "an HTML body is sent too"
        # The link starts with the site's own address (SITE_URL), whatever host the request named.
        link = next(line for line in message.body.splitlines() if "/accounts/reset/" in line).strip()
        assert link.startswith(settings.SITE_URL + "/accounts/reset/")
        form_page = client.get(mailed_link(message, "/accounts/reset/"), follow=True)
        assert form_page.status_code == 200 and form_page.context["validlink"]
        done = client.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": "Jana-Qupia-77", "new_password2": "Jana-Qupia-77"},
        )
        assert done.status_code == 302
        bob.user.refresh_from_db()
        assert bob.user.check_password("Jana-Qupia-77")
        assert not bob.user.check_password(PASSWORD)


@pytest.mark.django_db
def test_long_written_phone_form_is_accepted(client, almaty) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/accounts/register/", _registration(almaty, **{"profile-phone": "+7 (701) 555-44-33"})
    )
    assert response.status_code == 302
    assert Volunteer.objects.get(user__email="dana@example.kz").phone == "+77015554433"


@pytest.mark.django_db
def test_consent_page_names_the_text_version(client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CONSENT_VERSION = "2027-02"
    assert "2027-02" in client.get("/accounts/consent/").content.decode()


@pytest.mark.django_db
def test_navigation_offers_sections_by_role(alice, bob) -> None:  # type: ignore[no-untyped-def]
    bob.refresh_from_db()
    coordinator_page = client_for(alice).get("/").content.decode()
    volunteer_page = client_for(bob.user).get("/").content.decode()
    # Staff's header: their sections (detachments and the rest are on the overview it leads to).
    assert 'href="/roster/"' in coordinator_page and 'href="/overview/"' in coordinator_page
    assert 'href="/roster/"' not in volunteer_page and 'href="/detachments/"' not in volunteer_page
    assert 'href="/overview/"' not in volunteer_page
    assert 'href="/detachments/"' in client_for(alice).get("/overview/").content.decode()


DIGITS = {
    "arabic-indic": str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"),
    "fullwidth": str.maketrans("0123456789", "０１２３４５６７８９"),
    "superscript": str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"),
}
IIN, IIN_BIRTH = "061211600012", datetime.date(2006, 12, 11)


@pytest.mark.django_db
class TestIinTypedInOtherDigits:
    """Decimal digits of any script are read as 0-9; superscripts are refused with a message.
    Neither gives a 500 or shows a database constraint's name."""

    @pytest.mark.parametrize("family", ["arabic-indic", "fullwidth"])
    def test_registration_reads_decimal_digits(self, client, almaty, family: str) -> None:  # type: ignore[no-untyped-def]
        data = _registration(
            almaty,
            **{"profile-birth_date": IIN_BIRTH.isoformat(), "profile-iin": IIN.translate(DIGITS[family])},
        )
        response = client.post("/accounts/register/", data)
        assert response.status_code == 302
        assert Volunteer.objects.get(user__email="dana@example.kz").iin == IIN

    def test_registration_refuses_superscripts(self, client, almaty) -> None:  # type: ignore[no-untyped-def]
        data = _registration(
            almaty,
            **{
                "profile-birth_date": IIN_BIRTH.isoformat(),
                "profile-iin": IIN.translate(DIGITS["superscript"]),
            },
        )
        client.cookies["django_language"] = "en"
        response = client.post("/accounts/register/", data)
        assert response.status_code == 200
        assert response.context["profile_form"].errors["iin"] == ["Type the number with the digits 0–9."]
        assert "volunteer_iin" not in response.content.decode()
        assert not User.objects.exists()

    def _edit(self, bob, iin: str):  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client = client_for(bob.user)
        client.cookies["django_language"] = "en"
        return client.post(
            "/me/edit/",
            {
                "last_name": bob.last_name,
                "first_name": bob.first_name,
                "birth_date": IIN_BIRTH.isoformat(),
                "phone": bob.phone,
                "region": bob.region_id,
                "preferred_language": "kk",
                "preferred_channel": "email",
                "iin": iin,
            },
        )

    @pytest.mark.parametrize("family", ["arabic-indic", "fullwidth"])
    def test_profile_edit_reads_decimal_digits(self, bob, family: str) -> None:  # type: ignore[no-untyped-def]
        response = self._edit(bob, IIN.translate(DIGITS[family]))
        assert response.status_code == 302
        bob.refresh_from_db()
        assert bob.iin == IIN and bob.birth_date == IIN_BIRTH

    def test_profile_edit_refuses_superscripts(self, bob) -> None:  # type: ignore[no-untyped-def]
        response = self._edit(bob, IIN.translate(DIGITS["superscript"]))
        assert response.status_code == 200
        assert response.context["form"].errors["iin"] == ["Type the number with the digits 0–9."]
        assert "volunteer_iin" not in response.content.decode()
        bob.refresh_from_db()
        assert bob.iin is None and bob.birth_date != IIN_BIRTH


@pytest.mark.django_db
class TestMinorsBirthDate:
    """A minor who registered honestly waits for their guardian; typing an older date on their
    own profile made them an adult at once: no guardian, and emergencies open to them."""

    def _profile(self, person):  # type: ignore[no-untyped-def]
        return {
            "last_name": person.last_name,
            "first_name": person.first_name,
            "birth_date": years_ago(25).isoformat(),
            "phone": person.phone,
            "region": person.region_id,
            "preferred_language": "ru",
            "preferred_channel": "email",
            "guardian_name": person.guardian_name,
            "guardian_phone": person.guardian_phone,
            "guardian_relation": person.guardian_relation,
        }

    def test_the_minor_cannot_make_themselves_older(self, almaty) -> None:  # type: ignore[no-untyped-def]
        minor = MinorFactory(region=almaty, with_account=True, status=Volunteer.Status.AWAITING_GUARDIAN)
        born = minor.birth_date
        client = client_for(minor.user)
        client.cookies["django_language"] = "en"
        page = client.get("/me/edit/")
        assert page.context["form"].fields["birth_date"].disabled
        assert "Under 18, the date of birth is corrected by staff" in page.content.decode()
        client.post("/me/edit/", self._profile(minor))
        minor.refresh_from_db()
        assert minor.birth_date == born and minor.is_minor()
        assert minor.status == Volunteer.Status.AWAITING_GUARDIAN and not minor.awaits_own_consent

        # The service says the same to any other caller; staff correct the date.
        with pytest.raises(ValidationError) as info:
            services.volunteer_update(
                volunteer=minor, changed_by=minor.user, data={"birth_date": years_ago(25)}
            )
        assert info.value.error_dict["birth_date"][0].code == "minor_birth_date"
        minor.refresh_from_db()
        assert minor.birth_date == born

    def test_staff_correct_it_and_an_adult_corrects_their_own(self, almaty, alice) -> None:  # type: ignore[no-untyped-def]
        minor = MinorFactory(region=almaty, with_account=True, status=Volunteer.Status.AWAITING_GUARDIAN)
        services.volunteer_update(volunteer=minor, changed_by=alice, data={"birth_date": years_ago(19)})
        minor.refresh_from_db()
        assert not minor.is_minor()

        adult = VolunteerFactory(region=almaty, with_account=True)
        client = client_for(adult.user)
        assert not client.get("/me/edit/").context["form"].fields["birth_date"].disabled
        response = client.post("/me/edit/", {**self._profile(adult), "birth_date": years_ago(31).isoformat()})
        assert response.status_code == 302
        adult.refresh_from_db()
        assert adult.birth_date == years_ago(31)


@pytest.mark.django_db
class TestGuardianOfAnAdult:
    """The guardian's fields hide once the date says 18 or over, but what was typed in them before
    the date was corrected was still sent, and kept: a third person's name and phone that the
    adult's profile never shows and no form of theirs offers to remove."""

    GUARDIAN = {
        "profile-guardian_name": "Серікова Гүлнар",
        "profile-guardian_phone": "8 701 765 43 21",
        "profile-guardian_relation": "mother",
    }

    def test_an_adult_registers_without_them(
        self, client, almaty, django_capture_on_commit_callbacks
    ) -> None:  # type: ignore[no-untyped-def]
        # Just 18: no longer a minor.
        data = _registration(almaty, **self.GUARDIAN, **{"profile-birth_date": years_ago(18).isoformat()})
        assert _register(client, data, django_capture_on_commit_callbacks).status_code == 302
        adult = Volunteer.objects.get(user__email="dana@example.kz")
        assert (adult.guardian_name, adult.guardian_phone, adult.guardian_relation) == ("", "", "")
        assert adult.status == Volunteer.Status.ACTIVE

    def test_a_minor_keeps_them(self, client, almaty, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
        data = _registration(almaty, **self.GUARDIAN, **{"profile-birth_date": years_ago(17).isoformat()})
        assert _register(client, data, django_capture_on_commit_callbacks).status_code == 302
        minor = Volunteer.objects.get(user__email="dana@example.kz")
        assert (minor.guardian_name, minor.guardian_phone) == ("Серікова Гүлнар", "+77017654321")

    def test_staff_adding_an_adult_keep_none_either(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        person = services.volunteer_create(
            created_by=alice,
            data={
                "last_name": "Омаров",
                "first_name": "Ерлан",
                "birth_date": years_ago(30),
                "phone": "+77471234567",
                "region": almaty,
                "guardian_name": "Омарова Айгүл",
                "guardian_phone": "+77017654321",
                "guardian_relation": "mother",
            },
        )
        person.refresh_from_db()
        assert (person.guardian_name, person.guardian_phone, person.guardian_relation) == ("", "", "")


@pytest.mark.django_db
def test_a_pupil_moving_region_on_their_profile_is_told_what_to_do(almaty, astana) -> None:  # type: ignore[no-untyped-def]
    # The detachment's region no longer matched, and the form had no field to show it by: a 500.
    pupil = MinorFactory(region=almaty, detachment=DetachmentFactory(region=almaty), with_account=True)
    client = client_for(pupil.user)
    client.cookies["django_language"] = "en"
    response = client.post(
        "/me/edit/",
        {
            "last_name": pupil.last_name,
            "first_name": pupil.first_name,
            "phone": pupil.phone,
            "email": pupil.email,
            "region": astana.pk,
            "preferred_language": "ru",
            "preferred_channel": "email",
            "guardian_name": pupil.guardian_name,
            "guardian_phone": pupil.guardian_phone,
            "guardian_relation": pupil.guardian_relation,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["region"] == [
        "You are a member of a school detachment in your region: ask its curator to take you off it, "
        "then change the region."
    ]
    pupil.refresh_from_db()
    assert pupil.region == almaty and pupil.detachment is not None
