"""Who sees a beneficiary's address and phone: on the request's page, in the API and on the map.

Staff of the region and those assigned, while assigned and until the request is done plus
CARE_CONTACT_DAYS_AFTER_DONE days; every view leaves an audit entry. On the map everybody but
those assigned gets the grid cell's centre, never the house."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AuditEntry
from care import selectors, services
from care.models import HelpRequest
from tests.conftest import client_for

from .factories import BeneficiaryFactory, HelpRequestFactory

pytestmark = pytest.mark.django_db

PHONE = "+77029990011"
ADDRESS = "Жандосов көшесі, 58, пәтер 17"


@pytest.fixture
def req(almaty):  # type: ignore[no-untyped-def]
    beneficiary = BeneficiaryFactory(
        phone=PHONE, address=ADDRESS, latitude=Decimal("43.21234"), longitude=Decimal("76.87654")
    )
    return HelpRequestFactory(beneficiary=beneficiary, needed_hands=2)


def views(user, req):  # type: ignore[no-untyped-def]
    return AuditEntry.objects.filter(
        actor=user,
        action=AuditEntry.Action.VIEWED,
        subject_type="care.beneficiary",
        subject_id=str(req.beneficiary_id),
    ).count()


def sees_everywhere(user, req) -> tuple[bool, bool, bool]:  # type: ignore[no-untyped-def]
    """(page, API, exact map point) for `user`."""
    client = client_for(user)
    page = client.get(f"/care/requests/{req.pk}/")
    api = client.get(f"/api/care/requests/{req.pk}/")
    geo = client.get("/api/care/requests/map/").json()
    feature = next((f for f in geo["features"] if f["properties"]["id"] == req.pk), None)
    on_page = page.status_code == 200 and ADDRESS in page.content.decode() and PHONE in page.content.decode()
    in_api = (
        api.status_code == 200
        and api.json()["contact"] is not None
        and api.json()["contact"]["phone"] == PHONE
    )
    exact = feature is not None and feature["geometry"]["coordinates"] == [76.87654, 43.21234]
    return on_page, in_api, exact


class TestAssignedVolunteer:
    def test_not_assigned_sees_no_contact_anywhere_and_a_blurred_point(self, bob, req) -> None:  # type: ignore[no-untyped-def]
        assert sees_everywhere(bob.user, req) == (False, False, False)
        feature = client_for(bob.user).get("/api/care/requests/map/").json()["features"][0]
        lon, lat = feature["geometry"]["coordinates"]
        assert "address" not in feature["properties"] and feature["properties"]["exact"] is False
        # The cell's centre: the same for every house of the cell, never the house itself.
        assert (lon, lat) == (selectors.snap(Decimal("76.87654")), selectors.snap(Decimal("43.21234")))
        assert (lon, lat) != (76.87654, 43.21234)
        neighbour = BeneficiaryFactory(latitude=Decimal("43.20100"), longitude=Decimal("76.85100"))
        assert (selectors.snap(neighbour.longitude), selectors.snap(neighbour.latitude)) == (lon, lat)
        assert views(bob.user, req) == 0

    def test_an_offer_alone_shows_nothing(self, bob, req) -> None:  # type: ignore[no-untyped-def]
        services.assignment_offer(request=req, volunteer=bob, by=bob.user)
        assert sees_everywhere(bob.user, req) == (False, False, False)

    def test_assigned_sees_it_everywhere_and_each_view_is_recorded(self, alice, bob, req) -> None:  # type: ignore[no-untyped-def]
        services.assignment_volunteer(request=req, volunteer=bob, by=alice)
        assert sees_everywhere(bob.user, req) == (True, True, True)
        entries = AuditEntry.objects.filter(actor=bob.user, subject_type="care.beneficiary")
        assert sorted(e.detail["where"] for e in entries) == ["api", "map", "page"]
        assert all(PHONE not in str(e.detail) and ADDRESS not in str(e.detail) for e in entries)
        assert all(e.region_code == "75" for e in entries)

    def test_within_the_window_after_done_then_not(self, alice, bob, req, settings) -> None:  # type: ignore[no-untyped-def]
        settings.CARE_CONTACT_DAYS_AFTER_DONE = 7
        assignment = services.assignment_volunteer(request=req, volunteer=bob, by=alice)
        HelpRequest.objects.filter(pk=req.pk).update(due_from=timezone.now())
        services.assignment_done(assignment=assignment, hours=1, note="", by=bob.user)
        HelpRequest.objects.filter(pk=req.pk).update(done_at=timezone.now() - datetime.timedelta(days=6))
        page, api, _exact = sees_everywhere(bob.user, req)
        assert (page, api) == (True, True)  # a done request is off the map (open ones only)
        HelpRequest.objects.filter(pk=req.pk).update(done_at=timezone.now() - datetime.timedelta(days=8))
        before = views(bob.user, req)
        assert sees_everywhere(bob.user, req) == (False, False, False)
        assert views(bob.user, req) == before

    def test_withdrawn_or_cancelled_shows_nothing(self, alice, bob, req) -> None:  # type: ignore[no-untyped-def]
        assignment = services.assignment_volunteer(request=req, volunteer=bob, by=alice)
        services.assignment_withdraw(assignment=assignment, by=bob.user)
        page, api, exact = sees_everywhere(bob.user, req)
        assert (page, api, exact) == (False, False, False)

    def test_a_request_nobody_closed_stops_showing_a_week_after_its_window(self, alice, bob, req) -> None:  # type: ignore[no-untyped-def]
        """Bob was sent, never went, and nobody closed the request: the address stays his for the
        days after the help the person was promised, counted from the window's end, not for good."""
        services.assignment_volunteer(request=req, volunteer=bob, by=alice)
        ended = timezone.now() - datetime.timedelta(days=6)
        HelpRequest.objects.filter(pk=req.pk).update(
            due_from=ended - datetime.timedelta(hours=2), due_until=ended
        )
        assert sees_everywhere(bob.user, req) == (True, True, True)
        ended = timezone.now() - datetime.timedelta(days=8)
        HelpRequest.objects.filter(pk=req.pk).update(
            due_from=ended - datetime.timedelta(hours=2), due_until=ended
        )
        before = views(bob.user, req)
        assert sees_everywhere(bob.user, req) == (False, False, False)
        assert views(bob.user, req) == before
        # The coordinator still has it, to call the person and decide what to do.
        assert sees_everywhere(alice, req)[:2] == (True, True)

    def test_the_setting_moves_the_window(self, alice, bob, req, settings) -> None:  # type: ignore[no-untyped-def]
        assignment = services.assignment_volunteer(request=req, volunteer=bob, by=alice)
        HelpRequest.objects.filter(pk=req.pk).update(due_from=timezone.now())
        services.assignment_done(assignment=assignment, hours=1, note="", by=bob.user)
        HelpRequest.objects.filter(pk=req.pk).update(done_at=timezone.now() - datetime.timedelta(days=3))
        settings.CARE_CONTACT_DAYS_AFTER_DONE = 2
        assert sees_everywhere(bob.user, req)[:2] == (False, False)


