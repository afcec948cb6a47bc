"""Targeted-help benchmark: the coordinator's open-requests list (overdue first), its map layer,
a request's page with its suggestions, the volunteer's page and the API, at scale, each beside its
floor (its SQL under EXPLAIN ANALYZE, same run); then the assignment service (offer and confirm,
under the request's row lock). The national bench database holds 2 500 beneficiaries per region
with a season of help requests each.

    make bench-care
    python bench/care.py --scale tenth
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common  # sets the bench environment before Django starts

GROUP = "Targeted help"


def run(ctx: common.Context) -> list[common.Result]:
    from accounts.models import User
    from care.models import HelpRequest

    coordinator = User.objects.get(email="coordinator75@volunteer.kz")
    national = User.objects.get(email="admin@volunteer.kz")
    open_75 = HelpRequest.objects.filter(region__code="75", status__in=HelpRequest.OPEN)
    busiest = open_75.filter(adults_only=False).order_by("due_until").first() or open_75.first()
    assert busiest is not None
    person = User.objects.get(email="volunteer@volunteer.kz")
    page = 2 if ctx.smoke else 20
    everywhere = HelpRequest.objects.filter(status__in=HelpRequest.OPEN).count()
    scenarios = [
        (f"coordinator: open requests, Almaty ({open_75.count()})", coordinator, "/care/requests/"),
        ("coordinator: open requests, fuel", coordinator, "/care/requests/?kind=fuel"),
        (f"coordinator: all requests, page {page}", coordinator, f"/care/requests/?status=all&page={page}"),
        (f"national: open requests, all regions ({everywhere})", national, "/care/requests/"),
        ("coordinator: map layer, Almaty", coordinator, "/api/care/requests/map/"),
        ("coordinator: request page with suggestions", coordinator, f"/care/requests/{busiest.pk}/"),
        ("api: requests, coordinator", coordinator, "/api/care/requests/"),
        ("volunteer: open requests and mine", person, "/care/"),
        ("api: requests, volunteer", person, "/api/care/requests/"),
    ]
    results = common.time_pages(GROUP, scenarios, ctx.repeat)
    assign = _bench_assign(ctx.repeat, coordinator)
    return results + ([assign] if assign else [])


def _bench_assign(repeat: int, coordinator: object) -> common.Result | None:
    """Offer and confirm: the service behind "I can do it", under the request's row lock; each
    timed assignment is withdrawn again so the request keeps its free hands."""
    import datetime
    import time

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from care import services
    from care.models import HelpRequest
    from volunteers.models import ADULT_AGE, Volunteer

    today = timezone.localdate()
    request = (
        HelpRequest.objects.filter(
            region__code="75",
            status="new",
            needs_check=False,
            due_from__gt=timezone.now() + datetime.timedelta(days=1),
        )
        .order_by("due_from")
        .first()
    )
    if request is None:
        print("  no open request to offer help with")
        return None
    candidates = Volunteer.objects.filter(
        region_id=request.region_id,
        status=Volunteer.Status.ACTIVE,
        anonymized_at=None,
        birth_date__lte=today.replace(year=today.year - ADULT_AGE),
    ).order_by("pk")[: repeat * 3]
    timings: list[float] = []
    for volunteer in candidates:
        started = time.perf_counter()
        try:
            offer = services.assignment_offer(request=request, volunteer=volunteer, by=coordinator)  # type: ignore[arg-type]
            services.assignment_confirm(assignment=offer, by=coordinator)  # type: ignore[arg-type]
        except ValidationError:
            continue
        timings.append((time.perf_counter() - started) * 1000)
        services.assignment_withdraw(assignment=offer, by=coordinator)  # type: ignore[arg-type]
        if len(timings) >= repeat:
            break
    return common.service_result(GROUP, "service: offer + confirm", timings)


if __name__ == "__main__":
    sys.exit(common.main_for(run, __doc__))
