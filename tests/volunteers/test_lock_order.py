"""A person stopped (paused, their guardian's consent withdrawn, moved, erased) at the very moment
a sign-up or an assignment of theirs goes through (PostgreSQL, one connection per thread).

A sign-up locks the shift, then the person; an assignment the help request, then the person. The
stop paths used to lock the person first and the shift or request only in their hooks: the two
waited for each other in a circle and PostgreSQL aborted one (a 503 for a legitimate action). Now
the rows the hooks will need are locked before the person's (volunteers.services._lock_ahead),
so the two queue.

The interleaving is forced: a third transaction holds the shift's (or the request's) row; the
sign-up (or assignment) starts and waits for it; the stop starts and is seen waiting too; then the
third one lets go.

A merge of two records of one person is the other way round: it is held once it has locked both
records (at a visit of theirs it settles next), and the sign-up, promotion, move, booking or
assignment comes between. Those used to find the record merged away gone under them: a KeyError or
a DoesNotExist, an error page. Now the place is taken for the record kept, or the person acting is
told the record is gone."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.db.models import Model, Sum
from django.utils import timezone

from accounts.models import User
from care import services as care_services
from care.models import Assignment, HelpRequest
from events import services as events_services
from events.models import Shift, Signup
from front_offices import services as office_services
from front_offices.models import Visit
from regions.models import CoordinatorAssignment, Region
from tests.care.factories import HelpRequestFactory
from tests.concurrency import wait_for_lock_waits
from tests.events.factories import ShiftFactory
from tests.factories import MinorFactory, UserFactory, VolunteerFactory
from tests.front_offices.helpers import make_office, next_weekday, slot_at
from volunteers import services
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def coordinator(regions_in_transactional_db) -> User:  # type: ignore[no-untyped-def]
    user = UserFactory(email="lock-order@example.kz")
    CoordinatorAssignment.objects.create(user=user, region=Region.objects.get(code="75"))
    return user


@contextmanager
def _held(row: Model) -> Iterator[None]:
    """A third transaction, on a thread of its own, holds `row` (SELECT … FOR UPDATE) until the
    block ends."""
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                table = connection.ops.quote_name(type(row)._meta.db_table)
                cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", [row.pk])
                held.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(timeout=20)
    try:
        yield
    finally:
        release.set()
        holder.join(timeout=60)


def _both_behind_a_held_row(
    row: Model, first: Callable[[], object], then: Callable[[], object]
) -> dict[str, str]:
    """`first` starts and waits for `row`, which a third transaction holds; `then` starts and
    waits for a lock too; then the third lets go. Returns each one's outcome: "ok", a refusal's
    code, or the error."""
    outcomes: dict[str, str] = {}

    def run(name: str, job: Callable[[], object]) -> None:
        try:
            job()
            outcomes[name] = "ok"
        except Exception as exc:  # a refusal, or the deadlock these tests are about
            outcomes[name] = getattr(exc, "code", None) or repr(exc)
        finally:
            connection.close()

    one = threading.Thread(target=run, args=("first", first))
    two = threading.Thread(target=run, args=("then", then))
    with _held(row):
        one.start()
        wait_for_lock_waits(1)
        two.start()
        wait_for_lock_waits(2)
    for thread in (one, two):
        thread.join(timeout=60)
    return outcomes


def _holds_nothing_upcoming(person: Volunteer) -> bool:
    return not Signup.objects.filter(
        volunteer=person,
        status__in=(Signup.Status.CONFIRMED, Signup.Status.WAITLISTED),
        shift__starts_at__gt=timezone.now(),
    ).exists()


def _taken_matches_rows(shift: Shift) -> bool:
    shift.refresh_from_db()
    return shift.taken_places == shift.signups.filter(status__in=events_services.TAKEN).count()


def _stop(how: str, person: Volunteer, by: User) -> Callable[[], object]:
    """The staff's action that stops `person` taking part, on their own copy of the profile."""

    def job() -> object:
        fresh = Volunteer.objects.get(pk=person.pk)
        if how == "pause":
            return services.volunteer_update(volunteer=fresh, changed_by=by, data={"status": "paused"})
        if how == "pause from the edit page":
            # The edit page passes its ModelForm's instance, into which validation has already
            # written the typed values: the service must not judge the change against it.
            fresh.status = Volunteer.Status.PAUSED
            return services.volunteer_update(volunteer=fresh, changed_by=by, data={"status": "paused"})
        if how == "consent withdrawn":
            return services.guardian_consent_withdraw(
                volunteer=fresh, withdrawn_by=by, reason="Отозвано матерью"
            )
        if how == "another guardian":
            # The consent was given by the guardian on file: it goes with them.
            return services.volunteer_update(
                volunteer=fresh, changed_by=by, data={"guardian_name": "Айгүл Сейітова"}
            )
        if how == "move":
            return services.volunteer_update(
                volunteer=fresh, changed_by=by, data={"region": Region.objects.get(code="71")}
            )
        assert how == "erasure"
        return services.volunteer_anonymize(volunteer=fresh, requested_by=by)

    return job


