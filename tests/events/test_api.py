"""The campaigns, shifts and sign-ups API: the contract of API.md, through the same services."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from events import services
from events.models import Campaign, Signup
from tests.conftest import api_for
from tests.factories import MinorFactory, SkillFactory, UserFactory, VolunteerFactory, years_ago
from volunteers.models import Volunteer

from .factories import CampaignFactory, ShiftFactory, local


@pytest.mark.django_db
class TestCampaignsAndShifts:
    def test_campaigns_are_public_and_paginated(self, almaty, astana) -> None:  # type: ignore[no-untyped-def]
        here = CampaignFactory(region=almaty, kind="ecology")
        national = CampaignFactory(region=None, kind="health")
        CampaignFactory(region=astana)
        CampaignFactory(region=almaty, status=Campaign.Status.DRAFT)
        data = APIClient().get("/api/campaigns/", {"region": "75"}).json()
        assert set(data) == {"count", "next", "previous", "results"}
        assert {c["id"] for c in data["results"]} == {here.pk, national.pk}
        by_id = {c["id"]: c for c in data["results"]}
        assert by_id[national.pk]["region"] is None and by_id[here.pk]["region"] == "75"
        assert by_id[here.pk]["url"].endswith(f"/campaigns/{here.pk}/")
        only_eco = APIClient().get("/api/campaigns/", {"region": "75", "kind": "ecology"}).json()
        assert [c["id"] for c in only_eco["results"]] == [here.pk]

    def test_active_filter(self) -> None:
        active = CampaignFactory()
        ended = CampaignFactory(
            starts_on=timezone.localdate() - datetime.timedelta(days=10),
            ends_on=timezone.localdate() - datetime.timedelta(days=1),
        )
        closed = CampaignFactory(status=Campaign.Status.CLOSED)
        client = APIClient()
        assert [c["id"] for c in client.get("/api/campaigns/", {"active": "true"}).json()["results"]] == [
            active.pk
        ]
        assert {c["id"] for c in client.get("/api/campaigns/", {"active": "false"}).json()["results"]} == {
            ended.pk,
            closed.pk,
        }

    def test_campaign_detail_hides_drafts(self, alice) -> None:  # type: ignore[no-untyped-def]
        draft = CampaignFactory(status=Campaign.Status.DRAFT)
        assert APIClient().get(f"/api/campaigns/{draft.pk}/").status_code == 404
        assert api_for(alice).get(f"/api/campaigns/{draft.pk}/").status_code == 200

    def test_shifts_with_capacity_free_places_and_almaty_offset(self, almaty) -> None:  # type: ignore[no-untyped-def]
        day = timezone.localdate() + datetime.timedelta(days=3)
        shift = ShiftFactory(starts_at=local(day, 10), ends_at=local(day, 13), capacity=3, min_age=16)
        shift.required_skills.add(SkillFactory(code="first-aid"))
        services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        ShiftFactory(campaign=CampaignFactory(status=Campaign.Status.DRAFT))
        results = APIClient().get("/api/shifts/", {"region": "75"}).json()["results"]
        assert len(results) == 1
        row = results[0]
        assert (row["id"], row["capacity"], row["free_places"], row["min_age"]) == (shift.pk, 3, 2, 16)
        assert row["starts_at"] == f"{day.isoformat()}T10:00:00+05:00"
        assert row["required_skills"] == ["first-aid"] and row["region"] == "75"

    def test_shift_filters_campaign_from_to(self) -> None:
        today = timezone.localdate()
        first = ShiftFactory(starts_at=local(today + datetime.timedelta(days=2), 10))
        second = ShiftFactory(
            campaign=first.campaign, starts_at=local(today + datetime.timedelta(days=5), 10)
        )
        ShiftFactory(starts_at=local(today + datetime.timedelta(days=5), 12))

        def ids(**params: str) -> list[int]:
            return [s["id"] for s in APIClient().get("/api/shifts/", params).json()["results"]]

        assert ids(campaign=str(first.campaign_id)) == [first.pk, second.pk]
        day5 = (today + datetime.timedelta(days=5)).isoformat()
        assert ids(campaign=str(first.campaign_id), **{"from": day5, "to": day5}) == [second.pk]

    @pytest.mark.parametrize(
        "params",
        [
            {"region": "99"},
            {"region": "7\x00"},
            {"campaign": "abc"},
            {"campaign": "\x00"},
            {"from": "2026-02-30"},
            {"to": "\x00"},
            {"from": "2026-05-02", "to": "2026-05-01"},
            {"kind": "party"},
        ],
    )
    def test_garbage_filters_are_400_with_field_errors(self, params) -> None:  # type: ignore[no-untyped-def]
        response = APIClient().get("/api/shifts/", params)
        assert response.status_code == 400
        assert set(response.json()) <= {"region", "campaign", "from", "to", "kind"}

    def test_garbage_campaign_filters_are_400(self) -> None:
        assert APIClient().get("/api/campaigns/", {"region": "\x00"}).status_code == 400
        assert APIClient().get("/api/campaigns/", {"active": "maybe"}).status_code == 400


@pytest.mark.django_db
class TestSignupApi:
    def test_sign_up_confirmed_then_waitlisted(self, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        shift = ShiftFactory(capacity=1)
        response = api_for(bob.user).post(f"/api/shifts/{shift.pk}/signup/", format="json")
        assert response.status_code == 201
        signup = Signup.objects.get(volunteer=bob)
        assert response.json() == {"id": signup.pk, "status": "confirmed"}
        other = VolunteerFactory(region=almaty, with_account=True)
        response = api_for(other.user).post(f"/api/shifts/{shift.pk}/signup/", {}, format="json")
        assert response.status_code == 201 and response.json()["status"] == "waitlisted"

    def test_sign_up_takes_a_fixed_handful_of_queries(self, bob, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
        """The busiest write over HTTP: every round trip is waited for (bench/over_http.py)."""
        shift = ShiftFactory()
        client = api_for(bob.user)
        # The shift with its campaign (404 outside the scope); the shift locked, then the person locked and
        # found by the account in one query; the person's active sign-ups; the insert; the
        # places taken; the confirmation and reminders in one INSERT that skips a due slot
        # already there (no savepoint of its own); and the sign-up's own atomic block, a
        # savepoint inside the test's transaction (SAVEPOINT and RELEASE).
        with django_assert_num_queries(9):
            response = client.post(f"/api/shifts/{shift.pk}/signup/", format="json")
        assert response.status_code == 201 and response.json()["status"] == "confirmed"

    def test_full_without_waitlist_is_409(self, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        shift = ShiftFactory(capacity=1)
        services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        response = api_for(bob.user).post(
            f"/api/shifts/{shift.pk}/signup/", {"waitlist": False}, format="json"
        )
        assert response.status_code == 409
        assert response.json()["code"] == "full"
        assert not Signup.objects.filter(volunteer=bob).exists()

    def test_full_is_refused_from_the_shift_as_read_without_a_lock(self, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        """In a rush for the last places most requests find none: they are answered from the rows
        as read, without a transaction, so none waits in line for the shift's row lock."""
        bob.refresh_from_db()
        shift = ShiftFactory(capacity=1, waitlist_enabled=False)
        services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        client = api_for(bob.user)
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(f"/api/shifts/{shift.pk}/signup/?lang=en", format="json")
        assert response.status_code == 409 and response.json()["code"] == "full"
        assert "keeps no waitlist" in response.json()["detail"]
        sql = " ".join(q["sql"] for q in ctx.captured_queries).upper()
        assert "FOR NO KEY UPDATE" not in sql and "FOR UPDATE" not in sql and "SAVEPOINT" not in sql
        # The shift with its campaign, the person (not their IIN), their active sign-ups.
        assert len(ctx.captured_queries) == 3
        assert '"volunteers_volunteer"."iin"' not in sql.replace("IIN_HASH", "")
        # A place freed by a cancellation is taken by the next request, through the lock.
        services.signup_cancel(signup=Signup.objects.get(shift=shift), by=None)
        response = client.post(f"/api/shifts/{shift.pk}/signup/", format="json")
        assert response.status_code == 201 and response.json()["status"] == "confirmed"

    def test_a_full_shift_gives_the_persons_own_reason_first(self, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        """As under the lock: who may not take part at all hears why, not that it is full."""
        bob.refresh_from_db()
        shift = ShiftFactory(capacity=1, waitlist_enabled=False)
        services.signup_create(shift=shift, volunteer=bob, by=None)
        response = api_for(bob.user).post(f"/api/shifts/{shift.pk}/signup/", format="json")
        assert response.status_code == 400 and response.json()["code"] == "already"
        teen = MinorFactory(region=almaty, with_account=True, birth_date=years_ago(16))
        flood = ShiftFactory(campaign=CampaignFactory(kind="emergency"), capacity=1, waitlist_enabled=False)
        services.signup_create(shift=flood, volunteer=VolunteerFactory(region=almaty), by=None)
        response = api_for(teen.user).post(f"/api/shifts/{flood.pk}/signup/", format="json")
        assert response.status_code == 400 and response.json()["code"] == "adults_only"
        # An account without a profile, on a full shift.
        response = api_for(UserFactory()).post(f"/api/shifts/{shift.pk}/signup/", format="json")
        assert response.status_code == 400 and response.json()["code"] == "no_profile"

    def test_refusal_is_400_with_reason_in_the_request_language(self, almaty) -> None:  # type: ignore[no-untyped-def]
        teen = MinorFactory(region=almaty, with_account=True, birth_date=years_ago(16))
        shift = ShiftFactory(campaign=CampaignFactory(kind="emergency"))
        response = api_for(teen.user).post(f"/api/shifts/{shift.pk}/signup/?lang=ru", format="json")
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "adults_only" and "младше 18" in body["detail"]
        assert not Signup.objects.exists()

    def test_minor_awaiting_guardian_gets_a_code_of_its_own(self, almaty) -> None:  # type: ignore[no-untyped-def]
        minor = MinorFactory(region=almaty, with_account=True, status=Volunteer.Status.AWAITING_GUARDIAN)
        shift = ShiftFactory()
        response = api_for(minor.user).post(f"/api/shifts/{shift.pk}/signup/?lang=en", format="json")
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "awaiting_guardian" and "guardian's consent" in body["detail"]
        # On a full shift too: the person's own reason comes before "full".
        full = ShiftFactory(capacity=1, waitlist_enabled=False)
        services.signup_create(shift=full, volunteer=VolunteerFactory(region=almaty), by=None)
        response = api_for(minor.user).post(f"/api/shifts/{full.pk}/signup/", format="json")
        assert response.status_code == 400 and response.json()["code"] == "awaiting_guardian"
        assert not Signup.objects.filter(volunteer=minor).exists()
        schema = APIClient().get("/api/schema/").content.decode()
        assert "awaiting_guardian" in schema

    def test_bad_body_and_unknown_shift(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        client = api_for(bob.user)
        shift = ShiftFactory()
        assert (
            client.post(f"/api/shifts/{shift.pk}/signup/", {"waitlist": "\x00"}, format="json").status_code
            == 400
        )
        assert client.post("/api/shifts/999999/signup/", format="json").status_code == 404
        draft = ShiftFactory(campaign=CampaignFactory(status=Campaign.Status.DRAFT))
        assert client.post(f"/api/shifts/{draft.pk}/signup/", format="json").status_code == 404

    def test_account_without_profile(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        response = api_for(alice).post(f"/api/shifts/{shift.pk}/signup/", format="json")
        assert response.status_code == 400 and response.json()["code"] == "no_profile"
        # An erased profile is no profile either.
        erased = VolunteerFactory(region=almaty, with_account=True)
        Volunteer.objects.filter(pk=erased.pk).update(anonymized_at=timezone.now())
        response = api_for(erased.user).post(f"/api/shifts/{shift.pk}/signup/", format="json")
        assert response.status_code == 400 and response.json()["code"] == "no_profile"
        assert not Signup.objects.filter(shift=shift).exists()

    def test_anonymous_is_401(self) -> None:
        shift = ShiftFactory()
        assert APIClient().post(f"/api/shifts/{shift.pk}/signup/").status_code == 401
        assert APIClient().get("/api/signups/").status_code == 401

    def test_signups_own_or_regions(self, alice, charlie, bob, astana_volunteer) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        mine = services.signup_create(shift=ShiftFactory(), volunteer=bob, by=None)
        theirs = services.signup_create(
            shift=ShiftFactory(campaign=CampaignFactory(region=astana_volunteer.region)),
            volunteer=astana_volunteer,
            by=None,
        )
        assert [s["id"] for s in api_for(bob.user).get("/api/signups/").json()["results"]] == [mine.pk]
        assert [s["id"] for s in api_for(alice).get("/api/signups/").json()["results"]] == [mine.pk]
        assert [s["id"] for s in api_for(charlie).get("/api/signups/").json()["results"]] == [theirs.pk]
        assert api_for(alice).get("/api/signups/", {"status": "nope"}).status_code == 400

    def test_cancel_promotes_and_others_get_404(self, bob, almaty, charlie) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        shift = ShiftFactory(capacity=1)
        mine = services.signup_create(shift=shift, volunteer=bob, by=None)
        waiting = services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        stranger = VolunteerFactory(region=almaty, with_account=True)
        assert api_for(stranger.user).post(f"/api/signups/{mine.pk}/cancel/").status_code == 404
        assert api_for(charlie).post(f"/api/signups/{mine.pk}/cancel/").status_code == 404
        response = api_for(bob.user).post(f"/api/signups/{mine.pk}/cancel/")
        assert response.status_code == 200 and response.json() == {"id": mine.pk, "status": "cancelled"}
        waiting.refresh_from_db()
        assert waiting.status == "confirmed"
        again = api_for(bob.user).post(f"/api/signups/{mine.pk}/cancel/")
        assert again.status_code == 400 and again.json()["code"] == "not_active"

    def test_schema_documents_the_endpoints(self) -> None:
        schema = APIClient().get("/api/schema/").content.decode()
        for path in [
            "/api/campaigns/",
            "/api/shifts/",
            "/api/shifts/{id}/signup/",
            "/api/signups/{id}/cancel/",
        ]:
            assert path in schema
