"""Campaigns benchmark: the pages volunteers and coordinators open most, at scale — the campaign
list, a campaign's page, a shift, my shifts, open shifts in the API, the coordinator's shift
roster — each beside its floor (its SQL under EXPLAIN ANALYZE, same run), and the sign-up service.

Runs in-process against the national bench database (bench/common.py).

    make bench-events
    python bench/events.py --scale tenth
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common  # sets the bench environment before Django starts

GROUP = "Campaigns and shifts"


def run(ctx: common.Context) -> list[common.Result]:
    from django.db.models import Count, Q
    from django.utils import timezone

    from accounts.models import User
    from events.models import Campaign, Shift
    from volunteers.models import Volunteer

    now = timezone.now()
    coordinator = User.objects.get(email="coordinator75@volunteer.kz")
    national = User.objects.get(email="admin@volunteer.kz")
    # The busiest of each: the pages at their heaviest.
    campaign = (
        Campaign.objects.filter(region__code="75", status="published")
        .annotate(n=Count("shifts", filter=Q(shifts__ends_at__gt=now)))
        .order_by("-n")
        .first()
    )
    roster_shift = (
        Shift.objects.filter(campaign__region__code="75")
        .annotate(n=Count("signups"))
        .order_by("-n", "starts_at")
        .first()
    )
    busiest = (
        Volunteer.objects.filter(user__isnull=True, region__code="75")
        .annotate(n=Count("signups"))
        .order_by("-n")
        .first()
    )
    assert campaign and roster_shift and busiest
    person, _created = User.objects.get_or_create(email="bench-volunteer@volunteer.kz")
    Volunteer.objects.filter(user=person).exclude(pk=busiest.pk).update(user=None)
    Volunteer.objects.filter(pk=busiest.pk).update(user=person)
    region = campaign.region_id
    scenarios = [
        ("anonymous: campaign list", None, "/campaigns/"),
        (
            "volunteer: campaigns, Almaty, free, evenings",
            person,
            f"/campaigns/?region={region}&free=on&evenings=on",
        ),
        ("volunteer: campaigns, weekends", person, "/campaigns/?weekends=on"),
        # "Nearest to me" from Almaty's centre, over every region's campaigns.
        (
            "volunteer: campaigns, nearest to me, all regions",
            person,
            "/campaigns/?region=&lat=43.238&lon=76.945",
        ),
        (f"volunteer: campaign page ({campaign.n} upcoming shifts)", person, f"/campaigns/{campaign.pk}/"),  # type: ignore[attr-defined]
        ("volunteer: shift page", person, f"/shifts/{roster_shift.pk}/"),
        (f"volunteer: my shifts ({busiest.n} sign-ups)", person, "/my-shifts/"),  # type: ignore[attr-defined]
        ("api: open shifts, region 75", person, "/api/shifts/?region=75"),
        ("api: open shifts with free places", person, "/api/shifts/?free=true"),
        ("api: my sign-ups", person, "/api/signups/"),
        (
            f"coordinator: shift roster ({roster_shift.n} people)",
            coordinator,
            f"/manage/shifts/{roster_shift.pk}/",
        ),  # type: ignore[attr-defined]
        ("coordinator: campaigns", coordinator, "/manage/campaigns/"),
        ("coordinator: campaign's shifts", coordinator, f"/manage/campaigns/{campaign.pk}/"),
        ("national: campaigns, all regions", national, "/manage/campaigns/"),
    ]
    results = common.time_pages(GROUP, scenarios, ctx.repeat)
    signup = _bench_signup(ctx.repeat)
    return results + ([signup] if signup else [])


def _bench_signup(repeat: int) -> common.Result | None:
    """Sign-up itself: the one service every page, the API and curators call, under the shift's
    row lock, its messages queued. Each timed sign-up is cancelled again (its message rows stay)."""
    import datetime
    import time

    from django.core.exceptions import ValidationError
    from django.db.models import F, Q
    from django.utils import timezone

    from events import services
    from events.models import Campaign, Shift
    from volunteers.models import Volunteer

    shift = (
        Shift.objects.filter(
            cancelled_at=None,
            starts_at__gt=timezone.now() + datetime.timedelta(days=3),
            campaign__status=Campaign.Status.PUBLISHED,
            campaign__region__isnull=False,
            adults_only=False,
        )
        # A place to take, or a waitlist to join: a full shift without one refuses everyone.
        .filter(Q(taken_places__lt=F("capacity")) | Q(waitlist_enabled=True))
        .exclude(campaign__kind=Campaign.Kind.EMERGENCY)
        .order_by("starts_at")
        .first()
    )
    if shift is None:
        print("  no upcoming shift to sign up for")
        return None
    candidates = Volunteer.objects.filter(
        region_id=shift.campaign.region_id, status=Volunteer.Status.ACTIVE, anonymized_at=None
    ).order_by("pk")[: repeat * 20]

    timings: list[float] = []
    for volunteer in candidates:
        started = time.perf_counter()
        try:
            signup = services.signup_create(shift=shift, volunteer=volunteer, by=None)
        except ValidationError:
            continue  # an overlapping shift, an age rule: not this person
        timings.append((time.perf_counter() - started) * 1000)
        services.signup_cancel(signup=signup, by=None)
        if len(timings) >= repeat:
            break
    return common.service_result(GROUP, "service: sign-up (confirmed or waitlisted)", timings)


if __name__ == "__main__":
    sys.exit(common.main_for(run, __doc__))