def _stopped(how: str, person: Volunteer) -> bool:
    person.refresh_from_db()
    if how in ("pause", "pause from the edit page"):
        return person.status == Volunteer.Status.PAUSED
    if how in ("consent withdrawn", "another guardian"):
        return person.status == Volunteer.Status.AWAITING_GUARDIAN
    if how == "move":
        return person.region.code == "71"
    return person.anonymized_at is not None


def _the_person(how: str, coordinator: User) -> Volunteer:
    if how not in ("consent withdrawn", "another guardian"):
        return VolunteerFactory(with_account=True)
    minor = MinorFactory(with_account=True)
    services.guardian_consent_record(
        volunteer=minor,
        recorded_by=coordinator,
        paper=services.PaperConsent(document_number="75-118", document_date=timezone.localdate()),
    )
    minor.refresh_from_db()
    assert minor.status == Volunteer.Status.ACTIVE
    return minor


@pytest.mark.parametrize(
    "how", ["pause", "pause from the edit page", "consent withdrawn", "another guardian", "erasure"]
)
def test_a_sign_up_as_the_person_is_stopped_is_refused_plainly(coordinator, how) -> None:  # type: ignore[no-untyped-def]
    """The person's second click on "Sign up" (or a coordinator adding them again) as staff stop
    them: the sign-up is refused as a repeat, not with a 503, and the stop then gives the place
    up."""
    person = _the_person(how, coordinator)
    shift = ShiftFactory(capacity=5)
    events_services.signup_create(shift=shift, volunteer=person, by=None)

    outcomes = _both_behind_a_held_row(
        shift,
        lambda: events_services.signup_create(
            shift=Shift.objects.get(pk=shift.pk), volunteer=Volunteer.objects.get(pk=person.pk), by=None
        ),
        _stop(how, person, coordinator),
    )

    assert outcomes == {"first": "already", "then": "ok"}
    assert _stopped(how, person)
    assert _holds_nothing_upcoming(person)
    assert _taken_matches_rows(shift)


@pytest.mark.parametrize(
    "how", ["pause", "pause from the edit page", "consent withdrawn", "another guardian", "erasure"]
)
def test_a_promotion_from_the_waitlist_as_the_person_is_stopped(coordinator, how) -> None:  # type: ignore[no-untyped-def]
    """Someone gives up their place on a full shift as staff stop the first person on its
    waitlist: the cancellation (which locks the shift, then the people waiting) moves them up,
    and the stop then gives that place up again; both go through."""
    person = _the_person(how, coordinator)
    shift = ShiftFactory(capacity=1)
    ahead = events_services.signup_create(shift=shift, volunteer=VolunteerFactory(), by=None)
    waiting = events_services.signup_create(shift=shift, volunteer=person, by=None)
    assert waiting.status == Signup.Status.WAITLISTED

    outcomes = _both_behind_a_held_row(
        shift,
        lambda: events_services.signup_cancel(signup=Signup.objects.get(pk=ahead.pk), by=None),
        _stop(how, person, coordinator),
    )

    assert outcomes == {"first": "ok", "then": "ok"}
    assert _stopped(how, person)
    assert _holds_nothing_upcoming(person)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.promoted_at is not None) == (Signup.Status.CANCELLED, True)
    assert _taken_matches_rows(shift)


@pytest.mark.parametrize("how", ["pause", "move", "erasure"])
def test_an_offer_confirmed_as_the_person_is_stopped(coordinator, how) -> None:  # type: ignore[no-untyped-def]
    """A coordinator sends a volunteer who offered to help while staff stop them (or they move
    away): the assignment goes through, and the stop then gives the place back to the request."""
    person = VolunteerFactory(with_account=True)
    request = HelpRequestFactory(needed_hands=2)
    offer = care_services.assignment_offer(request=request, volunteer=person, by=person.user)

    outcomes = _both_behind_a_held_row(
        request,
        lambda: care_services.assignment_volunteer(
            request=HelpRequest.objects.get(pk=request.pk),
            volunteer=Volunteer.objects.get(pk=person.pk),
            by=User.objects.get(pk=coordinator.pk),
        ),
        _stop(how, person, coordinator),
    )

    assert outcomes == {"first": "ok", "then": "ok"}
    assert _stopped(how, person)
    offer.refresh_from_db()
    assert (offer.status, offer.confirmed_at is not None) == (Assignment.Status.WITHDRAWN, True)
    request.refresh_from_db()
    going = Assignment.objects.filter(request=request, status__in=Assignment.TAKING)
    assert request.taken_hands == (going.aggregate(n=Sum("hands"))["n"] or 0) == 0


