"""When something stops: a request cancelled, its beneficiary erased, a volunteer who goes paused,
archived or moved to another region. Nobody who no longer goes sees the address, nothing is sent
for help that no longer happens, and each person affected is told once."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from care import selectors, services
from care.models import Assignment, HelpRequest
from notifications.models import Message
from tests.conftest import client_for

from .factories import BeneficiaryFactory, HelpRequestFactory, in_days

pytestmark = pytest.mark.django_db

ADDRESS = "Жандосов көшесі, 58, пәтер 17"


@pytest.fixture
def req(almaty):  # type: ignore[no-untyped-def]
    """Two days ahead (room for the day-before reminder), two adults and a detachment wanted."""
    return HelpRequestFactory(
        beneficiary=BeneficiaryFactory(address=ADDRESS),
        due_from=in_days(2),
        due_until=in_days(2, hour=13),
        needed_hands=5,
        adults_only=False,
    )


def pending(assignment: Assignment) -> list[Message]:
    return list(
        Message.objects.filter(
            subject_type="care.assignment", subject_id=assignment.pk, status=Message.Status.PENDING
        ).order_by("id")
    )


def sees_address(user, request: HelpRequest) -> bool:  # type: ignore[no-untyped-def]
    client = client_for(user)
    page = client.get(f"/care/requests/{request.pk}/")
    api = client.get(f"/api/care/requests/{request.pk}/")
    on_page = page.status_code == 200 and ADDRESS in page.content.decode()
    in_api = api.status_code == 200 and api.json()["contact"] is not None
    return on_page or in_api


@pytest.fixture
def going(alice, bob, detachment, req):  # type: ignore[no-untyped-def]
    """Bob (who reads English) and a detachment confirmed on `req`; their first messages
    already went out."""
    bob.preferred_language = "en"
    bob.save(update_fields=["preferred_language"])
    mine = services.assignment_volunteer(request=req, volunteer=bob, by=alice)
    theirs = services.assignment_detachment(
        request=req, detachment=detachment, hands=3, curator_going=True, by=alice
    )
    Message.objects.filter(due_at__lte=timezone.now()).update(status=Message.Status.SENT)
    assert len(pending(mine)) == 1  # the reminder
    return mine, theirs


class TestRequestCalledOff:
    @pytest.mark.parametrize("how", ["cancelled", "cannot_help", "erased"])
    def test_those_going_are_told_once_and_nothing_else_is_sent(  # type: ignore[no-untyped-def]
        self, alice, bob, detachment, req, going, how
    ) -> None:
        mine, theirs = going
        with translation.override("en"):
            if how == "erased":
                services.beneficiary_erase(beneficiary=req.beneficiary, by=alice)
            else:
                services.request_close(request=req, status=how, outcome_note="", by=alice)
            # A second erasure (the retention task after a request) tells nobody again.
            services.beneficiary_erase(beneficiary=req.beneficiary, by=alice)

        told_bob = pending(mine)
        assert [m.recipient_id for m in told_bob] == [bob.pk]
        assert "no longer" in told_bob[0].context["text"]
        assert "reminder" not in told_bob[0].context["subject"].lower()
        told_curator = pending(theirs)
        assert [m.recipient_email for m in told_curator] == ["teacher@example.kz"]
        # The notice names the kind and the place, never the person helped.
        assert ADDRESS not in str(told_bob[0].context) + str(told_curator[0].context)
        assert not sees_address(bob.user, req)
        assert not selectors.may_see_contact(detachment.curator, req)
        # Nobody goes any more: the request's page and the reports' export say so.
        req.refresh_from_db()
        assert (req.status, req.taken_hands) == ("cancelled" if how == "erased" else how, 0)
        page = client_for(alice)
        page.cookies["django_language"] = "en"
        assert "0 of 5 people going" in page.get(f"/care/requests/{req.pk}/").content.decode()

    def test_an_offer_waiting_is_dropped_without_a_notice(self, alice, bob, req) -> None:  # type: ignore[no-untyped-def]
        offer = services.assignment_offer(request=req, volunteer=bob, by=bob.user)
        services.request_close(request=req, status="cancelled", outcome_note="", by=alice)
        offer.refresh_from_db()
        assert offer.status == "withdrawn"
        assert pending(offer) == []


class TestVolunteerNoLongerGoes:
    """Whatever path stops the person (a roster change, a bulk change, a move), the address
    follows who may go: an active volunteer of the request's region."""

    @pytest.mark.parametrize("status", ["paused", "archived"])
    def test_a_paused_or_archived_volunteer_no_longer_sees_the_address(  # type: ignore[no-untyped-def]
        self, alice, bob, req, status
    ) -> None:
        from volunteers.services import volunteer_update

        services.assignment_volunteer(request=req, volunteer=bob, by=alice)
        assert sees_address(bob.user, req)
        volunteer_update(volunteer=bob, changed_by=alice, data={"status": status})
        assert not sees_address(bob.user, req)
        assert not selectors.may_see_contact(bob.user, req)
        # Nor the house on the map.
        features = client_for(bob.user).get("/api/care/requests/map/").json()["features"]
        assert all(f["properties"]["exact"] is False for f in features)

    def test_a_volunteer_moved_to_another_region_no_longer_sees_the_address(  # type: ignore[no-untyped-def]
        self, alice, bob, req, astana
    ) -> None:
        from volunteers.services import volunteer_update

        services.assignment_volunteer(request=req, volunteer=bob, by=alice)
        volunteer_update(volunteer=bob, changed_by=bob.user, data={"region": astana})
        assert not sees_address(bob.user, req)
        features = client_for(bob.user).get("/api/care/requests/map/").json()["features"]
        assert all(f["properties"]["exact"] is False for f in features)


