"""Campaign pages: what a volunteer, a coordinator and a curator do, checked in the response and
in the database."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from events import services
from events.models import Campaign, Shift, Signup
from tests.conftest import client_for
from tests.factories import (
    DetachmentFactory,
    MinorFactory,
    SkillFactory,
    UserFactory,
    VolunteerFactory,
    years_ago,
)
from volunteers.models import Volunteer

from .factories import CampaignFactory, ShiftFactory, in_days, local


def start_now(shift: Shift, minutes_ago: int = 10) -> None:
    """Move a shift's start into the past (after sign-ups, which refuse started shifts)."""
    Shift.objects.filter(pk=shift.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        ends_at=timezone.now() + datetime.timedelta(hours=3),
    )


@pytest.mark.django_db
class TestCampaignList:
    def test_anyone_sees_published_campaigns_not_drafts(self, client) -> None:  # type: ignore[no-untyped-def]
        published = CampaignFactory(title="Көктемгі тазалық")
        CampaignFactory(title="Жоба акция", status=Campaign.Status.DRAFT)
        CampaignFactory(title="Өткен акция", ends_on=timezone.localdate() - datetime.timedelta(days=1))
        response = client.get("/campaigns/")
        assert response.status_code == 200
        assert [c.pk for c in response.context["page"].object_list] == [published.pk]
        assert "Жоба акция" not in response.content.decode()

    def test_filters_by_region_kind_and_free_places(self, client, almaty, astana) -> None:  # type: ignore[no-untyped-def]
        eco = CampaignFactory(region=almaty, kind="ecology")
        ShiftFactory(campaign=eco, capacity=5)
        full = CampaignFactory(region=almaty, kind="ecology")
        full_shift = ShiftFactory(campaign=full, capacity=1)
        services.signup_create(shift=full_shift, volunteer=VolunteerFactory(region=almaty), by=None)
        elderly = CampaignFactory(region=almaty, kind="elderly")
        ShiftFactory(campaign=elderly)
        national = CampaignFactory(region=None, kind="ecology")
        ShiftFactory(campaign=national)
        CampaignFactory(region=astana, kind="ecology")

        def found(**params: str) -> set[int]:
            return {c.pk for c in client.get("/campaigns/", params).context["page"].object_list}

        assert found(region=str(almaty.pk), kind="ecology") == {eco.pk, full.pk, national.pk}
        assert found(region=str(almaty.pk), kind="ecology", free="on") == {eco.pk, national.pk}

    def test_a_volunteer_starts_from_their_own_region_and_may_choose_all(self, bob, almaty, astana) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        assert bob.region_id == almaty.pk
        home = CampaignFactory(region=almaty, title="Алматы акциясы")
        national = CampaignFactory(region=None, title="Республикалық акция")
        elsewhere = CampaignFactory(region=astana, title="Астана акциясы")
        client = client_for(bob.user)

        def found(params: dict[str, str] | None = None) -> set[int]:
            return {c.pk for c in client.get("/campaigns/", params or {}).context["page"].object_list}

        # Their region and the national campaigns, with their region shown as chosen.
        assert found() == {home.pk, national.pk}
        html = client.get("/campaigns/").content.decode()
        assert f'<option value="{almaty.pk}" selected>' in html
        # A page link or a filter that names no region keeps it; "All regions" is the empty value.
        assert found({"page": "1"}) == {home.pk, national.pk}
        assert found({"region": ""}) == {home.pk, national.pk, elsewhere.pk}
        assert found({"region": str(astana.pk)}) == {national.pk, elsewhere.pk}
        # Anybody without a profile sees every region.
        assert {c.pk for c in Client().get("/campaigns/").context["page"].object_list} == {
            home.pk,
            national.pk,
            elsewhere.pk,
        }

    def test_evenings_weekends_and_dates_are_almaty_times(self, client) -> None:  # type: ignore[no-untyped-def]
        today = timezone.localdate()
        saturday = today + datetime.timedelta(days=(5 - today.weekday()) % 7 or 7)
        tuesday = saturday + datetime.timedelta(days=3)
        weekend = ShiftFactory(starts_at=local(saturday, 10), ends_at=local(saturday, 13)).campaign
        evening = ShiftFactory(starts_at=local(tuesday, 18, 30), ends_at=local(tuesday, 21)).campaign
        morning = ShiftFactory(starts_at=local(tuesday, 9), ends_at=local(tuesday, 12)).campaign

        def found(**params: str) -> set[int]:
            return {c.pk for c in client.get("/campaigns/", params).context["page"].object_list}

        assert found(weekends="on") == {weekend.pk}
        assert found(evenings="on") == {evening.pk}
        assert found(date_from=tuesday.isoformat(), date_to=tuesday.isoformat()) == {evening.pk, morning.pk}

    def test_dates_the_wrong_way_round_are_said_so_and_the_start_kept(self, client) -> None:  # type: ignore[no-untyped-def]
        later = ShiftFactory(starts_at=in_days(10), ends_at=in_days(10, 13)).campaign
        ShiftFactory(starts_at=in_days(2), ends_at=in_days(2, 13))
        params = {
            "date_from": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
            "date_to": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
        }
        response = client.get("/campaigns/", params, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert "The end date is before the start date." in response.content.decode()
        assert [c.pk for c in response.context["page"].object_list] == [later.pk]

    def test_a_card_found_by_its_evening_shift_shows_that_shift_as_its_next(self, client) -> None:  # type: ignore[no-untyped-def]
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        morning = ShiftFactory(starts_at=local(tomorrow, 9), ends_at=local(tomorrow, 12))
        campaign = morning.campaign
        later = tomorrow + datetime.timedelta(days=2)
        ShiftFactory(campaign=campaign, starts_at=local(later, 19), ends_at=local(later, 21))
        ShiftFactory(campaign=campaign, starts_at=local(later, 10), ends_at=local(later, 12))
        response = client.get("/campaigns/", {"evenings": "on"}, HTTP_ACCEPT_LANGUAGE="en")
        [card] = response.context["page"].object_list
        assert card.pk == campaign.pk
        assert card.next_shift_at == local(later, 19)
        assert card.upcoming_shifts == 1
        assert "19:00" in response.content.decode()
        assert "09:00" not in response.content.decode()
        # Without filters, the card reads as before: the campaign's next shift of all three.
        [card] = client.get("/campaigns/").context["page"].object_list
        assert (card.next_shift_at, card.upcoming_shifts) == (local(tomorrow, 9), 3)

    def test_has_free_places_leaves_out_shifts_whose_sign_up_has_closed(self, client) -> None:  # type: ignore[no-untyped-def]
        closed = ShiftFactory(
            starts_at=in_days(3), signup_deadline=timezone.now() - datetime.timedelta(hours=1)
        )
        still_open = ShiftFactory(starts_at=in_days(3), signup_deadline=in_days(2))
        no_deadline = ShiftFactory(starts_at=in_days(4))
        # The same campaign's other shift, still open, keeps it in the list as that shift's.
        ShiftFactory(campaign=closed.campaign, starts_at=in_days(6))
        closed_only = ShiftFactory(
            starts_at=in_days(3), signup_deadline=timezone.now() - datetime.timedelta(hours=1)
        )
        response = client.get("/campaigns/", {"free": "on"})
        cards = {c.pk: c for c in response.context["page"].object_list}
        assert set(cards) == {closed.campaign.pk, still_open.campaign.pk, no_deadline.campaign.pk}
        assert cards[closed.campaign.pk].next_shift_at == in_days(6)
        assert closed_only.campaign.pk not in cards
        # Someone signing up from the API's list of shifts with free places is not turned away either.
        found = {row["id"] for row in client.get("/api/shifts/", {"free": "true"}).json()["results"]}
        assert closed.pk not in found and closed_only.pk not in found
        assert {still_open.pk, no_deadline.pk} <= found

    def test_filters_by_national_direction(self, client) -> None:  # type: ignore[no-untyped-def]
        direction, other = Campaign.Direction.values[:2]
        chosen = CampaignFactory(direction=direction)
        CampaignFactory(direction=other)
        CampaignFactory(direction="")
        response = client.get("/campaigns/", {"direction": direction})
        assert [c.pk for c in response.context["page"].object_list] == [chosen.pk]
        assert response.context["form"].errors == {}

    def test_suits_my_skills_keeps_campaigns_with_a_shift_whose_skills_are_all_mine(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        first_aid, driving = SkillFactory(code="first-aid"), SkillFactory(code="driving")
        bob.skills.add(first_aid)
        mine = ShiftFactory()
        mine.required_skills.add(first_aid)
        none_required = ShiftFactory()
        partly = ShiftFactory()
        partly.required_skills.add(first_aid, driving)
        other = ShiftFactory()
        other.required_skills.add(driving)
        past = ShiftFactory(starts_at=in_days(-3), ends_at=in_days(-3, 13))
        past.required_skills.add(first_aid)
        # A campaign counts when one of its upcoming shifts suits, even if another does not.
        mixed = ShiftFactory()
        mixed.required_skills.add(driving)
        ShiftFactory(campaign=mixed.campaign)
        client = client_for(bob.user)

        def found(**params: str) -> set[int]:
            return {c.pk for c in client.get("/campaigns/", params).context["page"].object_list}

        assert found(suits_me="on") == {mine.campaign.pk, none_required.campaign.pk, mixed.campaign.pk}
        assert partly.campaign.pk in found() and other.campaign.pk in found()
        page = client.get("/campaigns/").content.decode()
        assert 'name="suits_me"' in page

    def test_suits_my_skills_is_hidden_and_ignored_for_anonymous_visitors(self, client) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        shift.required_skills.add(SkillFactory(code="driving"))
        response = client.get("/campaigns/", {"suits_me": "on"})
        assert response.status_code == 200
        assert 'name="suits_me"' not in response.content.decode()
        assert [c.pk for c in response.context["page"].object_list] == [shift.campaign.pk]

    def test_nearest_to_me_orders_by_the_closest_upcoming_shift(self, client, almaty) -> None:  # type: ignore[no-untyped-def]
        """On a phone in Almaty's centre, "Nearest to me" puts first the campaign whose next shift
        is closest (not the one starting first), says how far, and keeps the campaigns with no
        point on the map, after the others."""
        far = CampaignFactory(
            region=almaty, title="Қапшағай", starts_on=timezone.localdate() - datetime.timedelta(days=60)
        )
        ShiftFactory(campaign=far, latitude=Decimal("43.88"), longitude=Decimal("77.07"))
        near = CampaignFactory(region=almaty, title="Медеу")
        ShiftFactory(campaign=near, latitude=Decimal("43.16"), longitude=Decimal("77.06"))
        # Its past shift is next door, but only an upcoming one counts.
        ShiftFactory(
            campaign=near,
            latitude=Decimal("43.2381"),
            longitude=Decimal("76.9451"),
            starts_at=in_days(-3),
            ends_at=in_days(-3, 13),
        )
        # Taldykorgan, some 230 km away: past "near", with the campaigns that have no point.
        beyond = CampaignFactory(
            region=almaty, title="Талдықорған", starts_on=timezone.localdate() - datetime.timedelta(days=80)
        )
        ShiftFactory(campaign=beyond, latitude=Decimal("45.02"), longitude=Decimal("78.37"))
        nowhere = CampaignFactory(
            region=almaty, title="Онлайн", starts_on=timezone.localdate() - datetime.timedelta(days=90)
        )
        ShiftFactory(campaign=nowhere)
        client.cookies["django_language"] = "en"
        centre = {"lat": "43.23800", "lon": "76.94500"}
        usual = [c.pk for c in client.get("/campaigns/").context["page"].object_list]
        assert usual.index(far.pk) < usual.index(near.pk)
        response = client.get("/campaigns/", centre)
        found = list(response.context["page"].object_list)
        assert [c.pk for c in found] == [near.pk, far.pk, nowhere.pk, beyond.pk]
        assert found[2].distance_km is None and found[3].distance_km is None
        html = response.content.decode()
        assert round(found[0].distance_km) == 13 and round(found[1].distance_km) == 72
        assert (
            '<span class="distance">13 km</span>' in html
            and "Nearest to you first: those with an upcoming shift within 150 km" in html
        )
        # Other filters keep the order: the point goes along with them.
        assert 'name="lat" value="43.23800"' in html
        same_kind = client.get("/campaigns/", {**centre, "kind": near.kind}).context["page"].object_list
        assert same_kind[0].pk == near.pk

    @pytest.mark.parametrize(
        ("params", "said"),
        [
            ({"lat": "48.85660", "lon": "2.35220"}, "Your location is outside Kazakhstan"),
            ({"lat": "43.2", "lon": ""}, "Your location is outside Kazakhstan"),
            ({"lat": "abc", "lon": "76.9"}, "Your location could not be read"),
            ({"lat": "1e999999", "lon": "76.9"}, "Your location could not be read"),
        ],
    )
    def test_a_location_that_cannot_be_used_is_said_and_ignored(self, client, params, said) -> None:  # type: ignore[no-untyped-def]
        campaign = CampaignFactory()
        ShiftFactory(campaign=campaign, latitude=Decimal("43.16"), longitude=Decimal("77.06"))
        client.cookies["django_language"] = "en"
        response = client.get("/campaigns/", params)
        assert response.status_code == 200
        assert said in response.content.decode()
        assert [c.pk for c in response.context["page"].object_list] == [campaign.pk]
        assert response.context["near"] is None

    @pytest.mark.parametrize(
        "params",
        [
            {"date_from": "2026-13-45"},
            {"page": "zz"},
            {"region": "99999"},
            {"direction": "no-such-direction"},
            {"suits_me": "maybe"},
        ],
    )
    def test_bad_filter_values_are_form_errors_not_500(self, client, params) -> None:  # type: ignore[no-untyped-def]
        CampaignFactory()
        response = client.get("/campaigns/", params)
        assert response.status_code == 200
        if "direction" in params:
            assert "direction" in response.context["form"].errors

    @pytest.mark.parametrize("params", [{"region": "x\x00"}, {"kind": "\x00"}])
    def test_nul_bytes_are_refused_before_the_view(self, client, params) -> None:  # type: ignore[no-untyped-def]
        assert client.get("/campaigns/", params).status_code == 400


@pytest.mark.django_db
class TestCampaignPage:
    def test_shows_upcoming_shifts_with_free_places(self, client, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(capacity=3, place_name="Медеу")
        services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        ShiftFactory(campaign=shift.campaign, starts_at=in_days(-3), ends_at=in_days(-3, 13))
        response = client.get(f"/campaigns/{shift.campaign.pk}/")
        assert response.status_code == 200
        shifts = list(response.context["page"].object_list)
        assert [s.pk for s in shifts] == [shift.pk] and shifts[0].free_places == 2
        assert "Медеу" in response.content.decode()

    def test_cards_offer_sign_up_only_where_it_can_be_taken(self, client, almaty) -> None:  # type: ignore[no-untyped-def]
        campaign = CampaignFactory()
        open_shift = ShiftFactory(campaign=campaign, starts_at=in_days(2))
        under_way = ShiftFactory(campaign=campaign, starts_at=in_days(2))
        start_now(under_way)
        late = ShiftFactory(
            campaign=campaign,
            starts_at=in_days(3),
            signup_deadline=timezone.now() - datetime.timedelta(hours=1),
        )
        full = ShiftFactory(campaign=campaign, starts_at=in_days(4), capacity=1, waitlist_enabled=False)
        queue = ShiftFactory(campaign=campaign, starts_at=in_days(5), capacity=1)
        for shift in (full, queue):
            services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)

        def card(shift: Shift, page: str) -> str:
            return page.split(f'id="shift-{shift.pk}"', 1)[1].split("</li>", 1)[0]

        page = client.get(f"/campaigns/{campaign.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert f"/shifts/{open_shift.pk}/signup/" in card(open_shift, page)
        assert f"/shifts/{under_way.pk}/signup/" not in card(under_way, page)
        assert "This shift has already started." in card(under_way, page)
        assert f"/shifts/{late.pk}/signup/" not in card(late, page)
        assert "Sign-up for this shift closed at" in card(late, page)
        assert f"/shifts/{full.pk}/signup/" not in card(full, page)
        assert "Join the waitlist" in card(queue, page) and f"/shifts/{queue.pk}/signup/" in card(queue, page)
        # A closed campaign's page says sign-ups are closed; no card says otherwise.
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CLOSED)
        page = client.get(f"/campaigns/{campaign.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "/signup/" not in page

    def test_draft_is_404_for_volunteers_and_open_to_its_coordinator(
        self, client, alice, bob, charlie
    ) -> None:  # type: ignore[no-untyped-def]
        draft = CampaignFactory(status=Campaign.Status.DRAFT)
        bob.refresh_from_db()
        assert client.get(f"/campaigns/{draft.pk}/").status_code == 404
        assert client_for(bob.user).get(f"/campaigns/{draft.pk}/").status_code == 404
        assert client_for(charlie).get(f"/campaigns/{draft.pk}/").status_code == 404
        assert client_for(alice).get(f"/campaigns/{draft.pk}/").status_code == 200

    def test_curator_is_offered_to_sign_up_the_detachment_on_each_shift(self, almaty, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        curator = UserFactory(email="teacher@example.kz")
        DetachmentFactory(region=almaty, curator=curator)
        campaign = CampaignFactory()
        upcoming = [ShiftFactory(campaign=campaign, starts_at=in_days(2 + i)) for i in range(2)]
        cancelled = ShiftFactory(campaign=campaign, starts_at=in_days(5), cancelled_at=timezone.now())
        page = client_for(curator).get(f"/campaigns/{campaign.pk}/").content.decode()
        for shift in upcoming:
            assert f'href="/shifts/{shift.pk}/detachment/"' in page
        # As on the shift's own page: not for a cancelled shift, and for curators only.
        assert f"/shifts/{cancelled.pk}/detachment/" not in page
        for client in (client_for(bob.user), Client()):
            assert "/detachment/" not in client.get(f"/campaigns/{campaign.pk}/").content.decode()

    def test_curator_is_not_offered_a_shift_nobody_can_sign_up_for(self, almaty) -> None:  # type: ignore[no-untyped-def]
        curator = UserFactory(email="teacher@example.kz")
        DetachmentFactory(region=almaty, curator=curator)
        under_way = ShiftFactory(starts_at=in_days(2))
        start_now(under_way)
        closed = ShiftFactory(campaign=CampaignFactory(status=Campaign.Status.CLOSED))
        client = client_for(curator)
        for shift in (under_way, closed):
            for url in (f"/shifts/{shift.pk}/", f"/campaigns/{shift.campaign_id}/"):
                assert "/detachment/" not in client.get(url).content.decode(), url
        open_shift = ShiftFactory()
        assert (
            f"/shifts/{open_shift.pk}/detachment/" in client.get(f"/shifts/{open_shift.pk}/").content.decode()
        )

    def test_curator_links_add_no_query_per_shift(self, almaty) -> None:  # type: ignore[no-untyped-def]
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        curator = UserFactory(email="teacher@example.kz")
        DetachmentFactory(region=almaty, curator=curator)
        campaign = CampaignFactory()
        client = client_for(curator)

        def count(shifts: int) -> int:
            for day in range(campaign.shifts.count(), shifts):
                ShiftFactory(campaign=campaign, starts_at=in_days(2 + day))
            with CaptureQueriesContext(connection) as ctx:
                page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
            assert page.count("/detachment/") == shifts
            return len(ctx.captured_queries)

        assert count(2) == count(12)


@pytest.mark.django_db
class TestSignUpAndCancel:
    def test_sign_up_needs_a_confirmation_then_shows_in_my_shifts(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        shift = ShiftFactory(capacity=2)
        client = client_for(bob.user)
        confirm = client.get(f"/shifts/{shift.pk}/signup/")
        assert confirm.status_code == 200 and "signup-form" in confirm.content.decode()
        assert not Signup.objects.exists()

        response = client.post(f"/shifts/{shift.pk}/signup/")
        assert response.status_code == 302 and response["Location"] == "/my-shifts/"
        signup = Signup.objects.get()
        assert (signup.volunteer, signup.status, signup.signed_up_by) == (bob, "confirmed", bob.user)
        mine = client.get("/my-shifts/")
        assert [s.pk for s in mine.context["upcoming"]] == [signup.pk]

    def test_a_visitor_is_asked_to_log_in_only_where_sign_up_is_open(self) -> None:
        visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
        open_shift = ShiftFactory()
        assert "Log in to sign up" in visitor.get(f"/shifts/{open_shift.pk}/").content.decode()
        cancelled = ShiftFactory(cancelled_at=timezone.now())
        closed = ShiftFactory(campaign=CampaignFactory(status=Campaign.Status.CLOSED))
        late = ShiftFactory(signup_deadline=timezone.now() - datetime.timedelta(hours=1))
        for shift, reason in [
            (cancelled, "This shift has been cancelled."),
            (closed, "This campaign is not open for sign-ups."),
            (late, "Sign-up for this shift closed at"),
        ]:
            page = visitor.get(f"/shifts/{shift.pk}/").content.decode()
            assert "Log in to sign up" not in page, reason
            assert reason in page

    def test_refusal_is_shown_and_nothing_saved(self, almaty) -> None:  # type: ignore[no-untyped-def]
        teen = MinorFactory(region=almaty, with_account=True, birth_date=years_ago(16))
        shift = ShiftFactory(adults_only=True)
        client = client_for(teen.user)
        page = client.get(f"/shifts/{shift.pk}/signup/")
        assert page.status_code == 200 and 'id="refusal"' in page.content.decode()
        response = client.post(f"/shifts/{shift.pk}/signup/", follow=True)
        assert "18" in "".join(str(m) for m in response.context["messages"])
        assert not Signup.objects.exists()

    def test_full_shift_offers_the_waitlist(self, almaty, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        shift = ShiftFactory(capacity=1)
        services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        client_for(bob.user).post(f"/shifts/{shift.pk}/signup/")
        assert Signup.objects.get(volunteer=bob).status == "waitlisted"
        mine = client_for(bob.user).get("/my-shifts/")
        assert mine.context["upcoming"][0].waitlist_ahead == 0

    def test_cancel_with_confirmation_promotes_the_waitlist(self, almaty, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        shift = ShiftFactory(capacity=1)
        mine = services.signup_create(shift=shift, volunteer=bob, by=bob.user)
        waiting = services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        client = client_for(bob.user)
        assert client.get(f"/my-shifts/{mine.pk}/cancel/").status_code == 200
        mine.refresh_from_db()
        assert mine.status == "confirmed"
        response = client.post(f"/my-shifts/{mine.pk}/cancel/")
        assert response.status_code == 302
        mine.refresh_from_db()
        waiting.refresh_from_db()
        assert mine.status == "cancelled" and mine.cancelled_by == bob.user
        assert waiting.status == "confirmed"

    @pytest.mark.parametrize(
        ("waitlist_enabled", "waiting", "promised"),
        [(True, True, True), (True, False, False), (False, False, False)],
        ids=["someone-waits", "waitlist-empty", "no-waitlist"],
    )
    def test_cancel_page_promises_the_place_to_the_waitlist_only_when_someone_waits(
        self, almaty, bob, waitlist_enabled, waiting, promised
    ) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        shift = ShiftFactory(capacity=1, waitlist_enabled=True)
        mine = services.signup_create(shift=shift, volunteer=bob, by=bob.user)
        if waiting:
            services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        Shift.objects.filter(pk=shift.pk).update(waitlist_enabled=waitlist_enabled)
        client = client_for(bob.user)
        client.cookies["django_language"] = "en"
        page = client.get(f"/my-shifts/{mine.pk}/cancel/").content.decode()
        assert ("Your place will go to the first person on the waitlist." in page) is promised
        assert ("Your place will be free again for others to sign up." in page) is not promised

    def test_waitlisted_cancel_page_says_they_leave_the_waitlist(self, almaty, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        shift = ShiftFactory(capacity=1)
        services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        mine = services.signup_create(shift=shift, volunteer=bob, by=bob.user)
        client = client_for(bob.user)
        client.cookies["django_language"] = "en"
        page = client.get(f"/my-shifts/{mine.pk}/cancel/").content.decode()
        assert "You will leave the waitlist." in page and "Your place will" not in page

    def test_minor_awaiting_guardian_is_told_why_and_where_to_go_next(self, almaty) -> None:  # type: ignore[no-untyped-def]
        minor = MinorFactory(
            region=almaty, with_account=True, status=Volunteer.Status.AWAITING_GUARDIAN, first_name="Аружан"
        )
        shift = ShiftFactory()
        client = client_for(minor.user)
        client.cookies["django_language"] = "en"
        for url in (f"/shifts/{shift.pk}/", f"/shifts/{shift.pk}/signup/"):
            page = client.get(url).content.decode()
            assert "waits for a parent&#x27;s or guardian&#x27;s consent" in page, url
            assert "is not active" not in page, url
            assert 'href="/me/#guardian-next-step"' in page, url
        response = client.post(f"/shifts/{shift.pk}/signup/", follow=True)
        assert "consent" in "".join(str(m) for m in response.context["messages"])
        assert not Signup.objects.exists()
        # The profile page the link leads to has the section it points at.
        assert 'id="guardian-next-step"' in client.get("/me/").content.decode()

    def test_other_inactive_profiles_get_no_guardian_link(self, almaty) -> None:  # type: ignore[no-untyped-def]
        paused = VolunteerFactory(region=almaty, with_account=True, status=Volunteer.Status.PAUSED)
        client = client_for(paused.user)
        client.cookies["django_language"] = "en"
        page = client.get(f"/shifts/{ShiftFactory().pk}/").content.decode()
        assert "is not active" in page and "guardian-next-step" not in page

    def test_someone_elses_sign_up_cannot_be_cancelled(self, almaty, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        other = services.signup_create(
            shift=ShiftFactory(), volunteer=VolunteerFactory(region=almaty), by=None
        )
        client = client_for(bob.user)
        assert client.get(f"/my-shifts/{other.pk}/cancel/").status_code == 404
        assert client.post(f"/my-shifts/{other.pk}/cancel/").status_code == 404
        other.refresh_from_db()
        assert other.status == "confirmed"

    def test_account_without_volunteer_profile(self, alice) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        response = client_for(alice).post(f"/shifts/{shift.pk}/signup/")
        assert response.status_code == 200
        assert "no_profile" in response.templates[0].name
        assert not Signup.objects.exists()

    def test_my_shifts_shows_past_hours_and_the_total(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        shift = ShiftFactory()
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        start_now(shift)
        services.signup_check_in(signup=signup, by=alice)
        services.signup_hours_set(signup=signup, hours=Decimal("2.5"), reason="Кеш келді", by=alice)
        Shift.objects.filter(pk=shift.pk).update(
            starts_at=timezone.now() - datetime.timedelta(hours=5),
            ends_at=timezone.now() - datetime.timedelta(hours=2),
        )
        for lang, text in (("kk", "2,5"), ("en", "2.5")):
            client = client_for(bob.user)
            client.cookies["django_language"] = lang
            response = client.get("/my-shifts/")
            assert response.context["hours"] == Decimal("2.50")
            assert [s.pk for s in response.context["past"].object_list] == [signup.pk]
            assert text in response.content.decode()


@pytest.mark.django_db
class TestCalendarFile:
    def test_ics_has_utc_times_and_escaped_text(self, client) -> None:  # type: ignore[no-untyped-def]
        day = timezone.localdate() + datetime.timedelta(days=4)
        shift = ShiftFactory(
            campaign=CampaignFactory(title="Тазалық; өзен, жаға"),
            starts_at=local(day, 9, 30),
            ends_at=local(day, 12),
            place_name="Парк\\Саябақ",
            notes="Қолғап алыңыз.\nСу беріледі.",
        )
        response = client.get(f"/shifts/{shift.pk}/calendar.ics")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        body = response.content.decode()
        assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
        assert f"DTSTART:{day:%Y%m%d}T043000Z" in body  # 09:30 in Almaty is 04:30 UTC
        assert f"DTEND:{day:%Y%m%d}T070000Z" in body
        unfolded = body.replace("\r\n ", "")
        assert "SUMMARY:Тазалық\\; өзен\\, жаға" in unfolded
        assert "LOCATION:Парк\\\\Саябақ" in unfolded
        assert "Қолғап алыңыз.\\nСу беріледі." in unfolded
        assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


@pytest.mark.django_db
class TestCoordinatorCampaigns:
    def test_create_publish_and_add_a_night_shift(self, alice, almaty, astana) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        form = client.get("/manage/campaigns/new/").context["form"]
        assert list(form.fields["region"].queryset) == [almaty]
        today = timezone.localdate()
        response = client.post(
            "/manage/campaigns/new/",
            {
                "title": "Түнгі көмек",
                "kind": "elderly",
                "direction": "qamqor",
                "region": almaty.pk,
                "starts_on": today.isoformat(),
                "ends_on": (today + datetime.timedelta(days=30)).isoformat(),
            },
        )
        campaign = Campaign.objects.get()
        assert response.status_code == 302 and campaign.status == "draft" and campaign.region == almaty
        client.post(f"/manage/campaigns/{campaign.pk}/status/", {"status": "published"})
        campaign.refresh_from_db()
        assert campaign.status == "published"

        day = today + datetime.timedelta(days=2)
        response = client.post(
            f"/manage/campaigns/{campaign.pk}/shifts/new/",
            {
                "place_name": "Қарттар үйі",
                "date": day.isoformat(),
                "start_time": "22:00",
                "end_time": "02:00",
                "capacity": "4",
                "waitlist_enabled": "on",
            },
        )
        shift = Shift.objects.get()
        assert response.status_code == 302
        assert timezone.localtime(shift.starts_at) == local(day, 22)
        assert timezone.localtime(shift.ends_at) == local(day + datetime.timedelta(days=1), 2)

    def test_coordinator_cannot_post_another_region(self, alice, astana) -> None:  # type: ignore[no-untyped-def]
        today = timezone.localdate()
        response = client_for(alice).post(
            "/manage/campaigns/new/",
            {"title": "X", "kind": "other", "region": astana.pk, "starts_on": today, "ends_on": today},
        )
        assert response.status_code == 200 and "region" in response.context["form"].errors
        assert not Campaign.objects.exists()

    def test_weekly_series_from_the_form(self, alice) -> None:  # type: ignore[no-untyped-def]
        campaign = CampaignFactory()
        first = timezone.localdate() + datetime.timedelta(days=1)
        response = client_for(alice).post(
            f"/manage/campaigns/{campaign.pk}/series/new/",
            {
                "place_name": "Кітапхана",
                "first_date": first.isoformat(),
                "weekdays": ["1", "3", "5"],
                "weeks": "2",
                "start_time": "18:00",
                "end_time": "20:00",
                "capacity": "6",
                "waitlist_enabled": "on",
            },
        )
        assert response.status_code == 302
        shifts = list(Shift.objects.filter(campaign=campaign))
        assert len(shifts) == 6
        assert {timezone.localtime(s.starts_at).isoweekday() for s in shifts} == {1, 3, 5}

    def test_fewer_places_than_confirmed_is_a_form_error(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(capacity=2)
        for _ in range(2):
            services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        client = client_for(alice)
        data = {
            k: v for k, v in client.get(f"/manage/shifts/{shift.pk}/edit/").context["form"].initial.items()
        }
        data = {
            "place_name": data["place_name"],
            "date": data["date"].isoformat(),
            "start_time": data["start_time"].strftime("%H:%M"),
            "end_time": data["end_time"].strftime("%H:%M"),
            "capacity": "1",
            "waitlist_enabled": "on",
        }
        response = client.post(f"/manage/shifts/{shift.pk}/edit/", data)
        assert response.status_code == 200 and "capacity" in response.context["form"].errors
        shift.refresh_from_db()
        assert shift.capacity == 2 and shift.signups.filter(status="confirmed").count() == 2

    def test_cancel_shift_needs_the_tick(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        client_for(alice).post(f"/manage/shifts/{shift.pk}/cancel/")
        shift.refresh_from_db()
        assert shift.cancelled_at is None
        client_for(alice).post(f"/manage/shifts/{shift.pk}/cancel/", {"confirm": "yes"})
        shift.refresh_from_db()
        signup.refresh_from_db()
        assert shift.cancelled_at is not None and signup.status == "cancelled"

    def test_a_campaign_is_cancelled_only_with_the_box_ticked(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        url = f"/manage/campaigns/{shift.campaign_id}/status/"
        page = client.get(f"/manage/campaigns/{shift.campaign_id}/").content.decode()
        assert 'id="campaign-cancel-form"' in page and 'name="confirm"' in page
        # "Cancel the campaign" pressed beside "Close sign-ups", the box not ticked: nothing happens.
        response = client.post(url, {"status": "cancelled"}, follow=True)
        assert "Tick the box to confirm that the campaign is cancelled." in response.content.decode()
        shift.campaign.refresh_from_db()
        signup.refresh_from_db()
        assert (shift.campaign.status, signup.status) == ("published", "confirmed")
        client.post(url, {"status": "cancelled", "confirm": "yes"})
        shift.campaign.refresh_from_db()
        signup.refresh_from_db()
        assert (shift.campaign.status, signup.status) == ("cancelled", "cancelled")


@pytest.mark.django_db
class TestShiftRoster:
    def test_roster_lists_confirmed_and_waitlist_with_minors_marked(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(capacity=1)
        teen = MinorFactory(region=almaty, last_name="Бекова", birth_date=years_ago(15))
        adult = VolunteerFactory(region=almaty, last_name="Серікова")
        services.signup_create(shift=shift, volunteer=teen, by=None)
        services.signup_create(shift=shift, volunteer=adult, by=None)
        response = client_for(alice).get(f"/manage/shifts/{shift.pk}/")
        roster = response.context["roster"]
        assert [s.volunteer for s in roster["confirmed"]] == [teen]
        assert roster["confirmed"][0].is_minor
        assert [s.volunteer for s in roster["waitlist"]] == [adult]
        html = response.content.decode()
        assert "badge-minor" in html
        # The guardian's phone dials the stored number and reads grouped, like every other phone.
        assert f'<a href="tel:{teen.guardian_phone}" class="nowrap">{teen.guardian_phone_display}</a>' in html
        assert teen.guardian_phone_display != teen.guardian_phone

    def test_add_several_at_once_reports_refusals_by_name(self, alice, almaty, astana) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(adults_only=True)
        adult = VolunteerFactory(region=almaty, last_name="Ахметов")
        teen = MinorFactory(region=almaty, last_name="Бекова", first_name="Аружан", birth_date=years_ago(16))
        client = client_for(alice)
        found = client.get(f"/manage/shifts/{shift.pk}/", {"q": "Ахметов"}).context["candidates"]
        assert adult in found
        response = client.post(
            f"/manage/shifts/{shift.pk}/add/", {"volunteers": [adult.pk, teen.pk]}, follow=True
        )
        texts = [str(m) for m in response.context["messages"]]
        assert any(t.startswith("Бекова Аружан") and "18" in t for t in texts), texts
        assert Signup.objects.get().volunteer == adult
        assert Signup.objects.get().signed_up_by == alice

    def test_adding_someone_outside_the_scope_is_404(self, alice, astana_volunteer) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        response = client_for(alice).post(
            f"/manage/shifts/{shift.pk}/add/", {"volunteers": [astana_volunteer.pk]}
        )
        assert response.status_code == 404
        assert not Signup.objects.exists()

    def test_attendance_on_the_phone(self, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        came = services.signup_create(shift=shift, volunteer=bob, by=None)
        absent = services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        start_now(shift)
        client = client_for(alice)
        client.post(f"/manage/signups/{came.pk}/attendance/", {"action": "check_in"})
        client.post(f"/manage/signups/{absent.pk}/attendance/", {"action": "no_show"})
        came.refresh_from_db()
        absent.refresh_from_db()
        assert came.status == "attended" and came.hours is not None
        assert absent.status == "no_show" and absent.hours is None

        response = client.post(
            f"/manage/signups/{came.pk}/attendance/", {"action": "hours", "hours": "1.5"}, follow=True
        )
        assert [m.level_tag for m in response.context["messages"]][-1] == "error"
        came.refresh_from_db()
        assert came.hours != Decimal("1.5")  # refused: a reason is needed
        client.post(
            f"/manage/signups/{came.pk}/attendance/",
            {"action": "hours", "hours": "1.5", "reason": "Ерте кетті"},
        )
        came.refresh_from_db()
        assert (came.hours, came.hours_reason) == (Decimal("1.50"), "Ерте кетті")
        assert client.get(f"/manage/shifts/{shift.pk}/").context["hours"] == Decimal("1.50")

    @pytest.mark.parametrize("bad", [{"action": "hours", "hours": "abc"}, {"action": "zzz"}])
    def test_bad_attendance_input_is_a_message_not_a_500(self, alice, bob, bad) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        start_now(shift)
        response = client_for(alice).post(f"/manage/signups/{signup.pk}/attendance/", bad)
        assert response.status_code == 302
        signup.refresh_from_db()
        assert signup.status == "confirmed"


@pytest.mark.django_db
class TestCuratorSignsUpPupils:
    def test_own_pupils_each_judged_on_their_own(self, almaty) -> None:  # type: ignore[no-untyped-def]
        curator = UserFactory(email="teacher@example.kz")
        detachment = DetachmentFactory(region=almaty, curator=curator)
        ready = MinorFactory(
            region=almaty, detachment=detachment, last_name="Әбенова", birth_date=years_ago(15)
        )
        young = MinorFactory(
            region=almaty,
            detachment=detachment,
            last_name="Бекова",
            first_name="Аружан",
            birth_date=years_ago(12),
        )
        stranger = MinorFactory(
            region=almaty, detachment=DetachmentFactory(region=almaty), birth_date=years_ago(15)
        )
        shift = ShiftFactory()
        client = client_for(curator)
        page = client.get(f"/shifts/{shift.pk}/detachment/")
        assert page.status_code == 200
        assert {m.pk for m in page.context["members"]} == {ready.pk, young.pk}

        response = client.post(
            f"/shifts/{shift.pk}/detachment/", {"volunteers": [ready.pk, young.pk, stranger.pk]}, follow=True
        )
        texts = [str(m) for m in response.context["messages"]]
        assert any(t.startswith("Бекова Аружан") for t in texts), texts
        signups = list(Signup.objects.all())
        assert [(s.volunteer, s.signed_up_by) for s in signups] == [(ready, curator)]

    def test_after_signing_up_the_page_is_loaded_afresh_with_each_result(self, almaty) -> None:  # type: ignore[no-untyped-def]
        curator = UserFactory(email="teacher@example.kz")
        detachment = DetachmentFactory(region=almaty, curator=curator)
        pupils = [
            MinorFactory(region=almaty, detachment=detachment, last_name=name, first_name="Аружан")
            for name in ("Әбенова", "Бекова")
        ]
        shift = ShiftFactory(capacity=6)
        for _ in range(4):
            services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        client = client_for(curator)
        client.cookies["django_language"] = "en"
        url = f"/shifts/{shift.pk}/detachment/"
        assert "2 free of 6" in client.get(url).content.decode()

        response = client.post(url, {"volunteers": [p.pk for p in pupils]})
        # Post/redirect/get: a reload of the page the curator lands on sends nothing again.
        assert response.status_code == 302 and response["Location"] == url
        shown = client.get(url)
        page = shown.content.decode()
        assert "0 free of 6" in page and "2 free of 6" not in page
        assert {str(m) for m in shown.context["messages"]} == {
            "Әбенова Аружан: signed up.",
            "Бекова Аружан: signed up.",
        }
        # Both are on the shift now: shown with their status, no longer offered.
        for pupil in pupils:
            assert f'value="{pupil.pk}"' not in page
        shift.refresh_from_db()
        assert shift.taken_places == 6
        assert Signup.objects.filter(shift=shift, signed_up_by=curator, status="confirmed").count() == 2

    def test_a_form_with_errors_is_shown_again(self, almaty) -> None:  # type: ignore[no-untyped-def]
        curator = UserFactory(email="teacher@example.kz")
        detachment = DetachmentFactory(region=almaty, curator=curator)
        MinorFactory(region=almaty, detachment=detachment)
        shift = ShiftFactory()
        client = client_for(curator)
        client.cookies["django_language"] = "en"
        response = client.post(f"/shifts/{shift.pk}/detachment/", {})
        assert response.status_code == 200 and "Tick at least one person." in response.content.decode()
        assert not Signup.objects.exists()

    def test_not_a_curator_is_404(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        assert client_for(bob.user).get(f"/shifts/{ShiftFactory().pk}/detachment/").status_code == 404


@pytest.mark.django_db
class TestScope:
    """Every events URL for every persona: anonymous visitors log in first, other regions' and
    national objects are 404 for a coordinator, volunteers find no management at all."""

    def _objects(self, almaty, bob):  # type: ignore[no-untyped-def]
        shift = ShiftFactory(campaign=CampaignFactory(region=almaty))
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        return shift.campaign, shift, signup

    def _manage_urls(self, campaign, shift, signup) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
        return [
            ("get", f"/manage/campaigns/{campaign.pk}/"),
            ("get", f"/manage/campaigns/{campaign.pk}/edit/"),
            ("post", f"/manage/campaigns/{campaign.pk}/edit/"),
            ("post", f"/manage/campaigns/{campaign.pk}/status/"),
            ("get", f"/manage/campaigns/{campaign.pk}/shifts/new/"),
            ("post", f"/manage/campaigns/{campaign.pk}/shifts/new/"),
            ("get", f"/manage/campaigns/{campaign.pk}/series/new/"),
            ("get", f"/manage/shifts/{shift.pk}/"),
            ("get", f"/manage/shifts/{shift.pk}/edit/"),
            ("post", f"/manage/shifts/{shift.pk}/cancel/"),
            ("post", f"/manage/shifts/{shift.pk}/add/"),
            ("post", f"/manage/signups/{signup.pk}/attendance/"),
        ]

    def test_anonymous_is_sent_to_log_in(self, almaty, bob) -> None:  # type: ignore[no-untyped-def]
        campaign, shift, signup = self._objects(almaty, bob)
        client = Client()
        for method, url in [
            *self._manage_urls(campaign, shift, signup),
            ("get", "/manage/campaigns/"),
            ("get", "/manage/campaigns/new/"),
            ("get", "/my-shifts/"),
            ("get", f"/my-shifts/{signup.pk}/cancel/"),
            ("get", f"/shifts/{shift.pk}/signup/"),
            ("post", f"/shifts/{shift.pk}/signup/"),
            ("get", f"/shifts/{shift.pk}/detachment/"),
        ]:
            response = getattr(client, method)(url)
            assert response.status_code == 302 and response["Location"].startswith(
                "/accounts/login/?next="
            ), url
        for url in [
            "/campaigns/",
            f"/campaigns/{campaign.pk}/",
            f"/shifts/{shift.pk}/",
            f"/shifts/{shift.pk}/calendar.ics",
        ]:
            assert client.get(url).status_code == 200, url

    def test_coordinator_of_another_region_gets_404_and_changes_nothing(self, almaty, bob, charlie) -> None:  # type: ignore[no-untyped-def]
        campaign, shift, signup = self._objects(almaty, bob)
        client = client_for(charlie)
        for method, url in self._manage_urls(campaign, shift, signup):
            assert (
                getattr(client, method)(
                    url, {"status": "cancelled", "confirm": "yes", "action": "cancel"}
                ).status_code
                == 404
            ), url
        campaign.refresh_from_db()
        shift.refresh_from_db()
        signup.refresh_from_db()
        assert (campaign.status, shift.cancelled_at, signup.status) == ("published", None, "confirmed")
        assert campaign not in client.get("/manage/campaigns/").context["page"].object_list

    def test_own_region_and_national_staff_open_everything(self, almaty, bob, alice, nora) -> None:  # type: ignore[no-untyped-def]
        campaign, shift, signup = self._objects(almaty, bob)
        for user in (alice, nora):
            client = client_for(user)
            for method, url in self._manage_urls(campaign, shift, signup):
                if method == "get":
                    assert client.get(url).status_code == 200, (user, url)

    def test_national_campaigns_are_national_staff_alone(self, bob, alice, nora) -> None:  # type: ignore[no-untyped-def]
        campaign = CampaignFactory(region=None)
        shift = ShiftFactory(campaign=campaign)
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        for method, url in self._manage_urls(campaign, shift, signup):
            assert getattr(client_for(alice), method)(url).status_code == 404, url
        assert client_for(nora).get(f"/manage/shifts/{shift.pk}/").status_code == 200
        # Volunteers see national campaigns like any other.
        bob.refresh_from_db()
        assert client_for(bob.user).get(f"/campaigns/{campaign.pk}/").status_code == 200

    def test_volunteer_finds_no_management(self, almaty, bob) -> None:  # type: ignore[no-untyped-def]
        campaign, shift, signup = self._objects(almaty, bob)
        bob.refresh_from_db()
        client = client_for(bob.user)
        for method, url in [*self._manage_urls(campaign, shift, signup), ("get", "/manage/campaigns/")]:
            assert getattr(client, method)(url).status_code == 404, url

    def test_malformed_ids_are_404(self, alice) -> None:  # type: ignore[no-untyped-def]
        for url in ["/campaigns/99999999999999999999/", "/shifts/0/", "/manage/shifts/99999999/"]:
            assert client_for(alice).get(url).status_code == 404, url


@pytest.mark.django_db
class TestQueryCounts:
    """List pages run the same number of queries for 2 rows as for 12."""

    def _count(self, client, url, django_assert_max_num_queries) -> int:  # type: ignore[no-untyped-def]
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def test_pages_do_not_grow_with_rows(self, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        skill = SkillFactory(code="first-aid")
        campaign = CampaignFactory()
        people = [VolunteerFactory(region=almaty) for _ in range(12)]

        def grow(n: int, offset: int = 0) -> Shift:
            last = None
            for i in range(n):
                shift = ShiftFactory(
                    campaign=CampaignFactory(), starts_at=in_days(2 + offset + i), capacity=3
                )
                shift.required_skills.add(skill)
                own = ShiftFactory(campaign=campaign, starts_at=in_days(2 + offset + i, 8), capacity=3)
                services.signup_create(shift=own, volunteer=bob, by=None)
                services.signup_create(shift=own, volunteer=people[i], by=None)
                last = own
            assert last is not None
            return last

        def counts(roster_shift: Shift) -> list[int]:
            user = client_for(bob.user)
            coordinator = client_for(alice)
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            result = []
            for client, url in [
                (user, "/campaigns/"),
                (user, "/campaigns/?free=on&evenings=on"),
                (user, "/campaigns/?lat=43.238&lon=76.945&free=on"),
                (user, f"/campaigns/?suits_me=on&direction={Campaign.Direction.values[0]}"),
                (user, f"/campaigns/{campaign.pk}/"),
                (user, "/my-shifts/"),
                (coordinator, "/manage/campaigns/"),
                (coordinator, f"/manage/campaigns/{campaign.pk}/"),
                (coordinator, f"/manage/shifts/{roster_shift.pk}/"),
            ]:
                with CaptureQueriesContext(connection) as ctx:
                    assert client.get(url).status_code == 200, url
                result.append(len(ctx.captured_queries))
            return result

        few = counts(grow(2))
        # The roster of the last shift grows too: more people on it.
        last = grow(10, offset=5)
        for v in people[:9]:
            services.signup_create(shift=last, volunteer=v, by=None)
        many = counts(last)
        assert few == many, (few, many)


def english(user) -> Client:  # type: ignore[no-untyped-def]
    """A logged-in client reading the pages in English (the texts asserted below)."""
    client = client_for(user)
    client.cookies["django_language"] = "en"
    return client


def _messages(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in response.context["messages"]]


@pytest.mark.django_db
class TestStaffCancelsASignUp:
    """Cancelling someone's place goes through a page that says what follows, and the roster
    then says what happened and keeps the person under "cancelled sign-ups"."""

    def test_the_roster_links_a_confirmation_page_not_a_one_click_button(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        page = english(alice).get(f"/manage/shifts/{shift.pk}/").content.decode()
        assert f'href="/manage/signups/{signup.pk}/cancel/"' in page
        assert 'value="cancel"' not in page
        confirm = english(alice).get(f"/manage/signups/{signup.pk}/cancel/")
        assert confirm.status_code == 200
        html = confirm.content.decode()
        assert "Their place becomes free for others to sign up." in html
        assert "They are told by message that the organisers cancelled their sign-up." in html
        signup.refresh_from_db()
        assert signup.status == "confirmed"  # nothing happens on the way

    def test_cancelling_names_the_person_the_shift_and_who_took_the_place(self, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(capacity=1, place_name="Есентай өзені")
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        waiter = VolunteerFactory(region=almaty, last_name="Серікова", first_name="Дана")
        waiting = services.signup_create(shift=shift, volunteer=waiter, by=None)
        client = english(alice)
        assert (
            "first person on the waitlist"
            in client.get(f"/manage/signups/{signup.pk}/cancel/").content.decode()
        )

        response = client.post(f"/manage/signups/{signup.pk}/cancel/", follow=True)

        (text,) = _messages(response)
        assert text.startswith(f"{bob.full_name}: the sign-up for {shift} has been cancelled.")
        assert "A message tells them so." in text
        assert f"Серікова Дана: moved up from the waitlist into the freed place on {shift}" in text
        assert "saved" not in text
        signup.refresh_from_db()
        waiting.refresh_from_db()
        assert (signup.status, signup.cancelled_by) == ("cancelled", alice)
        assert waiting.status == "confirmed"
        # The person does not vanish: the roster lists them under the cancelled sign-ups.
        html = response.content.decode()
        cancelled = html.split('id="cancelled"')[1]
        assert bob.full_name in cancelled and "Cancelled by Alice Coordinator" in cancelled
        assert [s.volunteer for s in response.context["roster"]["cancelled"]] == [bob]

    def test_no_waitlist_says_the_place_is_open_again(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        response = english(alice).post(f"/manage/signups/{signup.pk}/cancel/", follow=True)
        assert _messages(response)[0].endswith(f"The freed place on {shift} is open for sign-ups.")

    def test_taking_someone_off_the_waitlist_says_so(self, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(capacity=1)
        services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        waiting = services.signup_create(shift=shift, volunteer=bob, by=None)
        client = english(alice)
        assert (
            f'href="/manage/signups/{waiting.pk}/cancel/"'
            in client.get(f"/manage/shifts/{shift.pk}/").content.decode()
        )
        response = client.post(f"/manage/signups/{waiting.pk}/cancel/", follow=True)
        assert _messages(response) == [
            f"{bob.full_name}: taken off the waitlist of {shift}. A message tells them so."
        ]
        waiting.refresh_from_db()
        assert waiting.status == "cancelled"

    def test_a_moved_person_is_listed_as_moved_not_cancelled(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        campaign = CampaignFactory()
        here = ShiftFactory(campaign=campaign, starts_at=in_days(3))
        there = ShiftFactory(campaign=campaign, starts_at=in_days(5), place_name="Сайран көлі")
        signup = services.signup_create(shift=here, volunteer=bob, by=None)
        services.signup_move(signup=signup, to_shift=there, by=alice)
        html = english(alice).get(f"/manage/shifts/{here.pk}/").content.decode()
        cancelled = html.split('id="cancelled"')[1]
        assert "Moved to another shift:" in cancelled and "Сайран көлі" in cancelled
        assert "Cancelled by" not in cancelled

    def test_another_regions_coordinator_gets_404(self, charlie, bob) -> None:  # type: ignore[no-untyped-def]
        signup = services.signup_create(shift=ShiftFactory(), volunteer=bob, by=None)
        client = client_for(charlie)
        assert client.get(f"/manage/signups/{signup.pk}/cancel/").status_code == 404
        assert client.post(f"/manage/signups/{signup.pk}/cancel/").status_code == 404
        signup.refresh_from_db()
        assert signup.status == "confirmed"

    def test_a_started_shift_is_refused_with_the_reason(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        start_now(shift)
        response = english(alice).post(f"/manage/signups/{signup.pk}/cancel/", follow=True)
        assert _messages(response) == [
            f"{bob.full_name}: The shift has already started: the coordinator marks attendance instead."
        ]
        signup.refresh_from_db()
        assert signup.status == "confirmed"


@pytest.mark.django_db
class TestRosterSections:
    def test_each_heading_holds_what_it_says(self, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        came = services.signup_create(shift=shift, volunteer=bob, by=None)
        absent_person = VolunteerFactory(region=almaty, last_name="Серікова", first_name="Дана")
        absent = services.signup_create(shift=shift, volunteer=absent_person, by=None)
        unmarked_person = VolunteerFactory(region=almaty, last_name="Ахметов", first_name="Ерлан")
        services.signup_create(shift=shift, volunteer=unmarked_person, by=None)
        start_now(shift)
        client = english(alice)
        client.post(f"/manage/signups/{came.pk}/attendance/", {"action": "check_in"})
        response = client.post(f"/manage/signups/{absent.pk}/attendance/", {"action": "no_show"}, follow=True)
        # The message says what was recorded, not "saved".
        assert _messages(response)[-1] == "Серікова Дана: marked as did not come."
        html = response.content.decode()

        def section(list_id: str) -> str:
            return html.split(f'id="{list_id}"')[1].split("</ul>")[0]

        assert '<h2 id="confirmed-title">Confirmed' in html
        assert '<h2 id="attended-title">Came' in html
        assert '<h2 id="no-show-title">Did not come' in html
        assert "Ахметов Ерлан" in section("confirmed") and "Серікова Дана" not in section("confirmed")
        assert bob.full_name in section("attended")
        assert "Серікова Дана" in section("no-show") and bob.full_name not in section("no-show")

    def test_check_in_and_hours_messages_say_what_was_recorded(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        start_now(shift)
        client = english(alice)
        response = client.post(
            f"/manage/signups/{signup.pk}/attendance/", {"action": "check_in"}, follow=True
        )
        assert _messages(response) == [f"{bob.full_name}: marked as arrived."]
        response = client.post(
            f"/manage/signups/{signup.pk}/attendance/",
            {"action": "hours", "hours": "1.5", "reason": "Ерте кетті"},
            follow=True,
        )
        assert _messages(response) == [f"{bob.full_name}: 1.5 h credited."]

    def test_a_girl_under_18_is_marked_without_a_gendered_word(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        teen = MinorFactory(region=almaty, last_name="Бекова", birth_date=years_ago(15))
        services.signup_create(shift=shift, volunteer=teen, by=None)
        html = english(alice).get(f"/manage/shifts/{shift.pk}/").content.decode()
        assert '<span class="badge badge-minor">under 18 (15 years old)</span>' in html
        assert "minor" not in html.replace("badge-minor", "").replace("is-minor", "")


@pytest.mark.django_db
class TestPlacesWording:
    def test_a_full_shift_keeps_its_two_facts_apart(self, almaty, client) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(capacity=1)
        services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        client.cookies["django_language"] = "en"
        html = client.get(f"/campaigns/{shift.campaign_id}/").content.decode()
        assert (
            '<span class="places places-none">Full</span> · <span class="meta">waitlist open</span>' in html
        )

    def test_the_count_column_has_its_own_word(self, alice) -> None:  # type: ignore[no-untyped-def]
        from django.utils import translation
        from django.utils.translation import pgettext

        shift = ShiftFactory()
        html = client_for(alice).get(f"/manage/campaigns/{shift.campaign_id}/").content.decode()
        with translation.override("kk"):
            header = pgettext("places taken, a count", "Confirmed")
        assert f"<th>{header}</th>" in html
