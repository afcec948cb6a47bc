"""Every campaign page reads wholly in Kazakh and Russian (see tests/core/test_untranslated.py)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from events import services
from events.models import Shift
from tests.conftest import client_for
from tests.core.test_untranslated import _render, _texts
from tests.factories import DetachmentFactory, MinorFactory, SkillFactory, UserFactory, VolunteerFactory

from .factories import CampaignFactory, ShiftFactory


class FollowingClient(Client):
    """Follows a POST's redirect: the curator's sign-up answers with one (post/redirect/get), and
    its results show on the page it leads to."""

    def post(self, path: str, data: Any = None, **extra: Any) -> Any:  # type: ignore[override]
        return super().post(path, data, follow=True, **extra)


@pytest.fixture
def pages(alice, bob, almaty):  # type: ignore[no-untyped-def]
    bob.refresh_from_db()
    # The roster page lists who viewed the person: the coordinator's name is data, as in life in
    # Cyrillic, not English left untranslated.
    alice.full_name = "Әлия Координатор"
    alice.save(update_fields=["full_name"])
    campaign = CampaignFactory(
        title="Қарттарға көмек", cover_text="Жалғыз зейнеткерлерге азық-түлік жеткізу."
    )
    shift = ShiftFactory(
        campaign=campaign,
        capacity=1,
        min_age=14,
        notes="Қолғап алыңыз.",
        signup_deadline=timezone.now() + datetime.timedelta(days=1),
    )
    shift.required_skills.add(
        SkillFactory(code="first-aid", name_kk="Алғашқы көмек", name_ru="Первая помощь", name_en="First aid")
    )
    full = ShiftFactory(campaign=campaign, capacity=1)
    curator = UserFactory(email="teacher@example.kz")
    detachment = DetachmentFactory(region=almaty, curator=curator)
    pupil = MinorFactory(region=almaty, detachment=detachment, last_name="Бекова", first_name="Аружан")
    mine = services.signup_create(shift=shift, volunteer=bob, by=None)
    services.signup_create(shift=shift, volunteer=pupil, by=curator)  # waitlisted
    services.signup_create(shift=full, volunteer=VolunteerFactory(region=almaty), by=None)
    # A series, a calendar address, a move target and a shift attended, for the pages of
    # tests/events/test_hours_feed_series.py.
    series = services.shift_series_create(
        campaign=campaign,
        first_date=timezone.localdate() + datetime.timedelta(days=3),
        weekdays=[(timezone.localdate() + datetime.timedelta(days=3)).isoweekday()],
        start_time=datetime.time(10),
        end_time=datetime.time(13),
        weeks=2,
        data={"place_name": "Мектеп ауласы", "capacity": 5, "waitlist_enabled": True},
        by=alice,
    )
    services.calendar_feed_renew(volunteer=bob)
    past = ShiftFactory(campaign=campaign, starts_at=timezone.now() + datetime.timedelta(days=5))
    went = services.signup_create(shift=past, volunteer=bob, by=None)
    Shift.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=2),
        ends_at=timezone.now() - datetime.timedelta(days=2, hours=-3),
    )
    services.signup_check_in(signup=went, by=alice)
    anonymous = Client()
    curator_following = FollowingClient()
    curator_following.force_login(curator)
    volunteer = client_for(bob.user)
    coordinator = client_for(alice)
    return [
        (anonymous, "get", "/campaigns/", None),
        (anonymous, "get", "/campaigns/?date_from=bad&free=on", None),
        (anonymous, "get", f"/campaigns/{campaign.pk}/", None),
        (anonymous, "get", f"/shifts/{shift.pk}/", None),
        (volunteer, "get", f"/campaigns/{campaign.pk}/", None),
        (volunteer, "get", f"/shifts/{full.pk}/", None),
        (volunteer, "get", f"/shifts/{full.pk}/signup/", None),
        (volunteer, "get", "/my-shifts/", None),
        (volunteer, "get", f"/my-shifts/{mine.pk}/cancel/", None),
        (client_for(curator), "get", f"/shifts/{full.pk}/detachment/", None),
        (curator_following, "post", f"/shifts/{full.pk}/detachment/", {"volunteers": [pupil.pk]}),
        (coordinator, "get", "/my-shifts/", None),
        (coordinator, "get", "/manage/campaigns/", None),
        (coordinator, "get", "/manage/campaigns/new/", None),
        (coordinator, "post", "/manage/campaigns/new/", {"starts_on": "x"}),
        (coordinator, "get", f"/manage/campaigns/{campaign.pk}/", None),
        (coordinator, "get", f"/manage/campaigns/{campaign.pk}/edit/", None),
        (coordinator, "get", f"/manage/campaigns/{campaign.pk}/shifts/new/", None),
        (coordinator, "post", f"/manage/campaigns/{campaign.pk}/shifts/new/", {"capacity": "0"}),
        (coordinator, "get", f"/manage/campaigns/{campaign.pk}/series/new/", None),
        (coordinator, "post", f"/manage/campaigns/{campaign.pk}/series/new/", {"weeks": "99"}),
        (coordinator, "get", f"/manage/shifts/{shift.pk}/", None),
        (coordinator, "get", f"/manage/shifts/{shift.pk}/?q=Ахметов", None),
        (coordinator, "get", f"/manage/shifts/{shift.pk}/edit/", None),
        (coordinator, "get", f"/manage/shifts/{series[0].pk}/", None),
        (coordinator, "get", f"/manage/shifts/{series[0].pk}/series/", None),
        (coordinator, "post", f"/manage/shifts/{series[0].pk}/series/", {"capacity": "0", "end_time": "x"}),
        (coordinator, "get", f"/manage/signups/{mine.pk}/move/", None),
        (coordinator, "post", f"/manage/signups/{mine.pk}/move/", {"to_shift": full.pk}),
        (coordinator, "get", f"/manage/signups/{mine.pk}/cancel/", None),
        (coordinator, "get", f"/manage/shifts/{past.pk}/", None),
        (coordinator, "get", f"/manage/shifts/{past.pk}/transport/", None),
        (coordinator, "get", f"/roster/{bob.pk}/", None),
        (volunteer, "get", "/me/", None),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_no_english_left_on_campaign_pages(pages, lang: str) -> None:  # type: ignore[no-untyped-def]
    leftovers: dict[str, set[str]] = {}
    for client, method, url, data in pages:
        english = _texts(_render(client, method, url, data, "en"))
        translated = _texts(_render(client, method, url, data, lang))
        same = english & translated
        if same:
            leftovers[f"{method.upper()} {url}"] = same
    assert not leftovers, leftovers
