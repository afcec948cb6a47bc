"""Two at once on the same sign-up, on PostgreSQL: a coordinator's action and the volunteer's (or
another coordinator's) in parallel transactions, each on its own connection, as two web workers
would run them. The interleaving is forced: the first transaction holds its locks until the
second is seen waiting for one of them."""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from events import services, services_extra
from events.models import Shift, Signup, TransportRequest
from notifications.models import Message
from tests.concurrency import lock_waits, run_at_once
from tests.factories import UserFactory, VolunteerFactory
from volunteers.models import Volunteer

from .factories import ShiftFactory, in_days

pytestmark = pytest.mark.django_db(transaction=True)


def _someone_waits_for_a_lock(*, until: Callable[[], bool], timeout: float = 10) -> bool:
    """Whether a transaction waits for a lock, within `timeout` or until `until()` is true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not until():
        if lock_waits():
            return True
        time.sleep(0.05)
    return False


def _first_holds_then_second(first: Callable[[], object], second: Callable[[], object]) -> list[str]:
    """Run `first` in a transaction kept open until `second`, started after it, waits for a lock;
    then let `first` commit. Returns each one's outcome ("ok" or the refusal's code)."""
    done, release = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def run(name: str, job: Callable[[], object], hold: bool) -> None:
        try:
            with transaction.atomic():
                job()
                if hold:
                    done.set()
                    release.wait(20)
            outcomes[name] = "ok"
        except Exception as exc:
            outcomes[name] = getattr(exc, "code", None) or repr(exc)
        finally:
            done.set()
            connection.close()

    one = threading.Thread(target=run, args=("first", first, True))
    one.start()
    assert done.wait(20)
    two = threading.Thread(target=run, args=("second", second, False))
    two.start()
    _someone_waits_for_a_lock(until=lambda: not two.is_alive())
    release.set()
    one.join(30)
    two.join(30)
    return [outcomes.get("first", "unfinished"), outcomes.get("second", "unfinished")]


def _a_lift_asked_for() -> tuple[Shift, Volunteer, User, Signup, TransportRequest]:
    """A volunteer signed up for a shift who asked for a lift, and a coordinator to answer it."""
    shift = ShiftFactory(capacity=5)
    person = VolunteerFactory(with_account=True)
    signup = services.signup_create(shift=shift, volunteer=person, by=None)
    request = services_extra.transport_request_save(signup=signup, pickup="Сайран", seats=1)
    return shift, person, UserFactory(), signup, request


def _arrange(request: TransportRequest, *, by: User) -> Callable[[], object]:
    """The coordinator's answer to the lift: a driver for the morning of the shift."""
    return lambda: services_extra.transport_arrange(
        request=TransportRequest(pk=request.pk),
        by=by,
        driver_name="Серік",
        driver_phone="+77015550000",
        departure_at=in_days(2, 8),
        departure_place="Сайран",
    )


def test_a_lift_arranged_as_the_sign_up_is_cancelled_is_not_sent_after_the_cancellation(
    regions_in_transactional_db,
) -> None:  # type: ignore[no-untyped-def]
    """The coordinator answers the lift while the volunteer cancels: the cancellation waits for
    the answer and then drops it with the request, so "transport arranged" never follows it."""
    shift, person, coordinator, signup, request = _a_lift_asked_for()
    arrange = _arrange(request, by=coordinator)

    def cancel() -> object:
        return services.signup_cancel(signup=Signup.objects.get(pk=signup.pk), by=person.user)

    assert _first_holds_then_second(arrange, cancel) == ["ok", "ok"]

    request.refresh_from_db()
    assert request.status == TransportRequest.Status.CANCELLED
    assert Signup.objects.get(pk=signup.pk).status == Signup.Status.CANCELLED
    answers = Message.objects.filter(subject_type="events.transport", subject_id=request.pk)
    assert answers.exists()
    assert not answers.filter(status="pending").exists()
    assert Shift.objects.get(pk=shift.pk).taken_places == 0


def test_a_lift_arranged_as_the_shift_is_re_timed_is_flagged_for_a_second_look(
    regions_in_transactional_db,
) -> None:  # type: ignore[no-untyped-def]
    """One coordinator arranges a lift for the shift's old time while another moves the shift: the
    re-timing waits for the answer and flags it to be checked again, as one arranged before."""
    shift, _person, coordinator, _signup, request = _a_lift_asked_for()
    arrange = _arrange(request, by=coordinator)

    def re_time() -> object:
        return services.shift_update(
            shift=Shift.objects.get(pk=shift.pk),
            data={"starts_at": in_days(2, 14), "ends_at": in_days(2, 17)},
            by=coordinator,
        )

    assert _first_holds_then_second(arrange, re_time) == ["ok", "ok"]

    request.refresh_from_db()
    assert request.status == TransportRequest.Status.ARRANGED
    assert request.recheck_since is not None


