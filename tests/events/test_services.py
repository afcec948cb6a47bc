"""The sign-up rules, the waitlist, attendance and the coordinators' writes (events/services.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from events import services
from events.models import Campaign, Shift, Signup
from tests.factories import MinorFactory, VolunteerFactory, years_ago
from volunteers.models import Volunteer, years_before

from .factories import CampaignFactory, ShiftFactory, in_days, local


def refusal_code(shift: Shift, volunteer, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as info:
        services.signup_create(shift=shift, volunteer=volunteer, by=None, **kwargs)
    return info.value.code or ""


@pytest.mark.django_db
class TestSignupCreate:
    def test_full_shift_waitlists_next_volunteer(self, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(capacity=2)
        people = [VolunteerFactory(region=almaty) for _ in range(3)]
        statuses = [services.signup_create(shift=shift, volunteer=v, by=None).status for v in people]
        assert statuses == ["confirmed", "confirmed", "waitlisted"]
        assert shift.signups.filter(status="confirmed").count() == 2

    def test_full_without_waitlist_is_refused_with_code_full(self, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(capacity=1, waitlist_enabled=False)
        services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        late = VolunteerFactory(region=almaty)
        assert refusal_code(shift, late) == "full"
        assert not late.signups.exists()

    def test_caller_who_declines_the_waitlist_is_refused_when_full(self, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(capacity=1)
        services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        assert refusal_code(shift, VolunteerFactory(region=almaty), waitlist_ok=False) == "full"

    def test_records_who_signed_the_volunteer_up(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        signup = services.signup_create(shift=ShiftFactory(), volunteer=bob, by=alice)
        signup.refresh_from_db()
        assert signup.signed_up_by == alice and signup.status == "confirmed"

    def test_cancelled_shift(self, bob) -> None:  # type: ignore[no-untyped-def]
        assert refusal_code(ShiftFactory(cancelled_at=timezone.now()), bob) == "shift_cancelled"

    def test_cancelled_campaign(self, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(campaign=CampaignFactory(status=Campaign.Status.CANCELLED))
        assert refusal_code(shift, bob) == "campaign_cancelled"

    @pytest.mark.parametrize("status", [Campaign.Status.DRAFT, Campaign.Status.CLOSED])
    def test_unpublished_campaign(self, bob, status) -> None:  # type: ignore[no-untyped-def]
        assert refusal_code(ShiftFactory(campaign=CampaignFactory(status=status)), bob) == "not_open"

    def test_shift_started(self, bob) -> None:  # type: ignore[no-untyped-def]
        now = timezone.now()
        shift = ShiftFactory(
            starts_at=now - datetime.timedelta(minutes=1), ends_at=now + datetime.timedelta(hours=2)
        )
        assert refusal_code(shift, bob) == "started"

    def test_past_deadline(self, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(signup_deadline=timezone.now() - datetime.timedelta(minutes=1))
        assert refusal_code(shift, bob) == "deadline"

    def test_paused_volunteer(self, almaty) -> None:  # type: ignore[no-untyped-def]
        paused = VolunteerFactory(region=almaty, status="paused")
        assert refusal_code(ShiftFactory(), paused) == "inactive"

    def test_minor_awaiting_guardians_consent_is_told_so_not_inactive(self, almaty) -> None:  # type: ignore[no-untyped-def]
        minor = MinorFactory(region=almaty, status=Volunteer.Status.AWAITING_GUARDIAN, first_name="Аружан")
        with translation.override("en"), pytest.raises(ValidationError) as info:
            services.signup_create(shift=ShiftFactory(), volunteer=minor, by=None)
        assert info.value.code == "awaiting_guardian"
        assert "waits for a parent's or guardian's consent" in info.value.messages[0]
        assert minor.full_name in info.value.messages[0]
        assert not minor.signups.exists()

    def test_consent_recorded_lets_the_minor_sign_up(self, almaty) -> None:  # type: ignore[no-untyped-def]
        minor = MinorFactory(region=almaty, status=Volunteer.Status.AWAITING_GUARDIAN)
        minor.status, minor.guardian_consent_at = Volunteer.Status.ACTIVE, timezone.now()
        minor.save()
        assert services.signup_create(shift=ShiftFactory(), volunteer=minor, by=None).status == "confirmed"

    def test_anonymised_volunteer(self, bob) -> None:  # type: ignore[no-untyped-def]
        from volunteers.services import volunteer_anonymize

        volunteer_anonymize(volunteer=bob, requested_by=None)
        assert refusal_code(ShiftFactory(), bob) == "inactive"

    def test_below_minimum_age_on_the_shift_date(self, almaty) -> None:  # type: ignore[no-untyped-def]
        teen = MinorFactory(region=almaty, birth_date=years_ago(15))
        assert refusal_code(ShiftFactory(min_age=16), teen) == "min_age"

    def test_minimum_age_reached_by_the_shift_date_is_enough(self, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(min_age=16, starts_at=in_days(10))
        # 16 on the day of the shift, 15 today.
        teen = MinorFactory(region=almaty, birth_date=years_before(shift.local_date, 16))
        assert teen.age() == 15
        assert services.signup_create(shift=shift, volunteer=teen, by=None).status == "confirmed"

    def test_age_is_judged_on_the_almaty_date_of_the_start(self, almaty) -> None:  # type: ignore[no-untyped-def]
        """01:00 in Almaty is still the previous day in UTC: the Almaty day decides."""
        day = timezone.localdate() + datetime.timedelta(days=5)
        shift = ShiftFactory(adults_only=True, starts_at=local(day, 1), ends_at=local(day, 4))
        assert shift.starts_at.astimezone(datetime.UTC).date() == day - datetime.timedelta(days=1)
        eighteen_that_day = MinorFactory(region=almaty, birth_date=years_before(day, 18))
        assert services.signup_create(shift=shift, volunteer=eighteen_that_day, by=None).status == "confirmed"
        the_day_after = MinorFactory(
            region=almaty, birth_date=years_before(day, 18) + datetime.timedelta(days=1)
        )
        assert refusal_code(shift, the_day_after) == "adults_only"

    def test_minor_on_emergency_response(self, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(campaign=CampaignFactory(kind=Campaign.Kind.EMERGENCY))
        teen = MinorFactory(region=almaty, birth_date=years_ago(17))
        with pytest.raises(ValidationError) as info:
            services.signup_create(shift=shift, volunteer=teen, by=None)
        assert info.value.code == "adults_only"
        assert "42-VI" in info.value.messages[0]
        assert services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)

    def test_minor_on_adults_only_shift(self, almaty) -> None:  # type: ignore[no-untyped-def]
        assert refusal_code(ShiftFactory(adults_only=True), MinorFactory(region=almaty)) == "adults_only"

    def test_unknown_birth_date_on_a_shift_with_minimum_age(self, almaty) -> None:  # type: ignore[no-untyped-def]
        walk_in = VolunteerFactory(region=almaty)
        walk_in.birth_date = None
        walk_in.save()
        assert refusal_code(ShiftFactory(min_age=16), walk_in) == "age_unknown"
        assert services.signup_create(shift=ShiftFactory(), volunteer=walk_in, by=None)

    def test_under_14_without_written_consent(self, almaty) -> None:  # type: ignore[no-untyped-def]
        child = MinorFactory(region=almaty, birth_date=years_ago(12))
        shift = ShiftFactory()
        assert refusal_code(shift, child) == "consent"
        child.guardian_consent_at = timezone.now()
        child.save()
        assert services.signup_create(shift=shift, volunteer=child, by=None).status == "confirmed"

    def test_14_to_17_need_no_written_consent(self, almaty) -> None:  # type: ignore[no-untyped-def]
        teen = MinorFactory(region=almaty, birth_date=years_ago(15))
        assert services.signup_create(shift=ShiftFactory(), volunteer=teen, by=None).status == "confirmed"

    def test_already_signed_up(self, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        services.signup_create(shift=shift, volunteer=bob, by=None)
        assert refusal_code(shift, bob) == "already"
        assert shift.signups.count() == 1

    def test_already_on_the_waitlist(self, almaty, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(capacity=1)
        services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        services.signup_create(shift=shift, volunteer=bob, by=None)
        assert refusal_code(shift, bob) == "already"

    def test_sign_up_again_after_cancelling(self, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        services.signup_cancel(signup=services.signup_create(shift=shift, volunteer=bob, by=None), by=None)
        assert services.signup_create(shift=shift, volunteer=bob, by=None).status == "confirmed"
        assert shift.signups.count() == 2

    def test_overlapping_confirmed_shift(self, bob) -> None:  # type: ignore[no-untyped-def]
        first = ShiftFactory(starts_at=in_days(3, 10), ends_at=in_days(3, 13))
        services.signup_create(shift=first, volunteer=bob, by=None)
        overlapping = ShiftFactory(starts_at=in_days(3, 12), ends_at=in_days(3, 15))
        with pytest.raises(ValidationError) as info:
            services.signup_create(shift=overlapping, volunteer=bob, by=None)
        assert info.value.code == "overlap"
        assert first.campaign.title in info.value.messages[0]
        # Back to back is no overlap.
        after = ShiftFactory(starts_at=in_days(3, 13), ends_at=in_days(3, 15))
        assert services.signup_create(shift=after, volunteer=bob, by=None).status == "confirmed"

    def test_refusal_reason_in_kazakh(self, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(campaign=CampaignFactory(kind=Campaign.Kind.EMERGENCY))
        teen = MinorFactory(region=almaty, birth_date=years_ago(16))
        with translation.override("kk"), pytest.raises(ValidationError) as info:
            services.signup_create(shift=shift, volunteer=teen, by=None)
        assert info.value.code == "adults_only"
        assert info.value.messages == [
            "18 жасқа толмаған еріктілер төтенше жағдайларды жоюға қатыса алмайды (42-VI заң, 12-бап)."
        ]


@pytest.mark.django_db
class TestSignupCancel:
    def test_cancelling_a_confirmed_place_promotes_the_first_waitlisted(self, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(capacity=1)
        first, second, third = (VolunteerFactory(region=almaty) for _ in range(3))
        held = services.signup_create(shift=shift, volunteer=first, by=None)
        waiting = services.signup_create(shift=shift, volunteer=second, by=None)
        behind = services.signup_create(shift=shift, volunteer=third, by=None)

        services.signup_cancel(signup=held, by=first.user)

        held.refresh_from_db()
        waiting.refresh_from_db()
        behind.refresh_from_db()
        assert held.status == "cancelled" and held.cancelled_at is not None
        assert waiting.status == "confirmed" and waiting.promoted_at is not None
        assert behind.status == "waitlisted"

    def test_cancelling_a_waitlisted_place_promotes_nobody(self, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(capacity=1)
        services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        waiting = services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        behind = services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        services.signup_cancel(signup=waiting, by=None)
        behind.refresh_from_db()
        assert behind.status == "waitlisted"
        assert shift.signups.filter(status="confirmed").count() == 1

    def test_cancelling_twice_is_refused(self, bob) -> None:  # type: ignore[no-untyped-def]
        signup = services.signup_create(shift=ShiftFactory(), volunteer=bob, by=None)
        services.signup_cancel(signup=signup, by=None)
        with pytest.raises(ValidationError) as info:
            services.signup_cancel(signup=signup, by=None)
        assert info.value.code == "not_active"

    def test_promotion_passes_over_someone_now_busy_elsewhere(self, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(capacity=1, starts_at=in_days(4, 10), ends_at=in_days(4, 12))
        holder, busy, free = (VolunteerFactory(region=almaty) for _ in range(3))
        held = services.signup_create(shift=shift, volunteer=holder, by=None)
        busy_wait = services.signup_create(shift=shift, volunteer=busy, by=None)
        free_wait = services.signup_create(shift=shift, volunteer=free, by=None)
        # Meanwhile `busy` took another shift at the same time.
        services.signup_create(
            shift=ShiftFactory(starts_at=in_days(4, 11), ends_at=in_days(4, 13)), volunteer=busy, by=None
        )
        services.signup_cancel(signup=held, by=None)
        busy_wait.refresh_from_db()
        free_wait.refresh_from_db()
        assert (busy_wait.status, free_wait.status) == ("waitlisted", "confirmed")

    def test_cannot_cancel_once_started(self, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        Shift.objects.filter(pk=shift.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=5))
        with pytest.raises(ValidationError) as info:
            services.signup_cancel(signup=signup, by=None)
        assert info.value.code == "started"
        signup.refresh_from_db()
        assert signup.status == "confirmed"


@pytest.mark.django_db
class TestShiftUpdate:
    def test_fewer_places_than_confirmed_is_refused(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(capacity=3)
        for _ in range(3):
            services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        with pytest.raises(ValidationError) as info:
            services.shift_update(shift=shift, data={"capacity": 2}, by=alice)
        assert "3" in info.value.message_dict["capacity"][0]
        shift.refresh_from_db()
        assert shift.capacity == 3
        assert shift.signups.filter(status="confirmed").count() == 3

    def test_more_places_move_people_up_from_the_waitlist(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(capacity=1)
        signups = [
            services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
            for _ in range(4)
        ]
        services.shift_update(shift=shift, data={"capacity": 3}, by=alice)
        assert [
            s.status
            for s in Signup.objects.filter(pk__in=[s.pk for s in signups]).order_by("created_at", "id")
        ] == [
            "confirmed",
            "confirmed",
            "confirmed",
            "waitlisted",
        ]

    def test_shift_outside_the_campaign_dates_is_refused(self, alice) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        late = shift.campaign.ends_on + datetime.timedelta(days=1)
        with pytest.raises(ValidationError) as info:
            services.shift_update(
                shift=shift, data={"starts_at": local(late, 10), "ends_at": local(late, 12)}, by=alice
            )
        assert "starts_at" in info.value.message_dict

    def test_closed_campaign_shifts_can_be_corrected_not_added(self, alice) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(campaign=CampaignFactory(status=Campaign.Status.CLOSED))
        services.shift_update(shift=shift, data={"notes": "Кіреберіс — оңтүстік қақпа."}, by=alice)
        shift.refresh_from_db()
        assert shift.notes == "Кіреберіс — оңтүстік қақпа."
        with pytest.raises(ValidationError) as info:
            services.shift_create(
                campaign=shift.campaign,
                data={
                    "place_name": "Штаб",
                    "starts_at": in_days(1),
                    "ends_at": in_days(1, 12),
                    "capacity": 5,
                },
                by=alice,
            )
        assert info.value.code == "closed"

    def test_cancel_cancels_its_sign_ups(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        services.shift_cancel(shift=shift, by=alice)
        signup.refresh_from_db()
        shift.refresh_from_db()
        assert shift.cancelled_at is not None
        assert signup.status == "cancelled" and signup.cancelled_by == alice


@pytest.mark.django_db
class TestShiftCreate:
    def test_night_shift_across_midnight(self, alice) -> None:  # type: ignore[no-untyped-def]
        campaign = CampaignFactory()
        day = timezone.localdate() + datetime.timedelta(days=3)
        starts_at, ends_at = services.shift_window(day, datetime.time(22), datetime.time(2))
        shift = services.shift_create(
            campaign=campaign,
            data={"place_name": "Штаб", "starts_at": starts_at, "ends_at": ends_at, "capacity": 5},
            by=alice,
        )
        assert shift.duration_hours == Decimal("4.00")
        assert timezone.localtime(shift.ends_at).date() == day + datetime.timedelta(days=1)
        # Stored in UTC: 22:00 in Almaty is 17:00 UTC.
        assert shift.starts_at.astimezone(datetime.UTC).hour == 17

    def test_new_shift_cannot_start_in_the_past(self, alice) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(ValidationError) as info:
            services.shift_create(
                campaign=CampaignFactory(),
                data={
                    "place_name": "Штаб",
                    "starts_at": in_days(-1),
                    "ends_at": in_days(-1, 12),
                    "capacity": 5,
                },
                by=alice,
            )
        assert "starts_at" in info.value.message_dict

    def test_zero_places_is_a_field_error(self, alice) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(ValidationError) as info:
            services.shift_create(
                campaign=CampaignFactory(),
                data={
                    "place_name": "Штаб",
                    "starts_at": in_days(1),
                    "ends_at": in_days(1, 12),
                    "capacity": 0,
                },
                by=alice,
            )
        assert "capacity" in info.value.message_dict
        assert not Shift.objects.exists()

    def test_weekly_series_in_almaty_time(self, alice) -> None:  # type: ignore[no-untyped-def]
        campaign = CampaignFactory()
        today = timezone.localdate()
        first = today + datetime.timedelta(days=(7 - today.weekday()))  # next Monday
        shifts = services.shift_series_create(
            campaign=campaign,
            first_date=first,
            weekdays=[2, 6],  # Tuesdays and Saturdays
            start_time=datetime.time(18, 30),
            end_time=datetime.time(21),
            weeks=4,
            data={"place_name": "Қарттар үйі", "capacity": 4, "min_age": 16},
            by=alice,
        )
        assert len(shifts) == 8
        stored = list(Shift.objects.filter(campaign=campaign).order_by("starts_at"))
        assert [timezone.localtime(s.starts_at).isoweekday() for s in stored] == [2, 6] * 4
        assert {timezone.localtime(s.starts_at).time() for s in stored} == {datetime.time(18, 30)}
        assert {s.starts_at.astimezone(datetime.UTC).time() for s in stored} == {datetime.time(13, 30)}
        assert {s.series_id for s in stored} == {shifts[0].series_id}
        assert {s.min_age for s in stored} == {16}

    def test_series_beyond_the_campaign_creates_nothing(self, alice) -> None:  # type: ignore[no-untyped-def]
        campaign = CampaignFactory(ends_on=timezone.localdate() + datetime.timedelta(days=10))
        with pytest.raises(ValidationError) as info:
            services.shift_series_create(
                campaign=campaign,
                first_date=timezone.localdate() + datetime.timedelta(days=1),
                weekdays=[1, 2, 3, 4, 5, 6, 7],
                start_time=datetime.time(10),
                end_time=datetime.time(12),
                weeks=3,
                data={"place_name": "Саябақ", "capacity": 4},
                by=alice,
            )
        assert "weeks" in info.value.message_dict
        assert not Shift.objects.exists()


@pytest.mark.django_db
class TestAttendance:
    def _started(self, **kwargs) -> Shift:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(**kwargs)
        return shift

    def test_check_in_credits_the_shift_window_across_midnight(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        day = timezone.localdate() + datetime.timedelta(days=1)
        shift = ShiftFactory(starts_at=local(day, 22), ends_at=local(day + datetime.timedelta(days=1), 1, 30))
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        Shift.objects.filter(pk=shift.pk).update(
            starts_at=timezone.now() - datetime.timedelta(hours=1),
            ends_at=timezone.now() + datetime.timedelta(hours=2, minutes=30),
        )
        services.signup_check_in(signup=signup, by=alice)
        signup.refresh_from_db()
        assert signup.status == "attended" and signup.hours == Decimal("3.50")
        assert signup.checked_in_at is not None and signup.attendance_by == alice

    def test_no_show_has_no_hours(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        Shift.objects.filter(pk=shift.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=10))
        services.signup_check_in(signup=signup, by=alice)
        services.signup_no_show(signup=signup, by=alice)
        signup.refresh_from_db()
        assert signup.status == "no_show" and signup.hours is None

    def test_other_hours_need_a_reason(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        Shift.objects.filter(pk=shift.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=10))
        services.signup_check_in(signup=signup, by=alice)
        with pytest.raises(ValidationError) as info:
            services.signup_hours_set(signup=signup, hours=Decimal("2"), reason=" ", by=alice)
        assert "hours_reason" in info.value.message_dict
        services.signup_hours_set(signup=signup, hours=Decimal("2"), reason="Кеш келді", by=alice)
        signup.refresh_from_db()
        assert (signup.hours, signup.hours_reason) == (Decimal("2.00"), "Кеш келді")

    def test_attendance_not_before_two_hours_ahead(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        signup = services.signup_create(shift=ShiftFactory(starts_at=in_days(2)), volunteer=bob, by=None)
        with pytest.raises(ValidationError) as info:
            services.signup_check_in(signup=signup, by=alice)
        assert info.value.code == "too_early"
        signup.refresh_from_db()
        assert signup.status == "confirmed"


@pytest.mark.django_db
class TestCampaigns:
    def _data(self, region) -> dict:  # type: ignore[no-untyped-def]
        today = timezone.localdate()
        return {
            "title": "Қарттарға көмек",
            "kind": "elderly",
            "direction": "qamqor",
            "region": region,
            "starts_on": today,
            "ends_on": today + datetime.timedelta(days=30),
        }

    def test_coordinator_creates_a_draft_in_own_region(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        campaign = services.campaign_create(data=self._data(almaty), by=alice)
        campaign.refresh_from_db()
        assert campaign.status == "draft" and campaign.organiser == alice

    def test_coordinator_cannot_create_in_another_region_or_nationally(self, alice, astana) -> None:  # type: ignore[no-untyped-def]
        for region in (astana, None):
            with pytest.raises(ValidationError) as info:
                services.campaign_create(data=self._data(region), by=alice)
            assert "region" in info.value.message_dict
        assert not Campaign.objects.exists()

    def test_national_staff_create_a_national_campaign(self, nora) -> None:  # type: ignore[no-untyped-def]
        assert services.campaign_create(data=self._data(None), by=nora).is_national

    def test_publish_close_reopen_and_cancel(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        campaign = CampaignFactory(status=Campaign.Status.DRAFT)
        shift = ShiftFactory(campaign=campaign)
        with pytest.raises(ValidationError):
            services.campaign_set_status(campaign=campaign, status="closed", by=alice)
        services.campaign_set_status(campaign=campaign, status="published", by=alice)
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        services.campaign_set_status(campaign=campaign, status="closed", by=alice)
        services.campaign_set_status(campaign=campaign, status="published", by=alice)
        services.campaign_set_status(campaign=campaign, status="cancelled", by=alice)
        shift.refresh_from_db()
        signup.refresh_from_db()
        assert campaign.status == "cancelled"
        assert shift.cancelled_at is not None and signup.status == "cancelled"
        with pytest.raises(ValidationError):
            services.campaign_set_status(campaign=campaign, status="published", by=alice)

    def test_dates_cannot_shrink_past_a_shift(self, alice) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(starts_at=in_days(20))
        campaign = shift.campaign
        with pytest.raises(ValidationError) as info:
            services.campaign_update(
                campaign=campaign,
                data={"ends_on": timezone.localdate() + datetime.timedelta(days=10)},
                by=alice,
            )
        assert info.value.code == "shift_outside"
        campaign.refresh_from_db()
        assert campaign.ends_on > timezone.localdate() + datetime.timedelta(days=10)


def _assert_counter(shift: Shift) -> None:
    shift.refresh_from_db()
    assert shift.taken_places == shift.signups.filter(status__in=["confirmed", "attended"]).count()


@pytest.mark.django_db
class TestPlacesTaken:
    """The shift's own count of places taken follows every change of a sign-up."""

    def test_follows_sign_up_cancel_promotion_and_attendance(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(capacity=2)
        a, b, c = (
            services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
            for _ in range(3)
        )
        _assert_counter(shift)
        services.signup_cancel(signup=a, by=None)  # c moves up
        _assert_counter(shift)
        assert shift.taken_places == 2
        start_now_shift = Shift.objects.filter(pk=shift.pk)
        start_now_shift.update(starts_at=timezone.now() - datetime.timedelta(minutes=5))
        services.signup_check_in(signup=b, by=alice)
        _assert_counter(shift)
        services.signup_no_show(signup=b, by=alice)
        _assert_counter(shift)
        assert shift.taken_places == 1
        services.signup_check_in(signup=b, by=alice)  # marked absent by mistake
        _assert_counter(shift)
        c.refresh_from_db()
        assert c.status == "confirmed" and shift.taken_places == 2

    def test_cancelled_shift_frees_its_places(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        services.signup_create(shift=shift, volunteer=bob, by=None)
        services.shift_cancel(shift=shift, by=alice)
        _assert_counter(shift)
        assert shift.taken_places == 0

    def test_database_refuses_more_taken_than_places(self) -> None:
        from django.db import IntegrityError, transaction

        shift = ShiftFactory(capacity=2)
        with pytest.raises(IntegrityError), transaction.atomic():
            Shift.objects.filter(pk=shift.pk).update(taken_places=3)


@pytest.mark.django_db
class TestHours:
    def test_volunteer_campaign_and_region_hours(
        self, alice, charlie, nora, bob, astana, astana_volunteer
    ) -> None:  # type: ignore[no-untyped-def]
        from events import selectors

        here = ShiftFactory()
        there = ShiftFactory(campaign=CampaignFactory(region=astana))
        national = ShiftFactory(campaign=CampaignFactory(region=None), starts_at=in_days(5))
        for shift, person in [(here, bob), (there, astana_volunteer), (national, bob)]:
            signup = services.signup_create(shift=shift, volunteer=person, by=None)
            Shift.objects.filter(pk=shift.pk).update(
                starts_at=timezone.now() - datetime.timedelta(minutes=5),
                ends_at=timezone.now() + datetime.timedelta(hours=2, minutes=55),
            )
            services.signup_check_in(signup=signup, by=nora)
        assert selectors.volunteer_hours(volunteer=bob) == Decimal("6.00")
        assert selectors.campaign_hours(campaign=here.campaign) == Decimal("3.00")

        def rows(user):  # type: ignore[no-untyped-def]
            return [
                (r["region"].code if r["region"] else None, r["hours"], r["people"])
                for r in selectors.hours_by_region(user=user)
            ]

        assert rows(alice) == [("75", Decimal("3.00"), 1)]
        assert rows(charlie) == [("71", Decimal("3.00"), 1)]
        assert rows(nora) == [
            (None, Decimal("3.00"), 1),
            ("71", Decimal("3.00"), 1),
            ("75", Decimal("3.00"), 1),
        ]