def told_coordinator(request: HelpRequest) -> list[Message]:
    return list(
        Message.objects.filter(
            subject_type="care.request",
            subject_id=request.pk,
            recipient_email="alice@example.kz",
            status=Message.Status.PENDING,
        )
    )


class TestVolunteerStops:
    """A volunteer who stops (paused, archived, erased) gives their place back at once: the
    request is matched again and the coordinators are told, once."""

    @pytest.mark.parametrize("status", ["paused", "archived"])
    def test_paused_or_archived_gives_the_place_back(self, alice, bob, dana, req, status) -> None:  # type: ignore[no-untyped-def]
        mine = services.assignment_volunteer(request=req, volunteer=bob, by=alice)
        services.assignment_volunteer(request=req, volunteer=dana, by=alice)
        assert pending(mine)  # the reminder

        response = client_for(alice).post(
            "/roster/bulk/", {"ids": [bob.pk], "action": "status", "status": status}
        )
        assert response.status_code == 302

        mine.refresh_from_db()
        req.refresh_from_db()
        assert mine.status == "withdrawn"
        assert (req.taken_hands, req.status) == (1, "assigned")  # Dana still goes
        assert pending(mine) == []
        assert len(told_coordinator(req)) == 1
        assert not sees_address(bob.user, req)

    def test_the_last_one_stopping_puts_the_request_back_to_new(self, alice, bob, req) -> None:  # type: ignore[no-untyped-def]
        from volunteers.services import volunteer_update

        services.assignment_volunteer(request=req, volunteer=bob, by=alice)
        volunteer_update(volunteer=bob, changed_by=alice, data={"status": "paused"})
        req.refresh_from_db()
        assert (req.taken_hands, req.status) == (0, "new")
        # Back to active, nothing comes back by itself, and nobody is told again.
        volunteer_update(volunteer=bob, changed_by=alice, data={"status": "active"})
        req.refresh_from_db()
        assert (req.taken_hands, req.status) == (0, "new")
        assert len(told_coordinator(req)) == 1

    def test_help_given_before_the_pause_keeps_its_hours(self, alice, bob, req) -> None:  # type: ignore[no-untyped-def]
        from volunteers.services import volunteer_update

        assignment = services.assignment_volunteer(request=req, volunteer=bob, by=alice)
        HelpRequest.objects.filter(pk=req.pk).update(due_from=in_days(0, hour=0))
        services.assignment_done(assignment=assignment, hours="2", note="", by=bob.user)
        volunteer_update(volunteer=bob, changed_by=alice, data={"status": "paused"})
        assignment.refresh_from_db()
        assert (assignment.status, str(assignment.hours)) == ("done", "2.00")
        assert selectors.volunteer_care_hours(bob) == 2
        assert told_coordinator(req) == []

    def test_moved_to_another_region_gives_the_old_regions_places_back(  # type: ignore[no-untyped-def]
        self, alice, bob, req, astana
    ) -> None:
        from volunteers.services import volunteer_update

        mine = services.assignment_volunteer(request=req, volunteer=bob, by=alice)
        # A change that is no move gives nothing up.
        volunteer_update(volunteer=bob, changed_by=bob.user, data={"locality": "Қаскелең"})
        mine.refresh_from_db()
        assert mine.status == "confirmed"
        # Moved to Astana by their own edit: they no longer see the Almaty address, so they do
        # not go; the request needs someone again and Almaty's coordinator is told, once.
        volunteer_update(volunteer=bob, changed_by=bob.user, data={"region": astana})
        mine.refresh_from_db()
        req.refresh_from_db()
        assert (mine.status, req.taken_hands, req.status) == ("withdrawn", 0, "new")
        assert pending(mine) == []
        assert len(told_coordinator(req)) == 1

    def test_erased_gives_the_place_back_and_the_coordinator_is_told(self, alice, bob, req) -> None:  # type: ignore[no-untyped-def]
        from volunteers.services import volunteer_anonymize

        mine = services.assignment_volunteer(request=req, volunteer=bob, by=alice)
        volunteer_anonymize(volunteer=bob, requested_by=None)
        mine.refresh_from_db()
        req.refresh_from_db()
        assert (mine.status, req.taken_hands, req.status) == ("withdrawn", 0, "new")
        assert pending(mine) == []
        assert len(told_coordinator(req)) == 1


