"""Someone who registered at 17 and whose guardian never answered turns 18: from then on the
consent to the processing of personal data is their own (law 94-V). They were left "awaiting
guardian" for ever, told by every sign-up only that their profile was not active, with nothing on
their profile to do about it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation

from events.models import Signup
from events.services import signup_refusal
from regions.models import CoordinatorAssignment
from tests.conftest import client_for
from tests.events.factories import ShiftFactory
from tests.factories import ComeOfAgeFactory, DetachmentFactory, MinorFactory, UserFactory
from volunteers import services
from volunteers.guardian_links import guardian_link_token
from volunteers.models import Volunteer, VolunteerChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def came_of_age(almaty):  # type: ignore[no-untyped-def]
    """Registered alone at 17 a year ago (the box ticked then), 18 since last week."""
    person = ComeOfAgeFactory(
        region=almaty,
        with_account=True,
        first_name="Аружан",
        consent_at=timezone.now() - datetime.timedelta(days=365),
        consent_version="2024-01",
    )
    assert not person.is_minor() and person.awaits_own_consent and not person.awaits_guardian
    return person


def test_the_profile_asks_for_their_own_consent_and_the_shift_page_leads_there(came_of_age) -> None:  # type: ignore[no-untyped-def]
    client = client_for(came_of_age.user)
    client.cookies["django_language"] = "en"
    shift = ShiftFactory()
    for url in (f"/shifts/{shift.pk}/", f"/shifts/{shift.pk}/signup/"):
        page = client.get(url).content.decode()
        assert "is 18 now and gives their own consent" in page, url
        assert "is not active" not in page, url
        assert 'href="/me/#own-consent"' in page, url
    profile = client.get("/me/").content.decode()
    assert 'id="own-consent"' in profile and "Next step: your own consent" in profile
    # Not the guardian's section: that is for minors.
    assert "guardian-next-step" not in profile


def test_giving_it_activates_the_profile_with_history_and_sign_up_works(came_of_age, settings) -> None:  # type: ignore[no-untyped-def]
    client = client_for(came_of_age.user)
    client.cookies["django_language"] = "en"
    # The box is the consent: unticked, nothing changes.
    refused = client.post("/me/consent/", {})
    assert refused.status_code == 400
    assert "Tick the box to give your consent." in refused.content.decode()
    came_of_age.refresh_from_db()
    assert came_of_age.status == Volunteer.Status.AWAITING_GUARDIAN

    response = client.post("/me/consent/", {"agree": "on"}, follow=True)
    assert "your consent is recorded" in "".join(str(m) for m in response.context["messages"])
    came_of_age.refresh_from_db()
    assert came_of_age.status == Volunteer.Status.ACTIVE
    assert came_of_age.consent_version == settings.CONSENT_VERSION
    assert timezone.now() - came_of_age.consent_at < datetime.timedelta(minutes=1)
    change = VolunteerChange.objects.get(volunteer=came_of_age, action=VolunteerChange.Action.OWN_CONSENT)
    assert change.changed_by == came_of_age.user
    assert 'id="own-consent"' not in client.get("/me/").content.decode()

    shift = ShiftFactory()
    assert client.post(f"/shifts/{shift.pk}/signup/").status_code == 302
    assert Signup.objects.get(shift=shift, volunteer=came_of_age).status == "confirmed"
    # A second tab's post records nothing twice.
    again = client.post("/me/consent/", {"agree": "on"}, follow=True)
    assert "already recorded" in "".join(str(m) for m in again.context["messages"])
    # Said as what it is, not as an error of theirs (the red of a refusal).
    [already] = [m for m in again.context["messages"] if "already recorded" in str(m)]
    assert already.level_tag == "info"
    assert VolunteerChange.objects.filter(action=VolunteerChange.Action.OWN_CONSENT).count() == 1


def test_a_minor_cannot_give_it(almaty) -> None:  # type: ignore[no-untyped-def]
    minor = MinorFactory(region=almaty, with_account=True, status=Volunteer.Status.AWAITING_GUARDIAN)
    assert not minor.awaits_own_consent
    client = client_for(minor.user)
    client.cookies["django_language"] = "en"
    assert 'id="own-consent"' not in client.get("/me/").content.decode()
    response = client.post("/me/consent/", {"agree": "on"}, follow=True)
    assert "given by a parent or legal representative" in "".join(
        str(m) for m in response.context["messages"]
    )
    minor.refresh_from_db()
    assert minor.status == Volunteer.Status.AWAITING_GUARDIAN


def test_an_erased_or_paused_profile_is_not_revived_by_it(came_of_age) -> None:  # type: ignore[no-untyped-def]
    Volunteer.objects.filter(pk=came_of_age.pk).update(status=Volunteer.Status.PAUSED)
    came_of_age.refresh_from_db()
    assert not came_of_age.awaits_own_consent
    with pytest.raises(ValidationError) as info:
        services.own_consent_give(volunteer=came_of_age, by=came_of_age.user)
    assert info.value.code == "already"
    came_of_age.refresh_from_db()
    assert came_of_age.status == Volunteer.Status.PAUSED


def test_the_page_is_only_a_post_and_only_for_a_volunteer(came_of_age) -> None:  # type: ignore[no-untyped-def]
    client = client_for(came_of_age.user)
    assert client.get("/me/consent/").status_code == 405
    staff = client_for(UserFactory())
    assert staff.post("/me/consent/", {"agree": "on"}).status_code == 404
    anonymous = Client().post("/me/consent/", {"agree": "on"})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_staff_see_what_the_person_waits_for(came_of_age, almaty) -> None:  # type: ignore[no-untyped-def]
    coordinator = UserFactory()
    CoordinatorAssignment.objects.create(user=coordinator, region=almaty)
    client = client_for(coordinator)
    client.cookies["django_language"] = "ru"
    page = client.get(f"/roster/{came_of_age.pk}/").content.decode()
    assert "Ожидает согласия законного представителя (уже 18 лет: ожидается собственное согласие)" in page


class TestStaffRecordTheFormTheySigned:
    """Someone without an account (a pupil a curator added), or who came to the office, signs
    the paper form; staff record its number, as for a walk-in."""

    def test_the_coordinator_records_it_and_the_person_takes_part(self, came_of_age, almaty) -> None:  # type: ignore[no-untyped-def]
        coordinator = UserFactory()
        CoordinatorAssignment.objects.create(user=coordinator, region=almaty)
        client = client_for(coordinator)
        client.cookies["django_language"] = "en"
        detail = client.get(f"/roster/{came_of_age.pk}/").content.decode()
        assert 'id="own-consent-link"' in detail
        page = client.get(f"/roster/{came_of_age.pk}/guardian-consent/")
        assert page.status_code == 200 and "Record their consent" in page.content.decode()
        # Without the number, or without the box: told what is missing, nothing recorded.
        refused = client.post(f"/roster/{came_of_age.pk}/guardian-consent/", {"document_number": "75-301"})
        assert (
            refused.status_code == 400
            and "Confirm that you have the signed form." in refused.content.decode()
        )
        came_of_age.refresh_from_db()
        assert came_of_age.status == Volunteer.Status.AWAITING_GUARDIAN

        done = client.post(
            f"/roster/{came_of_age.pk}/guardian-consent/", {"document_number": " 75-301 ", "confirm": "on"}
        )
        assert done.status_code == 302 and done["Location"] == f"/roster/{came_of_age.pk}/"
        came_of_age.refresh_from_db()
        assert came_of_age.status == Volunteer.Status.ACTIVE
        assert (came_of_age.consent_method, came_of_age.consent_document) == ("paper", "75-301")
        change = VolunteerChange.objects.get(volunteer=came_of_age, action=VolunteerChange.Action.OWN_CONSENT)
        assert change.changed_by == coordinator
        # Done: the page is the guardian's again, which an adult has none of.
        assert client.get(f"/roster/{came_of_age.pk}/guardian-consent/").status_code == 404

    def test_a_curator_records_it_for_a_pupil_of_their_detachment(self, came_of_age, almaty) -> None:  # type: ignore[no-untyped-def]
        curator = UserFactory()
        detachment = DetachmentFactory(region=almaty, curator=curator)
        Volunteer.objects.filter(pk=came_of_age.pk).update(detachment=detachment, user=None)
        client = client_for(curator)
        client.cookies["django_language"] = "en"
        listing = client.get(f"/detachments/{detachment.pk}/").content.decode()
        assert "18 now: the person's own consent is awaited" in listing
        url = f"/detachments/{detachment.pk}/members/{came_of_age.pk}/guardian-consent/"
        assert url in listing
        assert client.post(url, {"document_number": "12", "confirm": "on"}).status_code == 302
        came_of_age.refresh_from_db()
        assert came_of_age.status == Volunteer.Status.ACTIVE and came_of_age.consent_method == "paper"

    def test_a_status_set_to_active_is_refused_until_then(self, came_of_age, almaty) -> None:  # type: ignore[no-untyped-def]
        coordinator = UserFactory()
        CoordinatorAssignment.objects.create(user=coordinator, region=almaty)
        with translation.override("en"), pytest.raises(ValidationError) as info:
            services.volunteer_update(
                volunteer=came_of_age, changed_by=coordinator, data={"status": "active"}
            )
        assert "becomes active once their own consent is recorded" in str(info.value)
        came_of_age.refresh_from_db()
        assert came_of_age.status == Volunteer.Status.AWAITING_GUARDIAN

    def test_staff_cannot_give_it_as_if_online(self, came_of_age) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(ValidationError) as info:
            services.own_consent_give(volunteer=came_of_age, by=UserFactory())
        assert info.value.code == "paper"


class TestPausedMeanwhile:
    """A coordinator pauses the detachment for the summer and sets everyone active in September:
    someone who came of age awaiting their own consent became active on the box ticked at 17."""

    def test_set_active_again_they_await_their_own_consent(self, came_of_age, alice) -> None:  # type: ignore[no-untyped-def]
        for status in ("paused", "active"):
            result = services.volunteers_bulk_update(
                volunteers=[came_of_age], changed_by=alice, action="status", value=status
            )
            assert not result.refused
        came_of_age.refresh_from_db()
        assert came_of_age.status == Volunteer.Status.AWAITING_GUARDIAN
        assert came_of_age.awaits_own_consent
        refusal = signup_refusal(shift=ShiftFactory(), volunteer=came_of_age)
        assert refusal is not None and refusal.code == "own_consent"
        # The way on is the one they had: their own consent, which then makes them active.
        services.own_consent_give(volunteer=came_of_age, by=came_of_age.user)
        came_of_age.refresh_from_db()
        assert came_of_age.status == Volunteer.Status.ACTIVE

    def test_a_pupil_with_the_guardians_consent_and_an_adult_are_active_again(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        pupil = ComeOfAgeFactory(
            region=almaty, status=Volunteer.Status.PAUSED, guardian_consent_at=timezone.now()
        )
        adult = MinorFactory(region=almaty, birth_date=datetime.date(1990, 5, 1), status="paused")
        for person in (pupil, adult):
            services.volunteer_update(volunteer=person, changed_by=alice, data={"status": "active"})
            person.refresh_from_db()
            assert person.status == Volunteer.Status.ACTIVE


def test_the_guardians_link_says_the_consent_is_theirs_now(came_of_age) -> None:  # type: ignore[no-untyped-def]
    # The link sent while they were 17 still works for days: the guardian was offered the form and
    # told only once it was filled in that "guardian consent is only recorded for volunteers under 18".
    url = f"/guardian/{guardian_link_token(came_of_age)}/"
    for response in (
        Client().get(url, HTTP_ACCEPT_LANGUAGE="en"),
        Client().post(url, {"guardian_name": "Ахметова Гүлнара", "agree": "on"}, HTTP_ACCEPT_LANGUAGE="en"),
    ):
        assert response.status_code == 410
        assert response.context["error"] == (
            "Аружан is 18 now and gives their own consent: nothing more is needed from you."
        )
        assert "guardian_name" not in response.content.decode()
    came_of_age.refresh_from_db()
    assert not came_of_age.guardian_consents.exists() and came_of_age.awaits_own_consent
