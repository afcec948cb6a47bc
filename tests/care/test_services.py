"""The request's lifecycle and the assignment rules, on PostgreSQL."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from care import selectors, services
from care.models import Assignment, Beneficiary, HelpRequest
from notifications.models import Message
from tests.conftest import client_for
from volunteers.extensions import volunteer_total_hours

from .factories import HelpRequestFactory, in_days

pytestmark = pytest.mark.django_db


def intake_data(region, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "region": region,
        "full_name": "Жұмабаева Рахима",
        "phone": "8 701 555 12 34",
        "locality": "Алматы",
        "address": "Төле би көшесі, 12, пәтер 5",
        "latitude": Decimal("43.25100"),
        "longitude": Decimal("76.91000"),
        "how_to_reach": "",
        "needs": "Жалғыз тұрады",
        "notes": "",
        "consent_help": True,
        "consent_data": True,
        "kind": HelpRequest.Kind.GROCERIES,
        "details": "Нан, сүт",
        "urgency": HelpRequest.Urgency.NORMAL,
        "due_from": in_days(1),
        "due_until": in_days(1, hour=14),
        "recurrence": HelpRequest.Recurrence.ONCE,
        "needed_hands": 1,
        "adults_only": True,
    }
    data.update(overrides)
    return data


class TestLifecycle:
    def test_take_offer_confirm_start_done_counts_hours(self, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        # The day after tomorrow: a window opening tomorrow at 10:00 leaves no reminder "a day
        # before" to schedule once the test runs after 10:00 Almaty time.
        request = services.request_intake(
            data=intake_data(almaty, due_from=in_days(2), due_until=in_days(2, hour=14)), by=alice
        )
        assert request.status == HelpRequest.Status.NEW
        assert request.beneficiary.phone == "+77015551234"
        assert request.beneficiary.consent_recorded_by == alice

        offer = services.assignment_offer(request=request, volunteer=bob, by=bob.user)
        request.refresh_from_db()
        assert (offer.status, request.taken_hands, request.status) == ("offered", 0, "new")

        services.assignment_confirm(assignment=offer, by=alice)
        request.refresh_from_db()
        offer.refresh_from_db()
        assert (offer.status, request.taken_hands, request.status) == ("confirmed", 1, "assigned")
        # The volunteer is told now and reminded a day before.
        kinds = Message.objects.filter(subject_type="care.assignment", subject_id=offer.pk)
        assert kinds.count() == 2

        HelpRequest.objects.filter(pk=request.pk).update(
            due_from=timezone.now() - datetime.timedelta(hours=1)
        )
        services.request_start(request=request, by=bob.user)
        request.refresh_from_db()
        assert request.status == HelpRequest.Status.IN_PROGRESS

        before = volunteer_total_hours(bob)
        services.assignment_done(assignment=offer, hours="2.5", note="Азық-түлік жеткізілді", by=bob.user)
        request.refresh_from_db()
        offer.refresh_from_db()
        assert request.status == HelpRequest.Status.DONE and request.done_at is not None
        assert request.outcome_note == "Азық-түлік жеткізілді"
        assert offer.hours == Decimal("2.50")
        assert volunteer_total_hours(bob) == before + Decimal("2.50")
        # The waiting reminder is dropped once the work is done.
        assert not Message.objects.filter(
            subject_type="care.assignment",
            subject_id=offer.pk,
            status=Message.Status.PENDING,
            due_at__gt=timezone.now(),
        ).exists()

    def test_hours_show_on_the_volunteer_api_and_profile(self, alice, bob, request_almaty) -> None:  # type: ignore[no-untyped-def]
        assignment = services.assignment_volunteer(request=request_almaty, volunteer=bob, by=alice)
        HelpRequest.objects.filter(pk=request_almaty.pk).update(due_from=timezone.now())
        services.assignment_done(assignment=assignment, hours=Decimal("3"), note="", by=bob.user)
        response = client_for(alice).get(f"/api/volunteers/{bob.pk}/")
        assert response.status_code == 200
        assert response.json()["hours"] == "3.00"
        page = client_for(bob.user).get("/me/")
        assert page.status_code == 200
        assert "3" in page.content.decode().split('id="volunteer-hours"')[1][:400]

    def test_staff_close_as_cannot_help_frees_everyone(self, alice, bob, request_almaty) -> None:  # type: ignore[no-untyped-def]
        assignment = services.assignment_volunteer(request=request_almaty, volunteer=bob, by=alice)
        services.request_close(
            request=request_almaty, status="cannot_help", outcome_note="Нет машины", by=alice
        )
        assignment.refresh_from_db()
        request_almaty.refresh_from_db()
        assert assignment.status == "withdrawn"
        assert (request_almaty.status, request_almaty.closed_at is not None) == ("cannot_help", True)

    def test_done_is_refused_while_nobody_is_going(self, alice, bob, request_almaty) -> None:  # type: ignore[no-untyped-def]
        # It would count in the reports as help given that nobody gave.
        offer = services.assignment_offer(request=request_almaty, volunteer=bob, by=bob.user)
        with translation.override("en"):
            with pytest.raises(ValidationError) as exc:
                services.request_close(request=request_almaty, status="done", outcome_note="", by=alice)
            assert exc.value.error_dict["status"][0].code == "nobody_going"
            assert exc.value.message_dict["status"] == [
                "Nobody is going to this request, so it cannot be closed as “Done”. Assign someone "
                "first, or close it as “Cannot help” or “Cancelled”."
            ]
        request_almaty.refresh_from_db()
        offer.refresh_from_db()
        assert (request_almaty.status, request_almaty.done_at, offer.status) == ("new", None, "offered")
        # The other outcomes stay open to it.
        services.request_close(request=request_almaty, status="cancelled", outcome_note="", by=alice)
        request_almaty.refresh_from_db()
        assert request_almaty.status == "cancelled"

    def test_hours_recorded_after_staff_closed_it_keep_the_day_it_was_done(  # type: ignore[no-untyped-def]
        self, alice, bob, request_almaty, settings
    ) -> None:
        """Closed as done by the coordinator eight days ago; Bob records his hours today. The
        request stays done on its day: the reports count it there, and the address window
        (CARE_CONTACT_DAYS_AFTER_DONE, 7 days) that ran from it does not open again for him."""
        assignment = services.assignment_volunteer(request=request_almaty, volunteer=bob, by=alice)
        services.request_close(request=request_almaty, status="done", outcome_note="Купили", by=alice)
        eight_days_ago = timezone.now() - datetime.timedelta(days=8)
        HelpRequest.objects.filter(pk=request_almaty.pk).update(
            due_from=eight_days_ago - datetime.timedelta(hours=3),
            due_until=eight_days_ago - datetime.timedelta(hours=1),
            done_at=eight_days_ago,
            closed_at=eight_days_ago,
        )
        assert not selectors.may_see_contact(bob.user, HelpRequest.objects.get(pk=request_almaty.pk))

        services.assignment_done(assignment=assignment, hours="1.5", note="Нан, сүт", by=bob.user)

        request_almaty = HelpRequest.objects.get(pk=request_almaty.pk)
        assert (request_almaty.status, request_almaty.done_at, request_almaty.closed_at) == (
            "done",
            eight_days_ago,
            eight_days_ago,
        )
        assert request_almaty.outcome_note == "Купили"
        assert volunteer_total_hours(bob) == Decimal("1.5")
        assert not selectors.may_see_contact(bob.user, request_almaty)

    def test_a_note_recorded_after_staff_closed_it_is_its_outcome_when_staff_wrote_none(  # type: ignore[no-untyped-def]
        self, alice, bob, request_almaty
    ) -> None:
        assignment = services.assignment_volunteer(request=request_almaty, volunteer=bob, by=alice)
        services.request_close(request=request_almaty, status="done", outcome_note="", by=alice)
        HelpRequest.objects.filter(pk=request_almaty.pk).update(due_from=timezone.now())
        services.assignment_done(assignment=assignment, hours=1, note="Дәрі әкелінді", by=bob.user)
        request_almaty.refresh_from_db()
        assert (request_almaty.status, request_almaty.outcome_note) == ("done", "Дәрі әкелінді")

    def test_done_by_staff_once_someone_goes(self, alice, bob, request_almaty) -> None:  # type: ignore[no-untyped-def]
        assignment = services.assignment_volunteer(request=request_almaty, volunteer=bob, by=alice)
        services.request_close(request=request_almaty, status="done", outcome_note="Купили", by=alice)
        request_almaty.refresh_from_db()
        assignment.refresh_from_db()
        assert (request_almaty.status, assignment.status) == ("done", "confirmed")
        assert request_almaty.done_at is not None

    def test_withdrawing_frees_the_hand(self, alice, bob, request_almaty) -> None:  # type: ignore[no-untyped-def]
        assignment = services.assignment_volunteer(request=request_almaty, volunteer=bob, by=alice)
        services.assignment_withdraw(assignment=assignment, by=bob.user)
        request_almaty.refresh_from_db()
        assert (request_almaty.taken_hands, request_almaty.status) == (0, "new")

    def test_detachment_with_its_curator_takes_its_hands(self, alice, detachment, almaty) -> None:  # type: ignore[no-untyped-def]
        request = HelpRequestFactory(kind="snow", adults_only=False, needed_hands=5)
        services.assignment_detachment(
            request=request, detachment=detachment, hands=4, curator_going=True, by=alice
        )
        request.refresh_from_db()
        assert (request.taken_hands, request.status) == (4, "assigned")
        assert selectors.may_see_contact(detachment.curator, request)
        told = Message.objects.get(subject_type="care.assignment")
        assert told.recipient_email == "teacher@example.kz"

    def test_urgent_request_alerts_the_regions_coordinators_only(self, alice, charlie, almaty) -> None:  # type: ignore[no-untyped-def]
        request = services.request_intake(data=intake_data(almaty, urgency="urgent"), by=alice)
        alerts = Message.objects.filter(subject_type="care.request", subject_id=request.pk)
        assert [m.recipient_email for m in alerts] == ["alice@example.kz"]
        # The alert names no one: kind and locality only.
        assert "Жұмабаева" not in str(alerts[0].context)


class TestVolunteerErasure:
    def test_erasure_blanks_the_notes_of_every_assignment_and_keeps_the_hours(  # type: ignore[no-untyped-def]
        self, alice, bob, dana, almaty
    ) -> None:
        from volunteers.services import volunteer_anonymize

        note = "Бауыржан, тел. 8 701 222 33 44: кілтті көршіге қалдырдым"
        done_request = HelpRequestFactory()
        done = services.assignment_volunteer(request=done_request, volunteer=bob, by=alice)
        HelpRequest.objects.filter(pk=done_request.pk).update(due_from=timezone.now())
        services.assignment_done(assignment=done, hours="2", note=note, by=bob.user)
        done_request.refresh_from_db()
        assert done_request.status == "done" and done_request.outcome_note == note
        # A request the person shared with Dana, who finished last with her own note.
        shared_request = HelpRequestFactory(needed_hands=2)
        shared = services.assignment_volunteer(request=shared_request, volunteer=bob, by=alice)
        hers = services.assignment_volunteer(request=shared_request, volunteer=dana, by=alice)
        HelpRequest.objects.filter(pk=shared_request.pk).update(due_from=timezone.now())
        services.assignment_done(assignment=shared, hours="1", note=note + " (2)", by=bob.user)
        services.assignment_done(assignment=hers, hours="1", note="Дана: бәрі жақсы", by=dana.user)
        open_one = services.assignment_volunteer(request=HelpRequestFactory(), volunteer=bob, by=alice)
        Assignment.objects.filter(pk=open_one.pk).update(note="Кешке ғана бос")
        page = client_for(alice).get(f"/care/requests/{done_request.pk}/").content.decode()
        assert note in page

        volunteer_anonymize(volunteer=bob, requested_by=None)

        assert set(Assignment.objects.filter(volunteer=bob).values_list("note", flat=True)) == {""}
        done.refresh_from_db()
        open_one.refresh_from_db()
        assert (done.status, done.hours) == ("done", Decimal("2.00"))
        assert open_one.status == "withdrawn"
        done_request.refresh_from_db()
        assert done_request.outcome_note == "" and done_request.status == "done"
        for request in (done_request, shared_request):
            page = client_for(alice).get(f"/care/requests/{request.pk}/").content.decode()
            assert "8 701 222 33 44" not in page
        # Dana's own note, and the outcome taken from it, stay hers.
        hers.refresh_from_db()
        shared_request.refresh_from_db()
        assert hers.note == shared_request.outcome_note == "Дана: бәрі жақсы"
        assert selectors.volunteer_care_hours(bob) == Decimal("3.00")


class TestIntake:
    def test_office_staff_take_requests_for_their_region(self, clerk, almaty, astana) -> None:  # type: ignore[no-untyped-def]
        assert services.request_intake(data=intake_data(almaty), by=clerk).region == almaty
        with pytest.raises(ValidationError) as exc:
            services.request_intake(data=intake_data(astana), by=clerk)
        assert "region" in exc.value.message_dict

    def test_without_consent_nothing_is_kept(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(ValidationError):
            services.request_intake(data=intake_data(almaty, consent_data=False), by=alice)
        assert not Beneficiary.objects.exists()

    def test_same_phone_or_address_is_flagged(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        first = services.request_intake(data=intake_data(almaty), by=alice).beneficiary
        by_phone = services.beneficiary_duplicates(
            region_id=almaty.pk, phone="+77015551234", address="Другой адрес"
        )
        by_address = services.beneficiary_duplicates(
            region_id=almaty.pk, phone="", address="төле би көшесі 12 пәтер 5"
        )
        assert by_phone == [first]
        assert by_address == [first]

    def test_intake_page_asks_before_keeping_a_second_file(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        first = services.request_intake(data=intake_data(almaty), by=alice).beneficiary
        client = client_for(alice)
        post = {
            k: (v.pk if hasattr(v, "pk") else ("on" if v is True else ("" if v is False else v)))
            for k, v in intake_data(almaty).items()
        }
        post["due_from"] = in_days(2).strftime("%Y-%m-%dT%H:%M")
        post["due_until"] = in_days(2, hour=13).strftime("%Y-%m-%dT%H:%M")
        response = client.post("/care/requests/new/", post)
        assert response.status_code == 200
        assert 'id="duplicates"' in response.content.decode()
        assert HelpRequest.objects.count() == 1
        # Showing the file on file is a view of its personal data.
        from accounts.models import AuditEntry

        assert AuditEntry.objects.filter(
            actor=alice, action="viewed", subject_id=str(first.pk), detail__where="intake duplicates"
        ).exists()
        post.update(duplicates_seen="on", existing_beneficiary=str(first.pk))
        response = client.post("/care/requests/new/", post)
        assert response.status_code == 302
        assert Beneficiary.objects.count() == 1
        assert HelpRequest.objects.filter(beneficiary=first).count() == 2

    def test_the_same_person_who_moved_is_visited_at_the_new_address(self, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        """Rakhima moved in with her daughter and calls from the same phone: the clerk types the
        new address, is shown her file (same phone), chooses it, and the volunteer sent goes to
        the new address, not to the flat she left."""
        first = services.request_intake(data=intake_data(almaty), by=alice).beneficiary
        client = client_for(alice)
        post = {
            k: (v.pk if hasattr(v, "pk") else ("on" if v is True else ("" if v is False else v)))
            for k, v in intake_data(almaty).items()
        }
        post.update(
            address="Сейфуллин даңғылы, 45, пәтер 2",
            how_to_reach="Қызына қоңырау шалыңыз",
            latitude="",
            longitude="",
            due_from=in_days(2).strftime("%Y-%m-%dT%H:%M"),
            due_until=in_days(2, hour=13).strftime("%Y-%m-%dT%H:%M"),
        )
        assert 'id="duplicates"' in client.post("/care/requests/new/", post).content.decode()
        post.update(duplicates_seen="on", existing_beneficiary=str(first.pk))
        assert client.post("/care/requests/new/", post).status_code == 302
        request = HelpRequest.objects.get(beneficiary=first, due_from=in_days(2))
        services.assignment_volunteer(request=request, volunteer=bob, by=alice)

        page = client_for(bob.user).get(f"/care/requests/{request.pk}/").content.decode()
        assert "Сейфуллин даңғылы, 45, пәтер 2" in page and "Қызына қоңырау шалыңыз" in page
        assert "Төле би көшесі, 12" not in page
        first.refresh_from_db()
        # The point was the old flat's; her phone and name are as on file.
        assert (first.latitude, first.longitude, first.phone) == (None, None, "+77015551234")
        assert Beneficiary.objects.count() == 1

    def test_a_file_erased_while_the_call_is_taken_stays_erased(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        """One clerk chooses the person's file on the intake page as another erases it at her
        request: nothing of the call is written back into the erased file."""
        first = services.request_intake(data=intake_data(almaty), by=alice).beneficiary
        as_the_form_read_it = Beneficiary.objects.get(pk=first.pk)
        services.beneficiary_erase(beneficiary=first, by=alice)
        with pytest.raises(ValidationError) as exc:
            services.request_intake(
                data=intake_data(almaty, existing_beneficiary=as_the_form_read_it), by=alice
            )
        assert "existing_beneficiary" in exc.value.message_dict
        first.refresh_from_db()
        assert (first.address, first.phone, first.locality) == ("", "", "")
        assert HelpRequest.objects.filter(beneficiary=first).count() == 1

    def test_volunteer_report_waits_for_a_check(self, alice, bob, dana, almaty) -> None:  # type: ignore[no-untyped-def]
        request = services.request_report(volunteer=bob, data=intake_data(almaty), by=bob.user)
        assert request.needs_check
        with pytest.raises(ValidationError) as exc:
            services.assignment_offer(request=request, volunteer=dana, by=dana.user)
        assert exc.value.code == "unchecked"
        assert request not in selectors.requests_open_for_volunteer(volunteer=dana)
        services.request_check(request=request, by=alice)
        assert services.assignment_offer(request=request, volunteer=dana, by=dana.user).status == "offered"


class TestRefusals:
    def test_minor_never_goes_alone(self, alice, minor, request_almaty) -> None:  # type: ignore[no-untyped-def]
        for call in (
            lambda: services.assignment_offer(request=request_almaty, volunteer=minor, by=minor.user),
            lambda: services.assignment_volunteer(request=request_almaty, volunteer=minor, by=alice),
        ):
            with pytest.raises(ValidationError) as exc:
                call()
            assert exc.value.code == "minor_alone"
        assert not Assignment.objects.exists()

    def test_detachment_needs_its_curator_going(self, alice, detachment) -> None:  # type: ignore[no-untyped-def]
        request = HelpRequestFactory(kind="snow", adults_only=False, needed_hands=5)
        with pytest.raises(ValidationError) as exc:
            services.assignment_detachment(
                request=request, detachment=detachment, hands=3, curator_going=False, by=alice
            )
        assert exc.value.code == "minor_alone"
        detachment.curator = None
        detachment.save()
        with pytest.raises(ValidationError):
            services.assignment_detachment(
                request=request, detachment=detachment, hands=3, curator_going=True, by=alice
            )
        request.refresh_from_db()
        assert request.taken_hands == 0

    def test_adults_only_request_refuses_a_detachment(self, alice, detachment, request_almaty) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(ValidationError) as exc:
            services.assignment_detachment(
                request=request_almaty, detachment=detachment, hands=3, curator_going=True, by=alice
            )
        assert exc.value.code == "adults_only"

    def test_more_hands_than_needed_are_refused(self, alice, bob, dana, almaty) -> None:  # type: ignore[no-untyped-def]
        request = HelpRequestFactory(needed_hands=1)
        services.assignment_volunteer(request=request, volunteer=bob, by=alice)
        offer = None
        with pytest.raises(ValidationError) as exc:
            offer = services.assignment_offer(request=request, volunteer=dana, by=dana.user)
        assert exc.value.code == "full"
        with pytest.raises(ValidationError) as exc:
            services.assignment_volunteer(request=request, volunteer=dana, by=alice)
        assert exc.value.code == "full"
        request.refresh_from_db()
        assert (offer, request.taken_hands) == (None, 1)

    def test_a_detachment_too_big_is_told_how_many_may_go(self, alice, detachment) -> None:  # type: ignore[no-untyped-def]
        request = HelpRequestFactory(kind="snow", adults_only=False, needed_hands=4)
        with pytest.raises(ValidationError) as exc, translation.override("en"):
            services.assignment_detachment(
                request=request, detachment=detachment, hands=6, curator_going=True, by=alice
            )
        assert exc.value.code == "full"
        with translation.override("en"):
            assert exc.value.messages == [
                "Too many people: 4 more are needed (people needed: 4, already going: 0), and 6 "
                "would go with the detachment. Send at most 4, the curator included."
            ]
        request.refresh_from_db()
        assert request.taken_hands == 0

    def test_a_detachment_never_fits_one_place_and_a_volunteer_is_suggested(self, alice, detachment) -> None:  # type: ignore[no-untyped-def]
        # "This request needs 1 people and 0 are already going" read as a contradiction.
        request = HelpRequestFactory(kind="snow", adults_only=False, needed_hands=1)
        with translation.override("en"), pytest.raises(ValidationError) as exc:
            services.assignment_detachment(
                request=request, detachment=detachment, hands=2, curator_going=True, by=alice
            )
        [message] = exc.value.messages
        assert "Only one more person is needed (people needed: 1, already going: 0)" in message
        assert message.endswith("Assign an adult volunteer instead.")
        assert not Assignment.objects.filter(request=request).exists()

    def test_a_full_request_says_to_withdraw_someone_first(self, alice, bob, dana) -> None:  # type: ignore[no-untyped-def]
        request = HelpRequestFactory(needed_hands=1)
        services.assignment_volunteer(request=request, volunteer=bob, by=alice)
        with translation.override("en"), pytest.raises(ValidationError) as exc:
            services.assignment_volunteer(request=request, volunteer=dana, by=alice)
        # The message is in the language active when it was raised.
        assert exc.value.messages == [
            "Enough people are already going (going: 1, needed: 1). To send someone else, "
            "withdraw one of them first."
        ]

    def test_the_database_refuses_more_hands_than_needed(self, request_almaty) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(IntegrityError), transaction.atomic():
            HelpRequest.objects.filter(pk=request_almaty.pk).update(taken_hands=3)

    def test_out_of_region(self, alice, charlie, astana_volunteer, request_almaty) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(ValidationError) as exc:
            services.assignment_offer(request=request_almaty, volunteer=astana_volunteer, by=charlie)
        assert exc.value.code == "out_of_region"
        with pytest.raises(ValidationError) as exc:
            services.assignment_volunteer(request=request_almaty, volunteer=astana_volunteer, by=alice)
        assert exc.value.code == "out_of_region"
        with pytest.raises(ValidationError) as exc:
            services.request_close(request=request_almaty, status="cancelled", outcome_note="", by=charlie)
        assert exc.value.code == "out_of_region"

    def test_offer_twice_is_refused(self, bob, request_almaty) -> None:  # type: ignore[no-untyped-def]
        services.assignment_offer(request=request_almaty, volunteer=bob, by=bob.user)
        with pytest.raises(ValidationError) as exc:
            services.assignment_offer(request=request_almaty, volunteer=bob, by=bob.user)
        assert exc.value.code == "already"

    def test_bad_hours_are_a_field_error(self, alice, bob, request_almaty) -> None:  # type: ignore[no-untyped-def]
        assignment = services.assignment_volunteer(request=request_almaty, volunteer=bob, by=alice)
        HelpRequest.objects.filter(pk=request_almaty.pk).update(due_from=timezone.now())
        for bad in ("0", "25", "NaN", "abc", None):
            with pytest.raises(ValidationError) as exc:
                services.assignment_done(assignment=assignment, hours=bad, note="", by=bob.user)
            assert "hours" in exc.value.message_dict


class TestMatching:
    def test_suggestions_are_adults_of_the_region_same_locality_first(  # type: ignore[no-untyped-def]
        self, bob, dana, minor, astana_volunteer, request_almaty
    ) -> None:
        dana.locality = "Қаскелең"
        dana.save()
        names = [v.pk for v in selectors.suggested_volunteers(request=request_almaty)]
        assert names[0] == bob.pk and dana.pk in names
        assert minor.pk not in names and astana_volunteer.pk not in names

    def test_detachments_nearest_first_and_none_for_adults_only(self, detachment, almaty) -> None:  # type: ignore[no-untyped-def]
        from tests.factories import DetachmentFactory, UserFactory

        far = DetachmentFactory(region=almaty, curator=UserFactory(), latitude=43.40, longitude=77.20)
        request = HelpRequestFactory(adults_only=False, kind="snow")
        rows = selectors.suggested_detachments(request=request)
        assert [d.pk for d, _ in rows] == [detachment.pk, far.pk]
        assert rows[0][1] is not None and rows[0][1] < rows[1][1]
        assert selectors.suggested_detachments(request=HelpRequestFactory(adults_only=True)) == []

    def test_staff_list_puts_overdue_first(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        later = HelpRequestFactory(due_from=in_days(3), urgency="urgent")
        overdue = HelpRequestFactory(due_from=in_days(-2))
        soon = HelpRequestFactory(due_from=in_days(1))
        done = HelpRequestFactory(due_from=in_days(-5), status="done")
        ids = [r.pk for r in selectors.request_list_for_staff(user=alice)]
        assert ids == [overdue.pk, later.pk, soon.pk]
        assert done.pk not in ids


class TestReportsSelector:
    def test_counts_by_kind_and_region_with_time_to_help(self, alice, nora, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        a = HelpRequestFactory(kind="fuel")
        HelpRequestFactory(kind="fuel", status="cancelled")
        HelpRequestFactory(kind="snow")
        assignment = services.assignment_volunteer(request=a, volunteer=bob, by=alice)
        HelpRequest.objects.filter(pk=a.pk).update(
            due_from=timezone.now(), created_at=timezone.now() - datetime.timedelta(hours=5)
        )
        services.assignment_done(assignment=assignment, hours=2, note="", by=bob.user)
        rows = {(r["region"], r["kind"]): r for r in selectors.requests_summary(user=nora)}
        fuel = rows[("75", "fuel")]
        assert (fuel["total"], fuel["done"], fuel["cancelled"], fuel["hours"]) == (2, 1, 1, Decimal("2.00"))
        assert datetime.timedelta(hours=4) < fuel["avg_time_to_help"] < datetime.timedelta(hours=6)
        assert rows[("75", "snow")]["open"] == 1