class TestCoordinatorAlerts:
    @pytest.mark.parametrize("how", ["cancelled", "erased"])
    def test_an_alert_not_yet_sent_is_dropped_with_the_request(self, alice, almaty, how) -> None:  # type: ignore[no-untyped-def]
        from .test_services import intake_data

        urgent = services.request_intake(data=intake_data(almaty, urgency="urgent"), by=alice)
        alerts = Message.objects.filter(subject_type="care.request", subject_id=urgent.pk)
        assert [m.status for m in alerts] == ["pending"]
        if how == "erased":
            services.beneficiary_erase(beneficiary=urgent.beneficiary, by=alice)
        else:
            services.request_close(request=urgent, status="cancelled", outcome_note="", by=alice)
        assert [m.status for m in alerts.all()] == ["cancelled"]


class TestCuratorWithdraws:
    def test_the_curator_withdraws_the_pupils_from_their_page(  # type: ignore[no-untyped-def]
        self, alice, detachment, req, going
    ) -> None:
        """The pupils cannot go after all (an exam moved): the curator presses "Withdraw" on the
        request's page; the places free and the coordinators hear that someone is needed."""
        _mine, theirs = going
        curator = client_for(detachment.curator)
        curator.cookies["django_language"] = "en"
        page = curator.get(f"/care/requests/{req.pk}/").content.decode()
        assert f'action="/care/assignments/{theirs.pk}/withdraw/"' in page
        response = curator.post(f"/care/assignments/{theirs.pk}/withdraw/", follow=True)
        assert "Withdrawn." in response.content.decode()
        theirs.refresh_from_db()
        req.refresh_from_db()
        assert (theirs.status, req.taken_hands, req.status) == ("withdrawn", 1, "assigned")
        assert not selectors.may_see_contact(detachment.curator, req)
        assert len(told_coordinator(req)) == 1


class TestStaffTakeSomeoneOff:
    def test_those_taken_off_are_told_they_need_not_go(self, alice, bob, detachment, req, going) -> None:  # type: ignore[no-untyped-def]
        """The coordinator sends someone else: Bob and the curator, who had the address since
        they were confirmed, hear that they need not go, instead of only losing the reminder."""
        mine, theirs = going
        client = client_for(alice)
        for place in (mine, theirs):
            client.post(f"/care/assignments/{place.pk}/withdraw/")
        told_bob = pending(mine)
        assert [m.recipient_id for m in told_bob] == [bob.pk]
        assert told_bob[0].context["subject"].startswith("You no longer go")
        assert "you do not need to go" in told_bob[0].context["text"]
        assert ADDRESS not in str(told_bob[0].context)
        assert [m.recipient_email for m in pending(theirs)] == ["teacher@example.kz"]
        req.refresh_from_db()
        assert (req.status, req.taken_hands) == ("new", 0)