def _taken_matches_the_rows(*shifts: Shift) -> None:
    for shift in shifts:
        shift.refresh_from_db()
        held = shift.signups.filter(status__in=(Signup.Status.CONFIRMED, Signup.Status.ATTENDED)).count()
        assert shift.taken_places == held


def test_a_check_in_and_the_volunteers_cancel_at_once_leave_one_of_them(
    regions_in_transactional_db,
) -> None:  # type: ignore[no-untyped-def]
    """Marked present an hour before the start as the person cancels: whichever comes second
    is refused, and the sign-up is either attended or cancelled, its place counted once."""
    from django.utils import timezone

    start = timezone.now() + datetime.timedelta(hours=1)
    shift = ShiftFactory(capacity=5, starts_at=start, ends_at=start + datetime.timedelta(hours=3))
    person = VolunteerFactory(with_account=True)
    coordinator = UserFactory()
    signup = services.signup_create(shift=shift, volunteer=person, by=None)

    outcomes = run_at_once(
        [
            lambda: services.signup_check_in(signup=Signup(pk=signup.pk, shift_id=shift.pk), by=coordinator),
            lambda: services.signup_cancel(signup=Signup(pk=signup.pk, shift_id=shift.pk), by=person.user),
        ]
    )
    signup.refresh_from_db()
    assert sorted(outcomes) in (["not_active", "ok"], ["not_confirmed", "ok"])
    assert signup.status in (Signup.Status.ATTENDED, Signup.Status.CANCELLED)
    _taken_matches_the_rows(shift)