class TestStaff:
    def test_coordinator_sees_the_contact_but_a_blurred_map_point(self, alice, req) -> None:  # type: ignore[no-untyped-def]
        page, api, exact = sees_everywhere(alice, req)
        assert (page, api, exact) == (True, True, False)
        assert views(alice, req) == 2

    def test_front_office_staff_of_the_region_see_it(self, clerk, req) -> None:  # type: ignore[no-untyped-def]
        assert sees_everywhere(clerk, req)[:2] == (True, True)

    def test_other_region_gets_404_and_an_empty_map(self, charlie, astana_volunteer, req) -> None:  # type: ignore[no-untyped-def]
        client = client_for(charlie)
        assert client.get(f"/care/requests/{req.pk}/").status_code == 404
        assert client.get(f"/api/care/requests/{req.pk}/").status_code == 404
        assert client.get("/api/care/requests/map/").json()["features"] == []
        assert views(charlie, req) == 0

    def test_erased_beneficiary_shows_nothing_to_anyone(self, alice, bob, req) -> None:  # type: ignore[no-untyped-def]
        services.assignment_volunteer(request=req, volunteer=bob, by=alice)
        services.beneficiary_erase(beneficiary=req.beneficiary, by=alice)
        assert sees_everywhere(alice, req)[:2] == (False, False)
        assert client_for(bob.user).get(f"/care/requests/{req.pk}/").status_code in (200, 404)
        assert sees_everywhere(bob.user, req) == (False, False, False)


class TestMapReads:
    """The map shows an address only on the viewer's own assignments: no other is read."""

    @staticmethod
    def _map(user, **params) -> tuple[dict, list[str]]:  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as captured:
            geo = client_for(user).get("/api/care/requests/map/", params).json()
        return geo, [
            q["sql"] for q in captured.captured_queries if '"care_beneficiary"."address"' in q["sql"]
        ]

    def test_the_address_is_read_only_where_the_map_shows_it(self, alice, bob, req) -> None:  # type: ignore[no-untyped-def]
        other = HelpRequestFactory(beneficiary=BeneficiaryFactory(address="Сейфуллин 500, пәтер 3"))
        for params in ({}, {"bbox": "76.5,43.0,77.2,43.5"}):
            geo, reading = self._map(alice, **params)
            assert {f["properties"]["id"] for f in geo["features"]} == {req.pk, other.pk}
            assert reading == [], params
        services.assignment_volunteer(request=req, volunteer=bob, by=alice)
        for params in ({}, {"bbox": "76.5,43.0,77.2,43.5"}):
            geo, reading = self._map(bob.user, **params)
            by_id = {f["properties"]["id"]: f["properties"] for f in geo["features"]}
            assert by_id[req.pk]["address"] == ADDRESS
            assert "address" not in by_id[other.pk]
            # One query reads an address, and only for the assigned request's beneficiary.
            assert len(reading) == 1 and "CASE WHEN" in reading[0]


