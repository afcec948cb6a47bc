"""Law 42-VI art. 12 on every path by which someone comes to hold a place on a shift, not only on
a new sign-up: a shift or campaign changed after minors signed up, a waitlist moving up, a birth
date corrected. Ages are judged on the shift's Almaty date."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from events import services
from events.models import Campaign, Signup
from tests.conftest import client_for
from tests.factories import MinorFactory, VolunteerFactory, years_ago
from volunteers.models import years_before

from .factories import CampaignFactory, ShiftFactory, in_days


def _minor(region, **kwargs):  # type: ignore[no-untyped-def]
    """A minor whose guardian's consent is on file: free to sign up for ordinary shifts."""
    return MinorFactory(region=region, guardian_consent_at=timezone.now(), **kwargs)


@pytest.mark.django_db
class TestShiftChangedAfterMinorsSignedUp:
    def test_made_adults_only_is_refused_while_a_minor_is_signed_up(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        teen = _minor(almaty, first_name="Аружан")
        signup = services.signup_create(shift=shift, volunteer=teen, by=None)
        with translation.override("en"), pytest.raises(ValidationError) as info:
            services.shift_update(shift=shift, data={"adults_only": True}, by=alice)
        assert info.value.code == "signed_up_not_allowed"
        assert teen.full_name in info.value.messages[0]
        assert "adults only" in info.value.messages[0]
        shift.refresh_from_db()
        signup.refresh_from_db()
        assert not shift.adults_only and signup.status == Signup.Status.CONFIRMED
        # Once the minor is withdrawn, the shift may become adults only.
        services.signup_cancel(signup=signup, by=alice)
        services.shift_update(shift=shift, data={"adults_only": True}, by=alice)
        shift.refresh_from_db()
        assert shift.adults_only

    def test_minimum_age_raised_above_a_waitlisted_minor_is_refused(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(capacity=1)
        services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        teen = _minor(almaty, birth_date=years_ago(15))
        assert services.signup_create(shift=shift, volunteer=teen, by=None).status == Signup.Status.WAITLISTED
        with pytest.raises(ValidationError) as info:
            services.shift_update(shift=shift, data={"min_age": 16}, by=alice)
        assert info.value.code == "signed_up_not_allowed"
        shift.refresh_from_db()
        assert shift.min_age is None

    def test_retimed_to_before_the_18th_birthday_on_adults_only_is_refused(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        """18 on the shift's day when signing up; moved three days earlier, still 17."""
        shift = ShiftFactory(adults_only=True, starts_at=in_days(10))
        day = shift.local_date
        almost = _minor(almaty, birth_date=years_before(day, 18) - datetime.timedelta(days=1))
        services.signup_create(shift=shift, volunteer=almost, by=None)
        earlier = shift.starts_at - datetime.timedelta(days=3)
        with pytest.raises(ValidationError) as info:
            services.shift_update(
                shift=shift,
                data={"starts_at": earlier, "ends_at": earlier + datetime.timedelta(hours=3)},
                by=alice,
            )
        assert info.value.code == "signed_up_not_allowed"

    def test_other_changes_of_a_shift_with_minors_still_go_through(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        services.signup_create(shift=shift, volunteer=_minor(almaty), by=None)
        services.shift_update(shift=shift, data={"notes": "Қолғап беріледі."}, by=alice)
        shift.refresh_from_db()
        assert shift.notes == "Қолғап беріледі."


@pytest.mark.django_db
class TestCampaignMadeAnEmergency:
    def test_refused_while_a_minor_holds_an_upcoming_place(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        campaign = CampaignFactory(region=almaty)
        shift = ShiftFactory(campaign=campaign)
        teen = _minor(almaty, first_name="Ерлан")
        services.signup_create(shift=shift, volunteer=teen, by=None)
        with translation.override("en"), pytest.raises(ValidationError) as info:
            services.campaign_update(campaign=campaign, data={"kind": Campaign.Kind.EMERGENCY}, by=alice)
        assert info.value.code == "signed_up_not_allowed"
        assert "emergency response" in info.value.messages[0] and teen.full_name in info.value.messages[0]
        campaign.refresh_from_db()
        assert campaign.kind == Campaign.Kind.ECOLOGY

    def test_goes_through_with_adults_only(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        campaign = CampaignFactory(region=almaty)
        services.signup_create(
            shift=ShiftFactory(campaign=campaign), volunteer=VolunteerFactory(region=almaty), by=None
        )
        services.campaign_update(campaign=campaign, data={"kind": Campaign.Kind.EMERGENCY}, by=alice)
        campaign.refresh_from_db()
        assert campaign.kind == Campaign.Kind.EMERGENCY

    def test_the_coordinators_page_shows_the_reason(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        campaign = CampaignFactory(region=almaty)
        services.signup_create(shift=ShiftFactory(campaign=campaign), volunteer=_minor(almaty), by=None)
        data = {
            "title": campaign.title,
            "description": campaign.description,
            "kind": Campaign.Kind.EMERGENCY,
            "direction": campaign.direction,
            "region": almaty.pk,
            "contact": campaign.contact,
            "starts_on": campaign.starts_on.isoformat(),
            "ends_on": campaign.ends_on.isoformat(),
        }
        response = client_for(alice).post(
            f"/manage/campaigns/{campaign.pk}/edit/", data, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 200
        assert "emergency response" in response.content.decode()
        campaign.refresh_from_db()
        assert campaign.kind == Campaign.Kind.ECOLOGY


@pytest.mark.django_db
class TestWaitlistMovesUp:
    def test_a_minor_is_passed_over_for_an_adults_only_place(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        """A waitlisted place kept from before the shift's rules were what they are (data of an
        earlier version, a record merged in): the law, not the queue, decides who moves up."""
        shift = ShiftFactory(capacity=1, adults_only=True)
        first = services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        teen = _minor(almaty)
        waiting_teen = Signup.objects.create(shift=shift, volunteer=teen, status=Signup.Status.WAITLISTED)
        adult = services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        services.signup_cancel(signup=first, by=None)
        waiting_teen.refresh_from_db()
        adult.refresh_from_db()
        assert waiting_teen.status == Signup.Status.WAITLISTED
        assert adult.status == Signup.Status.CONFIRMED


@pytest.mark.django_db
class TestBirthDateCorrectedAfterSigningUp:
    def test_a_place_on_adults_only_work_goes_back_the_ordinary_one_stays(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        from volunteers.services import volunteer_update

        adults_only = ShiftFactory(adults_only=True, starts_at=in_days(10))
        ordinary = ShiftFactory(starts_at=in_days(12))
        day = adults_only.local_date
        # 18 on the day of the adults-only shift, as the record said; the year was mistyped.
        person = _minor(almaty, birth_date=years_before(day, 18) - datetime.timedelta(days=1))
        hard = services.signup_create(shift=adults_only, volunteer=person, by=None)
        kept = services.signup_create(shift=ordinary, volunteer=person, by=None)
        volunteer_update(
            volunteer=person,
            data={"birth_date": years_before(person.birth_date, -1)},
            changed_by=alice,
        )
        hard.refresh_from_db()
        kept.refresh_from_db()
        assert hard.status == Signup.Status.CANCELLED
        assert kept.status == Signup.Status.CONFIRMED

    def test_a_merge_does_not_put_a_minor_on_an_adults_only_place(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        """The same person twice, one record with a mistyped year: the record kept is a minor's,
        and the adult record's place on heavy work would move over with the rest."""
        from volunteers.services import volunteer_merge

        shift = ShiftFactory(adults_only=True)
        adult_record = VolunteerFactory(region=almaty, first_name="Данияр")
        signup = services.signup_create(shift=shift, volunteer=adult_record, by=None)
        minor_record = _minor(almaty, first_name="Данияр")
        volunteer_merge(keep=minor_record, drop=adult_record, by=alice)
        signup.refresh_from_db()
        assert signup.volunteer_id == minor_record.pk
        assert signup.status == Signup.Status.CANCELLED
        shift.refresh_from_db()
        assert shift.taken_places == 0


@pytest.mark.django_db
class TestInTheAdmin:
    """National staff edit campaigns and shifts in the admin too: the same rule, as a form error."""

    def test_a_shift_made_adults_only_is_a_form_error(self, almaty) -> None:  # type: ignore[no-untyped-def]
        from django.forms import modelform_factory

        from events.admin import ShiftAdminForm
        from events.models import Shift

        shift = ShiftFactory()
        services.signup_create(shift=shift, volunteer=_minor(almaty), by=None)
        form_class = modelform_factory(Shift, form=ShiftAdminForm, fields=["adults_only", "capacity"])
        form = form_class({"adults_only": "on", "capacity": "10"}, instance=shift)
        with translation.override("en"):
            assert not form.is_valid()
            assert "adults only" in " ".join(form.non_field_errors())

    def test_a_campaign_made_an_emergency_is_a_form_error(self, almaty) -> None:  # type: ignore[no-untyped-def]
        from django.forms import modelform_factory

        from events.admin import CampaignAdminForm

        campaign = CampaignFactory(region=almaty)
        services.signup_create(shift=ShiftFactory(campaign=campaign), volunteer=_minor(almaty), by=None)
        form_class = modelform_factory(Campaign, form=CampaignAdminForm, fields=["kind"])
        assert not form_class({"kind": Campaign.Kind.EMERGENCY}, instance=campaign).is_valid()
        assert form_class({"kind": Campaign.Kind.HEALTH}, instance=campaign).is_valid()
        campaign.refresh_from_db()
        assert campaign.kind == Campaign.Kind.ECOLOGY