def test_an_edit_that_stops_nothing_locks_no_shift_ahead(coordinator) -> None:  # type: ignore[no-untyped-def]
    """A new phone number neither stops nor moves the person: their shifts are not locked ahead,
    so the edit does not wait behind others' sign-ups on them."""
    person = VolunteerFactory(with_account=True)
    shift = ShiftFactory(capacity=5)
    events_services.signup_create(shift=shift, volunteer=person, by=None)
    with _held(shift), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
        services.volunteer_update(
            volunteer=Volunteer.objects.get(pk=person.pk),
            changed_by=coordinator,
            data={"phone": "+77015550101"},
        )
    person.refresh_from_db()
    assert person.phone == "+77015550101"


# Merging two records of one person ------------------------------------------------------------


def _merge(keep: Volunteer, drop: Volunteer, by: User) -> Callable[[], object]:
    def job() -> object:
        return services.volunteer_merge(
            keep=Volunteer.objects.get(pk=keep.pk), drop=Volunteer.objects.get(pk=drop.pk), by=by
        )

    return job


def _on_file_twice(region: Region) -> tuple[Volunteer, Volunteer, Visit]:
    """One person on file twice (the record kept, the one merged away), with a visit booked in one
    slot under each: the merge settles that pair right after it has locked the two records, so a
    third transaction holding the returned visit (the dropped record's) holds the merge there."""
    kept = VolunteerFactory(with_account=True, region=region)
    dropped = VolunteerFactory(first_name=kept.first_name, last_name=kept.last_name, region=region)
    slot = slot_at(make_office(capacity=3), next_weekday(0, after=2), 14)
    visit = office_services.visit_book(slot=slot, volunteer=dropped, purpose="consultation", by=None)
    office_services.visit_book(slot=slot, volunteer=kept, purpose="consultation", by=None)
    return kept, dropped, visit


def test_a_promotion_from_the_waitlist_as_the_person_is_merged(coordinator, almaty) -> None:  # type: ignore[no-untyped-def]
    """The record being merged away waits on a full shift when someone gives up their place: the
    cancellation moves it up (the shift, then the people waiting), and the merge moves that place
    to the record kept; both go through. The merge is held after it has locked the two records
    (at a visit both hold in one slot, which it settles next), having locked the shift ahead of
    them (LOCK_AHEAD_HOOKS): the cancellation waits for it there and then moves up the record
    kept. (It used to get as far as the waiting record, and fail on it once the merge had
    deleted it.)"""
    kept, dropped, visit = _on_file_twice(almaty)
    shift = ShiftFactory(capacity=1)
    ahead = events_services.signup_create(shift=shift, volunteer=VolunteerFactory(), by=None)
    waiting = events_services.signup_create(shift=shift, volunteer=dropped, by=None)
    assert waiting.status == Signup.Status.WAITLISTED

    outcomes = _both_behind_a_held_row(
        visit,
        _merge(kept, dropped, coordinator),
        lambda: events_services.signup_cancel(signup=Signup.objects.get(pk=ahead.pk), by=None),
    )

    assert outcomes == {"first": "ok", "then": "ok"}
    assert not Volunteer.objects.filter(pk=dropped.pk).exists()
    waiting.refresh_from_db()
    assert (waiting.volunteer_id, waiting.status) == (kept.pk, Signup.Status.CONFIRMED)
    assert _taken_matches_rows(shift)


def test_an_offer_confirmed_as_the_person_is_merged(coordinator, almaty) -> None:  # type: ignore[no-untyped-def]
    """A coordinator sends the record being merged away to a help request it offered to help
    with: the assignment goes through, and the merge moves it to the record kept (held, as above,
    once it has locked the two records)."""
    kept, dropped, visit = _on_file_twice(almaty)
    request = HelpRequestFactory(needed_hands=2)
    offer = care_services.assignment_offer(request=request, volunteer=dropped, by=coordinator)

    outcomes = _both_behind_a_held_row(
        visit,
        _merge(kept, dropped, coordinator),
        lambda: care_services.assignment_volunteer(
            request=HelpRequest.objects.get(pk=request.pk),
            volunteer=Volunteer.objects.get(pk=dropped.pk),
            by=User.objects.get(pk=coordinator.pk),
        ),
    )

    # The coordinator's page named the record merged away: they are told so, and nothing is
    # written; the offer, now the kept record's, waits to be confirmed from the page again.
    assert outcomes == {"first": "ok", "then": "gone"}
    offer.refresh_from_db()
    assert (offer.volunteer_id, offer.status) == (kept.pk, Assignment.Status.OFFERED)
    request.refresh_from_db()
    assert request.taken_hands == 0


