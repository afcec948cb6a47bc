"""A profile paused or archived by staff takes part in nothing: what it still holds upcoming is
given up at once — the shift's waitlist moves up, the visit's place is free for others, its
reminders are called off, and the person is told once of each place."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from events import services as events_services
from events.models import Shift, Signup, TransportRequest
from events.services_extra import transport_request_save
from front_offices import services as office_services
from front_offices.models import Visit, VisitSlot
from notifications.models import Message
from tests.conftest import client_for
from tests.events.factories import ShiftFactory, in_days
from tests.factories import MinorFactory, VolunteerFactory
from tests.front_offices.helpers import make_office, next_weekday, slot_at
from volunteers import services
from volunteers.models import Volunteer, years_before


def pending(volunteer, kind: str | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    rows = Message.objects.filter(recipient=volunteer, status=Message.Status.PENDING)
    if kind is not None:
        rows = rows.filter(kind=kind)
    return sorted(rows.values_list("kind", flat=True))


def taken_matches_rows(shift: Shift) -> bool:
    shift.refresh_from_db()
    return shift.taken_places == shift.signups.filter(status__in=("confirmed", "attended")).count()


@pytest.fixture
def holding(almaty):  # type: ignore[no-untyped-def]
    """A person confirmed on a full shift (someone waits behind them) with a lift asked for,
    and with a visit booked at a front office."""
    person = VolunteerFactory(region=almaty, with_account=True)
    waiting = VolunteerFactory(region=almaty)
    shift = ShiftFactory(capacity=1)
    signup = events_services.signup_create(shift=shift, volunteer=person, by=None)
    behind = events_services.signup_create(shift=shift, volunteer=waiting, by=None)
    transport_request_save(signup=signup, pickup="Абай 10", seats=1)
    office = make_office(capacity=1)
    visit = office_services.visit_book(
        slot=slot_at(office, next_weekday(1), 10), volunteer=person, purpose="consultation", by=None
    )
    return {"person": person, "shift": shift, "signup": signup, "behind": behind, "visit": visit}


@pytest.mark.django_db
class TestPausedOrArchived:
    @pytest.mark.parametrize("status", ["paused", "archived"])
    def test_roster_change_frees_the_places_and_calls_the_reminders_off(self, alice, holding, status) -> None:  # type: ignore[no-untyped-def]
        person = holding["person"]
        response = client_for(alice).post(
            "/roster/bulk/", {"ids": [person.pk], "action": "status", "status": status}
        )
        assert response.status_code == 302

        signup = Signup.objects.get(pk=holding["signup"].pk)
        assert signup.status == Signup.Status.CANCELLED and signup.cancelled_by == alice
        # The first on the waitlist has the place, and the count is the rows'.
        assert Signup.objects.get(pk=holding["behind"].pk).status == Signup.Status.CONFIRMED
        assert taken_matches_rows(holding["shift"])
        assert TransportRequest.objects.get(signup=signup).status == TransportRequest.Status.CANCELLED
        visit = Visit.objects.get(pk=holding["visit"].pk)
        assert visit.status == Visit.Status.CANCELLED
        assert VisitSlot.objects.get(pk=visit.slot_id).taken == 0
        # Nothing left to remind the person of; told once of the sign-up and once of the visit.
        assert pending(person) == ["generic", "visit_cancelled"]

    def test_the_freed_visit_time_can_be_booked_by_someone_else(self, alice, almaty, holding) -> None:  # type: ignore[no-untyped-def]
        services.volunteer_update(volunteer=holding["person"], changed_by=alice, data={"status": "paused"})
        other = VolunteerFactory(region=almaty)
        slot = VisitSlot.objects.get(pk=holding["visit"].slot_id)
        visit = office_services.visit_book(slot=slot, volunteer=other, purpose="consultation", by=None)
        assert visit.status == Visit.Status.BOOKED

    def test_what_has_happened_stays_and_another_change_gives_nothing_up(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty)
        past = ShiftFactory(starts_at=in_days(-3))
        attended = Signup.objects.create(
            shift=past, volunteer=person, status=Signup.Status.ATTENDED, hours=3, created_at=in_days(-5)
        )
        upcoming = events_services.signup_create(shift=ShiftFactory(), volunteer=person, by=None)

        services.volunteer_update(volunteer=person, changed_by=alice, data={"first_name": "Әлия"})
        assert Signup.objects.get(pk=upcoming.pk).status == Signup.Status.CONFIRMED

        services.volunteer_update(volunteer=person, changed_by=alice, data={"status": "paused"})
        assert Signup.objects.get(pk=attended.pk).status == Signup.Status.ATTENDED
        assert Signup.objects.get(pk=upcoming.pk).status == Signup.Status.CANCELLED
        # Archived after the pause: nothing is left to give up, nobody is told again.
        services.volunteer_update(volunteer=person, changed_by=alice, data={"status": "archived"})
        assert pending(person, "generic") == ["generic"]

    def test_the_persons_own_pages_show_nothing_upcoming(self, alice, holding) -> None:  # type: ignore[no-untyped-def]
        person = holding["person"]
        services.volunteer_update(volunteer=person, changed_by=alice, data={"status": "paused"})
        client = client_for(person.user)
        shifts = client.get("/my-shifts/")
        assert shifts.status_code == 200 and list(shifts.context["upcoming"]) == []
        visits = client.get("/front-offices/visits/")
        assert visits.status_code == 200
        assert [v.status for v in visits.context["upcoming"]] == [Visit.Status.CANCELLED]


@pytest.mark.django_db
def test_withdrawn_guardian_consent_gives_up_the_shifts_the_minor_may_not_take(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    minor = MinorFactory(
        region=almaty,
        birth_date=years_before(today, 18) + datetime.timedelta(days=10),
        status=Volunteer.Status.AWAITING_GUARDIAN,
    )
    services.guardian_consent_record(
        volunteer=minor,
        recorded_by=alice,
        paper=services.PaperConsent(document_number="75-118", document_date=today),
    )
    soon = ShiftFactory(capacity=1)
    minor_soon = events_services.signup_create(shift=soon, volunteer=minor, by=None)
    waiting = events_services.signup_create(shift=soon, volunteer=VolunteerFactory(region=almaty), by=None)
    assert (minor_soon.status, waiting.status) == (Signup.Status.CONFIRMED, Signup.Status.WAITLISTED)
    # Of age by then: the guardian's consent is no longer needed for it.
    later = events_services.signup_create(shift=ShiftFactory(starts_at=in_days(20)), volunteer=minor, by=None)
    office = make_office()
    visit = office_services.visit_book(
        slot=slot_at(office, next_weekday(1), 10), volunteer=minor, purpose="consultation", by=None
    )

    services.guardian_consent_withdraw(volunteer=minor, withdrawn_by=alice, reason="Отозвано матерью")

    assert Signup.objects.get(pk=minor_soon.pk).status == Signup.Status.CANCELLED
    assert Signup.objects.get(pk=waiting.pk).status == Signup.Status.CONFIRMED
    assert taken_matches_rows(soon)
    assert Signup.objects.get(pk=later.pk).status == Signup.Status.CONFIRMED
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.BOOKED