class TestMapBoxes:
    def test_moving_a_box_edge_tells_nothing_finer_than_the_cell(self, bob, req) -> None:  # type: ignore[no-untyped-def]
        """Whether a request is in a box depends on the cell's centre it is shown at, so that no
        edge moved across the cell, ten or thirty times over, finds where the person lives."""
        client = client_for(bob.user)
        lon = float(req.beneficiary.longitude)
        step = settings.CARE_MAP_SNAP_DEGREES
        shown = selectors.snap(lon, step)

        def inside(west: float) -> bool:
            geo = client.get("/api/care/requests/map/", {"bbox": f"{west:.5f},40,79.9,50"}).json()
            return req.pk in {f["properties"]["id"] for f in geo["features"]}

        # The old answer flipped at the exact longitude plus the SQL's margin of one cell.
        assert inside(lon + step - 0.001) == inside(lon + step + 0.001)
        cell_west = shown - step / 2
        edges = [cell_west + step * i / 10 for i in range(1, 10)]
        assert [inside(edge) for edge in edges] == [edge <= shown for edge in edges]


class TestApi:
    def test_volunteer_list_has_no_contact_and_offers_with_201_then_400(self, bob, req) -> None:  # type: ignore[no-untyped-def]
        client = client_for(bob.user)
        listed = client.get("/api/care/requests/").json()
        assert [r["id"] for r in listed["results"]] == [req.pk]
        assert PHONE not in str(listed) and ADDRESS not in str(listed)
        response = client.post(f"/api/care/requests/{req.pk}/offer/")
        assert response.status_code == 201 and response.json()["status"] == "offered"
        again = client.post(f"/api/care/requests/{req.pk}/offer/")
        assert again.status_code == 400 and again.json()["code"] == "already"

    def test_full_request_answers_409(self, alice, bob, dana, almaty) -> None:  # type: ignore[no-untyped-def]
        full = HelpRequestFactory(needed_hands=1)
        services.assignment_volunteer(request=full, volunteer=dana, by=alice)
        # Full requests leave the volunteer's list, yet an offer by id is refused, not a 500.
        response = client_for(bob.user).post(f"/api/care/requests/{full.pk}/offer/")
        assert response.status_code in (404, 409)

    def test_bad_filters_are_400(self, alice) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        assert client.get("/api/care/requests/?region=99").status_code == 400
        assert client.get("/api/care/requests/?kind=nope").status_code == 400
        assert client.get("/api/care/requests/map/?bbox=1,2,3").status_code == 400
        assert client.get("/api/care/requests/map/?bbox=a,b,c,d%00").status_code == 400

    def test_anonymous_is_401(self, client, req) -> None:  # type: ignore[no-untyped-def]
        assert client.get("/api/care/requests/").status_code in (401, 403)
        assert client.get("/api/care/requests/map/").status_code in (401, 403)

    def test_schema_documents_the_endpoints(self, alice) -> None:  # type: ignore[no-untyped-def]
        schema = client_for(alice).get("/api/schema/?format=json").json()
        for path in (
            "/api/care/requests/",
            "/api/care/requests/{id}/",
            "/api/care/requests/{id}/offer/",
            "/api/care/requests/map/",
        ):
            assert path in schema["paths"], path


class TestStaffGoingElsewhere:
    def test_staff_of_another_region_see_the_contact_only_once_assigned_there(  # type: ignore[no-untyped-def]
        self, alice, charlie, almaty, req
    ) -> None:
        """Astana's coordinator, a volunteer of Almaty too: for an Almaty request they are not
        staff, so what decides is whether they go (asked apart from reading the request)."""
        from tests.factories import VolunteerFactory

        volunteer = VolunteerFactory(region=almaty, user=charlie)
        assert sees_everywhere(charlie, req) == (False, False, False)
        assert views(charlie, req) == 0
        services.assignment_volunteer(request=req, volunteer=volunteer, by=alice)
        assert sees_everywhere(charlie, req) == (True, True, True)
        assert views(charlie, req) == 3