@pytest.mark.parametrize("action", ["sign-up", "booking"])
def test_a_place_taken_for_the_record_being_merged_away_is_refused_plainly(
    coordinator, almaty, action
) -> None:  # type: ignore[no-untyped-def]
    """A coordinator signs up (or books a visit for) the record a colleague is merging away at that
    moment: it waits for the merge and is then told the record is gone, not shown an error page."""
    kept, dropped, visit = _on_file_twice(almaty)
    shift = ShiftFactory(capacity=5)
    other_slot = slot_at(make_office(capacity=3), next_weekday(1, after=2), 15)

    def take() -> object:
        if action == "sign-up":
            return events_services.signup_create(
                shift=Shift.objects.get(pk=shift.pk),
                volunteer=Volunteer.objects.get(pk=dropped.pk),
                by=coordinator,
            )
        return office_services.visit_book(
            slot=other_slot,
            volunteer=Volunteer.objects.get(pk=dropped.pk),
            purpose="consultation",
            by=coordinator,
        )

    outcomes = _both_behind_a_held_row(visit, _merge(kept, dropped, coordinator), take)

    assert outcomes == {"first": "ok", "then": "gone"}
    assert not Signup.objects.filter(shift=shift).exists()
    other_slot.refresh_from_db()
    assert other_slot.taken == 0


def test_a_place_moved_to_another_shift_as_its_record_is_merged_away(coordinator, almaty) -> None:  # type: ignore[no-untyped-def]
    """A coordinator moves the record being merged away to another shift of the campaign: the move
    waits for the merge and then moves the place, now the kept record's."""
    kept, dropped, visit = _on_file_twice(almaty)
    shift = ShiftFactory(capacity=5)
    later = ShiftFactory(campaign=shift.campaign, starts_at=shift.starts_at + datetime.timedelta(days=1))
    place = events_services.signup_create(shift=shift, volunteer=dropped, by=None)

    outcomes = _both_behind_a_held_row(
        visit,
        _merge(kept, dropped, coordinator),
        lambda: events_services.signup_move(
            signup=Signup.objects.get(pk=place.pk), to_shift=Shift.objects.get(pk=later.pk), by=coordinator
        ),
    )

    assert outcomes == {"first": "ok", "then": "ok"}
    moved = Signup.objects.get(shift=later)
    assert (moved.volunteer_id, moved.status) == (kept.pk, Signup.Status.CONFIRMED)
    assert _taken_matches_rows(shift) and _taken_matches_rows(later)


def test_a_cancellation_on_a_shift_both_records_hold_as_they_are_merged(coordinator, almaty) -> None:  # type: ignore[no-untyped-def]
    """The person is on a full shift twice, once confirmed and once on its waitlist, under two
    records a coordinator merges as someone else gives up their place there. The cancellation
    locks the shift, then the people waiting; the merge used to lock the two records, then the
    shift it settles: each waited for the other. Now the merge locks that shift first and the two
    queue; the person ends with one confirmed place and the counts agree."""
    kept = VolunteerFactory(with_account=True, region=almaty)
    dropped = VolunteerFactory(first_name=kept.first_name, last_name=kept.last_name, region=almaty)
    shift = ShiftFactory(capacity=2)
    other = events_services.signup_create(shift=shift, volunteer=VolunteerFactory(), by=None)
    events_services.signup_create(shift=shift, volunteer=dropped, by=None)
    waiting = events_services.signup_create(shift=shift, volunteer=kept, by=None)
    assert waiting.status == Signup.Status.WAITLISTED

    outcomes = _both_behind_a_held_row(
        shift,
        lambda: events_services.signup_cancel(signup=Signup.objects.get(pk=other.pk), by=None),
        _merge(kept, dropped, coordinator),
    )

    assert outcomes == {"first": "ok", "then": "ok"}
    held = Signup.objects.filter(shift=shift, volunteer=kept, status__in=events_services.TAKEN)
    assert held.count() == 1
    assert _taken_matches_rows(shift)