def test_two_moves_of_one_sign_up_to_two_shifts_make_one(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    """Two coordinators move the same person to two different shifts at once: one move happens,
    the other is refused; the person holds one place, and is told of one move."""
    shift = ShiftFactory(capacity=5)
    first = ShiftFactory(campaign=shift.campaign, capacity=5, starts_at=in_days(3), ends_at=in_days(3, 13))
    second = ShiftFactory(campaign=shift.campaign, capacity=5, starts_at=in_days(4), ends_at=in_days(4, 13))
    person = VolunteerFactory(with_account=True)
    signup = services.signup_create(shift=shift, volunteer=person, by=None)
    coordinators = [UserFactory(), UserFactory()]

    def move(to: Shift, by) -> Callable[[], object]:  # type: ignore[no-untyped-def]
        return lambda: services.signup_move(signup=Signup.objects.get(pk=signup.pk), to_shift=to, by=by)

    outcomes = run_at_once([move(first, coordinators[0]), move(second, coordinators[1])])
    assert sorted(outcomes) == ["not_active", "ok"]
    active = Signup.objects.filter(volunteer=person, status__in=Signup.ACTIVE)
    assert active.count() == 1 and active.get().shift_id in (first.pk, second.pk)
    _taken_matches_the_rows(shift, first, second)
    moved = Message.objects.filter(recipient=person, kind="shift_changed", status="pending")
    assert [m.subject_id for m in moved] == [active.get().pk]


def test_a_shift_added_as_its_campaign_is_cancelled_is_refused(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    """One coordinator adds a shift while another cancels the campaign: the shift waits for the
    cancellation and is refused, instead of staying open in a cancelled campaign."""
    from events.models import Campaign

    campaign = ShiftFactory().campaign
    coordinator = UserFactory()

    def cancel() -> object:
        return services.campaign_set_status(
            campaign=Campaign.objects.get(pk=campaign.pk), status=Campaign.Status.CANCELLED, by=coordinator
        )

    def add() -> object:
        return services.shift_create(
            campaign=Campaign.objects.get(pk=campaign.pk),
            data={"place_name": "Медеу", "starts_at": in_days(5), "ends_at": in_days(5, 13), "capacity": 4},
            by=coordinator,
        )

    assert _first_holds_then_second(cancel, add) == ["ok", "closed"]
    assert not Shift.objects.filter(campaign=campaign, cancelled_at__isnull=True).exists()


def test_a_shift_under_way_re_timed_to_a_later_day_as_its_campaign_is_cancelled_is_cancelled_too(
    regions_in_transactional_db,
) -> None:  # type: ignore[no-untyped-def]
    """One coordinator moves a shift that has begun to a later day (it was entered on the wrong
    one) while another cancels the campaign: the cancellation waits for the edit and cancels the
    shift at its new time, instead of leaving it open in a cancelled campaign."""
    from events.models import Campaign

    now = timezone.now()
    shift = ShiftFactory(
        starts_at=now - datetime.timedelta(hours=1), ends_at=now + datetime.timedelta(hours=2)
    )
    person = VolunteerFactory(with_account=True)
    Signup.objects.create(shift=shift, volunteer=person, status=Signup.Status.CONFIRMED)
    coordinators = [UserFactory(), UserFactory()]

    def re_time() -> object:
        return services.shift_update(
            shift=Shift.objects.get(pk=shift.pk),
            data={"starts_at": in_days(3, 10), "ends_at": in_days(3, 13)},
            by=coordinators[0],
        )

    def cancel() -> object:
        return services.campaign_set_status(
            campaign=Campaign.objects.get(pk=shift.campaign_id),
            status=Campaign.Status.CANCELLED,
            by=coordinators[1],
        )

    assert _first_holds_then_second(re_time, cancel) == ["ok", "ok"]
    shift.refresh_from_db()
    assert shift.starts_at == in_days(3, 10) and shift.cancelled_at is not None
    assert Signup.objects.get(shift=shift, volunteer=person).status == Signup.Status.CANCELLED


def test_a_shift_re_timed_as_it_is_cancelled_ends_cancelled_with_no_reminder_left(
    regions_in_transactional_db,
) -> None:  # type: ignore[no-untyped-def]
    """One coordinator moves the shift's time while another cancels it: the edit is refused if it
    comes second; either way the shift and its sign-up end cancelled, with no reminder waiting."""
    shift = ShiftFactory(capacity=5)
    person = VolunteerFactory(with_account=True)
    signup = services.signup_create(shift=shift, volunteer=person, by=None)
    coordinators = [UserFactory(), UserFactory()]

    outcomes = run_at_once(
        [
            lambda: services.shift_update(
                shift=Shift.objects.get(pk=shift.pk),
                data={"starts_at": in_days(2, 14), "ends_at": in_days(2, 17)},
                by=coordinators[0],
            ),
            lambda: services.shift_cancel(shift=Shift.objects.get(pk=shift.pk), by=coordinators[1]),
        ]
    )
    # In the order the two finished: a refused edit may end before or after the cancellation.
    assert sorted(outcomes) in (["ok", "ok"], ["ok", "shift_cancelled"]), outcomes
    assert Shift.objects.get(pk=shift.pk).cancelled_at is not None
    assert Signup.objects.get(pk=signup.pk).status == Signup.Status.CANCELLED
    waiting = Message.objects.filter(subject_type="events.signup", subject_id=signup.pk, status="pending")
    assert not waiting.filter(kind__contains="reminder").exists()
    assert not waiting.filter(kind="shift_changed").exists()
    _taken_matches_the_rows(shift)


def test_a_minor_signing_up_as_the_admin_makes_the_campaign_an_emergency_is_refused(
    regions_in_transactional_db,
) -> None:  # type: ignore[no-untyped-def]
    """National staff make a campaign an emergency response in the admin while a 16-year-old
    signs up for one of its shifts: the sign-up waits for the save and is refused, instead of
    leaving a minor on emergency work (law 42-VI art. 12)."""
    from django.forms import modelform_factory

    from events.admin import CampaignAdminForm
    from events.models import Campaign
    from tests.factories import MinorFactory

    shift = ShiftFactory()
    campaign = shift.campaign
    teen = MinorFactory(region=campaign.region, guardian_consent_at=timezone.now())

    def admin_save() -> object:
        # As ModelAdmin's change view runs it: the form checked, then saved, in one transaction.
        form = modelform_factory(Campaign, form=CampaignAdminForm, fields=["kind"])(
            {"kind": Campaign.Kind.EMERGENCY}, instance=Campaign.objects.get(pk=campaign.pk)
        )
        assert form.is_valid(), form.errors
        return form.save()

    def sign_up() -> object:
        return services.signup_create(shift=Shift.objects.get(pk=shift.pk), volunteer=teen, by=None)

    assert _first_holds_then_second(admin_save, sign_up) == ["ok", "adults_only"]
    assert not Signup.objects.filter(shift=shift).exists()


def test_a_minor_signing_up_as_a_coordinator_makes_the_campaign_an_emergency_is_refused(
    regions_in_transactional_db,
) -> None:  # type: ignore[no-untyped-def]
    """The same on the coordinator's pages (events.services.campaign_update). The sign-up waited
    for the shift before, then read the campaign's kind as it was before the change."""
    from events.models import Campaign
    from regions.models import CoordinatorAssignment
    from tests.factories import MinorFactory

    shift = ShiftFactory()
    campaign = shift.campaign
    coordinator = UserFactory()
    CoordinatorAssignment.objects.create(user=coordinator, region=campaign.region)
    teen = MinorFactory(region=campaign.region, guardian_consent_at=timezone.now())

    def make_emergency() -> object:
        return services.campaign_update(
            campaign=Campaign.objects.get(pk=campaign.pk),
            data={"kind": Campaign.Kind.EMERGENCY},
            by=coordinator,
        )

    def sign_up() -> object:
        return services.signup_create(shift=Shift.objects.get(pk=shift.pk), volunteer=teen, by=None)

    assert _first_holds_then_second(make_emergency, sign_up) == ["ok", "adults_only"]
    assert not Signup.objects.filter(shift=shift).exists()
